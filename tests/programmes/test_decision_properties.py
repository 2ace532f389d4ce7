"""Property over random competitive programmes and panels, through the database: after the
decision, the awards ≤ the quota, their sum ≤ the budget, nobody below the pass mark is
selected, the vacancy is recorded exactly when nobody reached it, and the committed total is
the sum of the selected amounts."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from huiqi.programmes import applications as A
from huiqi.programmes import reviews
from huiqi.programmes.models import Application, Programme
from huiqi.programmes.panel import GUILIN
from huiqi.programmes.schemas import ConflictAnswer, FactsConfirm, ScoreIn
from properties import examples

from .conftest import GUILIN_CITY, GUILIN_PARK, PDF, REVIEWERS, Park, guilin

_round = itertools.count()
marks = st.lists(st.lists(st.integers(40, 100), min_size=5, max_size=5), min_size=1, max_size=4)


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(panel=marks, quota=st.integers(1, 2), budget=st.sampled_from(["400000", "500000", "1000000"]))
def test_decisions_keep_quota_budget_and_pass_mark(park: Park, panel: list[list[int]], quota: int,
                                                   budget: str) -> None:
    n = next(_round)
    key = f"gl-dec-{n}"
    guilin(park, key=key, quota=quota, budget=budget)
    for i, scores in enumerate(panel):
        code = park.add_firm(7000 + n * 10 + i, GUILIN_CITY, GUILIN_PARK, f"桂林决定{n}-{i}号")
        me = park.firm(code)
        app = A.start(me, key, code)
        A.confirm_facts(me, app.id, FactsConfirm(facts={"awards": []}))
        A.upload(me, app.id, "report", "r.pdf", PDF)
        A.move(me, app.id, "submit")
        A.move(park.staff(), app.id, "pass")
        for name, v in zip(REVIEWERS, scores, strict=True):
            r = park.reviewer(name)
            reviews.answer_conflict(r, app.id, ConflictAnswer(conflict=False))
            reviews.score(r, app.id, ScoreIn(scores={c.id: str(v) for c in GUILIN.criteria}))
    d = reviews.decide(park.staff(), key)
    with park.platform.db.read() as s:
        p = s.scalars(select(Programme).where(Programme.key == key)).one()
        apps = s.scalars(select(Application).where(Application.programme_id == p.id)).all()
    chosen = [a for a in apps if a.state == "selected"]
    assert len(chosen) <= quota
    assert sum((Decimal(a.amount or 0) for a in chosen), Decimal(0)) == p.committed <= p.budget
    assert all(a.score is not None and a.score >= GUILIN.pass_mark for a in chosen)
    passing = [a for a in apps if a.score is not None and a.score >= GUILIN.pass_mark]
    assert d.vacant == (not passing)
    if passing and Decimal(budget) >= 500000:
        assert chosen   # somebody passed and the money was there: not vacant
