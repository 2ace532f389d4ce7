"""The clauses a dated trigger concerns, matched by the population engine: only those, and
with the one-enterprise engine's outcomes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from huiqi.engine.matcher import matcher_for
from huiqi.facts.catalogue import default_catalogue
from huiqi.generator.park import enterprises
from huiqi.push import concerned as C
from huiqi.push.who import outcome
from huiqi.rules.loader import load_pack

SEED = Path(__file__).resolve().parents[2] / "policies" / "seed"
DAY = dt.date(2026, 3, 1)


def test_a_window_concerns_its_clause_and_its_stacking_group() -> None:
    pack = load_pack(SEED)
    assert [c.key for c in C.window(pack, "nbgx-ip/ip_award_provincial")] == [
        "nbgx-ip/ip_award_national", "nbgx-ip/ip_award_provincial",
        "nbgx-ip/ip_award_municipal"]
    assert [c.key for c in C.window(pack, "xm-torch-voucher/voucher")] == [
        "xm-torch-voucher/voucher"]


def test_a_date_concerns_the_policies_starting_or_ending_on_it_only() -> None:
    pack = load_pack(SEED)
    ending = {c.key for c in C.on_date(pack, dt.date(2024, 1, 1))}  # bj-auto-chip expired
    assert ending and all(k.startswith("bj-auto-chip/") for k in ending)
    starting = {c.key.split("/")[0] for c in C.on_date(pack, dt.date(2023, 1, 1))}
    assert starting == {"nbgx-ip", "gl-mayor-quality", "bj-auto-chip"}  # all three from then
    assert C.on_date(pack, dt.date(2025, 6, 2)) == []


def test_the_outcomes_are_the_one_enterprise_engine_s() -> None:
    pack = load_pack(SEED)
    firms = enterprises(300, 11, DAY)
    got = C.outcomes(pack, default_catalogue(), DAY, firms, pack.clauses())
    m = matcher_for(pack, DAY)
    compared = 0
    for e in firms:
        for c in m.match(e).clauses:
            want, have = outcome(c), got[e.id][c.key]
            assert (have.status, have.amount, have.assumed, have.deadline) == (
                want.status, want.amount, want.assumed, want.deadline), (e.id, c.key)
            # the same conditions, facts and shortfalls, by their keys (the population engine
            # lists them in its order; the few told are worded by the one-enterprise engine)
            assert sorted(have.failed) == sorted(want.failed), (e.id, c.key)
            assert sorted(have.missing) == sorted(x.key for x in c.missing), (e.id, c.key)
            assert sorted(have.gaps) == sorted(
                f"{g.condition}:差 {g.shortfall.normalize():f}" for g in c.gaps), (e.id, c.key)
            compared += 1
    assert compared == 300 * len(m.clauses)
