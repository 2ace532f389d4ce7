"""Stored policy packs: immutable versions (draft → published → superseded, or retired),
each with its files kept byte for byte so that it can be re-loaded exactly; and the YAML
test cases policy staff write for a pack (:mod:`huiqi.packs.testcases`)."""
