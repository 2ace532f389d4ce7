"""The evaluation page's server time before and after its evaluation is computed ahead
(issue 17) — a measurement, not a test.

    python -m bench.evaluation_page [--parks 169] [-n 5] [--append]

On an SQLite file with the demo's park statistics (169 parks, four years, as ``huiqi
init-demo`` generates them), each round, interleaved so that the machine's load hits all
alike:

- *computed on the visit* (before): what the page's first visit did before — every year's
  evaluation (the Monte Carlo, 2,000 draws) and the home park's what-if, through
  ``evaluation.evaluate`` and ``evaluation.park`` with nothing computed before (the
  rendering not counted: a lower bound of that visit);
- *the worker's round*: ``evaluation.refresh`` — the same work, done when the statistics
  change, off the request;
- *the page, restarted server*: ``GET /staff/evaluation`` on a new application (nothing in
  memory) reading the stored results;
- *the page, again*: the same request once more (the results in memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import describe, record


def _database(path: Path, parks: int) -> str:
    from huiqi.analytics import evaluation, sample
    from huiqi.analytics import framework as F
    from huiqi.service.context import Platform
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    url = f"sqlite:///{path}"
    db = Database.connect(url)
    db.upgrade()
    fw = F.get("gxq-2021")
    p = sample.generate(fw, n=parks, years=(2022, 2023, 2024, 2025), home_rank=11)
    evaluation.store_generated(Platform(db, Settings(database_url=url)).system(), p.codes,
                               p.names, p.values, fw, sample.HOME, "bench")
    db.dispose()
    return url


def _account(url: str) -> tuple[str, str]:
    from huiqi.service import accounts
    from huiqi.service.context import Platform
    from huiqi.service.permissions import Role
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    name, password = f"bench_leader_{secrets.token_hex(3)}", "Bench-" + secrets.token_urlsafe(18)
    accounts.create(Platform(db, Settings(database_url=url)).system(), name, "压测",
                    Role.LEADERSHIP, password + "-9a", None)
    db.dispose()
    return name, password + "-9a"


def _forget(url: str) -> None:
    from sqlalchemy import delete

    from huiqi.analytics.models import EvaluationResult
    from huiqi.store.database import Database

    db = Database.connect(url)
    with db.write() as s:
        s.execute(delete(EvaluationResult))
    db.dispose()


def _timed(fn: object) -> float:
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t0


def one_round(url: str, login: tuple[str, str]) -> tuple[float, float, float, float]:
    from fastapi.testclient import TestClient

    from huiqi.analytics import evaluation
    from huiqi.service.context import Platform
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    settings = Settings(database_url=url, match_precompute=False, worker_embedded=False)
    _forget(url)
    db = Database.connect(url)
    ctx = Platform(db, settings).system()

    def visit_before() -> None:
        for year in evaluation.years(ctx):
            evaluation.evaluate(ctx, year)
        evaluation.park(ctx, evaluation.years(ctx)[0], evaluation.home_code(ctx) or "")

    before = _timed(visit_before)
    _forget(url)
    worker = _timed(lambda: evaluation.refresh(Platform(db, settings).system()))
    db.dispose()
    from huiqi.web import create_app

    with TestClient(create_app(settings)) as client:
        client.post("/login", data={"username": login[0], "password": login[1]})

        def page() -> None:
            r = client.get("/staff/evaluation")
            assert r.status_code == 200 and "data-computing" not in r.text, r.text[:300]

        cold = _timed(page)
        warm = _timed(page)
    return before, worker, cold, warm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parks", type=int, default=169)
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--append", action="store_true", help="add the section to bench/RESULTS.md")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="huiqi-bench-") as tmp:
        url = _database(Path(tmp) / "evaluation.db", a.parks)
        login = _account(url)
        loads, runs = [], []
        for _ in range(a.n):
            loads.append(describe().rsplit("load average ", 1)[1])
            runs.append(one_round(url, login))
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    names = ["computed on the visit (before: every year's Monte Carlo + the what-if)",
             "the worker's round (`evaluation.refresh`: the same work, off the request)",
             "the page, restarted server (stored results read from the database)",
             "the page, again (results in memory)"]
    lines = [f"## Evaluation page: computed on the visit vs read from what was computed "
             f"(`python -m bench.evaluation_page -n {a.n}`) — {dt.date.today().isoformat()}, "
             f"{commit}", "",
             f"- machine: {describe(load=False)}; load average at each round: "
             f"{', '.join(loads)}",
             f"- data: {a.parks} generated parks × 4 years (the demo's), SQLite file; "
             "2,000 draws a year; N = {} interleaved rounds, medians".format(a.n), "",
             "| step | median (s) | runs (s) |", "|---|---:|---|"]
    lines += [f"| {name} | {m:.3f} | {', '.join(f'{r[i]:.3f}' for r in runs)} |"
              for i, (name, m) in enumerate(zip(names, med, strict=True))]
    lines += ["", f"The page's first visit after a restart: {med[2]:.3f} s against "
              f"{med[0]:.2f} s computed on the visit ({med[0] / med[2]:.0f}× less); "
              "the computing moved to the worker."]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.append:
        record("\n" + text)


if __name__ == "__main__":
    main()
