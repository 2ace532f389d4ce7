"""The audit log: every write, every sign-in (success or failure), every refused access.

Entries are only ever added (:func:`record`, in the transaction of the write they
describe); the database refuses to change or delete them, and the API offers no way to.
Each entry is chained to the one before it by a hash (:mod:`huiqi.store.chain`), so
that an entry changed, removed or inserted behind the service's back is found by
:func:`verify` (``huiqi audit verify``, the administrators' audit page).

:func:`record` is the last thing a write does: from it until the commit, the
transaction holds the chain's lock (other writers append after it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.messages import message
from huiqi.store import chain
from huiqi.store.database import Database
from huiqi.store.models import AuditEntry
from huiqi.text import Text

from .context import Context, requires
from .permissions import Permission


def record(s: Session, ctx: Context, action: str, *, target: str | None = None,
           before: Any = None, after: Any = None, outcome: str = "ok",
           detail: str | None = None, actor: str | None = None, count: int = 1
           ) -> AuditEntry:
    """Add one entry in the session ``s`` (committed with the write it describes), as the
    next link of the chain. ``count``: how many times the event happened (repeated
    refusals counted in one entry)."""
    chain.append_lock(s)  # the time is read under the lock: the chain's times never go back
    s.flush()  # entries added before in this transaction are part of the chain already
    fields: dict[str, Any] = {
        "at": ctx.platform.audit_now(), "actor": (actor or ctx.actor.username)[:64],
        "role": ctx.actor.role.value if actor is None else None, "action": action,
        "outcome": outcome, "target": target, "before": chain.plain_json(before),
        "after": chain.plain_json(after), "detail": _detail(detail, ctx.ip), "count": count}
    _last, prev = chain.head(s)
    entry = AuditEntry(**fields, prev_hash=prev, hash=chain.digest(prev, fields))
    s.add(entry)
    s.flush()
    return entry


def _detail(detail: str | None, ip: str | None) -> str | None:
    if ip is None:
        return detail
    return f"{detail}; ip {ip}" if detail else f"ip {ip}"


@dataclass(frozen=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    target: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    offset: int = 0
    limit: int = 50


@requires(Permission.AUDIT_READ)
def entries(ctx: Context, q: AuditQuery) -> tuple[int, list[AuditEntry]]:
    """Entries matching ``q``, newest first, and how many match in all."""
    stmt = select(AuditEntry)
    if q.actor:
        stmt = stmt.where(AuditEntry.actor == q.actor)
    if q.action:
        stmt = stmt.where(AuditEntry.action.startswith(q.action, autoescape=True))
    if q.outcome:
        stmt = stmt.where(AuditEntry.outcome == q.outcome)
    if q.target:
        stmt = stmt.where(AuditEntry.target == q.target)
    if q.since:
        stmt = stmt.where(AuditEntry.at >= q.since)
    if q.until:
        stmt = stmt.where(AuditEntry.at < q.until)
    with ctx.db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(AuditEntry.id.desc()).offset(q.offset).limit(q.limit))
        return total, list(rows)


_BATCH = 5000
_COLUMNS = (AuditEntry.id, AuditEntry.prev_hash, AuditEntry.hash, *(
    getattr(AuditEntry, name) for name in chain.FIELDS))


def chain_rows(db: Database, batch: int = _BATCH) -> Iterator[dict[str, Any]]:
    """Every entry as the chain covers it, in id order, read in batches of ``batch``."""
    last = None
    while True:
        stmt = select(*_COLUMNS).order_by(AuditEntry.id).limit(batch)
        if last is not None:
            stmt = stmt.where(AuditEntry.id > last)
        with db.read() as s:
            rows = [dict(r._mapping) for r in s.execute(stmt)]
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


@requires(Permission.AUDIT_READ)
def verify(ctx: Context) -> chain.Verdict:
    """Walk the whole chain and say where it first breaks, if it does (changes nothing)."""
    return chain.verify_rows(chain_rows(ctx.db))


def explain(v: chain.Verdict) -> Text:
    """The verdict in words, for the page and the command."""
    if v.broken is None:
        return message("audit.chain_ok", rows=v.rows, head=v.head_id or "-",
                       hash=v.head_hash[:16])
    b = v.broken
    return message(f"audit.chain_{b.reason}", id=b.id, previous=b.previous_id or "-",
                   checked=v.rows - 1)
