"""The audit log (read-only: there is no route to change or delete an entry)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from huiqi.clock import day_start
from huiqi.service import audit
from huiqi.service.permissions import Permission
from huiqi.service.schemas import AuditPublic, Page

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses
from .params import Day, Filter, Limit, Offset

router = APIRouter(route_class=Guarded, prefix="/audit", tags=["audit 审计"], responses=responses(401, 403, 422))


@router.get("", openapi_extra=rule(Permission.AUDIT_READ), response_model=Page[AuditPublic])
def entries(ctx: ContextDep, actor: Filter = None, action: Filter = None, outcome: Filter = None,
            target: Filter = None, since: Day = None, until: Day = None, offset: Offset = 0,
            limit: Limit = 50) -> Page[AuditPublic]:
    """审计日志,最新在前(since 含当日,until 不含)/ Audit entries, newest first."""
    total, rows = audit.entries(ctx, audit.AuditQuery(
        actor=actor, action=action, outcome=outcome, target=target, since=_start(since),
        until=_start(until),
        offset=offset, limit=limit))
    return Page(total=total, offset=offset, limit=limit, items=[AuditPublic(
        id=e.id, at=e.at, actor=e.actor, role=e.role, action=e.action, outcome=e.outcome,
        target=e.target, before=e.before, after=e.after, detail=e.detail) for e in rows])


def _start(day: dt.date | None) -> dt.datetime | None:
    """The start of a day in China's time."""
    return None if day is None else day_start(day)
