"""A case's times derived from its state changes, against timelines computed by hand on
China's 2026 calendar: the Spring Festival (15–23 February off, Saturdays 14 and 28 February
worked) and National Day (1–7 October off, Saturday 10 October worked)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from huiqi.cases.clock import Change, timeline
from huiqi.cases.flows import CLOCKS, REQUEST_TARGETS
from huiqi.cases.flows import REQUEST as REQUEST_FLOW
from huiqi.clock import CHINA, china_date
from huiqi.workflow.calendar import WorkingDays

CAL = WorkingDays()


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CHINA).astimezone(dt.UTC)


REQUEST = [Change(at("2026-02-11"), "submitted", "acknowledged"),
           Change(at("2026-02-12"), "acknowledged", "waiting"),
           Change(at("2026-02-25"), "waiting", "acknowledged"),
           Change(at("2026-02-27"), "acknowledged", "answered"),
           Change(at("2026-03-09"), "answered", "resolved")]
TARGETS = {"acknowledge": (1, REQUEST_TARGETS["acknowledge"]),
           "answer": (5, REQUEST_TARGETS["answer"]), "resolve": (10, REQUEST_TARGETS["resolve"])}


def test_a_request_paused_across_the_spring_festival() -> None:
    tl = timeline(at("2026-02-10"), "submitted", REQUEST, CLOCKS["request"], CAL,
                  at("2026-03-10"), TARGETS)
    # paused from Thu 12 Feb to Wed 25 Feb: Fri 13, Sat 14 (make-up), Tue 24, Wed 25 = 4
    assert tl.paused_days == 4 and not tl.paused
    assert [(p.state, p.working_days) for p in tl.periods] == [
        ("submitted", 1), ("acknowledged", 1), ("waiting", 4), ("acknowledged", 2),
        ("answered", 7),  # Sat 28 Feb (make-up), 2–6 Mar, Mon 9 Mar
        ("resolved", 1)]
    assert (tl.days_in("acknowledged"), tl.stopped_at) == (3, at("2026-03-09"))
    ack, answer, resolve = (tl.targets[k] for k in ("acknowledge", "answer", "resolve"))
    assert (ack.status, ack.used, ack.due) == ("met", 1, dt.date(2026, 2, 11))
    # 8 working days from 10 to 27 Feb, 4 of them paused; due 5 + 4 working days after the
    # 10th: the make-up Saturday 28 Feb
    assert (answer.status, answer.used, answer.due) == ("met", 4, dt.date(2026, 2, 28))
    # 15 working days to 9 Mar, 4 paused: 11 > 10; it was due on Fri 6 Mar
    assert (resolve.status, resolve.used, resolve.due) == ("missed", 11, dt.date(2026, 3, 6))
    assert tl.late


def test_while_paused_the_target_waits_and_its_due_day_moves() -> None:
    tl = timeline(at("2026-02-10"), "submitted", REQUEST[:2], CLOCKS["request"], CAL,
                  at("2026-02-24"), TARGETS)
    assert tl.paused and tl.paused_days == 3  # 13, 14 (make-up) and 24 Feb
    assert tl.targets["resolve"].status == "paused"
    assert tl.targets["resolve"].due == CAL.add(dt.date(2026, 2, 10), 13)
    assert tl.targets["acknowledge"].status == "met"


def test_an_open_request_past_its_due_day_is_missed() -> None:
    tl = timeline(at("2026-02-10"), "submitted", [], CLOCKS["request"], CAL, at("2026-02-12"),
                  TARGETS)
    assert tl.targets["acknowledge"].status == "missed"
    assert tl.targets["answer"].status == "due" and tl.targets["answer"].due == dt.date(2026, 2, 24)


def test_an_item_returned_across_national_day_is_on_time_thanks_to_a_make_up_saturday() -> None:
    changes = [Change(at("2026-09-28"), "waiting", "submitted"),
               Change(at("2026-09-29"), "submitted", "returned"),
               Change(at("2026-10-09"), "returned", "submitted"),
               Change(at("2026-10-14"), "submitted", "approved")]
    targets = {"approve": (5, frozenset({"approved"}))}
    tl = timeline(at("2026-09-20"), "waiting", changes, CLOCKS["item"], CAL, at("2026-10-20"),
                  targets)
    assert tl.started_at == at("2026-09-28")
    assert tl.paused_days == 3  # 30 Sep, 8 and 9 Oct (1–7 Oct off)
    approve = tl.targets["approve"]
    # 9/29, 9/30, 10/8, 10/9, Sat 10/10 (make-up), 10/12, 10/13, 10/14 = 8, less 3 paused
    assert (approve.status, approve.used, approve.due) == ("met", 5, dt.date(2026, 10, 14))
    assert tl.days_in("submitted") == 1 + 4  # 9/28→9/29, then 10/9→10/14: 10/10, 12, 13, 14
    # approved a day later, on Thu 15 Oct: the make-up Saturday counts, so 6 days were used
    late = [*changes[:3], Change(at("2026-10-15"), "submitted", "approved")]
    tl = timeline(at("2026-09-20"), "waiting", late, CLOCKS["item"], CAL, at("2026-10-20"),
                  targets)
    assert (tl.targets["approve"].status, tl.targets["approve"].used) == ("missed", 6)
    # on a calendar where that Saturday were a day off it would have been on time
    ordinary = WorkingDays({dt.date(2026, 10, 10): False})
    tl = timeline(at("2026-09-20"), "waiting", late, CLOCKS["item"], ordinary, at("2026-10-20"),
                  targets)
    assert (tl.targets["approve"].status, tl.targets["approve"].used) == ("met", 5)


# ---------------------------------------------------------------- properties


@st.composite
def walks(draw: st.DrawFn) -> tuple[dt.datetime, list[Change], dt.datetime]:
    """A request's random history through its declared workflow, in 2026."""
    day = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 200)))
    opened = at(day.isoformat(), draw(st.integers(8, 18)))
    state, now, changes = REQUEST_FLOW.initial, opened, []
    for _ in range(draw(st.integers(0, 8))):
        moves = [t for t in REQUEST_FLOW.transitions if state in t.sources]
        if not moves:
            break
        t = draw(st.sampled_from(moves))
        now = now + dt.timedelta(days=draw(st.integers(0, 9)), hours=draw(st.integers(0, 8)))
        changes.append(Change(now, state, t.target))
        state = t.target
    return opened, changes, now + dt.timedelta(days=draw(st.integers(0, 20)))


@given(walks())
def test_the_periods_cover_the_whole_life_and_the_pauses_are_the_waiting(
        walk: tuple[dt.datetime, list[Change], dt.datetime]) -> None:
    opened, changes, now = walk
    tl = timeline(opened, "submitted", changes, CLOCKS["request"], CAL, now, TARGETS)
    assert sum(p.working_days for p in tl.periods) == CAL.count(china_date(opened),
                                                                china_date(now))
    assert tl.paused_days == sum(p.working_days for p in tl.periods if p.state == "waiting")
    assert tl.paused == (tl.state == "waiting")
    for target in tl.targets.values():
        assert target.due is not None
        if target.reached_at is not None:
            end = china_date(target.reached_at)
            assert target.used == CAL.count(china_date(opened), end) - sum(
                p.working_days for p in tl.periods
                if p.state == "waiting" and p.end is not None and p.end <= target.reached_at)
            assert (target.status == "met") == (target.used <= target.days)
        elif not tl.paused:
            assert (target.status == "missed") == (china_date(now) > target.due)
