"""Subscriptions (issue 15, item 4) with a controlled clock: quiet hours in China time hold
messages until the morning, digests gather them, topics filter them, a signed link
unsubscribes without signing in and a tampered one is refused; the inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from huiqi.errors import InputError, PermissionDenied
from huiqi.push import delivery as D
from huiqi.push import service as P
from huiqi.push.models import PushDelivery
from huiqi.push.outbox import Notice, notify
from huiqi.push.schemas import SubscriptionSet
from huiqi.service.context import Platform
from huiqi.store.models import Entity
from service_fixtures import CODE_A, Clock, World

from . import sinks as S

CHINA = dt.timezone(dt.timedelta(hours=8))


def _note(entity: int, i: int, topics: dict[str, str] | None = None) -> Notice:
    return Notice(entity_id=entity, kind="eligible.new", key=f"{entity}:c{i}:1:new",
                  title=f"消息 {i}", body="正文", title_en=f"message {i}", body_en="body",
                  link="http://huiqi.test/inbox", topics=topics or {})


@pytest.fixture
def firm(world: World, sinks: S.Sinks) -> tuple[Platform, int]:
    from huiqi.settings import Settings

    p = Platform(world.platform.db, Settings(**{**world.platform.settings.model_dump(), **sinks.settings()}),
                 world.platform.clock)
    with p.db.read() as s:
        a, name = s.execute(select(Entity.id, Entity.name)
                            .where(Entity.credit_code == CODE_A)).one()
    assert name == "青岛海纳微电子有限公司"  # the world's first enterprise
    return p, a


def _send(p: Platform, n: int) -> None:
    ctx = p.system()
    with p.db.write() as s:
        for i in range(n):
            notify(s, ctx, _note(p_entity(p), i))


def p_entity(p: Platform) -> int:
    with p.db.read() as s:
        return int(s.scalar(select(Entity.id).where(Entity.credit_code == CODE_A)) or 0)


def test_quiet_hours_hold_messages_until_the_morning_china_time(
        world: World, firm: tuple[Platform, int], sinks: S.Sinks) -> None:
    p, _ = firm
    clock = p.clock
    assert isinstance(clock, Clock)
    me = p.as_actor(world.ctx("enterprise").actor)
    clock.now = dt.datetime(2025, 6, 2, 23, 30, tzinfo=CHINA).astimezone(dt.UTC)
    P.subscribe(me, CODE_A, SubscriptionSet(
        channels=["email"], email="boss@firm.cn", quiet_from=22, quiet_until=8))
    _send(p, 2)
    assert D.deliver_due(p) == 0 and sinks.mailbox.messages == []
    clock.now = dt.datetime(2025, 6, 3, 7, 59, tzinfo=CHINA).astimezone(dt.UTC)
    assert D.deliver_due(p) == 0
    clock.now = dt.datetime(2025, 6, 3, 8, 0, tzinfo=CHINA).astimezone(dt.UTC)
    assert D.deliver_due(p) == 1  # the night's messages, as one
    [mail] = sinks.mailbox.messages
    assert "2 条" in str(mail["Subject"])


def test_a_daily_digest_gathers_the_day_and_a_weekly_one_waits_for_monday(
        world: World, firm: tuple[Platform, int], sinks: S.Sinks) -> None:
    p, _ = firm
    clock = p.clock
    assert isinstance(clock, Clock)
    me = p.as_actor(world.ctx("enterprise").actor)
    clock.now = dt.datetime(2025, 6, 4, 10, 0, tzinfo=CHINA).astimezone(dt.UTC)  # Wednesday
    P.subscribe(me, CODE_A, SubscriptionSet(
        channels=["email"], email="boss@firm.cn", digest="daily"))
    _send(p, 3)
    assert D.deliver_due(p) == 0
    clock.now = dt.datetime(2025, 6, 5, 9, 0, tzinfo=CHINA).astimezone(dt.UTC)
    assert D.deliver_due(p) == 1 and "3 条" in str(sinks.mailbox.messages[0]["Subject"])
    P.subscribe(me, CODE_A, SubscriptionSet(
        channels=["email"], email="boss@firm.cn", digest="weekly"))
    ctx = p.system()
    with p.db.write() as s:
        notify(s, ctx, _note(p_entity(p), 99))
        d = s.scalars(select(PushDelivery).order_by(PushDelivery.id.desc())).first()
        assert d is not None and (d.entity_id, d.channel, d.address, d.digest) == (
            p_entity(p), "email", "boss@firm.cn", "weekly")
        assert d.due_at == dt.datetime(2025, 6, 9, 9, 0, tzinfo=CHINA).astimezone(dt.UTC)


def test_topics_filter_what_a_subscription_takes(world: World, firm: tuple[Platform, int]
                                                  ) -> None:
    p, a = firm
    P.subscribe(world.ctx("enterprise"), CODE_A, SubscriptionSet(
        channels=["email"], email="boss@firm.cn", topics={"pack": ["seed"]}))
    ctx = p.system()
    with p.db.write() as s:
        notify(s, ctx, _note(a, 1, {"pack": "other"}))
        notify(s, ctx, _note(a, 2, {"pack": "seed"}))
    with p.db.read() as s:
        assert len(list(s.scalars(select(PushDelivery)))) == 1
    assert P.inbox(world.ctx("enterprise"), CODE_A).unread == 2  # the inbox keeps both


def test_unsubscribe_by_the_signed_link_without_signing_in_and_tampering_is_refused(
        world: World, firm: tuple[Platform, int]) -> None:
    p, a = firm
    sub = P.subscribe(world.ctx("enterprise"), CODE_A, SubscriptionSet(
        channels=["email"], email="boss@firm.cn"))
    token = sub.unsubscribe.rsplit("/", 1)[1]
    sid, mac = token.split(".")
    for bad in (f"{sid}.{mac[:-1]}A" if mac[-1] != "A" else f"{sid}.{mac[:-1]}B",
                f"{int(sid) + 1}.{mac}", "x.y", ""):
        with pytest.raises(InputError):
            P.unsubscribe(p, bad)
    assert P.unsubscribe(p, token)
    assert P.subscription(world.ctx("enterprise"), CODE_A).active is False
    with p.db.write() as s:
        notify(s, p.system(), _note(a, 5))
    with p.db.read() as s:
        assert list(s.scalars(select(PushDelivery))) == []


def test_the_inbox_read_and_archive_and_only_ones_own(world: World, firm: tuple[Platform, int]
                                                      ) -> None:
    p, a = firm
    _send(p, 3)
    me = world.ctx("enterprise")
    box = P.inbox(me, CODE_A)
    assert box.unread == 3 and P.unread_of(p, a) == 3
    P.mark(me, CODE_A, box.items[0].id, "read")
    P.mark(me, CODE_A, box.items[1].id, "archived")
    assert P.inbox(me, CODE_A).unread == 1
    assert [m.id for m in P.inbox(me, CODE_A, archived=True).items] == [box.items[1].id]
    with pytest.raises(PermissionDenied):
        P.inbox(me, world.other)
    with pytest.raises(PermissionDenied):
        P.dead(me)


def test_a_user_has_a_subscription_of_their_own_with_their_own_unsubscribe_link(
        world: World, firm: tuple[Platform, int], sinks: S.Sinks) -> None:
    """Per user, not only per enterprise: the enterprise's user and a staff member following
    it each set their topics, channels, quiet hours and digest; each has a link of their
    own; the enterprise's subscription is not touched."""
    p, a = firm
    clock = p.clock
    assert isinstance(clock, Clock)
    firm_user = p.as_actor(world.ctx("enterprise").actor)
    officer = p.as_actor(world.ctx("case_officer").actor)
    clock.now = dt.datetime(2025, 6, 4, 10, 0, tzinfo=CHINA).astimezone(dt.UTC)
    P.subscribe(firm_user, CODE_A, SubscriptionSet(channels=["email"], email="firm@firm.cn"))
    mine = P.subscribe_me(firm_user, CODE_A, SubscriptionSet(
        channels=["email"], email="me@firm.cn", topics={"programme": ["gl-2025"]}))
    theirs = P.subscribe_me(officer, CODE_A, SubscriptionSet(
        channels=["email"], email="officer@park.cn", digest="daily"))
    assert mine.topics == {"programme": ["gl-2025"]} and theirs.digest == "daily"
    assert P.subscription(firm_user, CODE_A).email == "firm@firm.cn"  # the enterprise's, kept
    assert P.my_subscription(officer, CODE_A).email == "officer@park.cn"
    assert len({mine.unsubscribe, theirs.unsubscribe,
                P.subscription(firm_user, CODE_A).unsubscribe}) == 3
    with p.db.write() as s:
        notify(s, p.system(), _note(a, 1, {"programme": "other"}))
    assert D.deliver_due(p) == 1  # the enterprise's address at once; mine: another programme
    assert [m["To"] for m in sinks.mailbox.messages] == ["firm@firm.cn"]
    clock.now = dt.datetime(2025, 6, 5, 9, 0, tzinfo=CHINA).astimezone(dt.UTC)
    assert D.deliver_due(p) == 1  # the officer's daily digest
    assert sinks.mailbox.messages[-1]["To"] == "officer@park.cn"
    assert P.unsubscribe(p, theirs.unsubscribe.rsplit("/", 1)[1])
    assert P.my_subscription(officer, CODE_A).active is False
    assert P.my_subscription(firm_user, CODE_A).active is True  # only the officer's
    with pytest.raises(PermissionDenied):  # a user of one enterprise, not of another
        P.subscribe_me(firm_user, world.other, SubscriptionSet())
    with pytest.raises(InputError):  # the platform itself has no account
        P.subscribe_me(p.system(), CODE_A, SubscriptionSet())
