"""The profile governs how many examples the property tests draw (tests/properties.py): a
count written in a test scales with it, and no property test fixes its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import properties
from properties import examples

TESTS = Path(__file__).resolve().parent
#: draws that are data, not a search: a fixed, derandomized sample the test measures
#: (every form drawn, a sweep's enterprises); the profile must not change what they assert
FIXED = {"population/test_reviews.py", "population/test_coverage.py"}


@pytest.fixture
def profile() -> Iterator[None]:
    """Leave the profile as this test found it."""
    before = settings.default
    yield
    properties.load()  # the one the environment names
    assert settings.default.max_examples == before.max_examples


@pytest.mark.parametrize(("name", "n", "want"), [
    ("dev", 300, 300), ("dev", 8, 8),
    ("ci", 300, 300), ("ci", 40, 40), ("ci", 3, 3),
    ("many", 300, 3000), ("many", 40, 1000), ("many", 6, 1000)])
def test_a_tests_count_scales_with_the_profile(profile: None, name: str, n: int,
                                                want: int) -> None:
    settings.load_profile(name)
    assert examples(n) == want


def test_ci_draws_as_many_as_dev_the_same_each_run() -> None:
    ci, dev = settings.get_profile("ci"), settings.get_profile("dev")
    assert ci.derandomize and not dev.derandomize
    assert ci.max_examples == dev.max_examples < settings.get_profile("many").max_examples


def test_no_property_test_fixes_its_own_count() -> None:
    fixed = []
    for path in sorted(TESTS.rglob("test_*.py")):
        name = path.relative_to(TESTS).as_posix()
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"max_examples\s*=(?!=)\s*(?!examples\()", text):
            if name not in FIXED:
                fixed.append(f"{name}:{text.count(chr(10), 0, m.start()) + 1}")
    assert fixed == [], "write max_examples=examples(n) (tests/properties.py): " + ", ".join(fixed)
