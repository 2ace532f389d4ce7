"""Triggers on dates, by timers in the database (fired once by ``huiqi worker``, surviving
restarts; :mod:`huiqi.workflow.timers`):

* a published pack version **taking effect** on a later date (a policy's effective date,
  the day after its expiry, a parameter's or a table's new value — a reform enacted as a
  version usually takes effect so): on that date (00:00 China time; quiet hours hold the
  external deliveries) every enterprise's result the day before and on the date are
  compared (:mod:`huiqi.push.who`) and those whose result changed are told;
* a programme's **application window opening** (09:00 China time on ``opens_on``) and
  **closing soon** (09:00, ``HUIQI_PUSH_CLOSING_DAYS`` working days before ``closes_on``,
  by the working-day calendar): the enterprises eligible for its clause are told (closing:
  those that have not applied). 免申即享 programmes (``automatic``) tell nobody.

Each round schedules what is missing (one timer per key: scheduling again adds nothing).
Firing a timer starts a **job** — a ``push_cursor`` row ``job:…`` — that the round then works
through in batches of :data:`BATCH` enterprises, each batch one transaction with the job's
position (-1 when done): a population of any size is told with bounded memory, resumably.
Each batch is matched for the clauses its trigger concerns only (a window: the programme's
clause; a date: the clauses that can change on it — each with its stacking groups), by the
population engine (:mod:`huiqi.push.concerned`), not the whole pack enterprise by enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import count
from typing import Any

from sqlalchemy import Date, select, text
from sqlalchemy.orm import Session

from huiqi.clock import CHINA
from huiqi.engine.matcher import Matcher
from huiqi.errors import Conflict
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.packs import versions as PV
from huiqi.registry import entities as E
from huiqi.registry.profile import enterprise_of
from huiqi.rules.model import Pack
from huiqi.service.context import Context, Platform
from huiqi.service.policies import loaded, matcher
from huiqi.store.models import Entity, PackVersion, PolicyPack
from huiqi.workflow.calendar import WorkingDays
from huiqi.workflow.events import Subject
from huiqi.workflow.holidays import working_days
from huiqi.workflow.timers import Timer, each_round, handler, schedule

from . import concerned as C
from .models import PushCursor
from .outbox import Notice, _yuan, clause_notice, notify
from .triggers import advance, link, position
from .who import Outcome, classify, outcome

BATCH = 2000  # (each batch: one population-engine query per day compared)
#: batches of a job a worker's round works at most (the rest: the next round's)
ROUND_BATCHES = 5
EFFECTIVE, OPENING, CLOSING = "push.effective", "push.window_open", "push.window_closing"
DONE = -1


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), CHINA).astimezone(dt.UTC)


# ------------------------------------------------------------------------- scheduling

def effective_dates(pack: Pack) -> list[dt.date]:
    """The dates on which a version's results can change by themselves."""
    out: set[dt.date] = set()
    for p in pack.policies:
        out.add(p.effective)
        if p.expiry is not None:
            out.add(p.expiry + dt.timedelta(days=1))
        for param in p.params.values():
            out.update(d for d, _ in param.values)
        for table in p.tables.values():
            out.update(d for d, _ in table.versions if d is not None)
    return sorted(out)


def schedule_effective(platform: Platform) -> int:
    """Timers for the later dates of every published version (once per version)."""
    ctx = platform.system()
    n = 0
    with platform.db.read() as s:
        done = set(s.scalars(select(PushCursor.name).where(
            PushCursor.name.like("effective:%"))))
        todo = [(k, v) for k, v in PV.all_published(s) if f"effective:{v.id}" not in done]
    if not todo:
        return 0
    dates = {v.id: effective_dates(loaded(ctx, k, v)) for k, v in todo}
    with platform.db.write() as s:
        today, now = platform.today(), platform.now()
        for key, v in todo:
            name = f"effective:{v.id}"
            if s.get(PushCursor, name) is not None:
                continue
            for day in dates[v.id]:
                if day > today:
                    n += schedule(s, EFFECTIVE, _at(day, 0), Subject("pack_version", v.id),
                                  {"pack": key, "date": day.isoformat()},
                                  key=f"push:effective:{v.id}:{day.isoformat()}",
                                  now=now) is not None
            advance(s, name, v.id, now)
    return n


def _before(cal: WorkingDays, day: dt.date, n: int) -> dt.date:
    """The day ``n`` working days before ``day``."""
    left = n
    while left:
        day -= dt.timedelta(days=1)
        try:
            working = cal.is_working_day(day)
        except Conflict:  # a year the calendar does not know: Monday to Friday
            working = day.weekday() < 5
        left -= working
    return day


PROGRAMMES = text(
    "SELECT id, opens_on, closes_on FROM programme WHERE closes_on >= :today "
    "AND mode <> 'automatic' ORDER BY id").columns(opens_on=Date, closes_on=Date)


def windows(s: Session, today: dt.date, days: int) -> Iterator[tuple[str, dt.datetime, int,
                                                                     dt.date]]:
    """(timer kind, due, programme, date) of each programme window still to come."""
    cal = working_days(s)
    for pid, opens, closes in s.execute(PROGRAMMES, {"today": today}):
        yield OPENING, _at(opens, 9), pid, opens
        remind = max(_before(cal, closes, days), opens)
        yield CLOSING, _at(remind, 9), pid, closes


def schedule_windows(platform: Platform) -> int:
    """Timers for the windows of the programmes not closed yet (one per window date)."""
    n = 0
    with platform.db.write() as s:
        wanted = {f"push:{kind}:{pid}:{day.isoformat()}": (kind, due, pid, day)
                  for kind, due, pid, day in windows(s, platform.today(),
                                                     platform.settings.push_closing_days)}
        if not wanted:
            return 0
        have = set(s.scalars(select(Timer.key).where(Timer.key.in_(list(wanted)))))
        for key, (kind, due, pid, day) in wanted.items():
            if key not in have:
                schedule(s, kind, due, Subject("programme", pid), {"date": day.isoformat()},
                         key=key, now=platform.now())
                n += 1
    return n


def _start(s: Session, name: str, now: dt.datetime) -> None:
    if s.get(PushCursor, name) is None:
        advance(s, name, 0, now)


@handler(EFFECTIVE)
def _effective(s: Session, ctx: Context, timer: Timer) -> None:
    _start(s, f"job:effective:{timer.subject_id}:{timer.payload['date']}", ctx.now())


@handler(OPENING)
def _opening(s: Session, ctx: Context, timer: Timer) -> None:
    _start(s, f"job:open:{timer.subject_id}:{timer.payload['date']}", ctx.now())


@handler(CLOSING)
def _closing(s: Session, ctx: Context, timer: Timer) -> None:
    _start(s, f"job:closing:{timer.subject_id}:{timer.payload['date']}", ctx.now())


# ------------------------------------------------------------------------------- jobs

def _enterprises(s: Session, batch: list[Entity], day: dt.date) -> list[Enterprise]:
    cat = default_catalogue()
    facts = E.latest_values(s, [e.id for e in batch])
    return [enterprise_of(s, cat, e, day, facts[e.id]) for e in batch]


def _effective_batch(ctx: Context, s: Session, vid: int, day: dt.date,
                     batch: list[Entity]) -> list[Notice]:
    """The day before and the date compared, for the clauses the date concerns only
    (:func:`huiqi.push.concerned.on_date`), by the population engine."""
    v = s.get(PackVersion, vid)
    if v is None or v.status != PV.PUBLISHED:  # superseded or retired since: nobody
        return []
    pack = s.get_one(PolicyPack, v.pack_id).key
    p = loaded(ctx, pack, v)
    clauses = C.on_date(p, day)
    if not clauses:
        return []
    cat, eve = default_catalogue(), day - dt.timedelta(days=1)
    was = C.outcomes(p, cat, eve, _enterprises(s, batch, eve), clauses)
    today = _enterprises(s, batch, day)
    now = C.outcomes(p, cat, day, today, clauses)
    version = f"{v.version_key or v.number}@{day.isoformat()}"
    ents = {x.id: x for x in today}
    m = matcher(ctx, pack, v, day)  # the words of the few told: the one-enterprise engine's
    out = []
    for e in batch:
        before, after = was[e.credit_code], now[e.credit_code]
        for ck in sorted(set(before) | set(after)):
            kind = classify(before.get(ck), after.get(ck))
            if kind is None:
                continue
            b = before.get(ck)
            o = _worded(m, ents[e.credit_code], ck) or after.get(ck) or before[ck]
            out.append(clause_notice(
                entity_id=e.id, enterprise=e.name, kind=kind, clause=o.key,
                clause_title=o.name("zh"), clause_title_en=o.name("en"),
                version=version, link=link(ctx, o.key, pack), amount=o.amount,
                assumed=o.assumed, before=b.amount if b else None, deadline=o.deadline,
                missing=list(o.gaps or o.missing),
                topics={"pack": pack, "industry": e.industry or ""}))
    return out


def _worded(m: Matcher, e: Enterprise, clause: str) -> Outcome | None:
    """One clause's outcome said in words (its title, its conditions' labels, the missing
    facts' labels), as the other triggers say it."""
    c = next((x for x in m.decide(e).clauses if x.key == clause), None)
    return None if c is None else outcome(c, m.pack.clause(clause))


PROGRAMME = text(
    "SELECT p.id, p.key, p.title_zh, p.title_en, p.pack_key, p.pack_version_id, "
    "p.clause_key, p.opens_on, p.closes_on, p.mode FROM programme p WHERE p.id = :id"
).columns(opens_on=Date, closes_on=Date)

WINDOW_TEXT = {
    "open": ("申报窗口已开启", "application window open"),
    "closing": ("申报即将截止", "application window closing soon"),
}


def window_notice(ctx: Context, e: Entity, what: str, prog: Any, amount: str,
                   assumed: bool) -> Notice:
    pid, key, title, title_en, pack, _, clause, opens, closes, _ = prog
    zh, en = WINDOW_TEXT[what]
    mark = "(按假设数据估算)" if assumed else ""
    mark_en = " (estimated from assumed facts)" if assumed else ""
    base = ctx.settings.push_base_url.rstrip("/")
    return Notice(
        entity_id=e.id, kind=f"window.{what}",
        key=f"{e.id}:window:{pid}:{what}:{(opens if what == 'open' else closes).isoformat()}",
        title=f"【{zh}】{title}"[:200],
        body=f"{e.name}:您符合「{title}」的条件。\n金额:{amount}{mark}\n"
             f"申报时间:{opens.isoformat()} 至 {closes.isoformat()}(截止日期:"
             f"{closes.isoformat()})",
        title_en=f"[{en}] {title_en}"[:200],
        body_en=f"{e.name}: you qualify for {title_en}.\nAmount: {amount}"
                f"{mark_en}\nWindow: {opens.isoformat()} to {closes.isoformat()}",
        link=f"{base}/staff/programmes/{key}",
        detail={"programme": key, "clause": clause, "opens": opens.isoformat(),
                "closes": closes.isoformat(), "deadline": closes.isoformat(),
                "clause_link": link(ctx, clause, pack)},
        topics={"programme": key, "pack": pack, "industry": e.industry or ""})


def _window_batch(ctx: Context, s: Session, what: str, pid: int, day: dt.date,
                  batch: list[Entity], today: dt.date) -> list[Notice]:
    prog = s.execute(PROGRAMME, {"id": pid}).first()
    if prog is None or prog[9] == "automatic" or \
            (prog[7] if what == "open" else prog[8]) != day or prog[8] < today:
        return []  # gone, moved to another date (its own timer tells) or closed
    v = s.get(PackVersion, prog[5])
    if v is None:
        return []
    applied: set[int] = set()
    if what == "closing":
        applied = set(s.scalars(text(
            "SELECT entity_id FROM application WHERE programme_id = :id").bindparams(id=pid)))
    firms = [e for e in batch if e.id not in applied]
    p = loaded(ctx, prog[4], v)
    found = C.outcomes(p, default_catalogue(), today, _enterprises(s, firms, today),
                       C.window(p, prog[6]))  # its clause only (and its stacking groups)
    out = []
    for e in firms:
        o = found[e.credit_code].get(prog[6])
        if o is not None and o.eligible:
            out.append(window_notice(ctx, e, what, prog, _yuan(o.amount), o.assumed))
    return out


def _job_batch(ctx: Context, s: Session, name: str, batch: list[Entity],
               today: dt.date) -> list[Notice]:
    _, what, subject, date = name.split(":", 3)
    day = dt.date.fromisoformat(date)
    if what == "effective":
        return _effective_batch(ctx, s, int(subject), day, batch)
    return _window_batch(ctx, s, what, int(subject), day, batch, today)


def _next(platform: Platform, name: str) -> tuple[int, int, list[Notice]] | None:
    """Read a job's next batch and compute its messages outside any writing transaction (on
    SQLite one holds the whole database): (the position read, the batch's last enterprise,
    the messages) — DONE as the last when no enterprise is left — or None when the job is
    done."""
    ctx = platform.system()
    with platform.db.read() as s:
        last = position(s, name)
        if last == DONE:
            return None
        batch = list(s.scalars(select(Entity).where(Entity.id > last,
                                                    Entity.kind == "enterprise")
                               .order_by(Entity.id).limit(BATCH)))
        if not batch:
            return last, DONE, []
        return last, batch[-1].id, _job_batch(ctx, s, name, batch, platform.today())


def run_job(platform: Platform, name: str, batches: int | None = None) -> int:
    """Work a job through, one batch of enterprises a transaction (at most ``batches``: the
    rest is for the next round); messages written. Each batch is computed first, then
    written with the job's new position if the position is still the one it was computed
    from (two workers: one writes, the other computes the next batch)."""
    ctx = platform.system()
    n = 0
    for _ in count() if batches is None else range(batches):
        step = _next(platform, name)
        if step is None:
            return n
        start, upto, notices = step
        with platform.db.write(lock=f"push.{name}") as s:  # two workers: one after the other
            if position(s, name) != start:
                continue  # another worker wrote this batch meanwhile
            for notice in notices:
                n += notify(s, ctx, notice) is not None
            advance(s, name, upto, platform.now())
        if upto == DONE:
            return n
    return n


def run_jobs(platform: Platform, batches: int | None = None) -> int:
    with platform.db.read() as s:
        names = list(s.scalars(select(PushCursor.name).where(
            PushCursor.name.like("job:%"), PushCursor.position != DONE)
            .order_by(PushCursor.updated_at, PushCursor.name)))
    return sum(run_job(platform, name, batches) for name in names)


@each_round
def _round(platform: Platform, worker: str) -> int:
    return schedule_effective(platform) + schedule_windows(platform) + \
        run_jobs(platform, ROUND_BATCHES)


__all__ = ["CLOSING", "EFFECTIVE", "OPENING", "effective_dates", "run_job", "run_jobs",
           "schedule_effective", "schedule_windows", "windows"]
