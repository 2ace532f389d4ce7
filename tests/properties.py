"""How many examples the property tests draw: the Hypothesis profiles, and the count a test
that needs its own scales from the profile loaded.

``HUIQI_HYPOTHESIS_PROFILE`` picks the profile (tests/conftest.py loads it):

- ``dev`` (the default): new examples each run, 100 per test, or the test's own count;
- ``ci`` (.ci/run): the same examples on every run (derandomized), so that a run fails only
  for a real reason; as many as ``dev``;
- ``many``: ten times as many as ``dev`` and at least 1000, for a search before a commit.

A test that draws more or fewer than the profile's default (an expensive example, a cheap
one) says ``@settings(max_examples=examples(300))``: 300 under ``dev`` and ``ci``,
3000 under ``many``; never fewer than :data:`FLOOR` (or the test's own count, if smaller).
"""

from __future__ import annotations

import math
import os

from hypothesis import settings

#: the examples per test of the "dev" profile (Hypothesis's default)
DEV = 100
#: "ci": as many (deterministic: derandomized)
CI = 100
#: "many": ten times as many
MANY = 1000
#: a scaled count is never below this (nor above the test's own count)
FLOOR = 5

# no deadline: on a shared machine an example's time says nothing of the code (a parser built
# on the first call took 975 ms against Hypothesis's 200, and failed the test at random)
settings.register_profile("ci", max_examples=CI, derandomize=True, deadline=None, print_blob=True)
# "dev" and "many" say derandomize=False: on a CI machine (the CI variable set) Hypothesis's own
# defaults are derandomized, and a profile inherits them unless it says otherwise
settings.register_profile("dev", max_examples=DEV, derandomize=False, deadline=None,
                          print_blob=True)
settings.register_profile("many", max_examples=MANY, derandomize=False, deadline=None,
                          print_blob=True)


def load() -> str:
    """Load the profile ``HUIQI_HYPOTHESIS_PROFILE`` names ("dev" when unset); its name."""
    name = os.environ.get("HUIQI_HYPOTHESIS_PROFILE", "dev")
    settings.load_profile(name)
    return name


def examples(n: int) -> int:
    """The examples a test that draws ``n`` under "dev" draws under the profile loaded:
    ``n`` scaled as the profile's default is to "dev"'s (at least the profile's default when
    it scales up)."""
    default = settings.default.max_examples
    count = math.ceil(n * default / DEV)
    if default > DEV:
        count = max(count, default)
    return max(count, min(n, FLOOR))
