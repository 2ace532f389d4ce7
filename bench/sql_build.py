"""How long huiqi takes to write the SQL of a pack (in Python, before DuckDB sees it).

    .venv/bin/python -m bench.sql_build --repeats 3

For the seed pack and the 1,000-clause pack, every chunk's compact query
(:func:`huiqi.population.query.wide_query`, the built queries' cache emptied before each
repeat), statuses and amounts and every output; CPU time, medians. Prints a Markdown section
for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import pyarrow.parquet as pq


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.sql_build")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from bench import match_all as M
    from bench.machine import describe
    from huiqi.population import query as Q
    from huiqi.population.dialect import DUCKDB
    from huiqi.population.wide import CHUNK, chunks

    columns = pq.read_schema(M.population(20_000)).names
    rows = []
    for name in ("seed", "big"):
        pack, _ = M.load(name)
        parts = chunks(pack, M.in_force(pack), CHUNK)
        for outputs in ("status", "all"):
            times, size = [], 0
            for _ in range(args.repeats):
                Q._BUILT.clear()
                c0 = time.process_time()
                size = sum(len(Q.wide_query(pack, M.AS_OF, DUCKDB, columns, "huiqi_source", p, outputs, [])[0])
                           for p in parts)
                times.append(time.process_time() - c0)
            rows.append(f"| {name} | {len(parts)} | {outputs} | {statistics.median(times) * 1000:,.0f} ms | "
                        f"{size:,} |")
    print("\n".join([
        f"\n## Writing a pack's SQL (`python -m bench.sql_build --repeats {args.repeats}`) — "
        f"{time.strftime('%Y-%m-%d %H:%M')}", "",
        f"- machine: {describe()}; load average at the end {os.getloadavg()[0]:.2f}",
        f"- every chunk's compact query of the pack (chunks of about {CHUNK} clauses), the cache of "
        f"built queries emptied first; CPU time, medians of {args.repeats}", "",
        "| pack | chunks | outputs | CPU | characters |", "|---|---:|---|---:|---:|", *rows]))


if __name__ == "__main__":
    main()
