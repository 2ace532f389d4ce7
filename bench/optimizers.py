"""DuckDB's optimizer passes on huiqi's compact queries: planning and running with a pass
left out (``SET disabled_optimizers``).

    .venv/bin/python -m bench.optimizers --n 200000 --repeats 4 --without projection_placement
    .venv/bin/python -m bench.optimizers --without common_subexpressions --base projection_placement

For the seed pack and the first chunk of the 1,000-clause pack (statuses and amounts; every
output), the chunk's query is made a view over the park; "plan" is a run of it over a table of
the same columns and no row (bound, optimised, started), "run" a run over the park held in
memory (N rows, read into Arrow batches and dropped). DuckDB on one thread, CPU time; each pass
setting interleaved with the default, medians. Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import duckdb
import pyarrow.parquet as pq


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.optimizers")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--without", default="projection_placement")
    ap.add_argument("--base", default="",
                    help="passes left out of both settings (huiqi's own: "
                         "huiqi.population.duck.DISABLED_OPTIMIZERS)")
    args = ap.parse_args()
    from bench import match_all as M
    from bench.machine import describe
    from huiqi.population.dialect import DUCKDB
    from huiqi.population.query import wide_query
    from huiqi.population.wide import CHUNK, chunks

    source = M.population(args.n)
    columns = pq.read_schema(source).names
    con = duckdb.connect(config={"threads": 1})
    path = source.as_posix().replace("'", "''")
    con.execute(f"CREATE TABLE park AS SELECT * FROM read_parquet('{path}')")
    con.execute("CREATE TABLE nothing AS SELECT * FROM park LIMIT 0")
    load = os.getloadavg()[0]
    rows = []
    for name in ("seed", "big"):
        pack, _ = M.load(name)
        chunk = chunks(pack, M.in_force(pack), CHUNK)[0]
        for outputs in ("status", "all"):
            sql, _ = wide_query(pack, M.AS_OF, DUCKDB, columns, "huiqi_source", chunk, outputs, [])
            con.execute("CREATE OR REPLACE VIEW huiqi_source AS SELECT * FROM nothing")
            con.execute(f"CREATE OR REPLACE VIEW q AS {sql}")
            got: dict[str, list[tuple[float, float]]] = {}
            for _ in range(args.repeats):
                base = f"without {args.base}" if args.base else "default"
                both = ",".join(p for p in (args.base, args.without) if p)
                for way, off in ((base, args.base), (f"{base}, {args.without}", both)):
                    con.execute(f"SET disabled_optimizers = '{off}'")
                    con.execute("CREATE OR REPLACE VIEW huiqi_source AS SELECT * FROM nothing")
                    c0 = time.process_time()
                    con.view("q").to_arrow_table()
                    plan = time.process_time() - c0
                    con.execute("CREATE OR REPLACE VIEW huiqi_source AS SELECT * FROM park")
                    c0 = time.process_time()
                    for _batch in con.view("q").to_arrow_reader(100_000):
                        pass
                    got.setdefault(way, []).append((plan, time.process_time() - c0))
            for way, runs in got.items():
                plan = statistics.median(p for p, _ in runs)
                run = statistics.median(r for _, r in runs)
                rows.append(f"| {name} ({len(chunk)} clauses) | {outputs} | {way} | {plan * 1000:.0f} ms | "
                            f"{run:.3f} s |")
    print("\n".join([
        f"\n## DuckDB's optimizer passes on the compact queries (`python -m bench.optimizers --n {args.n} "
        f"--repeats {args.repeats} --without {args.without}"
        f"{f' --base {args.base}' if args.base else ''}`) — {time.strftime('%Y-%m-%d %H:%M')}", "",
        f"- machine: {describe()}; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end",
        f"- N = {args.n:,}; the seed pack and the first chunk of the 1,000-clause pack; \"plan\": a run "
        "over no row (bound, optimised, started), \"run\": over the park in memory; DuckDB "
        f"{duckdb.__version__} on one thread, CPU time, the two settings interleaved, medians of "
        f"{args.repeats}", "",
        "| query | outputs | passes | plan | run |", "|---|---|---|---:|---:|", *rows]))


if __name__ == "__main__":
    main()
