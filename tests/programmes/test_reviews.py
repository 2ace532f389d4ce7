"""Review panels: conflicts of interest declared before anything is shown and enforced at
assignment; the rubric's weighted scores; the trimmed mean with five reviewers; no
decision before every assigned review is done; ranking, quota, vacancy; the decision's
explanation; the award recorded as an honour that changes the next match."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huiqi.errors import Conflict, InputError, NotFoundError, PermissionDenied
from huiqi.programmes import applications as A
from huiqi.programmes import calls, reviews
from huiqi.programmes.schemas import ConflictAnswer, FactsConfirm, ScoreIn
from huiqi.service import enterprises, matching

from .conftest import GUILIN_CITY, GUILIN_PARK, PDF, REVIEWERS, Park, guilin

CRITERIA = ("quality_leading", "tech_innovation", "brand_excellent", "results_outstanding",
            "contribution")


def _apply(park: Park, n: int, name: str) -> tuple[str, int]:
    code = park.add_firm(n, GUILIN_CITY, GUILIN_PARK, name)
    me = park.firm(code)
    app = A.start(me, "gl-2025", code)
    assert app.facts == {"city": GUILIN_CITY, "awards": None}
    A.confirm_facts(me, app.id, FactsConfirm(facts={"awards": []}))  # none, as it confirms
    A.upload(me, app.id, "report", "report.pdf", PDF)
    A.move(me, app.id, "submit")
    A.move(park.staff(), app.id, "pass")
    return code, app.id


def _score(park: Park, reviewer: str, app_id: int, value: int | dict[str, int]) -> None:
    r = park.reviewer(reviewer)
    reviews.answer_conflict(r, app_id, ConflictAnswer(conflict=False))
    scores = value if isinstance(value, dict) else dict.fromkeys(CRITERIA, value)
    reviews.score(r, app_id, ScoreIn(scores={k: str(v) for k, v in scores.items()}, comment="好"))


def test_a_panel_of_five_one_recused_ranks_and_decides(park: Park) -> None:
    guilin(park)
    a_code, a = _apply(park, 11, "桂林甲质量有限公司")
    b_code, b = _apply(park, 12, "桂林乙质量有限公司")
    c_code, c = _apply(park, 13, "桂林丙质量有限公司")
    r1 = park.reviewer("reviewer1")
    assert [x.state for x in reviews.mine(r1)] == ["assigned"] * 3
    # before answering the conflict question a reviewer is shown nothing non-public
    with pytest.raises(PermissionDenied):
        A.get(r1, a)
    with pytest.raises(Conflict, match="请先声明"):
        reviews.score(r1, a, ScoreIn(scores=dict.fromkeys(CRITERIA, "90")))
    # reviewer5 declares a conflict with firm A: recused there, never shown it
    r5 = park.reviewer("reviewer5")
    out = reviews.answer_conflict(r5, a, ConflictAnswer(conflict=True, reason="曾为该企业顾问"))
    assert out.state == "recused"
    with pytest.raises(PermissionDenied):
        A.get(r5, a)
    with pytest.raises(Conflict, match="利益冲突"):
        reviews.assign(park.staff(), a, ["reviewer5"])
    for i, name in enumerate(REVIEWERS[:4]):
        _score(park, name, a, [95, 90, 88, 60][i])
    for name in REVIEWERS:
        _score(park, name, b, 85)
    with pytest.raises(Conflict, match="尚有 5 位"):
        reviews.decide(park.staff(), "gl-2025")   # C's reviews are not done
    for i, name in enumerate(REVIEWERS):
        _score(park, name, c, [99, 70, 70, 70, 10][i])   # trimmed: drops 99 and 10 → 70
    d = reviews.decide(park.staff(), "gl-2025")
    assert [(x["enterprise"], x["score"], x["rank"]) for x in d.ranked] == [
        (b_code, "85.00", 1), (a_code, "83.25", 2), (c_code, "70.00", 3)]
    assert d.chosen == [b_code, a_code] and d.cut_off == "83.25" and not d.vacant
    got = A.get(park.staff(), c)
    assert got.state == "not_selected" and got.explanation["not_selected"] == "below_pass_mark"
    won = A.get(park.firm(a_code), a)
    assert (won.state, won.amount, won.rank) == ("selected", "500000.00", 2)
    assert won.explanation["totals"] == ["95.00", "90.00", "88.00", "60.00"]  # 4 reviews: mean
    assert won.explanation["pass_mark"] == "80" and won.explanation["cut_off"] == "83.25"
    p = calls.get(park.staff(), "gl-2025")
    assert (p.committed, p.awarded) == ("1000000.00", 2)


def test_vacancy_when_nobody_reaches_the_pass_mark(park: Park) -> None:
    guilin(park)
    _, a = _apply(park, 21, "桂林丁有限公司")
    for name in REVIEWERS:
        _score(park, name, a, 60)
    d = reviews.decide(park.staff(), "gl-2025")
    assert d.vacant and d.chosen == [] and d.cut_off is None
    assert calls.get(park.staff(), "gl-2025").committed == "0.00"


def test_scores_are_checked_against_the_rubric(park: Park) -> None:
    guilin(park)
    _, a = _apply(park, 31, "桂林戊有限公司")
    r = park.reviewer("reviewer1")
    reviews.answer_conflict(r, a, ConflictAnswer(conflict=False))
    with pytest.raises(InputError, match="缺少评分项"):
        reviews.score(r, a, ScoreIn(scores={"quality_leading": "90"}))
    with pytest.raises(InputError, match="0 到 100"):
        reviews.score(r, a, ScoreIn(scores=dict.fromkeys(CRITERIA, "101")))
    out = reviews.score(r, a, ScoreIn(scores={"quality_leading": "100", "tech_innovation": "80",
                                              "brand_excellent": "80", "results_outstanding": "80",
                                              "contribution": "80"}))
    assert out.total == "85.00"  # weights 25/20/20/20/15 (assumed)
    with pytest.raises(NotFoundError):
        reviews.score(park.reviewer("reviewer1"), a + 999, ScoreIn(scores={"x1": "1"}))


def test_a_declared_conflict_keeps_the_reviewer_off_the_panel(park: Park) -> None:
    guilin(park)
    code = park.add_firm(41, GUILIN_CITY, GUILIN_PARK, "桂林己有限公司")
    reviews.declare_conflict(park.reviewer("reviewer2"), code, "近4年合作者")
    me = park.firm(code)
    app = A.start(me, "gl-2025", code)
    A.confirm_facts(me, app.id, FactsConfirm(facts={"awards": []}))
    A.upload(me, app.id, "report", "r.pdf", PDF)
    A.move(me, app.id, "submit")
    A.move(park.staff(), app.id, "pass")
    assert "reviewer2" not in [r.reviewer for r in A.get(park.staff(), app.id).reviews]
    assert reviews.mine(park.reviewer("reviewer2")) == []


def test_the_award_becomes_an_honour_that_changes_the_next_match(park: Park) -> None:
    guilin(park, quota=1)
    code, a = _apply(park, 51, "桂林庚有限公司")
    for name in REVIEWERS:
        _score(park, name, a, 90)
    reviews.decide(park.staff(), "gl-2025")
    officer = park.staff()
    A.move(officer, a, "publicise")
    park.advance_days(10)
    before = _status(park, code)
    assert before == "needs_review"
    A.move(officer, a, "grant")
    awards = {f.fact: f.value for f in enterprises.facts(park.system(), code)}["awards"]
    assert awards[0]["kind"] == "quality" and awards[0]["level"] == "municipal"
    assert _status(park, code) == "not_eligible"   # a winner within the last 4 years
    assert Decimal(calls.get(officer, "gl-2025").committed) == Decimal(500000)


def _status(park: Park, code: str) -> str:
    m = matching.match_one(park.system(), code, pack="seed")
    return next(c.status for c in m.packs[0].clauses if c.key == "gl-mayor-quality/award")
