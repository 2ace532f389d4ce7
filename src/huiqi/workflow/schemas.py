"""What the workflow core's services take and give over the API (``XPublic`` out, the rest
in), as in :mod:`huiqi.service.schemas`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Reason = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", min_length=1,
                                          max_length=200)]


class CalendarDaySet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_working_day: bool = Field(description="上班(true)或放假(false)/ a working day or a day off")
    reason: Reason = Field(description="依据,如放假通知 / why, e.g. the notice", examples=["春节"])


class CalendarYearDeclare(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Reason = Field(description="放假安排出自哪份通知 / the notice the days come from",
                           examples=["国务院办公厅关于2027年部分节假日安排的通知"])


class CalendarDayPublic(BaseModel):
    day: dt.date
    is_working_day: bool
    source: Literal["package", "declared"]
    reason: str | None = None


class CalendarYearPublic(BaseModel):
    """A year of China's calendar: whether it is known, and the days that differ from an
    ordinary week (holidays on weekdays, make-up working days) or that were declared."""

    year: int
    known: bool
    declared_source: str | None = None
    days: list[CalendarDayPublic]


class DeadlinePublic(BaseModel):
    start: dt.date
    working_days: int
    deadline: dt.date
