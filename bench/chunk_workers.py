"""How the 1,000-clause pack is cut and streamed: ``Runner.compact`` one chunk of clauses at a
time or two at once, and chunks of different sizes.

    .venv/bin/python -m bench.chunk_workers --n 200000 --repeats 2
    .venv/bin/python -m bench.chunk_workers --n 200000 --repeats 2 --sizes 25 50 100

Each run is a new process (the SQL built, the views made and planned, as ``match-all`` does),
the ways interleaved. Without ``--sizes``: ``one`` forces one worker (chunk after chunk, DuckDB
on its two threads within each chunk's query), ``two`` is the runner's default (two chunks at
once, each on a thread and a cursor of its own, DuckDB on one thread each). With ``--sizes``,
the runner's default way with chunks of about that many clauses (``CHUNK``). Prints a Markdown
section for bench/RESULTS.md (statuses and amounts, and every output), with each run's peak
resident memory."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def child(way: str, n: int, outputs: str) -> None:
    import resource

    from bench import match_all as M
    from huiqi.population import runner as R
    from huiqi.population.runner import Runner

    if way.isdigit():
        R.CHUNK = int(way)

    pack, _ = M.load("big")
    source = M.population(n)
    runner = Runner(pack, M.AS_OF, clauses=M.in_force(pack))
    if way == "one":
        runner._workers = lambda parts: 1  # type: ignore[method-assign]
    t0, c0 = time.perf_counter(), time.process_time()
    rows = sum(b.num_rows * len(layout) for b, layout in runner.compact(source, outputs))
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                      "results": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.chunk_workers")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--sizes", type=int, nargs="*", help="chunk sizes to compare (default: one or two workers)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    from bench.machine import describe

    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    load = os.getloadavg()[0]
    for outputs in ("status", "all"):
        for _ in range(args.repeats):
            for way in ([str(k) for k in args.sizes] if args.sizes else ["one", "two"]):
                out = subprocess.run([sys.executable, "-m", "bench.chunk_workers", "--child", way,
                                      str(args.n), outputs], check=True, capture_output=True,
                                     text=True).stdout
                runs.setdefault((outputs, way), []).append(json.loads(out.splitlines()[-1]))
    title = "Chunks of clauses of different sizes" if args.sizes else \
        "One chunk of clauses at a time or two at once"
    flags = f" --sizes {' '.join(map(str, args.sizes))}" if args.sizes else ""
    lines = [f"\n## {title} (`python -m bench.chunk_workers "
             f"--n {args.n} --repeats {args.repeats}{flags}`) — {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: {describe()}; load average {load:.2f} at the start, "
             f"{os.getloadavg()[0]:.2f} at the end",
             f"- the 1,000-clause pack, N = {args.n:,}, `Runner.compact` (nothing "
             "written), each run a new process, the ways interleaved; medians",
             "", "| outputs | way | time (runs) | CPU | CPU ÷ time | peak RSS |", "|---|---|---:|---:|---:|---:|"]
    for (outputs, way), rs in runs.items():
        t = statistics.median(r["seconds"] for r in rs)
        c = statistics.median(r["cpu"] for r in rs)
        each = ", ".join(f"{r['seconds']:.1f}" for r in rs)
        peak = max(r.get("peak_mb", 0) for r in rs)
        name = f"chunks of {way}" if way.isdigit() else way
        lines.append(f"| {outputs} | {name} | {t:.1f} s ({each}) | {c:.1f} s | {c / t:.2f} | {peak:,.0f} MB |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
