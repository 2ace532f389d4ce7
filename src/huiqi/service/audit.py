"""The audit log: every write, every sign-in (success or failure), every refused access.

Entries are only ever added (:func:`record`, in the transaction of the write they
describe); the database refuses to change or delete them, and the API offers no way to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.store.models import AuditEntry

from .context import Context, requires
from .permissions import Permission


def record(s: Session, ctx: Context, action: str, *, target: str | None = None,
           before: Any = None, after: Any = None, outcome: str = "ok",
           detail: str | None = None, actor: str | None = None) -> AuditEntry:
    """Add one entry in the session ``s`` (committed with the write it describes)."""
    entry = AuditEntry(at=ctx.now(), actor=actor or ctx.actor.username,
                       role=ctx.actor.role.value if actor is None else None, action=action,
                       outcome=outcome, target=target, before=before, after=after,
                       detail=_detail(detail, ctx.ip))
    s.add(entry)
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
