"""``huiqi workdays``: China's working-day calendar — show a year, compute a deadline, and (an
administrator's job) enter the days of a year the chinese-calendar package does not know yet.
Every change is audited like any other write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from huiqi.cli.app import _console, _lang, handles_errors
from huiqi.cli.service import DatabaseOpt, _operator, _platform
from huiqi.errors import UsageError
from huiqi.text import Text

workdays = typer.Typer(help="中国工作日历(放假与调休)/ China's working-day calendar",
                       no_args_is_help=True)
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / zh or en")]


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(Text(f"日期“{value}”应写成 YYYY-MM-DD",
                              f"the date “{value}” must be YYYY-MM-DD")) from None


@workdays.command("show")
@handles_errors
def show(year: Annotated[int, typer.Argument(help="年份 / year")], database: DatabaseOpt = None,
         lang: LangOpt = None) -> None:
    """列出一年的放假日与调休上班日 / List a year's holidays and make-up working days."""
    from huiqi.workflow import holidays

    zh = _lang(lang) == "zh"
    with _platform(database) as platform:
        y = holidays.year(platform.as_actor(_operator()), year)
    console = _console()
    if not y.known:
        console.print(f"{year} 年的安排未知(未录全)" if zh else f"{year} is not known (not entered "
                      "in full)")
    for day, working, source, why in y.days:
        state = ("上班" if working else "放假") if zh else ("working" if working else "day off")
        console.print(f"{day.isoformat()} {day.strftime('%a')}  {state}  {why or ''}  [{source}]")


@workdays.command("deadline")
@handles_errors
def deadline(start: Annotated[str, typer.Argument(help="起算日 YYYY-MM-DD(不计入)/ start")],
             days: Annotated[int, typer.Argument(help="工作日数 / working days")],
             database: DatabaseOpt = None) -> None:
    """N 个工作日的期限的最后一天 / The last day of a deadline of N working days."""
    from huiqi.workflow import holidays

    with _platform(database) as platform:
        end = holidays.deadline(platform.as_actor(_operator()), _day(start), days)
    _console().print(end.isoformat())


@workdays.command("set")
@handles_errors
def set_day(day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD / date")],
            working: Annotated[bool, typer.Option("--working/--off",
                                                  help="上班或放假 / working day or day off")],
            reason: Annotated[str, typer.Option("--reason", help="依据 / why")],
            database: DatabaseOpt = None) -> None:
    """把某日定为上班或放假(优先于程序包;记入审计)/ Declare a day a working day or a day off."""
    from huiqi.workflow import holidays

    with _platform(database) as platform:
        holidays.set_day(platform.as_actor(_operator()), _day(day), working, reason)
    _console().print(f"✓ {day}: {'working' if working else 'day off'} ({reason})")


@workdays.command("clear")
@handles_errors
def clear(day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD / date")],
          database: DatabaseOpt = None) -> None:
    """撤销某日的录入 / Withdraw what was declared for a day."""
    from huiqi.workflow import holidays

    with _platform(database) as platform:
        done = holidays.clear_day(platform.as_actor(_operator()), _day(day))
    _console().print(f"✓ {day}" if done else f"{day}: nothing was declared")


@workdays.command("declare-year")
@handles_errors
def declare_year(year: Annotated[int, typer.Argument(help="年份 / year")],
                 source: Annotated[str, typer.Option("--source", help="通知名称 / the notice")],
                 database: DatabaseOpt = None) -> None:
    """确认一年的放假调休已全部录入,此后可推算该年的期限 / Declare a year entered in full."""
    from huiqi.workflow import holidays

    with _platform(database) as platform:
        holidays.declare_year(platform.as_actor(_operator()), year, source)
    _console().print(f"✓ {year}: {source}")


def register(app: typer.Typer) -> None:
    app.add_typer(workdays, name="workdays")


__all__ = ["register", "workdays"]
