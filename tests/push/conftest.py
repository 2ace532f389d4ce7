"""Push tests: the receivers (SMTP, robots, SMS), a platform whose settings point at them,
and two enterprises with subscriptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from huiqi.push.models import PushSubscription
from huiqi.service import enterprises
from huiqi.service.context import Context, Platform
from huiqi.service.schemas import EnterpriseCreate
from huiqi.store.database import Database
from huiqi.store.models import Entity
from service_fixtures import CODE_A, CODE_B, Clock, make_settings

from . import sinks as S


@pytest.fixture(scope="session")
def sinks() -> Iterator[S.Sinks]:
    yield from S.start()


@pytest.fixture(autouse=True)
def _empty(sinks: S.Sinks) -> None:
    sinks.mailbox.messages.clear()
    sinks.mailbox.hold = 0.0
    sinks.hooks.received.clear()
    sinks.hooks.refused.clear()
    sinks.hooks.fail = False


@pytest.fixture
def pushing(db: Database, clock: Clock, sinks: S.Sinks) -> Platform:
    return Platform(db, make_settings(**sinks.settings()), clock)


def firms(ctx: Context) -> tuple[int, int]:
    out = []
    for code, name in ((CODE_A, "青岛海纳微电子有限公司"), (CODE_B, "宁波甬新材料科技有限公司")):
        enterprises.create(ctx, EnterpriseCreate(credit_code=code, name=name, kind="enterprise",
                                                 district="崂山区", park="青岛高新区",
                                                 since=dt.date(2019, 5, 1)))
        with ctx.db.read() as s:
            out.append(s.query(Entity.id).filter(Entity.credit_code == code).scalar())
    return out[0], out[1]


def subscribe(ctx: Context, entity_id: int, channels: list[str], **kw: object) -> None:
    with ctx.db.write() as s:
        s.add(PushSubscription(entity_id=entity_id, account_id=None, topics=kw.pop("topics", {}),
                               channels=channels, email=kw.pop("email", f"firm{entity_id}@x.cn"),
                               phone=kw.pop("phone", "13800000000"), digest="immediate",
                               active=True, updated_at=ctx.now(), **kw))


@pytest.fixture
def two(pushing: Platform) -> tuple[int, int]:
    return firms(pushing.system())
