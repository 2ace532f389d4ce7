"""The audit log in the staff console: newest first, filtered by who, what and outcome."""

from __future__ import annotations

from fastapi import Response

from huiqi.api.routes.params import Filter, Offset
from huiqi.service import audit
from huiqi.service.permissions import Permission

from ..pages import PageDep, Pages

router = Pages()
PAGE = 50


@router.page("GET", "/staff/audit", Permission.AUDIT_READ)
def entries(p: PageDep, actor: Filter = None, action: Filter = None, outcome: Filter = None,
            offset: Offset = 0) -> Response:
    total, rows = audit.entries(p.ctx, audit.AuditQuery(
        actor=actor or None, action=action or None, outcome=outcome or None, offset=offset,
        limit=PAGE))
    return p.render("audit.html", total=total, rows=rows, offset=offset, page=PAGE,
                    actor_q=actor or "", action_q=action or "", outcome_q=outcome or "")
