"""The API's routers, one per subject."""
