"""Fifty grant decisions at once, with real concurrent transactions (PostgreSQL and SQLite):
against a budget that fits only some, exactly those that fit succeed and the sum never
exceeds the budget; against a quota of 2, exactly two; over two calls sharing a year's
budget line, exactly those that fit the line, whichever call they are in."""

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


OFFSET = {"budget": 0, "quota": 100, "year": 200}


def _in_review(park: Park, key: str, budget: str, quota: int | None) -> list[int]:
    """Fifty applications in review; for ``year`` over two calls of one clause that share
    a year's line of ¥500,000 (each call could take it all alone)."""
    calls = [key] if key != "year" else ["year", "year-b"]
    for k in calls:
        universal(park, key=k, budget=budget, quota=quota,
                  budget_year="500000" if key == "year" else None)
    ids = []
    for i in range(N):
        k = calls[i % len(calls)]
        code = park.add_firm(1000 + i + OFFSET[key], "宁波市", NINGBO, f"宁波{key}{i}号有限公司")
        app = A.start(park.firm(code), k, code)
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


@pytest.mark.parametrize("case", ["budget", "quota", "year"])
def test_fifty_decisions_at_once(concurrent_park: Park, case: str) -> None:
    park = concurrent_park
    budget, quota, fits = {"budget": ("500000", None, 25), "quota": ("10000000", 2, 2),
                           "year": ("500000", None, 25)}[case]
    ids = _in_review(park, case, budget, quota)
    n, refused = _decide_all_at_once(park, ids)
    assert n == fits
    assert len(refused) == N - fits
    assert {e.reason for e in refused} <= {"programme.budget_exhausted", "workflow.stale"}
    with park.platform.db.read() as s:
        ps = list(s.scalars(select(Programme).where(Programme.key.startswith(case))))
        ids = [p.id for p in ps]
        selected = s.scalar(select(func.count()).select_from(Application).where(
            Application.programme_id.in_(ids), Application.state == "selected"))
        total = s.scalar(select(func.sum(Application.amount)).where(
            Application.programme_id.in_(ids), Application.state == "selected"))
    assert selected == fits == sum(p.awarded for p in ps)
    committed = sum((p.committed for p in ps), Decimal(0))
    assert Decimal(total) == committed == Decimal(20000) * fits
    assert all(p.committed <= p.budget for p in ps)
    if case == "year":
        assert len(ps) == 2 and committed <= ps[0].budget_year == Decimal(500000)
