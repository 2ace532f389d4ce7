"""Matching: one enterprise live with explanations; stored runs record the pack version and
the as-of date; a clause's stored results, paginated and filtered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from huiqi.errors import PermissionDenied
from huiqi.packs.files import read_folder
from huiqi.service import enterprises, matching
from huiqi.service.schemas import FactSet, FactsUpdate
from huiqi.store.database import Database
from huiqi.store.models import MatchResult
from service_fixtures import CODE_A, CODE_B, ROOT, World

LANGUAGE = ROOT / "tests" / "packs" / "language"
DAY = dt.date(2025, 6, 1)


@pytest.fixture
def published(world: World) -> str:
    return world.publish("language", read_folder(Path(LANGUAGE))).version_key or ""


def _rich(world: World, code: str, rd: str) -> None:
    enterprises.set_facts(world.ctx("admin"), code, FactsUpdate(items=[
        FactSet(fact="registration_date", value="2015-01-01"),
        FactSet(fact="industry", value="集成电路"),
        FactSet(fact="revenue", year=2024, value="10000000"),
        FactSet(fact="rd_expense", year=2024, value=rd),
        FactSet(fact="staff_total", year=2024, value="100"),
        FactSet(fact="st_staff", year=2024, value="40")]))


def test_match_one_enterprise_with_explanations(world: World, published: str) -> None:
    _rich(world, CODE_A, "900000")
    m = matching.match_one(world.ctx("enterprise"), CODE_A, DAY, lang="zh")
    [p] = m.packs
    assert (m.enterprise, p.pack, p.pack_version, p.as_of) == (CODE_A, "language", published, DAY)
    assert p.explanations is not None and len(p.explanations) == len(p.clauses)
    first = p.explanations[0]
    assert first.conditions and first.conditions[0].cite is not None
    assert Decimal(p.total_eligible_amount) >= 0


def test_a_stored_run_records_version_and_date(world: World, published: str,
                                               db: Database) -> None:
    _rich(world, CODE_A, "900000")
    _rich(world, CODE_B, "10")
    run = matching.run(world.ctx("policy_officer"), "language", DAY)
    assert (run.version_key, run.as_of, run.entities) == (published, DAY, 3)
    with db.read() as s:
        rows = list(s.scalars(select(MatchResult)))
    assert rows and {(r.version_key, r.as_of) for r in rows} == {(published, DAY)}
    # running again the same day replaces, not duplicates
    matching.run(world.ctx("policy_officer"), "language", DAY)
    with db.read() as s:
        assert len(list(s.scalars(select(MatchResult)))) == len(rows)


def test_results_of_a_clause_filtered_and_paginated(world: World, published: str) -> None:
    _rich(world, CODE_A, "900000")
    _rich(world, CODE_B, "10")
    officer = world.ctx("policy_officer")
    matching.run(officer, "language", DAY)
    clause = "lang/rd_subsidy"
    every = matching.clause_results(officer, "language", clause)
    assert every.total == 3 and {r.as_of for r in every.items} == {DAY}
    statuses = {r.credit_code: r.status for r in every.items}
    for status in set(statuses.values()):
        page = matching.clause_results(officer, "language", clause, status=status)
        assert {r.credit_code for r in page.items} == {c for c, s in statuses.items()
                                                       if s == status}
    chips = matching.clause_results(officer, "language", clause, industry="integrated_circuits")
    assert chips.total == 2
    assert matching.clause_results(officer, "language", clause, district="崂山区").total == 3
    assert matching.clause_results(officer, "language", clause, district="无此区").total == 0
    page = matching.clause_results(officer, "language", clause, offset=1, limit=1)
    assert (page.total, len(page.items)) == (3, 1)
    assert page.items[0].credit_code == sorted(statuses)[1]


def test_precomputed_matches_are_what_would_be_computed_and_never_stale(
        world: World, published: str) -> None:
    _rich(world, CODE_A, "900000")
    admin = world.ctx("admin")
    computed = matching.precompute(admin, DAY)
    assert computed == 3  # every entity of the world: two enterprises, a university
    assert matching.precompute(admin, DAY) == 0  # already there
    memo = matching._memo(admin)
    assert memo is not None and len(memo) == computed  # one response per entity
    hits = memo.hits
    cached = matching.match_one_json(admin, CODE_A, DAY, explain=False)
    assert memo.hits == hits + 1
    fresh = matching.match_one(admin, CODE_A, DAY, explain=False).model_dump_json().encode()
    assert cached == fresh
    # a change to the enterprise makes the precomputed answer unreachable, not stale
    _rich(world, CODE_A, "10")
    after = matching.match_one_json(admin, CODE_A, DAY, explain=False)
    assert after != cached
    assert after == matching.match_one(admin, CODE_A, DAY, explain=False).model_dump_json().encode()


def test_remembered_answers_from_memory_only_and_only_what_the_actor_may_read(
        world: World, published: str) -> None:
    _rich(world, CODE_A, "900000")
    admin = world.ctx("admin")
    assert matching.remembered(admin, CODE_A, DAY, explain=False) is None  # nothing computed
    data = matching.match_one_json(admin, CODE_A, DAY, explain=False)
    assert matching.remembered(admin, CODE_A, DAY, explain=False) == data
    assert matching.remembered(admin, CODE_A, DAY, explain=True) is None  # another response
    assert matching.remembered(admin, CODE_A, DAY + dt.timedelta(days=1), explain=False) is None
    own = world.ctx("enterprise")
    assert matching.remembered(own, CODE_A, DAY, explain=False) == data
    with pytest.raises(PermissionDenied):
        matching.remembered(own, CODE_B, DAY, explain=False)
    _rich(world, CODE_A, "10")  # a new revision of the enterprise: the old answer is not used
    assert matching.remembered(admin, CODE_A, DAY, explain=False) is None
