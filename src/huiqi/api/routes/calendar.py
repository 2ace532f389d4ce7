"""China's working-day calendar: read by every role, changed only by administrators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from huiqi.service.permissions import Permission
from huiqi.workflow import holidays
from huiqi.workflow.calendar import MAX_DAYS
from huiqi.workflow.schemas import (
    CalendarDayPublic,
    CalendarDaySet,
    CalendarYearDeclare,
    CalendarYearPublic,
    DeadlinePublic,
)

from ..access import rule
from ..deps import ContextDep
from ..guard import Guarded
from ..problems import responses

router = APIRouter(route_class=Guarded, prefix="/calendar", tags=["calendar 工作日"],
                   responses=responses(401, 403, 409, 422))
Year = Annotated[int, Path(ge=1949, le=2200, description="年份 / year")]
DayPath = Annotated[dt.date, Path(ge=dt.date(1949, 1, 1), le=dt.date(2200, 12, 31),
                                  description="日期 / date (YYYY-MM-DD)")]
READ, EDIT = rule(Permission.CALENDAR_READ), rule(Permission.CALENDAR_EDIT)


@router.get("/years/{year}", openapi_extra=READ, response_model=CalendarYearPublic)
def get_year(year: Year, ctx: ContextDep) -> CalendarYearPublic:
    """一年的放假与调休上班日(未知的年份 known=false)/ A year's holidays and make-up working
    days (``known`` false for a year nobody has declared)."""
    y = holidays.year(ctx, year)
    return CalendarYearPublic(
        year=y.year, known=y.known, declared_source=y.declared_source,
        days=[CalendarDayPublic(day=d, is_working_day=w, source=src,  # type: ignore[arg-type]
                                reason=why) for d, w, src, why in y.days])


@router.put("/years/{year}", openapi_extra=EDIT, response_model=CalendarYearPublic)
def declare_year(year: Year, body: CalendarYearDeclare, ctx: ContextDep) -> CalendarYearPublic:
    """确认某年的放假调休已全部录入 / Declare a year's days entered in full."""
    holidays.declare_year(ctx, year, body.source)
    return get_year(year, ctx)


@router.put("/days/{day}", openapi_extra=EDIT, response_model=CalendarDayPublic)
def set_day(day: DayPath, body: CalendarDaySet, ctx: ContextDep) -> CalendarDayPublic:
    """把某日定为上班或放假(优先于程序包)/ Declare a day a working day or a day off."""
    row = holidays.set_day(ctx, day, body.is_working_day, body.reason)
    return CalendarDayPublic(day=row.day, is_working_day=row.is_working_day, source="declared",
                             reason=row.reason)


@router.delete("/days/{day}", openapi_extra=EDIT, status_code=204)
def clear_day(day: DayPath, ctx: ContextDep) -> Response:
    """撤销某日的录入 / Withdraw what was declared for a day."""
    holidays.clear_day(ctx, day)
    return Response(status_code=204)


@router.get("/deadline", openapi_extra=READ, response_model=DeadlinePublic)
def deadline(ctx: ContextDep,
             start: Annotated[dt.date, Query(ge=dt.date(1949, 1, 1), le=dt.date(2200, 12, 31),
                                             description="起算日(不计入)/ start (not counted)")],
             days: Annotated[int, Query(ge=0, le=MAX_DAYS, description="工作日数 / working days")]
             ) -> DeadlinePublic:
    """N 个工作日的期限的最后一天(不知道的年份:409)/ The last day of a deadline of N
    working days (409 in a year nobody has declared)."""
    return DeadlinePublic(start=start, working_days=days,
                          deadline=holidays.deadline(ctx, start, days))
