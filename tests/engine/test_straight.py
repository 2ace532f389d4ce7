"""The straight-line path (Matcher.decide) gives what the full path (Matcher.match) gives:
statuses, amounts after stacking, failed conditions, gaps, missing facts, reviews and
reported values — over random packs and enterprises, and over the seed pack; and each
clause explained on demand is explained as the full path explains it."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.engine.explain import Explainer, explain_clause
from huiqi.engine.matcher import Matcher
from huiqi.engine.serialize import explanation_dict, pack_match_dict
from huiqi.engine.straight import Straight
from huiqi.facts.enterprise import Enterprise
from huiqi.generator import enterprises as generate
from huiqi.rules.loader import load_pack
from population import randpack as R
from population.harness import load_text
from properties import examples

SEED = Path(__file__).parents[2] / "policies" / "seed"
SETTINGS = settings(max_examples=examples(60), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _same(m: Matcher, e: Enterprise) -> None:
    full, fast = m.match(e), m.decide(e)
    # everything the API, the pages and the stored runs give without explanations
    assert pack_match_dict(fast, "p") == pack_match_dict(full, "p"), e.id
    for a, b in zip(full.clauses, fast.clauses, strict=True):
        assert (a.key, a.status, a.amount, a.potential, a.failed, a.gaps, a.missing,
                a.reviews, a.window, a.undefined, a.amount_assumed) == \
            (b.key, b.status, b.amount, b.potential, b.failed, b.gaps, b.missing, b.reviews,
             b.window, b.undefined, b.amount_assumed), (e.id, a.key)


@SETTINGS
@given(st.data())
def test_straight_path_equals_full_path_on_random_packs(data: st.DataObject) -> None:
    text = data.draw(R.pack_text(), label="pack")
    es = [data.draw(R.enterprise(i), label=f"enterprise {i}") for i in range(12)]
    with tempfile.TemporaryDirectory() as tmp:
        pack = load_text(text, Path(tmp))
    m = Matcher(pack, R.AS_OF)
    ex = Explainer(m)
    for e in es:
        _same(m, e)
        # each clause explained on demand as the full path explains it (stacking included)
        for c in m.match(e).clauses:
            got = explain_clause(m, e, c.key)
            assert got is not None and \
                explanation_dict(got) == explanation_dict(ex.explain_one(c)), (e.id, c.key)


def test_straight_path_equals_full_path_on_the_seed_pack() -> None:
    day = dt.date(2023, 6, 30)
    m = Matcher(load_pack(SEED), day)
    firms = generate(300, 5, day)
    for e in firms:
        _same(m, e)
    # the generated population reaches every status, so the comparison is not vacuous
    statuses = {c.status.value for e in firms for c in m.decide(e).clauses}
    assert statuses == {"eligible", "not_eligible", "undetermined", "needs_review"}


def test_one_clause_explained_on_demand_as_the_full_path_explains_it() -> None:
    day = dt.date(2023, 6, 30)
    m = Matcher(load_pack(SEED), day)
    ex = Explainer(m)
    for e in generate(40, 6, day):
        res = m.match(e)
        for c in res.clauses:
            want = explanation_dict(ex.explain_one(c))
            got = explain_clause(m, e, c.key)
            assert got is not None and explanation_dict(got) == want, (e.id, c.key)
    assert explain_clause(m, generate(1, 6, day)[0], "no-such/clause") is None


def test_the_straight_path_records_no_value_an_explanation_would_read() -> None:
    """Nothing recorded that the requested output does not need: the full path keeps a
    value for every node it computes, the straight path only the sides of comparisons
    whose gaps may be asked."""
    day = dt.date(2023, 6, 30)
    m = Matcher(load_pack(SEED), day)
    e = generate(1, 7, day)[0]
    full, fast = m.match(e), m.decide(e)
    assert len(fast.clauses[0].slots) < len(full.clauses[0].slots)
    assert all(not c.notes for c in fast.clauses)
    assert isinstance(m.straight, Straight) and m.straight is m.straight


@SETTINGS
@given(st.data())
def test_straight_path_equals_full_path_on_bounds_packs(data: st.DataObject) -> None:
    """The packs of the bounds reasoning (facts missing within declared ranges, scored
    reviews with sub-scores missing): the fast path decides as the full path does."""
    from . import bounds_packs as B

    text = data.draw(B.pack_text(), label="pack")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bp.yaml").write_text(text, encoding="utf-8")
        m = Matcher(load_pack(folder / "bp.yaml", B.catalogue(folder)), B.AS_OF)
    for i in range(6):
        _same(m, data.draw(B.enterprise(), label=f"enterprise {i}"))
