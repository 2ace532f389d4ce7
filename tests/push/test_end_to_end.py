"""End to end (issue 15): an officer publishes a new version → exactly the enterprises whose
result changed get one message each, in the inbox, by e-mail (the test SMTP server) and by
webhook (the test HTTP server); publishing again sends nothing."""

from __future__ import annotations

from sqlalchemy import select

from huiqi.push import delivery as D
from huiqi.push import service as P
from huiqi.push import triggers as T
from huiqi.push.schemas import SubscriptionSet
from huiqi.service.context import Platform
from huiqi.settings import Settings
from service_fixtures import CODE_A, CODE_B, World

from . import sinks as S
from .test_triggers import pack_files, revenue


def test_a_published_version_tells_exactly_the_changed_enterprises_once_everywhere(
        world: World, sinks: S.Sinks) -> None:
    p = Platform(world.platform.db,
                 Settings(**{**world.platform.settings.model_dump(), **sinks.settings()}),
                 world.platform.clock)
    admin = world.ctx("admin")
    for code, mail in ((CODE_A, "a@firm-a.cn"), (CODE_B, "b@firm-b.cn")):
        P.subscribe(admin, code, SubscriptionSet(channels=["email", "wecom"], email=mail))
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 3_000_000)
    world.publish("pushtest", pack_files(5_000_000, 100_000))
    T.announce(p)
    D.deliver_due(p)
    sinks.mailbox.messages.clear()
    sinks.hooks.received.clear()
    before = {c: len(P.inbox(admin, c).items) for c in (CODE_A, CODE_B)}

    world.publish("pushtest", pack_files(2_000_000, 100_000))  # B's result changes, A's not
    for _ in range(2):  # the worker's rounds, twice: nothing twice
        T.announce(p)
        D.deliver_due(p)
    after = {c: len(P.inbox(admin, c).items) for c in (CODE_A, CODE_B)}
    assert after == {CODE_A: before[CODE_A], CODE_B: before[CODE_B] + 1}
    [mail] = sinks.mailbox.messages
    assert mail["To"] == "b@firm-b.cn" and "新符合" in str(mail["Subject"])
    assert "/library/pushtest/p#clause-growth" in mail.get_content()
    assert sinks.hooks.count("wecom") == 1
    assert "宁波甬新材料科技有限公司" in sinks.hooks.received["wecom"][0]["markdown"]["content"]

    world.publish("pushtest", pack_files(2_000_000, 100_000))  # the same rules again
    T.announce(p)
    D.deliver_due(p)
    assert {c: len(P.inbox(admin, c).items) for c in (CODE_A, CODE_B)} == after
    assert len(sinks.mailbox.messages) == 1 and sinks.hooks.count("wecom") == 1
    with p.db.read() as s:
        from huiqi.push.models import PushDelivery
        assert {d.state for d in s.scalars(select(PushDelivery))} == {"sent"}
