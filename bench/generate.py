"""Benchmark of the park generator: N enterprises to Parquet, time, memory, size.

    .venv/bin/python -m bench.generate --enterprises 1000000

Each size runs in a fresh process, so that its peak resident memory is its own:
by default N and N/10, to show that memory does not grow with N (the file is
streamed in batches). A section with the machine and the numbers is appended to
bench/RESULTS.md (created with a header if absent); ``--no-record`` only prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import cpu_model, memory_gib, record

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-03-01"


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def child(n: int, seed: int, batch: int, out: Path) -> dict[str, Any]:
    """Generate in this process and measure."""
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.generator import write

    default_catalogue()
    before = _rss_mb()
    started = time.perf_counter()
    written = write(out, n, seed, dt.date.fromisoformat(AS_OF), batch)
    seconds = time.perf_counter() - started
    return {"enterprises": written.rows, "batch": batch, "seconds": seconds, "peak_rss_mb": _rss_mb(),
            "rss_before_mb": before, "bytes": written.bytes}


def machine() -> dict[str, str]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu, ram = cpu_model(), f"{memory_gib():.1f} GiB"
    import numpy
    import pyarrow  # type: ignore[import-untyped]

    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram, "load": f"{load:.1f}",
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "numpy": numpy.__version__, "pyarrow": pyarrow.__version__}


def run(sizes: list[int], seed: int, batch: int) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"park-{n}.parquet"
            proc = subprocess.run(
                [sys.executable, "-m", "bench.generate", "--child", "--enterprises", str(n), "--seed", str(seed),
                 "--batch-size", str(batch), "--out", str(path)],
                cwd=ROOT, check=True, capture_output=True, text=True)
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            path.unlink()
            print(f"{n:>12,} enterprises: {result['seconds']:.1f} s, "
                  f"{result['enterprises'] / result['seconds']:,.0f} rows/s, "
                  f"peak RSS {result['peak_rss_mb']:,.0f} MB, {result['bytes'] / 1e6:,.1f} MB", flush=True)
            out.append(result)
    return out


def section(results: list[dict[str, Any]], m: dict[str, str], command: str, seed: int) -> str:
    rows = "\n".join(
        f"| {r['enterprises']:,} | {r['batch']:,} | {r['seconds']:,.1f} s | "
        f"{r['enterprises'] / r['seconds']:,.0f} | {r['peak_rss_mb']:,.0f} MB | {r['rss_before_mb']:,.0f} MB | "
        f"{r['bytes'] / 1e6:,.1f} MB ({r['bytes'] / r['enterprises']:,.0f} B/row) |" for r in results)
    small, large = results[0], results[-1]
    ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
    growth = large["enterprises"] / small["enterprises"]
    return f"""
## Generator: `{command}` — {dt.datetime.now().strftime("%Y-%m-%d %H:%M")}

Machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, load average {m['load']} at the start;
{m['os']}; Python {m['python']}, numpy {m['numpy']}, pyarrow {m['pyarrow']}.
Seed {seed}, evaluation date {AS_OF}; Parquet (zstd, one row group per batch); every size
in a fresh process.

| enterprises | batch | wall time | rows/s | peak RSS | RSS before generating | file size |
|---:|---:|---:|---:|---:|---:|---:|
{rows}

Memory is bounded: {growth:,.0f}× the enterprises took {ratio:.2f}× the peak memory.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--compare", type=int, nargs="*", default=None,
                        help="other sizes to run for comparison (default N/10)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.enterprises, args.seed, args.batch_size, args.out)))
        return
    compare = args.compare if args.compare is not None else [max(1, args.enterprises // 10)]
    sizes = sorted({*compare, args.enterprises})
    m = machine()   # the load average before the runs: the machine may be shared
    results = run(sizes, args.seed, args.batch_size)
    text = section(results, m, "python -m bench.generate " + " ".join(argv or sys.argv[1:]), args.seed)
    print(text)
    if not args.no_record:
        record(text)


if __name__ == "__main__":
    main()
