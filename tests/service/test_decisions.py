"""Review decisions recorded by the platform (issue 11, item 3): who, when, the verdict or
the scores, the evidence, for which enterprise, condition and pack version; one-enterprise
matching, near-misses and simulations all read them, and agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from huiqi.errors import InputError, NotFoundError, PermissionDenied
from huiqi.packs.files import read_folder
from huiqi.service import audit, decisions, matching, population
from huiqi.service.schemas import DecisionCreate
from service_fixtures import CODE_A, CODE_B, CODE_UNI, ROOT, World

REVIEWS = ROOT / "tests" / "packs" / "reviews"
DAY = dt.date(2025, 6, 30)


@pytest.fixture
def park(world: World) -> World:
    world.publish("reviews", read_folder(Path(REVIEWS)))
    return world


def _statuses(w: World, code: str) -> dict[str, str]:
    [p] = matching.match_one(w.ctx("policy_officer"), code, DAY, pack="reviews",
                             explain=False).packs
    return {c.key: c.status for c in p.clauses}


def test_decisions_change_the_match_and_the_park_agrees(park: World) -> None:
    reviewer = park.ctx("reviewer")
    assert _statuses(park, CODE_A) == {"panel/project": "needs_review",
                                       "panel/key_project": "needs_review"}
    d = decisions.decide(reviewer, "reviews", CODE_A, DecisionCreate(
        condition="panel/project/panel", scores={"score": "70"}, evidence="评审会纪要"))
    assert (d.scores, d.decided_by, d.credit_code) == ({"score": "70"}, "u_reviewer", CODE_A)
    assert d.version_key.startswith("reviews@0.1")
    # exactly the strict mark: not met
    assert _statuses(park, CODE_A)["panel/project"] == "not_eligible"
    decisions.decide(reviewer, "reviews", CODE_A, DecisionCreate(
        condition="panel/project/panel", scores={"score": "70.5"}, evidence="复议"))
    decisions.decide(reviewer, "reviews", CODE_B, DecisionCreate(
        condition="panel/key_project/panel", scores={"tech": "40", "market": None},
        evidence="市场前景待补"))
    decisions.decide(reviewer, "reviews", CODE_B, DecisionCreate(
        condition="panel/key_project/verified", verdict=True, evidence="材料属实"))
    one = {code: _statuses(park, code) for code in (CODE_A, CODE_B, CODE_UNI)}
    assert one[CODE_A]["panel/project"] == "eligible"    # the later decision counts
    assert one[CODE_B]["panel/key_project"] == "undetermined"   # a score is missing
    officer = park.ctx("policy_officer")
    sim = population.simulate(officer, "reviews", as_of=DAY)
    park_counts = {c.clause: {s: getattr(c, s) for s in ("eligible", "not_eligible",
                                                         "undetermined", "needs_review")
                              if getattr(c, s)} for c in sim.clauses}
    expected: dict[str, dict[str, int]] = {}
    for st in one.values():
        for key, status in st.items():
            expected.setdefault(key, {}).setdefault(status, 0)
            expected[key][status] += 1
    assert park_counts == expected
    hist = decisions.history(officer, "reviews", CODE_A)
    assert [h.scores for h in hist.items] == [{"score": "70.5"}, {"score": "70"}]
    total, entries = audit.entries(park.ctx("admin"), audit.AuditQuery(action="review.decide"))
    assert total == 4 and {e.actor for e in entries} == {"u_reviewer"}
    assert any(e.after and e.after.get("scores") == {"score": "70.5"} for e in entries)


def test_a_decision_must_fit_its_condition(park: World) -> None:
    reviewer = park.ctx("reviewer")
    for body in (DecisionCreate(condition="panel/project/panel", verdict=True, evidence="x"),
                 DecisionCreate(condition="panel/key_project/verified", scores={"score": "1"},
                                evidence="x"),
                 DecisionCreate(condition="panel/key_project/panel", scores={"design": "1"},
                                evidence="x"),
                 DecisionCreate(condition="panel/key_project/panel", scores={"tech": "61"},
                                evidence="x")):
        with pytest.raises(InputError):
            decisions.decide(reviewer, "reviews", CODE_A, body)
    with pytest.raises(NotFoundError):
        decisions.decide(reviewer, "reviews", CODE_A, DecisionCreate(
            condition="panel/project/nothing", verdict=True, evidence="x"))


def test_who_may_decide(park: World) -> None:
    body = DecisionCreate(condition="panel/key_project/verified", verdict=True, evidence="x")
    for role in ("enterprise", "case_officer", "leadership"):
        with pytest.raises(PermissionDenied):
            decisions.decide(park.ctx(role), "reviews", CODE_A, body)
    decisions.decide(park.ctx("policy_officer"), "reviews", CODE_A, body)
    # an enterprise user reads its own decisions, not another's
    assert decisions.history(park.ctx("enterprise"), "reviews", CODE_A).total == 1
    with pytest.raises(PermissionDenied):
        decisions.history(park.ctx("enterprise"), "reviews", CODE_B)


def test_who_waits_for_a_decision(park: World) -> None:
    """The enterprises the latest run left needing review (or missing a score), less those
    decided since; a decision without every score leaves it waiting, score missing."""
    reviewer = park.ctx("reviewer")
    assert decisions.waiting(reviewer, "reviews") == (None, [])  # no run yet
    assert [(k, n) for k, _, n in decisions.packs(reviewer)] == [("reviews", 3)]
    matching.run(park.ctx("policy_officer"), "reviews", DAY)
    day, items = decisions.waiting(reviewer, "reviews")
    conds = ["panel/key_project/panel", "panel/key_project/verified", "panel/project/panel"]
    assert day == DAY
    assert sorted((w.credit_code, w.condition, w.state) for w in items) == sorted(
        (c, k, "not_reviewed") for c in (CODE_A, CODE_B, CODE_UNI) for k in conds)
    decisions.decide(reviewer, "reviews", CODE_A, DecisionCreate(
        condition="panel/project/panel", scores={"score": "80"}, evidence="评审会纪要"))
    decisions.decide(reviewer, "reviews", CODE_A, DecisionCreate(
        condition="panel/key_project/panel", scores={"tech": "50", "market": None},
        evidence="市场前景待补评"))
    mine = {w.condition: w.state for w in decisions.waiting(reviewer, "reviews")[1]
            if w.credit_code == CODE_A}
    assert mine == {"panel/key_project/panel": "score_missing",
                    "panel/key_project/verified": "not_reviewed"}
    with pytest.raises(PermissionDenied):
        decisions.waiting(park.ctx("enterprise"), "reviews")
    with pytest.raises(PermissionDenied):
        decisions.packs(park.ctx("leadership"))
