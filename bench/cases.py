"""Service cases read with their times derived from the event log: how long the work queue,
the agency dashboard, the supervision board and one case take, over the demo's cases
repeated ``--scale`` times (the demo: 17 projects with 119 items, 36 measures, 10 requests,
3 moves and their events), on SQLite.

    python -m bench.cases --scale 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import describe, record


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    out, times = None, []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--note", default="")
    args = ap.parse_args()

    from sqlalchemy import func, select

    from huiqi.cases import agency, demo, supervision, views
    from huiqi.cases.models import ServiceCase
    from huiqi.facts.credit_code import make
    from huiqi.service import enterprises
    from huiqi.service.context import Platform
    from huiqi.service.schemas import EnterpriseCreate
    from huiqi.settings import Settings
    from huiqi.store.database import Database
    from huiqi.workflow.models import DomainEvent

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.connect(f"sqlite:///{Path(tmp) / 'cases.db'}")
        db.upgrade()
        platform = Platform(db, Settings(env="development"))
        ctx = platform.system()
        codes = []
        for i in range(20):
            code = make("9", "1", "370212", f"MA3B{i:04d}")
            enterprises.create(ctx, EnterpriseCreate(credit_code=code, name=f"企业{i}",
                                                     district="崂山区", park="高新区",
                                                     since=dt.date(2019, 1, 1)))
            codes.append(code)
        for k in range(args.scale):
            demo.seed(platform, codes[k % 20:] + codes[: k % 20])
        with db.read() as s:
            cases = s.scalar(select(func.count(ServiceCase.id))) or 0
            events = s.scalar(select(func.count(DomainEvent.id))) or 0
        q, rows = _timed(lambda: views.queue(ctx), args.runs)
        qa, _ = _timed(lambda: views.queue(ctx, include_closed=True), args.runs)
        a, _ = _timed(lambda: agency.dashboard(ctx), args.runs)
        b, _ = _timed(lambda: supervision.board(ctx), args.runs)
        one = rows[0].case.id
        d, _ = _timed(lambda: views.detail(ctx, one), args.runs)
        db.dispose()
    text = (f"\n## Service cases: `python -m bench.cases --scale {args.scale}` — "
            f"{dt.datetime.now():%Y-%m-%d %H:%M}\n\nMachine: {describe()}. SQLite (WAL), "
            f"{cases:,} cases, {events:,} events; median of {args.runs} runs. "
            f"{args.note}\n\n"
            "| read | time |\n|---|---:|\n"
            f"| work queue, open cases ({len(rows):,}) | {q * 1000:.0f} ms |\n"
            f"| work queue, every case | {qa * 1000:.0f} ms |\n"
            f"| agency dashboard | {a * 1000:.0f} ms |\n"
            f"| supervision board | {b * 1000:.0f} ms |\n"
            f"| one case with its timeline | {d * 1000:.1f} ms |\n")
    print(text)
    record(text)


if __name__ == "__main__":
    main()
