"""Credit codes of generated enterprises: valid, unique, consistent with the enterprise."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.facts.credit_code import make, validate
from huiqi.generator.codes import codes, permute
from huiqi.generator.parks import DISTRICTS, PARKS
from huiqi.generator.streams import seed_words
from properties import examples

from .helpers import AS_OF, strings


def test_every_code_is_valid_and_unique(park: Any) -> None:
    ids = park["id"].to_pylist()
    assert all(validate(c) == c for c in ids)
    assert len(set(ids)) == len(ids)


def test_codes_agree_with_credit_code_make() -> None:
    index = np.arange(0, 3_000, 7, dtype=np.int64)
    kind = np.where(index % 5 == 0, 2, 1)
    division = ["350206" if i % 2 else "110108" for i in index]
    modern = index % 3 != 0
    got = codes(index, kind, division, modern, seed_words(1, "codes", 8))
    for c, k, d in zip(got, kind, division, strict=True):
        assert c == make("9", str(k), d, c[8:16])


def test_code_parts_match_the_enterprise(park: Any) -> None:
    ids = strings(park["id"])
    kinds = strings(park["entity_kind"])
    parks = strings(park["park"])
    districts = strings(park["district"])
    registered = park["registration_date"].to_pylist()
    district_code = {(PARKS[p].name, d.name): d.code for p, d in DISTRICTS}
    city_code = {p.name: p.city_code for p in PARKS}
    for code, kind, p, d, reg in zip(ids, kinds, parks, districts, registered, strict=True):
        assert code[0] == "9"
        assert code[1] == ("2" if kind == "individual_business" else "1")
        assert code[2:8] in (district_code[(p, d)], city_code[p])
        if kind == "individual_business":
            assert code[2:8] == district_code[(p, d)]
        # unified codes since October 2015 carry "MA"; older ones an 8-digit organisation code
        if reg.isoformat() >= "2015-10-01":
            assert code[8:10] == "MA"
        else:
            assert code[8:16].isdigit()
    assert AS_OF.year > 2015


def test_some_codes_use_the_city_and_some_the_district(park: Any) -> None:
    ids = strings(park["id"])
    city = np.isin([c[2:8] for c in ids], [p.city_code for p in PARKS])
    assert 0.33 < city.mean() < 0.43


@settings(max_examples=examples(30), deadline=None)
@given(domain=st.integers(1, 5_000), seed=st.integers(0, 2**32))
def test_the_permutation_is_a_bijection(domain: int, seed: int) -> None:
    out = permute(np.arange(domain, dtype=np.int64), domain, seed_words(seed, "p", 4))
    assert sorted(out.tolist()) == list(range(domain))


def test_different_seeds_give_different_codes() -> None:
    index = np.arange(100, dtype=np.int64)
    a = codes(index, np.ones(100, dtype=np.int64), ["350206"] * 100, np.ones(100, bool), seed_words(1, "codes", 8))
    b = codes(index, np.ones(100, dtype=np.int64), ["350206"] * 100, np.ones(100, bool), seed_words(2, "codes", 8))
    assert len(set(a) & set(b)) < 3
