"""Fifty grant decisions at once, with real concurrent transactions (PostgreSQL and SQLite):
against a budget that fits only some, exactly those that fit succeed and the sum never
exceeds the budget; against a quota of 2, exactly two."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.errors import Conflict
from huiqi.programmes import applications as A
from huiqi.programmes import reviews
from huiqi.programmes.models import Application, Programme
from huiqi.service.context import Platform
from huiqi.store.database import Database
from service_fixtures import BACKENDS, Backend, Clock, drop_backend, make_settings, new_backend

from .conftest import NINGBO, Park, make_park, universal

N = 50


@pytest.fixture(params=BACKENDS)
def concurrent_park(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Park]:
    """A migrated database of its own with a pool of connections (real concurrent
    transactions, not the savepoints of the usual fixture), the seed pack published."""
    b: Backend = new_backend(request.param, tmp_path, "programmes")
    db = Database(b.engine)
    db.upgrade()
    clock = Clock()
    clock.now = dt.datetime(2025, 6, 3, 2, 0, tzinfo=dt.UTC)
    platform = Platform(db, make_settings(as_of=None), clock)
    yield make_park(platform, clock)
    drop_backend(b)


def _in_review(park: Park, key: str, budget: str, quota: int | None) -> list[int]:
    universal(park, key=key, budget=budget, quota=quota)
    ids = []
    for i in range(N):
        code = park.add_firm(1000 + i + (0 if key == "budget" else 100), "宁波市", NINGBO,
                             f"宁波{key}{i}号有限公司")
        app = A.start(park.firm(code), key, code)
        A.move(park.firm(code), app.id, "submit")
        A.move(park.staff(), app.id, "pass")
        ids.append(app.id)
    return ids


def _decide_all_at_once(park: Park, ids: list[int]) -> tuple[int, list[BaseException]]:
    start = threading.Barrier(len(ids))
    ok: list[int] = []
    refused: list[BaseException] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait(30)
        try:
            reviews.select_one(park.staff(), i)
            ok.append(i)
        except Conflict as exc:
            refused.append(exc)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    return len(ok), refused


@pytest.mark.parametrize("case", ["budget", "quota"])
def test_fifty_decisions_at_once(concurrent_park: Park, case: str) -> None:
    park = concurrent_park
    budget, quota, fits = ("500000", None, 25) if case == "budget" else ("10000000", 2, 2)
    ids = _in_review(park, case, budget, quota)
    n, refused = _decide_all_at_once(park, ids)
    assert n == fits
    assert len(refused) == N - fits
    assert {e.reason for e in refused} <= {"programme.budget_exhausted", "workflow.stale"}
    with park.platform.db.read() as s:
        p = s.scalars(select(Programme).where(Programme.key == case)).one()
        selected = s.scalar(select(func.count()).select_from(Application).where(
            Application.programme_id == p.id, Application.state == "selected"))
        total = s.scalar(select(func.sum(Application.amount)).where(
            Application.programme_id == p.id, Application.state == "selected"))
    assert selected == fits == p.awarded
    assert Decimal(total) == p.committed == Decimal(20000) * fits <= p.budget
