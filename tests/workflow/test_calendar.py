"""China's working days on the 2026 calendar, as the State Council's notice of 2025-11-04
(国务院办公厅关于2026年部分节假日安排的通知) sets it:

- Spring Festival: 2026-02-15 (Sun) to 02-23 (Mon) off, 9 days; Saturday 02-14 and Saturday
  02-28 are working days;
- National Day (with Mid-Autumn on 09-25 to 09-27): 10-01 (Thu) to 10-07 (Wed) off, 7 days;
  Sunday 09-20 and Saturday 10-10 are working days;
- New Year: 01-01 to 01-03 off, Sunday 01-04 a working day; Labour Day: 05-01 to 05-05 off,
  Saturday 05-09 a working day.

The chinese-calendar package 1.11.0 says the same for every one of these days (checked
against its data when this test was written).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huiqi.errors import Conflict, InputError
from huiqi.workflow.calendar import MAX_DAYS, WorkingDays, package_years

D = dt.date
CAL = WorkingDays()

SPRING_OFF = [D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]
NATIONAL_OFF = [D(2026, 10, 1) + dt.timedelta(days=i) for i in range(7)]
MAKE_UP = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
           D(2026, 10, 10)]


@pytest.mark.parametrize("day", SPRING_OFF + NATIONAL_OFF + [D(2026, 1, 1), D(2026, 5, 5),
                                                             D(2026, 9, 25)])
def test_the_2026_holidays_are_days_off(day: dt.date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP)
def test_the_2026_make_up_weekend_days_are_working_days(day: dt.date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


def test_ordinary_weeks_around_them() -> None:
    assert CAL.is_working_day(D(2026, 2, 24))       # Tuesday after the Spring Festival
    assert not CAL.is_working_day(D(2026, 3, 7))    # an ordinary Saturday
    assert CAL.is_working_day(D(2026, 10, 8))       # Thursday after National Day


def test_a_deadline_across_the_spring_festival() -> None:
    # returned on Friday 13 February with 3 working days: Sat 14th (make-up), then the
    # holiday 15–23, then Tue 24th and Wed 25th
    assert CAL.add(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add(D(2026, 2, 13), 3) == D(2026, 2, 25)
    assert CAL.count(D(2026, 2, 13), D(2026, 2, 25)) == 3


def test_a_deadline_across_national_day() -> None:
    # from Friday 18 September, 5 working days: Sun 20th (make-up), 21, 22, 23, 24 September
    assert CAL.add(D(2026, 9, 18), 5) == D(2026, 9, 24)
    # from Wednesday 30 September, 2 working days: 1–7 October off, Thu 8th, Fri 9th
    assert CAL.add(D(2026, 9, 30), 2) == D(2026, 10, 9)
    # and the make-up Saturday 10th counts
    assert CAL.add(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_zero_days_is_the_day_itself_and_negative_is_refused() -> None:
    assert CAL.add(D(2026, 2, 15), 0) == D(2026, 2, 15)
    with pytest.raises(InputError, match="0 到 1000"):
        CAL.add(D(2026, 2, 15), -1)
    with pytest.raises(InputError):
        CAL.add(D(2026, 2, 15), MAX_DAYS + 1)


def test_a_year_nobody_knows_is_refused_not_guessed() -> None:
    last = package_years()[-1]
    assert last == 2026  # chinese-calendar 1.11.0; a newer release moves this on
    with pytest.raises(Conflict) as err:
        CAL.is_working_day(D(last + 1, 1, 5))
    assert err.value.reason == "calendar.unknown_year"
    assert f"{last + 1} 年" in err.value.message("zh") and "declare-year" in err.value.message("en")
    # a deadline that runs into it is refused too, not only one that starts there
    with pytest.raises(Conflict):
        CAL.add(D(last, 12, 28), 10)


def test_declared_days_and_years_fill_in_an_unknown_year() -> None:
    cal = WorkingDays({D(2027, 1, 1): False, D(2027, 2, 20): True}, frozenset({2027}))
    assert not cal.is_working_day(D(2027, 1, 1))      # declared off (a Friday)
    assert cal.is_working_day(D(2027, 2, 20))         # declared working (a Saturday)
    assert cal.is_working_day(D(2027, 1, 4))          # an ordinary Monday of a declared year
    assert cal.add(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.source(D(2027, 1, 1)) == "declared" and cal.source(D(2026, 1, 1)) == "package"


def test_declared_days_alone_do_not_make_a_year_known() -> None:
    cal = WorkingDays({D(2027, 1, 1): False})
    assert not cal.is_working_day(D(2027, 1, 1))
    with pytest.raises(Conflict):
        cal.is_working_day(D(2027, 1, 4))


def test_a_declared_day_overrides_the_package() -> None:
    cal = WorkingDays({D(2026, 2, 24): False})        # e.g. a local extra day off
    assert not cal.is_working_day(D(2026, 2, 24))
    assert CAL.is_working_day(D(2026, 2, 24))


def test_the_years_exceptions_list_the_holidays_on_weekdays_and_the_make_up_days() -> None:
    days = {d: working for d, working, _src in CAL.exceptions(2026)}
    assert all(days[d] for d in MAKE_UP)
    assert not days[D(2026, 2, 16)] and D(2026, 2, 15) not in days  # a Sunday off is ordinary
    assert D(2026, 3, 7) not in days


@given(st.dates(D(2020, 1, 1), D(2026, 10, 1)), st.integers(0, 40))
def test_adding_lands_on_a_working_day_and_counts_back(start: dt.date, n: int) -> None:
    end = CAL.add(start, n)
    assert CAL.count(start, end) == n
    if n:
        assert CAL.is_working_day(end)
        assert CAL.add(start, n - 1) < end
