"""What DuckDB's 128-bit decimals cost the generated SQL, and what the 64-bit forms save.

    .venv/bin/python -m bench.decimal_ops --n 2000000 --repeats 5

huiqi keeps numbers as DECIMAL(38, s), which DuckDB stores as 128-bit integers. Adding,
multiplying and comparing them is cheap; but every operation that divides — a cast to an
integer type, a cast to fewer decimals, ``round``/``floor``/``ceil``, ``%``, and integer
division — is done by a 128-bit division, some 50–100 times the cost of a multiplication.
The SQL generator uses these for exact rational rounding (the gaps of ratio conditions, the
amounts with a denominator). The dialect's forms (:class:`huiqi.population.dialect.Dialect`:
``idiv``, ``odd``, ``rescale``; the rounding of an amount without a proven bound) narrow a value
that fits 18 digits to DECIMAL(18, s), a 64-bit integer, and keep the 128-bit operation for
the rest. This runs each piece both ways on the same column of ``--n`` values (most below
10¹⁸, one in ten above), DuckDB on one thread, the two ways interleaved, after checking that
they give the same values; it prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import duckdb

from huiqi.population.dialect import DUCKDB

#: (what, the 128-bit form, the dialect's form) over columns a, b (DECIMAL(38,0), b > 0),
#: x (DECIMAL(38,4)) and q (DECIMAL(38,0), non-negative)
PIECES = [
    ("integer division a // b", "CAST(CAST(a AS HUGEINT) // CAST(b AS HUGEINT) AS DECIMAL(38,0))",
     DUCKDB.idiv("a", "b")),
    ("parity of q", "q % 2 = 1", DUCKDB.odd("q")),
    ("x scaled down to 0 decimals", "CAST(x AS DECIMAL(38,0))", DUCKDB.rescale("x", 4, 0)),
    ("ceil(x) (an amount without a proven bound)", "ceil(x)",
     DUCKDB.narrowed("x", 4, lambda v: f"ceil({v})", signed=False)),
]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.decimal_ops")
    ap.add_argument("--n", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from bench.machine import describe

    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.execute(f"""CREATE TABLE t AS SELECT
        CAST(CASE WHEN i % 10 = 0 THEN 1e22 * random() ELSE 1e16 * random() END AS DECIMAL(38,0)) AS a,
        CAST(1 + 1e9 * random() AS DECIMAL(38,0)) AS b,
        CAST(CASE WHEN i % 10 = 0 THEN 1e20 * random() ELSE 1e12 * random() END AS DECIMAL(38,4)) AS x,
        CAST(CASE WHEN i % 10 = 0 THEN 1e22 * random() ELSE 1e16 * random() END AS DECIMAL(38,0)) AS q
        FROM range({args.n}) r(i)""")
    load = os.getloadavg()[0]
    rows = []
    for what, wide, narrow in PIECES:
        differ = con.execute(f"SELECT count(*) FROM t WHERE ({wide}) IS DISTINCT FROM ({narrow})").fetchone()
        assert differ is not None and differ[0] == 0, what
        times: dict[str, list[float]] = {"wide": [], "narrow": []}
        for _ in range(args.repeats):
            for way, sql in (("wide", wide), ("narrow", narrow)):
                t0 = time.perf_counter()
                con.execute(f"SELECT min({sql}) FROM t").fetchall()
                times[way].append(time.perf_counter() - t0)
        w, n = statistics.median(times["wide"]), statistics.median(times["narrow"])
        rows.append(f"| {what} | {w * 1e9 / args.n:.1f} ns | {n * 1e9 / args.n:.1f} ns | {w / n:.1f}× |")
    print("\n".join([
        f"\n## DuckDB's 128-bit decimals against the 64-bit forms (`python -m bench.decimal_ops "
        f"--n {args.n} --repeats {args.repeats}`) — {time.strftime('%Y-%m-%d %H:%M')}", "",
        f"- machine: {describe()}; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end",
        f"- {args.n:,} values a column (one in ten above 10¹⁸, beyond the 64-bit path), DuckDB "
        f"{duckdb.__version__} on one thread; the two forms checked equal on every value, then "
        f"interleaved, medians of {args.repeats}; time per value (the column's minimum taken)", "",
        "| piece | 128-bit form | dialect's form | saved |", "|---|---:|---:|---:|", *rows]))


if __name__ == "__main__":
    main()
