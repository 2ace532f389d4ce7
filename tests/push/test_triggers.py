"""Triggers and who (issue 15, item 3): a published version tells exactly the enterprises
whose result changed, once; programme stages and case updates from the domain events."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from huiqi.push import triggers as T
from huiqi.push.models import PushMessage
from huiqi.push.who import Outcome, classify
from huiqi.service import enterprises
from huiqi.service.context import Platform
from huiqi.service.schemas import FactSet, FactsUpdate
from huiqi.store.models import Entity
from huiqi.workflow.events import Subject, emit
from service_fixtures import CODE_A, CODE_B, World

PACK = Path(__file__).parent / "pack"


def pack_files(threshold: int, amount: int) -> list[tuple[str, bytes]]:
    out = []
    for p in sorted(PACK.iterdir()):
        data = p.read_bytes().replace(b"THRESHOLD", str(threshold).encode()) \
            .replace(b"AMOUNT", str(amount).encode())
        out.append((p.name, data))
    return out


def revenue(world: World, code: str, value: int) -> None:
    enterprises.set_facts(world.ctx("admin"), code, FactsUpdate(items=[
        FactSet(fact="revenue", year=2024, value=str(value))]))


def _messages(p: Platform) -> list[tuple[str, str]]:
    with p.db.read() as s:
        rows = s.execute(select(Entity.credit_code, PushMessage.kind).join(
            Entity, Entity.id == PushMessage.entity_id).order_by(PushMessage.id))
        return [(c, k) for c, k in rows]


def test_who_is_told_what() -> None:
    def o(status: str, amount: int | None = 1, failed: tuple[str, ...] = (),
          gaps: tuple[str, ...] = ()) -> Outcome:
        from decimal import Decimal
        return Outcome("p/c", status, None if amount is None else Decimal(amount), False,
                       failed, gaps)

    assert classify(None, o("eligible")) == "eligible.new"
    assert classify(o("not_eligible"), o("eligible")) == "eligible.new"
    assert classify(o("eligible"), o("not_eligible")) == "eligible.lost"
    assert classify(o("eligible"), None) == "eligible.lost"
    assert classify(o("eligible", 1), o("eligible", 2)) == "amount.changed"
    assert classify(o("eligible", 1), o("eligible", 1)) is None
    near = o("not_eligible", failed=("revenue_min",), gaps=("revenue_min:差 1",))
    assert classify(o("not_eligible"), near) == "eligible.near"
    assert classify(near, near) is None
    assert classify(None, o("not_eligible", failed=("a", "b"), gaps=("x",))) is None


def test_a_new_version_tells_exactly_those_whose_result_changed_once(world: World) -> None:
    p = world.platform
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 3_000_000)
    world.publish("pushtest", pack_files(5_000_000, 100_000))
    T.announce(p)  # the first version: A is newly eligible; B is far (not one condition…)
    first = _messages(p)
    assert (CODE_A, "eligible.new") in first
    assert all(c != CODE_B or k == "eligible.near" for c, k in first)
    world.publish("pushtest", pack_files(2_000_000, 100_000))  # now B qualifies; A unchanged
    T.announce(p)
    assert _messages(p)[len(first):] == [(CODE_B, "eligible.new")]
    n = len(_messages(p))
    assert T.announce(p) == 0  # announcing again tells nobody
    world.publish("pushtest", pack_files(2_000_000, 150_000))  # the amount changes for both
    T.announce(p)
    assert sorted(_messages(p)[n:]) == sorted([(CODE_A, "amount.changed"), (CODE_B, "amount.changed")])
    with p.db.read() as s:
        msg = s.scalars(select(PushMessage).order_by(PushMessage.id.desc())).first()
        assert msg is not None and "150,000.00 元" in msg.body and "/library/pushtest/p" in msg.link


def test_a_case_event_reaches_the_enterprise_once(world: World) -> None:
    p = world.platform
    ctx = p.system()
    with p.db.read() as s:
        a = s.scalar(select(Entity.id).where(Entity.credit_code == CODE_A))
    from sqlalchemy import text
    with p.db.write() as s:
        s.execute(text("INSERT INTO push_cursor (name, position, updated_at) VALUES "
                       "('events', 0, :t)"), {"t": ctx.now()})
        emit(s, ctx, "application.grant", Subject("application", 999999), {})  # unknown: none
    assert T.from_events(p) == 0
    assert T.from_events(p) == 0
    with p.db.read() as s:  # the enterprise got nothing from an event about no known case
        assert s.scalars(select(PushMessage.id).where(PushMessage.entity_id == a)).all() == []


def test_a_version_uploaded_before_another_and_published_after_it_is_announced(
        world: World) -> None:
    from huiqi.service import policies

    p = world.platform
    revenue(world, CODE_A, 6_000_000)
    other = [(n, d.replace(b"id: pushtest", b"id: pushtwo")) for n, d in
             pack_files(5_000_000, 100_000)]
    draft = policies.upload(world.ctx("policy_officer"), "pushtwo", other)  # the lower id
    world.publish("pushtest", pack_files(5_000_000, 100_000))
    T.announce(p)
    assert [c for c, k in _messages(p) if k == "eligible.new"] == [CODE_A]
    admin = world.ctx("admin")
    policies.publish(admin, "pushtwo", draft.number,
                     policies.diff(admin, "pushtwo", draft.number).digest)
    T.announce(p)
    assert [c for c, k in _messages(p) if k == "eligible.new"] == [CODE_A, CODE_A]
    assert T.announce(p) == 0


def test_a_message_names_the_clause_and_its_gap_in_plain_words(world: World) -> None:
    """What the enterprise reads (its inbox, WeChat, SMS): the clause's title and how far it
    is, never the clause's id, a condition's path or a fact's id (issue 16, item 2)."""
    p = world.platform
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 3_000_000)
    world.publish("pushtest", pack_files(5_000_000, 100_000))
    T.announce(p)
    with p.db.read() as s:
        told = {k: (m.title, m.body, m.title_en, m.body_en) for c, k, m in s.execute(
            select(Entity.credit_code, PushMessage.kind, PushMessage).join(
                Entity, Entity.id == PushMessage.entity_id))}
    title, body, title_en, body_en = told["eligible.new"]
    assert title == "【新符合】成长奖励" and "成长奖励" in body
    assert title_en == "[now eligible] Growth award" and "Growth award" in body_en
    title, body, _, _ = told["eligible.near"]
    assert "还差:上年度营业收入达到门槛:目前 300万元,须不低于 500万元,还差 200万元" in body, body
    for words in told.values():
        for text in words:
            assert "p/growth" not in text and "revenue_min" not in text and "revenue" not in text
