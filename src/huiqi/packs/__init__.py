"""Stored policy packs: immutable versions (draft → published → superseded, or retired),
each with its files kept byte for byte so that it can be re-loaded exactly."""
