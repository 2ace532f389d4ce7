"""Delivery you can trust (issue 15, item 5): the outbox, one message per key, retries with
backoff, dead letters an administrator sends again, rate limits per channel, the log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from huiqi.push import delivery as D
from huiqi.push.channels import message_id
from huiqi.push.models import PushDelivery, PushMessage
from huiqi.push.outbox import clause_notice, notify
from huiqi.service.context import Platform
from huiqi.workflow.models import DomainEvent
from service_fixtures import Clock

from . import sinks as S
from .conftest import subscribe

ALL = ["email", "wecom", "dingtalk", "feishu", "sms"]


def _notice(entity: int, clause: str = "QD-1.2", version: int = 2, kind: str = "eligible.new",
            assumed: bool = False):  # type: ignore[no-untyped-def]
    return clause_notice(entity_id=entity, enterprise="青岛海纳微电子有限公司", kind=kind,
                         clause=clause, clause_title="研发费用补助", version=version,
                         link=f"http://huiqi.test/clauses/{clause}", amount=Decimal("200000"),
                         assumed=assumed, deadline=dt.date(2025, 7, 31),
                         missing=["研发投入占比 ≥ 3%"])


def _count(p: Platform, model: type, **where: object) -> int:
    with p.db.read() as s:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return int(s.scalar(stmt) or 0)


def test_a_message_and_its_deliveries_are_written_with_the_change_or_not_at_all(
        pushing: Platform, two: tuple[int, int]) -> None:
    a, _ = two
    ctx = pushing.system()
    subscribe(ctx, a, ALL)
    with pytest.raises(RuntimeError), ctx.db.write() as s:
        notify(s, ctx, _notice(a))
        raise RuntimeError("the change fails")
    assert _count(pushing, PushMessage) == 0 and _count(pushing, PushDelivery) == 0
    with ctx.db.write() as s:
        assert notify(s, ctx, _notice(a)) is not None
    assert _count(pushing, PushMessage) == 1
    assert _count(pushing, PushDelivery) == len(ALL)
    assert _count(pushing, DomainEvent, kind="push.message") == 1


def test_one_message_per_key_so_publishing_twice_tells_nobody_twice(
        pushing: Platform, two: tuple[int, int], sinks: S.Sinks) -> None:
    a, _ = two
    ctx = pushing.system()
    subscribe(ctx, a, ["email"])
    for _ in range(2):
        with ctx.db.write() as s:
            notify(s, ctx, _notice(a))
        D.deliver_due(pushing)
    assert _count(pushing, PushMessage) == 1
    assert len(sinks.mailbox.messages) == 1
    with ctx.db.write() as s:  # another version of the pack is another message
        assert notify(s, ctx, _notice(a, version=3)) is not None


def test_every_channel_receives_the_message_in_its_own_format_and_signature(
        pushing: Platform, two: tuple[int, int], sinks: S.Sinks) -> None:
    a, _ = two
    ctx = pushing.system()
    subscribe(ctx, a, ALL)
    with ctx.db.write() as s:
        notify(s, ctx, _notice(a, assumed=True))
    assert D.deliver_due(pushing) == len(ALL)
    assert D.deliver_due(pushing) == 0  # nothing left: a second round sends nothing
    assert sinks.hooks.refused == []
    [mail] = sinks.mailbox.messages
    assert mail["Subject"] == "【新符合】研发费用补助"
    text = mail.get_content()
    for part in ("200,000.00 元(按假设数据估算)", "截止日期:2025-07-31", "还差:研发投入占比 ≥ 3%",
                 "http://huiqi.test/clauses/QD-1.2", "Deadline: 2025-07-31"):
        assert part in text
    assert mail["Message-ID"] == message_id(f"{a}:QD-1.2:2:eligible.new:email")
    assert sinks.hooks.count("wecom") == sinks.hooks.count("dingtalk") == 1
    assert "研发费用补助" in sinks.hooks.received["wecom"][0]["markdown"]["content"]
    assert sinks.hooks.received["dingtalk"][0]["markdown"]["title"] == "【新符合】研发费用补助"
    assert "研发费用补助" in sinks.hooks.received["feishu"][0]["content"]["text"]
    assert sinks.hooks.received["sms"][0]["phone"] == "13800000000"
    assert _count(pushing, PushDelivery, state="sent") == len(ALL)


def test_a_wrong_signature_is_refused_and_retried(pushing: Platform, two: tuple[int, int],
                                                   sinks: S.Sinks) -> None:
    a, _ = two
    ctx = pushing.system()
    subscribe(ctx, a, ["dingtalk"])
    wrong = Platform(pushing.db, pushing.settings.model_copy(
        update={"push_dingtalk_secret": SecretStr("SECwrong")}), pushing.clock)
    with ctx.db.write() as s:
        notify(s, ctx, _notice(a))
    D.deliver_due(wrong)
    assert sinks.hooks.refused == ["dingtalk"]
    with pushing.db.read() as s:
        d = s.scalars(select(PushDelivery)).one()
        assert d.state == "pending" and d.attempts == 1 and "310000" in (d.last_error or "")


def test_failures_back_off_then_go_to_the_dead_letters_and_an_admin_sends_them_again(
        pushing: Platform, clock: Clock, two: tuple[int, int], sinks: S.Sinks) -> None:
    a, _ = two
    ctx = pushing.system()
    subscribe(ctx, a, ["wecom"])
    with ctx.db.write() as s:
        notify(s, ctx, _notice(a))
    sinks.hooks.fail = True
    waits = []
    for _ in range(pushing.settings.push_max_attempts):
        assert D.deliver_due(pushing) == 1
        assert D.deliver_due(pushing) == 0  # not before its time
        with pushing.db.read() as s:
            d = s.scalars(select(PushDelivery)).one()
        if d.state == "dead":
            break
        waits.append(d.due_at - clock.now)
        clock.now = d.due_at
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    with pushing.db.read() as s:
        assert [x.id for x in D.dead_letters(s, a)] == [d.id]
    assert _count(pushing, DomainEvent, kind="push.dead") == 1
    sinks.hooks.fail = False
    assert D.retry_dead(ctx, [d.id]) == 1
    assert D.deliver_due(pushing) == 1
    assert sinks.hooks.count("wecom") == 1
    with pushing.db.read() as s:
        assert D.dead_letters(s) == []
        [(row, msg)] = D.delivery_log(s, a)
        assert row.state == "sent" and msg.kind == "eligible.new"


def test_a_channel_over_its_rate_waits_for_the_next_minute(
        pushing: Platform, clock: Clock, two: tuple[int, int], sinks: S.Sinks) -> None:
    a, _ = two
    limited = Platform(pushing.db, pushing.settings.model_copy(
        update={"push_rate_per_minute": {"wecom": 2}}), pushing.clock)
    ctx = limited.system()
    subscribe(ctx, a, ["wecom", "email"])
    with ctx.db.write() as s:
        for i in range(5):
            notify(s, ctx, _notice(a, clause=f"QD-{i}"))
    D.deliver_due(limited)
    assert sinks.hooks.count("wecom") == 2 and len(sinks.mailbox.messages) == 5
    clock.advance(seconds=30)
    assert D.deliver_due(limited) == 0
    clock.advance(seconds=31)
    D.deliver_due(limited)
    assert sinks.hooks.count("wecom") == 4


def test_a_delivery_whose_worker_died_is_sent_again_with_the_same_key_after_its_lease(
        pushing: Platform, clock: Clock, two: tuple[int, int], sinks: S.Sinks) -> None:
    a, _ = two
    ctx = pushing.system()
    subscribe(ctx, a, ["email"])
    with ctx.db.write() as s:
        notify(s, ctx, _notice(a))
    dead = D.claim(pushing, "dead-worker")  # claimed, then the worker died
    assert dead is not None and (dead.channel, dead.attempts, len(dead.ids)) == ("email", 1, 1)
    assert D.deliver_due(pushing, "other") == 0  # its lease holds
    clock.advance(seconds=pushing.settings.push_lease_seconds + 1)
    assert D.deliver_due(pushing, "other") == 1
    # the dead worker's late record changes nothing: the claim is no longer its own
    assert D.finish(pushing, dead, "dead-worker", None) == 0
    assert sinks.mailbox.ids() == [message_id(dead.out.key)]
    assert D.deliver_due(pushing, "other") == 0
