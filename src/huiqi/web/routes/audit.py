"""The audit log in the staff console, in words (actions, outcomes and roles in Chinese or
English, :mod:`huiqi.web.audit_words`): newest first, filtered by date range, who, what,
outcome and target; exported as CSV or Excel with the same filters (every cell through
:mod:`huiqi.cells`); its hash chain verified on request."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Response

from huiqi.api.routes.params import Filter, Offset
from huiqi.clock import day_start, shown
from huiqi.service import audit
from huiqi.service.permissions import Permission

from .. import sheets
from ..audit_words import ACTIONS, OUTCOMES, action_text, outcome_text, role_text
from ..pages import Page, PageDep, Pages

router = Pages()
PAGE = 50
#: the most entries one export holds (narrow the dates for more)
EXPORT_MAX = 100_000
#: a date from a form's date field (empty when not filled in)
Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]


def _day(v: str | None) -> dt.date | None:
    from huiqi.errors import InputError
    from huiqi.text import Text

    if not v:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise InputError(Text(f"日期“{v}”无效", f"“{v}” is not a date")) from None


def _query(actor: str | None, action: str | None, outcome: str | None, target: str | None,
           since_text: str | None, until_text: str | None, offset: int = 0,
           limit: int = PAGE) -> audit.AuditQuery:
    since, until = _day(since_text), _day(until_text)
    return audit.AuditQuery(
        actor=actor or None, action=action or None, outcome=outcome or None,
        target=target or None, since=day_start(since) if since else None,
        until=day_start(until + dt.timedelta(days=1)) if until else None, offset=offset,
        limit=limit)


@router.page("GET", "/staff/audit", Permission.AUDIT_READ)
def entries(p: PageDep, actor: Filter = None, action: Filter = None, outcome: Filter = None,
            target: Filter = None, since: Day = None, until: Day = None,
            offset: Offset = 0) -> Response:
    return _page(p, _query(actor, action, outcome, target, since, until, offset),
                 since=_day(since), until=_day(until))


@router.page("GET", "/staff/audit/export", Permission.AUDIT_READ)
def export(p: PageDep, actor: Filter = None, action: Filter = None, outcome: Filter = None,
           target: Filter = None, since: Day = None, until: Day = None,
           format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "xlsx") -> Response:
    """The entries the filters select (newest first, at most ``EXPORT_MAX``)."""
    total, rows = audit.entries(p.ctx, _query(actor, action, outcome, target, since, until,
                                              limit=EXPORT_MAX))
    t = p.t
    header = ["#", t("时间(北京时间)", "When (Beijing time)"), t("操作人", "Who"),
              t("角色", "Role"), t("操作", "Action"), t("操作代码", "Action code"),
              t("结果", "Outcome"), t("次数", "Count"), t("对象", "Target"), t("详情", "Detail"),
              t("哈希", "Hash")]
    body = [[e.id, shown(e.at), e.actor, role_text(e.role, p.lang), action_text(e.action, p.lang),
             e.action, outcome_text(e.outcome, p.lang), e.count, e.target or "", e.detail or "",
             e.hash] for e in rows]
    name = f"huiqi-audit-{p.platform.today().isoformat()}.{format}"
    if format == "csv":
        data, media = sheets.csv_bytes(header, body), "text/csv; charset=utf-8"
    else:
        lines = [t(f"审计日志导出:{len(body)} 条(共 {total} 条符合条件)",
                   f"Audit log export: {len(body)} entries (of {total} matching)")]
        data = sheets.xlsx(t("审计日志", "Audit log"), header, body, lines=lines,
                           widths=[8, 18, 14, 12, 18, 18, 14, 6, 24, 40, 20])
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.page("GET", "/staff/audit/verify", Permission.AUDIT_READ)
def verify(p: PageDep) -> Response:
    """The whole hash chain verified: intact, or the first entry where it breaks."""
    verdict = audit.verify(p.ctx)
    return _page(p, _query(None, None, None, None, None, None), status=200 if verdict.ok
                 else 409, verdict=verdict, verdict_text=audit.explain(verdict))


def _page(p: Page, q: audit.AuditQuery, status: int = 200, since: dt.date | None = None,
          until: dt.date | None = None, **values: Any) -> Response:
    total, rows = audit.entries(p.ctx, q)
    values.setdefault("verdict", None)
    filters = {"actor": q.actor or "", "action": q.action or "", "outcome": q.outcome or "",
               "target": q.target or "", "since": since.isoformat() if since else "",
               "until": until.isoformat() if until else ""}
    return p.render("audit.html", status=status, total=total, rows=rows, offset=q.offset,
                    page=PAGE, f=filters, outcomes=[(k, p.text(v)) for k, v in OUTCOMES.items()],
                    actions=sorted({k.split(".")[0] for k in ACTIONS}),
                    action_text=lambda a: action_text(a, p.lang),
                    outcome_text=lambda o: outcome_text(o, p.lang),
                    role_text=lambda r: role_text(r, p.lang), **values)
