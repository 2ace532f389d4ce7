"""Timers kept in the database, fired exactly once by a worker (``huiqi worker``, or the one
``huiqi serve`` runs inside itself).

    with ctx.db.write() as s:                              # in the transaction of the change
        schedule(s, "case.weekly_contact", due, Subject("case", 7), {"week": 3},
                 key="case:7:contact:3")                   # at most one timer per key

    @handler("case.weekly_contact")                        # the area says what firing does
    def weekly(s: Session, ctx: Context, timer: Timer) -> None: ...

    run_due(platform)                                      # fire what is due, then return

**Exactly once.** A timer is claimed and fired in one transaction: the row is locked
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that several workers each take
different timers and none waits for another; on SQLite a writing transaction holds the
database's one write lock, so workers take turns), the handler's changes are written in that
same session, and ``fired_at`` is set; all commit together. A worker killed half-way leaves
no trace: its transaction is rolled back (PostgreSQL ends it with the connection, SQLite
with its journal), the row is unlocked and another worker fires the timer later. Nothing is
fired twice because the handler's effects and the mark that it fired are one commit.

A handler that raises is rolled back; the timer's ``attempts`` and ``last_error`` are
written and it is tried again later (after 1, 2, 4 … minutes), up to :data:`MAX_ATTEMPTS`
times, after which it stays failed (``failed_at``) for a person to look at.

**Surviving restarts.** Timers are rows; a worker keeps nothing in memory between rounds.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from huiqi.service.context import Context, Platform
from huiqi.store.models import Base
from huiqi.store.types import BigKey, JSONText, UTCDateTime

from .events import Subject, emit

log = logging.getLogger("huiqi.worker")

#: A timer whose handler failed this many times is not tried again.
MAX_ATTEMPTS = 5
ERROR_MAX = 500


class Timer(Base):
    """Something to do at a time: the kind of handler, about which subject, with what."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_pending", "fired_at", "failed_at", "cancelled_at",
                            "due_at"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSONText())
    #: at most one timer per key (a rule scheduling the same reminder again adds nothing)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fired_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def subject(self) -> Subject:
        return Subject(self.subject_type, self.subject_id)


Handler = Callable[[Session, Context, Timer], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register what firing a timer of ``kind`` does (areas register theirs on import)."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def handlers() -> Mapping[str, Handler]:
    return dict(_HANDLERS)


Round = Callable[[Platform, str], int]
_ROUNDS: list[Round] = []


def each_round(fn: Round) -> Round:
    """Register work a worker does every round after firing timers (push's deliveries):
    ``fn(platform, worker_name)`` returns how much it did."""
    if fn not in _ROUNDS:
        _ROUNDS.append(fn)
    return fn


def rounds() -> list[Round]:
    return list(_ROUNDS)


def schedule(s: Session, kind: str, due_at: dt.datetime, subject: Subject,
             payload: Mapping[str, Any] | None = None, *, key: str | None = None,
             now: dt.datetime | None = None) -> Timer | None:
    """Add a timer in the session ``s`` (it commits with the change that needs it). With
    ``key``, nothing is added if a timer of that key exists already (None is returned)."""
    if key is not None and s.scalar(select(Timer.id).where(Timer.key == key)) is not None:
        return None
    timer = Timer(kind=kind, due_at=due_at, subject_type=subject.type,
                  subject_id=str(subject.id), payload=dict(payload or {}), key=key,
                  created_at=now or due_at, attempts=0)
    s.add(timer)
    s.flush()
    return timer


def cancel(s: Session, subject: Subject, kind: str | None = None,
           now: dt.datetime | None = None) -> int:
    """Cancel the pending timers of ``subject`` (of one ``kind``, if given); how many."""
    stmt = update(Timer).where(Timer.subject_type == subject.type,
                               Timer.subject_id == str(subject.id), Timer.fired_at.is_(None),
                               Timer.cancelled_at.is_(None))
    if kind is not None:
        stmt = stmt.where(Timer.kind == kind)
    result = s.execute(stmt.values(cancelled_at=now or func.now())
                       .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def pending(s: Session, subject: Subject) -> list[Timer]:
    """The timers of ``subject`` still to fire, soonest first."""
    return list(s.scalars(select(Timer).where(
        Timer.subject_type == subject.type, Timer.subject_id == str(subject.id),
        Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.failed_at.is_(None))
        .order_by(Timer.due_at, Timer.id)))


def _due(now: dt.datetime) -> Any:
    return select(Timer).where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None),
                               Timer.failed_at.is_(None), Timer.due_at <= now)


def fire_one(platform: Platform, worker: str = "worker",
             known: Mapping[str, Handler] | None = None) -> int | None:
    """Claim one due timer and fire it, in one transaction; its id, or None if nothing is
    due (or every due timer is being fired by another worker)."""
    table = _HANDLERS if known is None else known
    ctx = platform.system()
    failed: tuple[int, int, str] | None = None
    with platform.db.write() as s:
        now = platform.now()
        timer = s.scalar(_due(now).order_by(Timer.due_at, Timer.id).limit(1)
                         .with_for_update(skip_locked=True))
        if timer is None:
            return None
        fn = table.get(timer.kind)
        try:
            with s.begin_nested():
                if fn is None:
                    raise LookupError(f"no handler for timers of kind {timer.kind!r}")
                fn(s, ctx, timer)
        except Exception as exc:  # the handler's changes are undone; the timer says why
            log.exception("timer %s (%s) failed", timer.id, timer.kind)
            failed = (timer.id, timer.attempts, f"{type(exc).__name__}: {exc}"[:ERROR_MAX])
        if failed is None:
            timer.fired_at, timer.fired_by = now, worker[:64]
            return int(timer.id)
        tid, attempts, error = failed
        timer.attempts = attempts + 1
        timer.last_error = error
        if timer.attempts >= MAX_ATTEMPTS:
            timer.failed_at = now
        else:
            timer.due_at = now + dt.timedelta(minutes=2 ** attempts)
        return tid


def run_due(platform: Platform, worker: str = "worker", limit: int = 1000,
            known: Mapping[str, Handler] | None = None) -> int:
    """Fire due timers one by one until none is left (or ``limit``); how many were taken."""
    n = 0
    while n < limit and fire_one(platform, worker, known) is not None:
        n += 1
    return n


@dataclass
class Worker:
    """A loop that fires due timers every ``poll`` seconds until stopped (a thread of
    ``huiqi serve``, or the whole of ``huiqi worker``)."""

    platform: Platform
    name: str = "worker"
    poll: float = 5.0
    stop: threading.Event | None = None

    def __post_init__(self) -> None:
        if self.stop is None:
            self.stop = threading.Event()

    def run(self) -> None:
        assert self.stop is not None
        last = ""
        while not self.stop.is_set():
            try:
                run_due(self.platform, self.name)
                for fn in rounds():
                    fn(self.platform, self.name)
                last = ""
            except Exception as exc:  # the database went away: try again next round
                said = f"{type(exc).__name__}: {exc}"
                if said != last:  # the same failure round after round is logged once
                    log.exception("worker %s: a round failed", self.name)
                last = said
            self.stop.wait(self.poll)

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self.run, daemon=True, name=f"huiqi-{self.name}")
        t.start()
        return t


# ---------------------------------------------------------------- a probe, to watch a worker

PROBE = "worker.probe"


@handler(PROBE)
def _probe(s: Session, ctx: Context, timer: Timer) -> None:
    """Emits ``worker.probe`` for its subject (``huiqi worker --probe``; tests): shows that
    a worker fires timers, and how often each. ``payload.hold`` seconds are spent first,
    inside the transaction (a worker can be stopped half-way through)."""
    hold = float(timer.payload.get("hold", 0) or 0)
    if hold > 0:
        time.sleep(min(hold, 30.0))
    emit(s, ctx, PROBE, timer.subject, {"timer": timer.id})


__all__ = [
    "MAX_ATTEMPTS",
    "PROBE",
    "Handler",
    "Round",
    "Timer",
    "Worker",
    "cancel",
    "each_round",
    "fire_one",
    "handler",
    "handlers",
    "pending",
    "rounds",
    "run_due",
    "schedule",
]
