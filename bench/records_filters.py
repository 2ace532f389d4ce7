"""Certificates within k years: one filter of the records per date, or one latest date.

    .venv/bin/python -m bench.records_filters --n 200000 --repeats 5

Clauses ask for the same certificate within 2, 3 or 5 years
(``exists(honours where kind == "hnte" and date >= as_of - 3 years)``). huiqi's SQL
(:meth:`huiqi.population.expr.ExprCompiler._exists_since`) filters each enterprise's
records once per date, or — where one query asks the same filter with two dates or more —
takes the latest date of the filtered records once and compares it with each date. Here both
forms, exactly as the SQL generator writes them, over the park's ``honours`` (N rows, in
memory), for 1 to 4 dates; DuckDB on one thread, CPU time, medians. Prints a Markdown
section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

DATES = ("2020-06-30", "2019-06-30", "2018-06-30", "2021-06-30")


def per_date(day: str) -> str:
    return ("(CASE WHEN \"honours\" IS NULL THEN 2 WHEN len(list_filter(\"honours\", lambda r1: "
            "((struct_extract(r1, 'kind') = 'hnte') AND (struct_extract(r1, 'date') >= "
            f"DATE '{day}')))) > 0 THEN 1 ELSE 0 END)")


LATEST = ("list_max(list_transform(list_filter(\"honours\", lambda r1: (struct_extract(r1, 'kind') "
          "= 'hnte')), lambda r1: struct_extract(r1, 'date')))")


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.records_filters")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from bench import match_all as M
    from bench.machine import describe
    from huiqi.population import duck

    con = duck.connect(threads=1)
    path = M.population(args.n).as_posix().replace("'", "''")
    con.execute(f"CREATE TABLE park AS SELECT \"honours\" FROM read_parquet('{path}')")
    load = os.getloadavg()[0]
    rows = []
    for k in range(1, len(DATES) + 1):
        days = DATES[:k]
        filtered = ", ".join(f"{per_date(d)} AS e{i}" for i, d in enumerate(days))
        compared = ", ".join(f"(CASE WHEN \"honours\" IS NULL THEN 2 WHEN latest >= DATE '{d}' THEN 1 "
                             f"ELSE 0 END) AS e{i}" for i, d in enumerate(days))
        ways = {
            "a filter per date": f"SELECT {filtered} FROM park",
            "the latest date once": f"SELECT {compared} FROM (SELECT \"honours\", {LATEST} AS latest FROM park)",
        }
        got: dict[str, list[float]] = {w: [] for w in ways}
        for _ in range(args.repeats):
            for way, sql in ways.items():
                total = " + ".join(f"e{i}" for i in range(k))
                c0 = time.process_time()
                con.execute(f"SELECT sum({total}) FROM ({sql})").fetchall()
                got[way].append(time.process_time() - c0)
        base = statistics.median(got["a filter per date"])
        for way, times in got.items():
            t = statistics.median(times)
            rows.append(f"| {k} | {way} | {t * 1000:.1f} ms | {t / args.n * 1e9:.0f} ns | {t / base:.2f} |")
    print("\n".join([
        f"\n## Certificates within k years: a records filter per date or the latest date once "
        f"(`python -m bench.records_filters --n {args.n} --repeats {args.repeats}`) — "
        f"{time.strftime('%Y-%m-%d %H:%M')}", "",
        f"- machine: {describe()}; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end",
        f"- the park's `honours` (N = {args.n:,}, in memory); `exists(honours where kind == \"hnte\" "
        "and date >= D)` for 1 to 4 dates D, as huiqi's SQL writes it each way; DuckDB on one "
        f"thread, CPU time, medians of {args.repeats}; × the filter per date", "",
        "| dates | way | CPU | per enterprise | × |", "|---:|---|---:|---:|---:|", *rows]))


if __name__ == "__main__":
    main()
