"""The YAML cases under tests/cases on Spark (the suite's ``test_every_case_on_spark``): every
clause of each pack matched, as before, beside only the clauses the cases check (with their
stacking groups), as :func:`huiqi.packs.testrun.run` now does.

    python -m bench.spark_cases [--rounds 1] [--append]

Both ways run in turn in one process on one local session (started and warmed up on one
case file first), so the machine's shared load hits them alike. Spark's time is its planner's
(parsing, analysing and optimising a query of thousands of lines), paid per clause; CPU
seconds (the driver's JVM and this process) are given beside the wall time, as the load
of the shared machine stretches the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import describe, record
from huiqi.packs import testrun as T
from huiqi.population import spark as S

ROOT = Path(__file__).parents[1]
CASES = ROOT / "tests" / "cases"


def _cpu(jvm: int) -> float:
    """CPU seconds of the JVM (user + system) and of this process so far."""
    fields = Path(f"/proc/{jvm}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + time.process_time()


def _timed(run: Callable[[], T.Report], jvm: int) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), _cpu(jvm)
    report = run()
    assert report.ok, [(f.case.name, f.key, f.mismatches) for f in report.failures[:5]]
    return time.perf_counter() - t0, _cpu(jvm) - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args(argv)
    why = S.missing()
    if why is not None:
        print(why.en)
        return 1
    load = os.getloadavg()[0]
    spark = S.session()
    jvm = int(spark.sparkContext._gateway.proc.pid)
    files = T.case_files([CASES])
    checked = T._checked

    def every(pack: Any, day: dt.date, group: Any) -> list[Any]:
        return [c for c in pack.clauses()
                if any(p.id == c.policy and p.in_force(day) for p in pack.policies)]

    def run(choose: Any, which: list[Path] = files) -> T.Report:
        T._checked = choose
        try:
            return T.run(which, [T.SPARK], spark=lambda: spark)
        finally:
            T._checked = checked

    _timed(lambda: run(checked, files[:1]), jvm)   # warm-up: the JVM's compiler, the parser's caches
    times: dict[str, list[tuple[float, float]]] = {"every clause": [], "checked clauses": []}
    for i in range(args.rounds):
        times["every clause"].append(_timed(lambda: run(every), jvm))
        times["checked clauses"].append(_timed(lambda: run(checked), jvm))
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1][0]:.0f} s" for k, v in times.items()),
              flush=True)
    end_load = os.getloadavg()[0]
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in times.items()}
    lines = [
        "", f"## The YAML cases on Spark: every clause or the checked ones "
        f"({dt.date.today().isoformat()})", "",
        f"- command: `python -m bench.spark_cases --rounds {args.rounds}`",
        f"- machine: {describe(load=False)}; load average {load:.1f} before, {end_load:.1f} "
        "after (other engineers' work shares the 2 cores)",
        f"- {len(files)} case files, one local Spark session (warmed up on one case file first); "
        "each run matches every (pack, date) group of cases",
        "",
        "| clauses matched | median wall s | median CPU s (JVM + Python) | CPU vs every clause |",
        "|---|---|---|---|",
    ]
    for k, (w, c) in med.items():
        lines.append(f"| {k} | {w:.0f} | {c:.1f} | {c / med['every clause'][1]:.2f}× |")
    text = "\n".join([*lines, ""])
    print(text)
    if args.append:
        record(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
