"""督查督办 (supervision, after Dalian's 36 measures in 6 areas): each measure has an owning
department and a deadline; progress is reported with evidence; an overdue measure escalates
to the department's leader, then to park leadership, after the working days the standard
declares (timers); a third party scores each measure, enterprises rate their satisfaction;
completion is counted by area and by department.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.clock import CHINA, china_date
from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission
from huiqi.text import Text
from huiqi.workflow import timers
from huiqi.workflow.holidays import working_days

from . import standards
from .models import CaseRating, ServiceCase
from .service import events_of, get_case, note, open_case, subject

ESCALATE = "measure.escalate"
LEVELS = {1: Text("部门负责人", "the department's leader"),
          2: Text("园区领导", "park leadership")}


def _at_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), CHINA).astimezone(dt.UTC)


@requires(Permission.CASE_WORK)
def create_measure(ctx: Context, title: str, *, area: str, department: str,
                   deadline: dt.date, number: str | None = None,
                   description: str | None = None, at: dt.datetime | None = None) -> int:
    """A measure to supervise; the escalations it will need if overdue are scheduled now."""
    now = at or ctx.now()
    with ctx.db.write() as s:
        measure = open_case(s, ctx, "measure", title, department=department, category=area,
                            deadline=deadline, at=now,
                            details={"number": number, "description": description})
        _schedule_escalations(s, measure, now)
        return measure.id


def _schedule_escalations(s: Session, measure: ServiceCase, now: dt.datetime) -> None:
    assert measure.deadline is not None
    _name, rule = standards.get(s, "escalation", "measure") or ("", {"department": 3,
                                                                     "leadership": 5})
    cal = working_days(s)
    for level, days in ((1, int(rule["department"])), (2, int(rule["leadership"]))):
        # overdue from the day after the deadline; escalated as the N-th working day after
        # it begins
        day = cal.add(measure.deadline, max(days, 1))
        timers.schedule(s, ESCALATE, _at_day_start(day), subject(measure),
                        {"level": level, "deadline": measure.deadline.isoformat()},
                        key=f"measure:{measure.id}:escalate:{measure.deadline}:{level}", now=now)


@timers.handler(ESCALATE)
def _escalate(s: Session, ctx: Context, timer: timers.Timer) -> None:
    measure = s.get(ServiceCase, int(timer.subject_id))
    if measure is None or measure.state == "completed" or \
            (measure.deadline and measure.deadline.isoformat() != timer.payload["deadline"]):
        return
    level = int(timer.payload["level"])
    note(s, ctx, measure, "escalated", {"level": level, "to_zh": LEVELS[level].zh,
                                        "to_en": LEVELS[level].en,
                                        "department": measure.department})


@requires(Permission.CASE_WORK)
def report(ctx: Context, measure_id: int, progress: int, text: str,
           at: dt.datetime | None = None) -> int:
    """A progress report (percent done, what was done); evidence is attached to the measure
    as files of purpose ``evidence``. The event's id."""
    if not 0 <= progress <= 100:
        raise InputError(message("case.range", what_zh="完成百分比", what_en="progress",
                                 low=0, high=100))
    with ctx.db.write() as s:
        measure = get_case(s, measure_id, "measure")
        event = note(s, ctx, measure, "progress", {"progress": progress, "text": text[:4000]})
        if at is not None:
            event.occurred_at = at
        return event.id


@requires(Permission.CASE_WORK)
def evaluate(ctx: Context, measure_id: int, score: Decimal, evaluator: str) -> None:
    """The third party's score (0–100)."""
    if not Decimal(0) <= score <= Decimal(100):
        raise InputError(message("case.range", what_zh="评估得分", what_en="score", low=0,
                                 high=100))
    with ctx.db.write() as s:
        measure = get_case(s, measure_id, "measure")
        before = None if measure.evaluation is None else str(measure.evaluation)
        measure.evaluation = score
        note(s, ctx, measure, "evaluated", {"score": str(score), "evaluator": evaluator[:100],
                                            "before": before})


@requires(Permission.CASE_REQUEST)
def survey(ctx: Context, measure_id: int, score: int, comment: str | None = None) -> None:
    """An enterprise's satisfaction with a measure (1–5), once per account (again: replaced)."""
    if not 1 <= score <= 5:
        raise InputError(message("case.range", what_zh="满意度", what_en="satisfaction",
                                 low=1, high=5))
    with ctx.db.write() as s:
        measure = get_case(s, measure_id, "measure")
        row = s.scalar(select(CaseRating).where(CaseRating.case_id == measure.id,
                                                CaseRating.rated_by == ctx.actor.username))
        if row is None:
            row = CaseRating(case_id=measure.id, rated_by=ctx.actor.username, status="valid")
            s.add(row)
        row.entity_id, row.score, row.comment = ctx.actor.entity_id, score, comment
        row.rated_at = ctx.now()
        record(s, ctx, "measure.survey", target=subject(measure).key, after={"score": score})


@dataclass
class Tally:
    total: int = 0
    completed: int = 0
    overdue: int = 0
    escalated: int = 0

    @property
    def rate(self) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (Decimal(self.completed) * 100 / self.total).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class MeasureRow:
    id: int
    number: str | None
    title: str
    area: str
    department: str
    deadline: dt.date | None
    state: str
    progress: int
    overdue: bool
    escalation: int
    evaluation: Decimal | None
    satisfaction: Decimal | None
    surveys: int


@dataclass
class Board:
    measures: list[MeasureRow]
    by_area: dict[str, Tally] = field(default_factory=dict)
    by_department: dict[str, Tally] = field(default_factory=dict)


@requires(Permission.CASE_READ)
def board(ctx: Context) -> Board:
    """Every measure with its progress, escalation and scores; completion by area and
    department (derived from the events now)."""
    today = china_date(ctx.now())
    with ctx.db.read() as s:
        measures = list(s.scalars(select(ServiceCase).where(ServiceCase.kind == "measure")
                                  .order_by(ServiceCase.id)))
        ratings: dict[int, list[int]] = defaultdict(list)
        for r in s.scalars(select(CaseRating).where(CaseRating.status == "valid",
                                                    CaseRating.case_id.in_(
                                                        [m.id for m in measures]))):
            ratings[r.case_id].append(r.score)
        rows = []
        by_case = events_of(s, measures)
        for m in measures:
            events = by_case[m.id]
            progress = max((int(e.payload["progress"]) for e in events
                            if e.kind == "measure.progress"), default=0)
            escalation = max((int(e.payload["level"]) for e in events
                              if e.kind == "measure.escalated"), default=0)
            done = m.state == "completed"
            scores = ratings.get(m.id, [])
            rows.append(MeasureRow(
                m.id, (m.details or {}).get("number"), m.title, m.category or "",
                m.department or "", m.deadline, m.state, 100 if done else progress,
                bool(m.deadline and not done and today > m.deadline),
                0 if done else escalation, m.evaluation,
                (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))
                if scores else None, len(scores)))
    out = Board(rows)
    for row in rows:
        for key, table in ((row.area, out.by_area), (row.department, out.by_department)):
            t = table.setdefault(key, Tally())
            t.total += 1
            t.completed += row.state == "completed"
            t.overdue += row.overdue
            t.escalated += row.escalation > 0
    return out


__all__ = ["ESCALATE", "LEVELS", "Board", "MeasureRow", "Tally", "board", "create_measure",
           "evaluate", "report", "survey"]
