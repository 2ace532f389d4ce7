"""A first run's planning: what a new runner spends before it matches a row.

    .venv/bin/python -m bench.cold_plan --repeats 3

A ``match-all`` in a new process (and the end-to-end benchmarks) pays, for every chunk of
clauses, the writing of its SQL, DuckDB's parsing of it, the bindings and the optimizer,
before any row is read. Here a new runner (the cache of built SQL emptied) runs
``Runner.compact`` over a Parquet file of the park's columns and no row, for the seed pack
and the 1,000-clause pack, statuses and amounts and every output; CPU and wall time, medians.

Two ways of holding a chunk's query, interleaved in this one process: ``view`` (the
runner's: a view, bound when made, again by the relation over it and by the run) and
``macro`` (an idea: a table macro, parsed when made and bound only where used).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any


def macro_runner() -> type:
    """The runner with each chunk's query a table macro, not a view (an idea measured here)."""
    from huiqi.population.runner import Runner

    class MacroRunner(Runner):
        def _define(self, name: str, sql: str) -> None:
            self.con.execute(f"CREATE OR REPLACE MACRO {name}() AS TABLE {sql}")

        def _relation(self, worker: int, name: str) -> Any:
            return self._cursor(worker).sql(f"SELECT * FROM {name}()")

    return MacroRunner


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.cold_plan")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=200_000, help="the park whose columns are used")
    args = ap.parse_args()
    from bench import match_all as M
    from bench.machine import describe
    from bench.simplerules import empty_like
    from huiqi.population import query as Q
    from huiqi.population.runner import Runner

    empty = empty_like(M.population(args.n))
    ways = {"view": Runner, "macro": macro_runner()}
    load = os.getloadavg()[0]
    rows = []
    for name in ("seed", "big"):
        pack, _ = M.load(name)
        clauses = M.in_force(pack)
        for outputs in ("status", "all"):
            got: dict[str, list[tuple[float, float]]] = {w: [] for w in ways}
            for rep in range(args.repeats + 1):   # the first round untimed (warming up)
                for way in (list(ways) if rep % 2 else list(ways)[::-1]):
                    cls = ways[way]
                    Q._BUILT.clear()
                    runner = cls(pack, M.AS_OF, clauses=clauses)
                    t0, c0 = time.perf_counter(), time.process_time()
                    for _batch in runner.compact(empty, outputs):
                        pass
                    if rep:
                        got[way].append((time.process_time() - c0, time.perf_counter() - t0))
                    runner.con.close()
            base = statistics.median(c for c, _ in got["view"])
            for way, runs in got.items():
                cpu = statistics.median(c for c, _ in runs)
                wall = statistics.median(w for _, w in runs)
                rows.append(f"| {name} ({len(clauses)} clauses) | {outputs} | {way} | {cpu:.2f} s | "
                            f"{wall:.2f} s | {cpu / base:.2f} |")
    print("\n".join([
        f"\n## A first run's planning (`python -m bench.cold_plan --repeats {args.repeats}`) — "
        f"{time.strftime('%Y-%m-%d %H:%M')}", "",
        f"- machine: {describe()}; load average {load:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end",
        "- a new runner (the built SQL's cache emptied) runs `Runner.compact` over a file of the "
        f"park's columns (N = {args.n:,}) and no row: every chunk's SQL written, parsed, bound, "
        "optimised and started; CPU (every thread) and wall time, medians of "
        f"{args.repeats} after a round untimed, the two ways interleaved (in turn first); CPU ÷ "
        "the view way's", "",
        "| pack | outputs | chunk query as | CPU | wall | × view |", "|---|---|---|---:|---:|---:|",
        *rows]))


if __name__ == "__main__":
    main()
