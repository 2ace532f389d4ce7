"""init-demo creates the seed's cases: Kunming-like projects (17, 12 started, 5 in progress)
with items in every state, Dalian's 36 measures in 6 areas with some overdue and escalated,
requests with ratings including a 差评 under rectification, a move awaiting approval."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from demo_fixtures import DemoRun
from huiqi.cases import agency, supervision, views
from huiqi.service.context import Context, Platform
from huiqi.store.database import Database
from service_fixtures import make_settings


def test_init_demo_creates_every_kind_of_case_in_every_state(demo_run: DemoRun,
                                                            tmp_path: Path) -> None:
    assert demo_run.returncode == 0, demo_run.output
    url = demo_run.database_copy(tmp_path)  # a copy: the districts' officers change it
    db = Database.connect(url)
    try:
        ctx = Platform(db, make_settings(as_of=None)).system()
        d = agency.dashboard(ctx)
        assert (d.projects, d.started, d.in_progress, d.green) == (17, 12, 5, 3)
        assert d.items_on_time > 0 and d.items_late > 0 and d.contact_overdue >= 1
        rows = views.queue(ctx, include_closed=True)
        states = Counter((row.case.kind, row.case.state) for row in rows)
        for kind, state in (("item", "waiting"), ("item", "submitted"), ("item", "returned"),
                            ("item", "approved"), ("measure", "assigned"),
                            ("measure", "in_progress"), ("measure", "completed"),
                            ("request", "submitted"), ("request", "acknowledged"),
                            ("request", "waiting"), ("request", "answered"),
                            ("request", "resolved"), ("rectify", "open"),
                            ("rectify", "closed"), ("move", "requested"),
                            ("move", "released"), ("move", "moved")):
            assert states[(kind, state)] > 0, (kind, state, states)
        b = supervision.board(ctx)
        assert len(b.measures) == 36 and len(b.by_area) == 6
        assert any(m.overdue for m in b.measures) and any(m.escalation for m in b.measures)
        ratings = views.ratings_summary(ctx)
        assert ratings["poor"] >= 1 and ratings["appealed"] == 1
        _the_districts_approve(ctx, rows)
    finally:
        db.dispose()


def _the_districts_approve(ctx: Context, rows: list[views.Row]) -> None:
    """The demo's case officers belong to districts: demo_case_officer to the demo
    enterprise's, which its move asks to leave; demo_case_officer2 to the one the released
    move waits to enter — each can take that step, not the other's."""
    from huiqi.cases import moves
    from huiqi.cases.demo import AWAITING_ADMISSION
    from huiqi.errors import Conflict
    from huiqi.service import accounts, enterprises
    from huiqi.service.context import Actor
    from huiqi.service.permissions import Role

    def officer(name: str) -> Context:
        return ctx.platform.as_actor(Actor(username=name, role=Role.CASE_OFFICER))

    assert accounts.get(ctx, "demo_case_officer2").district == AWAITING_ADMISSION
    released = next(r.case for r in rows if r.case.kind == "move" and r.case.state == "released")
    asked = next(r.case for r in rows if r.case.kind == "move" and r.case.state == "requested")
    home = accounts.get(ctx, "demo_case_officer").district
    assert home is not None and home == asked.details["from_district"]
    with pytest.raises(Conflict):
        moves.admit(officer("demo_case_officer"), released.id)
    moves.admit(officer("demo_case_officer2"), released.id)
    assert enterprises.get(ctx, _code(ctx, released.entity_id)).district == AWAITING_ADMISSION
    with pytest.raises(Conflict):
        moves.release(officer("demo_case_officer2"), asked.id)
    moves.release(officer("demo_case_officer"), asked.id)


def _code(ctx: Context, entity_id: int | None) -> str:
    from huiqi.store.models import Entity

    with ctx.db.read() as s:
        return s.get_one(Entity, entity_id).credit_code
