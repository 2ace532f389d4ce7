"""The public shape of a match is exactly what the engine writes: every clause, gap and
explanation of generated enterprises against the seed and national packs validates against
the models (which forbid any undeclared field) and comes back the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from huiqi.engine.matcher import matcher_for
from huiqi.engine.public import PackMatch
from huiqi.engine.serialize import pack_match_dict
from huiqi.facts.catalogue import default_catalogue
from huiqi.generator import enterprises
from huiqi.rules.loader import load_pack
from huiqi.text import Lang

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2025, 6, 1)


@pytest.mark.parametrize("pack_dir", ["policies/seed", "policies/national",
                                      "tests/packs/language"])
@pytest.mark.parametrize("lang", [None, "zh", "en"])
def test_every_match_fits_the_public_shape(pack_dir: str, lang: Lang | None) -> None:
    pack = load_pack(ROOT / pack_dir)
    m = matcher_for(pack, AS_OF)
    statuses: set[str] = set()
    for e in enterprises(40, 7, AS_OF, default_catalogue()):
        data = pack_match_dict(m.match(e), pack.id, m, lang)
        typed = PackMatch.model_validate(data)
        assert typed.model_dump(mode="json") == data
        statuses |= {c.status for c in typed.clauses}
    assert len(statuses) >= 2  # the enterprises reach more than one outcome


def test_an_undeclared_field_is_caught() -> None:
    pack = load_pack(ROOT / "tests/packs/language")
    m = matcher_for(pack, AS_OF)
    [e] = list(enterprises(1, 7, AS_OF, default_catalogue()))
    data = pack_match_dict(m.match(e), pack.id, None)
    data["clauses"][0]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        PackMatch.model_validate(data)
