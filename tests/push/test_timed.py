"""Triggers on dates (issue 15, items 2 and 3), with a controlled clock: a published version
taking effect on its date, a programme's application window opening and closing soon — by
timers in the database, fired once by the worker, the population told in resumable jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from huiqi.programmes import applications
from huiqi.push import facts as F
from huiqi.push import timed
from huiqi.push import triggers as T
from huiqi.push.models import PushCursor, PushMessage
from huiqi.service.context import Platform
from huiqi.settings import Settings
from huiqi.store.models import Entity
from huiqi.workflow.timers import Timer, run_due
from programmes.conftest import NINGBO, make_park, universal
from service_fixtures import CODE_A, CODE_B, Clock, World, make_settings

from .test_triggers import pack_files, revenue


@pytest.fixture
def settings() -> Settings:
    return make_settings(as_of=None)  # today moves with the clock


def _told(p: Platform, since: int = 0) -> list[tuple[str, str, str]]:
    with p.db.read() as s:
        rows = s.execute(select(Entity.credit_code, PushMessage.kind, PushMessage.key).join(
            Entity, Entity.id == PushMessage.entity_id).where(PushMessage.id > since)
            .order_by(PushMessage.id))
        return [(c, k, key) for c, k, key in rows]


def _last(p: Platform) -> int:
    with p.db.read() as s:
        return int(s.scalar(select(func.max(PushMessage.id))) or 0)


def _round(p: Platform) -> int:
    """What the worker does each round, for the date triggers."""
    return run_due(p) + timed.schedule_effective(p) + timed.schedule_windows(p) + \
        timed.run_jobs(p)


def test_effective_dates_of_a_pack(world: World) -> None:
    from huiqi.packs import versions as PV
    from huiqi.service.policies import loaded

    files = [(n, d.replace(b"effective: 2020-01-01", b"effective: 2025-06-10"))
             for n, d in pack_files(5_000_000, 100_000)]
    world.publish("pushtest", files)
    p = world.platform
    with p.db.read() as s:
        [(key, v)] = PV.all_published(s)
    assert timed.effective_dates(loaded(p.system(), key, v)) == [dt.date(2025, 6, 10)]


def test_a_version_taking_effect_on_its_date_tells_those_it_changes_once(
        world: World, clock: Clock) -> None:
    p = world.platform
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 1_000_000)
    files = [(n, d.replace(b"effective: 2020-01-01", b"effective: 2025-06-10"))
             for n, d in pack_files(5_000_000, 100_000)]
    world.publish("pushtest", files)
    T.announce(p)
    F.from_facts(p)
    start = _last(p)
    assert [k for _, k, _ in _told(p)] == []  # not in force yet: nobody qualifies today
    _round(p)
    with p.db.read() as s:
        [timer] = s.scalars(select(Timer).where(Timer.kind == timed.EFFECTIVE))
        assert timer.due_at == dt.datetime(2025, 6, 9, 16, 0, tzinfo=dt.UTC)  # 00:00 China
    clock.now = dt.datetime(2025, 6, 9, 15, 59, tzinfo=dt.UTC)
    assert _round(p) == 0 and _told(p, start) == []  # a minute early: nothing
    clock.now = dt.datetime(2025, 6, 9, 16, 0, tzinfo=dt.UTC)
    _round(p)
    told = _told(p, start)
    assert sorted((c, k) for c, k, _ in told) == sorted([
        (CODE_A, "eligible.new"), (CODE_B, "eligible.near")])  # B: one condition short
    assert "@2025-06-10" in told[0][2]
    with p.db.read() as s:  # in the words the enterprise reads (issue 16, item 2)
        near = s.scalars(select(PushMessage).where(PushMessage.id > start,
                                                   PushMessage.kind == "eligible.near")).one()
    assert near.title == "【差一项即可申报】成长奖励", near.title
    assert "还差:上年度营业收入达到门槛:目前 100万元,须不低于 500万元,还差 400万元" in near.body, \
        near.body
    assert "p/growth" not in near.body and "revenue" not in near.body
    clock.advance(days=1)
    assert _round(p) == 0 and _told(p, start) == told  # fired once, told once
    with p.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Timer).where(
            Timer.kind == timed.EFFECTIVE)) == 1  # scheduled once per version


def test_a_job_interrupted_half_way_resumes_where_it_stopped(world: World,
                                                             clock: Clock) -> None:
    p = world.platform
    revenue(world, CODE_A, 6_000_000)
    revenue(world, CODE_B, 6_000_000)
    files = [(n, d.replace(b"effective: 2020-01-01", b"effective: 2025-06-10"))
             for n, d in pack_files(5_000_000, 100_000)]
    world.publish("pushtest", files)
    T.announce(p)
    F.from_facts(p)
    start = _last(p)
    _round(p)
    clock.now = dt.datetime(2025, 6, 10, 1, 0, tzinfo=dt.UTC)
    run_due(p)  # the timer fires: the job is written, not yet worked
    with p.db.read() as s:
        [name] = s.scalars(select(PushCursor.name).where(PushCursor.name.like("job:%")))
        first = s.scalar(select(func.min(Entity.id)).where(Entity.credit_code.in_(
            [CODE_A, CODE_B])))
    old = timed.BATCH
    timed.BATCH = 1
    try:
        with p.db.write() as s:  # as if a worker had told the first batch, then died
            T.advance(s, name, int(first or 0), p.now())
        timed.run_jobs(p)
    finally:
        timed.BATCH = old
    told = [c for c, _, _ in _told(p, start)]
    assert len(told) == 1  # only the enterprise after the position
    assert timed.run_jobs(p) == 0


def test_a_programme_window_opening_and_closing_soon(platform: Platform, clock: Clock) -> None:
    clock.now = dt.datetime(2025, 4, 28, 2, 0, tzinfo=dt.UTC)  # before the window
    park = make_park(platform, clock)
    ningbo = [park.add_firm(i, "宁波市", NINGBO, f"宁波企业{i}") for i in (1, 2)]
    guilin = park.add_firm(3, "桂林市", "桂林高新区", "桂林企业")
    universal(park)  # opens 2025-05-01, closes 2025-06-30 (a Monday)
    F.from_facts(platform)  # (their facts: told they newly qualify)
    start = _last(platform)
    assert _round(platform) == 2  # two timers scheduled
    with platform.db.read() as s:
        due = dict(s.execute(select(Timer.kind, Timer.due_at).where(
            Timer.kind.in_([timed.OPENING, timed.CLOSING]))).all())
    assert due[timed.OPENING] == dt.datetime(2025, 5, 1, 1, 0, tzinfo=dt.UTC)   # 09:00 China
    assert due[timed.CLOSING] == dt.datetime(2025, 6, 25, 1, 0, tzinfo=dt.UTC)  # 3 working days
    assert _round(platform) == 0 and _told(platform, start) == []
    clock.now = dt.datetime(2025, 5, 1, 1, 0, tzinfo=dt.UTC)
    _round(platform)
    opened = _told(platform, start)
    assert sorted(c for c, _, _ in opened) == sorted(ningbo)  # eligible; Guilin's is not
    assert {k for _, k, _ in opened} == {"window.open"} and guilin not in [c for c, *_ in opened]
    with platform.db.read() as s:
        msg = s.scalars(select(PushMessage).where(PushMessage.kind == "window.open")).first()
        assert msg is not None and "2025-06-30" in msg.body and "/staff/programmes/nb-cert" \
            in msg.link
        # the programme by its title, never its clause's id (issue 16, item 2)
        clause = str(msg.detail["clause"])
        assert clause not in msg.body and clause not in msg.body_en and "您符合「" in msg.body
    applications.start(park.firm(ningbo[0]), "nb-cert", ningbo[0])  # one applies
    clock.now = dt.datetime(2025, 6, 25, 1, 0, tzinfo=dt.UTC)
    mark = _last(platform)
    _round(platform)
    assert [(c, k) for c, k, _ in _told(platform, mark)] == [(ningbo[1], "window.closing")]
    clock.advance(days=2)
    assert _round(platform) == 0 and len(_told(platform, mark)) == 1  # once
