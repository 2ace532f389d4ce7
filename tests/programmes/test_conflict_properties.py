"""Property: whatever conflicts reviewers declare, before or after assignment, no reviewer
is ever assigned to (or shown, or scores) an application of an enterprise it declared."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from huiqi.errors import Conflict, NotFoundError, PermissionDenied
from huiqi.programmes import applications as A
from huiqi.programmes import reviews
from huiqi.programmes.models import Application, ReviewAssignment, ReviewerConflict
from huiqi.programmes.schemas import FactsConfirm, ScoreIn
from properties import examples

from .conftest import GUILIN_CITY, GUILIN_PARK, PDF, REVIEWERS, Park, guilin

_round = itertools.count()
pairs = st.sets(st.tuples(st.sampled_from(REVIEWERS), st.integers(0, 2)), max_size=8)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=pairs, after=pairs)
def test_conflicts_are_never_violated(park: Park, before: set[tuple[str, int]],
                                      after: set[tuple[str, int]]) -> None:
    n = next(_round)
    key = f"gl-prop-{n}"
    guilin(park, key=key)
    codes = [park.add_firm(5000 + n * 10 + i, GUILIN_CITY, GUILIN_PARK, f"桂林{n}-{i}号公司")
             for i in range(3)]
    for reviewer, i in before:
        reviews.declare_conflict(park.reviewer(reviewer), codes[i], "合作者")
    apps = []
    for code in codes:
        me = park.firm(code)
        app = A.start(me, key, code)
        A.confirm_facts(me, app.id, FactsConfirm(facts={"awards": []}))
        A.upload(me, app.id, "report", "r.pdf", PDF)
        A.move(me, app.id, "submit")
        A.move(park.staff(), app.id, "pass")
        apps.append(app.id)
    for reviewer, i in before:
        with pytest.raises(Conflict):
            reviews.assign(park.staff(), apps[i], [reviewer])
    for reviewer, i in after:
        reviews.declare_conflict(park.reviewer(reviewer), codes[i], "家属")
    with park.platform.db.read() as s:
        active = s.execute(select(ReviewAssignment.reviewer, Application.entity_id)
                           .join(Application).where(ReviewAssignment.state != "recused",
                                                    Application.id.in_(apps))).all()
        declared = set(s.execute(select(ReviewerConflict.reviewer, ReviewerConflict.entity_id)).all())
    assert not set(active) & declared
    for reviewer, i in before | after:
        with pytest.raises(PermissionDenied):
            A.get(park.reviewer(reviewer), apps[i])
        with pytest.raises((NotFoundError, Conflict)):
            reviews.score(park.reviewer(reviewer), apps[i], ScoreIn(scores={"quality_leading": "1"}))
