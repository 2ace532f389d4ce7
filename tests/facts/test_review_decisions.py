"""Recorded review decisions in enterprise files (issue 11, item 2): a verdict, one score,
the scores of parts (a part left empty: not given), from YAML and CSV; anything else is
refused with where and why."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from huiqi.errors import DataError
from huiqi.facts.io import enterprise_to_mapping, enterprises_from_text, load_enterprises

YAML = """\
- id: e1
  reviews:
    "p/c/yes": true
    "p/c/one": 70.5
    "p/c/parts": {tech: 40, market: null}
"""


def test_a_verdict_a_score_and_parts_are_read_from_yaml() -> None:
    [e] = enterprises_from_text(YAML, check_codes=False)
    assert e.reviews == {"p/c/yes": True, "p/c/one": {"score": Decimal("70.5")},
                         "p/c/parts": {"tech": Decimal(40), "market": None}}
    assert enterprise_to_mapping(e)["reviews"]["p/c/parts"] == {"tech": "40", "market": None}


@pytest.mark.parametrize("bad", ['"seventy"', "[1, 2]", "{tech: yes}", "70.00001"])
def test_a_decision_that_is_neither_is_refused_saying_where(bad: str) -> None:
    with pytest.raises(DataError) as info:
        enterprises_from_text(f'- id: e1\n  reviews: {{"p/c/k": {bad}}}\n', check_codes=False)
    [p] = info.value.problems
    assert p.line == 2 and "p/c/k" in p.message.zh


def test_scores_are_read_from_csv_columns(tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    f.write_text("id,review:p/c/yes,score:p/c/parts:tech,score:p/c/parts:market\n"
                 "e1,true,40,\ne2,,,\n", encoding="utf-8")
    e1, e2 = load_enterprises(f, check_codes=False)
    assert e1.reviews == {"p/c/yes": True, "p/c/parts": {"tech": Decimal(40)}}  # market: not given
    assert e2.reviews == {}
