"""Cases in their public shapes (:mod:`.schemas`), for the API and the pages."""

from __future__ import annotations

from huiqi.text import Lang

from . import schemas as P
from .supervision import Board, Tally
from .views import Detail, Row


def case(r: Row, lang: Lang = "zh") -> P.CasePublic:
    c = r.case
    return P.CasePublic(
        id=c.id, kind=c.kind, state=c.state, state_label=r.state.get(lang), title=c.title,
        credit_code=r.credit_code, enterprise=r.enterprise, parent_id=c.parent_id,
        department=c.department, category=c.category, green=c.green,
        target_days=c.target_days, deadline=c.deadline, due=r.due.due, overdue=r.due.overdue,
        paused=r.due.paused, alert=r.alert, agents=r.agents, created_at=c.created_at)


def detail(d: Detail, lang: Lang = "zh") -> P.CaseDetailPublic:
    tl = d.timeline
    return P.CaseDetailPublic(
        case=case(d.row, lang), details=dict(d.row.case.details or {}),
        evaluation=d.row.case.evaluation,
        targets=[P.TargetPublic(name=t.name, days=t.days, status=t.status, due=t.due,
                                reached_at=t.reached_at, used=t.used)
                 for t in tl.targets.values()],
        periods=[P.PeriodPublic(state=p.state, start=p.start, end=p.end,
                                working_days=p.working_days) for p in tl.periods],
        paused_days=tl.paused_days,
        events=[P.EventPublic(id=e.id, occurred_at=e.occurred_at, kind=e.kind, actor=e.actor,
                              payload=dict(e.payload or {})) for e in d.events],
        files=[P.FilePublic(id=f.id, purpose=f.purpose, name=f.name,
                            content_type=f.content_type, size=f.size, sha256=f.sha256,
                            uploaded_at=f.uploaded_at, uploaded_by=f.uploaded_by)
               for f in d.files],
        children=[case(c, lang) for c in d.children],
        rating=None if d.rating is None else P.RatingPublic(
            score=d.rating.score, comment=d.rating.comment, status=d.rating.status,
            appeal=d.rating.appeal, rated_at=d.rating.rated_at),
        actions=[P.ActionPublic(name=n, label=label.get(lang), reason_required=why)
                 for n, label, why in d.actions],
        last_contact=d.last_contact)


def _tally(name: str, t: Tally) -> P.TallyPublic:
    return P.TallyPublic(name=name, total=t.total, completed=t.completed, overdue=t.overdue,
                         escalated=t.escalated, completion_rate=t.rate)


def board(b: Board) -> P.SupervisionPublic:
    return P.SupervisionPublic(
        measures=[P.MeasurePublic(**m.__dict__) for m in b.measures],
        by_area=[_tally(k, v) for k, v in b.by_area.items()],
        by_department=[_tally(k, v) for k, v in b.by_department.items()])
