"""The audit log in the staff console: newest first, filtered by who, what and outcome;
its hash chain verified on request."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from huiqi.api.routes.params import Filter, Offset
from huiqi.service import audit
from huiqi.service.permissions import Permission

from ..pages import Page, PageDep, Pages

router = Pages()
PAGE = 50


@router.page("GET", "/staff/audit", Permission.AUDIT_READ)
def entries(p: PageDep, actor: Filter = None, action: Filter = None, outcome: Filter = None,
            offset: Offset = 0) -> Response:
    return _page(p, actor, action, outcome, offset)


@router.page("GET", "/staff/audit/verify", Permission.AUDIT_READ)
def verify(p: PageDep) -> Response:
    """The whole hash chain verified: intact, or the first entry where it breaks."""
    verdict = audit.verify(p.ctx)
    return _page(p, None, None, None, 0, status=200 if verdict.ok else 409, verdict=verdict,
                 verdict_text=audit.explain(verdict))


def _page(p: Page, actor: str | None, action: str | None, outcome: str | None, offset: int,
          status: int = 200, **values: Any) -> Response:
    total, rows = audit.entries(p.ctx, audit.AuditQuery(
        actor=actor or None, action=action or None, outcome=outcome or None, offset=offset,
        limit=PAGE))
    values.setdefault("verdict", None)
    return p.render("audit.html", status=status, total=total, rows=rows, offset=offset,
                    page=PAGE, actor_q=actor or "", action_q=action or "",
                    outcome_q=outcome or "", **values)
