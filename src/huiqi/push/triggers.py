"""What makes messages (issue 15, item 3), each read by the worker's round from rows written
in the transaction of the change itself, with the reader's position (``push_cursor``) saved
in the transaction that writes the messages — nothing lost, nothing told twice:

* a pack version published: every enterprise is matched against the version before and the
  new one (:mod:`huiqi.push.who` says who is told what), in batches of :data:`BATCH`
  enterprises, each batch one transaction with its position;
* a programme stage that concerns an enterprise (returned for correction, 公示, grant,
  payment …) and a service case's updates: the domain events of those areas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from huiqi.facts.catalogue import default_catalogue
from huiqi.registry import entities as E
from huiqi.registry.profile import enterprise_of
from huiqi.service.context import Context, Platform
from huiqi.service.policies import matcher
from huiqi.store.models import Entity, PackVersion, PolicyPack
from huiqi.workflow.events import after
from huiqi.workflow.timers import each_round

from .models import PushCursor
from .outbox import Notice, clause_notice, notify
from .who import Outcome, classify, outcome

BATCH = 500


def position(s: Session, name: str) -> int:
    row = s.get(PushCursor, name)
    return 0 if row is None else int(row.position)


def advance(s: Session, name: str, pos: int, now: dt.datetime) -> None:
    row = s.get(PushCursor, name)
    if row is None:
        s.add(PushCursor(name=name, position=pos, updated_at=now))
    else:
        row.position, row.updated_at = pos, now


# ------------------------------------------------------------------ a pack version published

def _previous(s: Session, v: PackVersion) -> PackVersion | None:
    return s.scalar(select(PackVersion).where(
        PackVersion.pack_id == v.pack_id, PackVersion.number < v.number,
        PackVersion.published_at.is_not(None)).order_by(PackVersion.number.desc()).limit(1))


def link(ctx: Context, clause_key: str, pack: str) -> str:
    policy, _, clause = clause_key.partition("/")
    return f"{ctx.settings.push_base_url.rstrip('/')}/library/{pack}/{policy}#clause-{clause}"


def changes(ctx: Context, s: Session, key: str, old: PackVersion | None, new: PackVersion,
            entities: list[Entity], day: dt.date, old_day: dt.date | None = None
            ) -> Iterator[tuple[Entity, str, Outcome, Outcome | None, int]]:
    """(enterprise, kind, after, before, state of its facts — see
    :func:`~huiqi.push.outbox.clause_key`) of every clause result that calls for a message:
    ``old`` on ``old_day`` (default ``day``) before, ``new`` on ``day`` after."""
    m_new = matcher(ctx, key, new, day)
    m_old = matcher(ctx, key, old, old_day or day) if old is not None else None
    cat = default_catalogue()
    marks: dict[int, int] = {}
    facts = E.latest_values(s, [e.id for e in entities], marks)
    for e in entities:
        ent = enterprise_of(s, cat, e, day, facts[e.id])
        now = {c.key: outcome(c, m_new.pack.clause(c.key)) for c in m_new.match(ent).clauses}
        if old_day is not None and old_day != day:
            ent = enterprise_of(s, cat, e, old_day, facts[e.id])
        was = {c.key: outcome(c, m_old.pack.clause(c.key)) for c in m_old.match(ent).clauses} \
            if m_old else {}
        for ck in sorted(set(now) | set(was)):
            kind = classify(was.get(ck), now.get(ck))
            if kind is not None:
                shown = now.get(ck) or was[ck]
                yield e, kind, shown, was.get(ck), marks[e.id]


def _version_batch(platform: Platform, version_id: int, name: str
                   ) -> tuple[int, int, list[Notice]] | None:
    """The next batch of a version's announcement, computed outside any writing transaction
    (on SQLite one holds the whole database): (the position read, the batch's last
    enterprise, the messages), or None when no enterprise is left."""
    ctx = platform.system()
    with platform.db.read() as s:
        v = s.get_one(PackVersion, version_id)
        pack = s.get_one(PolicyPack, v.pack_id)
        old = _previous(s, v)
        last = position(s, name)
        batch = list(s.scalars(select(Entity).where(Entity.id > last,
                                                    Entity.kind == "enterprise")
                               .order_by(Entity.id).limit(BATCH)))
        if not batch:
            return None
        notices = [clause_notice(
            entity_id=e.id, enterprise=e.name, kind=kind, clause=now.key,
            clause_title=now.name("zh"), clause_title_en=now.name("en"),
            version=v.version_key or v.number,
            link=link(ctx, now.key, pack.key), amount=now.amount, assumed=now.assumed,
            before=was.amount if was else None, deadline=now.deadline,
            missing=list(now.gaps or now.missing),
            topics={"pack": pack.key, "industry": e.industry or ""}, facts=mark)
            for e, kind, now, was, mark in changes(ctx, s, pack.key, old, v, batch,
                                                   platform.today())]
        return last, batch[-1].id, notices


def announce_version(platform: Platform, version_id: int) -> int:
    """Tell the enterprises whose results a published version changed; resumable (one
    transaction per batch, with its position, written if the position is still the one
    the batch was computed from); how many messages were written."""
    ctx = platform.system()
    name = f"version:{version_id}"
    written = 0
    while True:
        step = _version_batch(platform, version_id, name)
        if step is None:
            return written
        start, upto, notices = step
        with platform.db.write(lock=f"push.{name}") as s:
            if position(s, name) != start:
                continue  # another worker wrote this batch meanwhile
            for notice in notices:
                written += notify(s, ctx, notice) is not None
            advance(s, name, upto, platform.now())


def announce(platform: Platform, worker: str = "worker") -> int:
    """Announce every version published and not announced yet, in the order they were
    published. Each announced version is marked (``announced:<id>``): a version uploaded
    before another and published after it is announced all the same (a cursor on the
    versions' ids passed it by). Versions up to the ``versions`` position are not announced
    (the demo's own publications)."""
    n = 0
    with platform.db.read() as s:
        start = position(s, "versions")
        done = set(s.scalars(select(PushCursor.name).where(
            PushCursor.name.like("announced:%"))))
        ids = [vid for vid in s.scalars(select(PackVersion.id).where(
            PackVersion.id > start, PackVersion.published_at.is_not(None))
            .order_by(PackVersion.published_at, PackVersion.id))
            if f"announced:{vid}" not in done]
    for vid in ids:
        n += announce_version(platform, vid)
        with platform.db.write() as s:
            advance(s, f"announced:{vid}", vid, platform.now())
    return n


# ---------------------------------------------------------- programme stages, case updates

STAGES = {
    "application.return": ("申报被退回补正", "returned for correction"),
    "application.publicise": ("拟支持名单公示", "on the public notice (公示)"),
    "application.grant": ("已立项", "granted"),
    "application.pay": ("已拨付", "paid"),
    "application.reject": ("申报未通过形式审查", "rejected"),
    "application.decline": ("未获支持", "not selected"),
}


#: the subjects of the service cases' workflows (huiqi.cases.flows)
CASE_TYPES = {"project", "item", "measure", "request", "rectify", "move"}


def _event_notice(s: Session, ctx: Context, ev: Any) -> Notice | None:
    base = ctx.settings.push_base_url.rstrip("/")
    if ev.kind in STAGES:  # the programmes' tables, read by name (areas import no area)
        row = s.execute(text(
            "SELECT a.id, a.entity_id, p.key, p.title_zh, p.title_en FROM application a "
            "JOIN programme p ON p.id = a.programme_id WHERE a.id = :id"),
            {"id": int(ev.subject_id)}).first()
        if row is None:
            return None
        app_id, entity_id, prog, title, title_en = row
        zh, en = STAGES[ev.kind]
        reason = (ev.payload or {}).get("reason") or ""
        return Notice(entity_id=entity_id, kind=ev.kind,
                      key=f"{entity_id}:application:{app_id}:{ev.kind}:{ev.id}",
                      title=f"【{zh}】{title}"[:200],
                      body=f"您的申报「{title}」:{zh}。" + (f"\n说明:{reason}" if reason else ""),
                      title_en=f"[{en}] {title_en}"[:200],
                      body_en=f"Your application: {en}." + (f"\nNote: {reason}" if reason else ""),
                      link=f"{base}/staff/applications/{app_id}",
                      detail={"event": ev.id, "application": app_id},
                      topics={"programme": prog})
    if ev.subject_type in CASE_TYPES and ev.subject_id.isdigit():
        case = s.execute(text("SELECT id, entity_id, title FROM service_case WHERE id = :id"),
                         {"id": int(ev.subject_id)}).first()
        if case is None or case[1] is None:
            return None
        case_id, entity_id, title = case
        return Notice(entity_id=entity_id, kind="case.update",
                      key=f"{entity_id}:case:{case_id}:{ev.id}",
                      title=f"【服务事项进展】{title}"[:200],
                      body=f"您的服务事项「{title}」有新进展({ev.kind})。",
                      title_en=f"[Case update] {title}"[:200],
                      body_en=f"Your case has an update ({ev.kind}).",
                      link=f"{base}/staff/cases/{case_id}", detail={"event": ev.id})
    return None


def from_events(platform: Platform, worker: str = "worker", limit: int = 500) -> int:
    """Messages for the domain events since the last round, ``limit`` events a transaction
    (each with its position); how many messages were written."""
    ctx = platform.system()
    n = 0
    while True:
        with platform.db.write() as s:
            last = position(s, "events")
            events = after(s, last, limit=limit)
            if not events:
                return n
            for ev in events:
                notice = _event_notice(s, ctx, ev)
                if notice is not None:
                    n += notify(s, ctx, notice) is not None
            advance(s, "events", events[-1].id, platform.now())


@each_round
def _round(platform: Platform, worker: str) -> int:
    return announce(platform, worker) + from_events(platform, worker)


__all__ = ["announce", "announce_version", "changes", "from_events"]
