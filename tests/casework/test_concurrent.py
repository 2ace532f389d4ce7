"""Service cases under concurrent writers on PostgreSQL: two people rating one request at
once leave one rating and one rectification; two moves asked at once leave one open move;
two officers taking the same step at once move the case once (the other gets 409)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from huiqi.cases import moves, requests
from huiqi.cases.models import CaseRating, ServiceCase
from huiqi.errors import Conflict
from huiqi.service import enterprises
from huiqi.service.context import Actor, Context, Platform
from huiqi.service.permissions import Role
from huiqi.service.schemas import EnterpriseCreate
from huiqi.store.database import Database
from huiqi.workflow.models import DomainEvent
from service_fixtures import CODE_A, drop_backend, make_settings, new_backend


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Platform]:
    b = new_backend("postgresql", tmp_path, "cases")
    db = Database(b.engine)
    db.upgrade()
    platform = Platform(db, make_settings())
    enterprises.create(platform.system(), EnterpriseCreate(
        credit_code=CODE_A, name="青岛海纳微电子有限公司", district="崂山区", park="青岛高新区",
        since=dt.date(2019, 5, 1)))
    yield platform
    drop_backend(b)


def _as(platform: Platform, name: str, role: Role) -> Context:
    e = enterprises.get(platform.system(), CODE_A)
    with platform.db.read() as s:
        from huiqi.store.models import Entity

        eid = s.scalar(select(Entity.id).where(Entity.credit_code == e.credit_code))
    firm = role is Role.ENTERPRISE
    return platform.as_actor(Actor(username=name, role=role, entity_id=eid if firm else None,
                                   entity_code=CODE_A if firm else None))


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once; what each returned or raised."""
    out: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        try:
            out[i] = calls[i]()
        except Exception as exc:  # the test looks at it
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_two_ratings_at_once_leave_one(pg: Platform) -> None:
    officer = _as(pg, "officer", Role.CASE_OFFICER)
    a, b = _as(pg, "firm_a", Role.ENTERPRISE), _as(pg, "firm_b", Role.ENTERPRISE)
    rid = requests.submit(a, CODE_A, "policy", "咨询", "问题")
    for name, reason in (("acknowledge", None), ("answer", "答复"), ("resolve", None)):
        requests.transition(officer, rid, name, reason)
    got = _race(lambda: requests.rate(a, rid, 1, "慢"), lambda: requests.rate(b, rid, 2, "慢"))
    assert sum(isinstance(x, Conflict) for x in got) == 1, got
    with pg.db.read() as s:
        assert s.scalar(select(func.count()).where(CaseRating.case_id == rid)) == 1
        assert s.scalar(select(func.count()).where(ServiceCase.kind == "rectify")) == 1


def test_two_moves_asked_at_once_leave_one_open(pg: Platform) -> None:
    a, b = _as(pg, "firm_a", Role.ENTERPRISE), _as(pg, "firm_b", Role.ENTERPRISE)
    got = _race(lambda: moves.request(a, CODE_A, "黄岛区", None, "扩产"),
                lambda: moves.request(b, CODE_A, "即墨区", None, "扩产"))
    assert sum(isinstance(x, Conflict) for x in got) == 1, got
    with pg.db.read() as s:
        assert s.scalar(select(func.count()).where(ServiceCase.kind == "move")) == 1


def test_one_step_taken_twice_at_once_moves_the_case_once(pg: Platform) -> None:
    firm = _as(pg, "firm_a", Role.ENTERPRISE)
    one, two = _as(pg, "officer_1", Role.CASE_OFFICER), _as(pg, "officer_2", Role.CASE_OFFICER)
    rid = requests.submit(firm, CODE_A, "policy", "咨询", "问题")
    got = _race(lambda: requests.transition(one, rid, "acknowledge"),
                lambda: requests.transition(two, rid, "acknowledge"))
    assert sum(isinstance(x, Conflict) for x in got) == 1, got
    with pg.db.read() as s:
        assert s.scalar(select(func.count()).where(
            DomainEvent.kind == "request.acknowledge")) == 1
