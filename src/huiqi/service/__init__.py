"""The platform's services: every read and write the API and the CLI offer, each taking the
acting user and checking a declared permission before it does anything."""
