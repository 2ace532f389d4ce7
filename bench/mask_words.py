"""Failed-condition bits in a BIGINT word: a test cast to an integer and multiplied, or a CASE.

    .venv/bin/python -m bench.mask_words --n 200000 --repeats 7

The compact query packs every clause's failed conditions into shared BIGINT words
(:class:`huiqi.population.query._Packer`), one bit a condition: ``(code = 0)`` for each
condition's truth code. Two ways to write a bit: ``(CAST((code = 0) AS BIGINT) * 2^k)`` and
``(CASE WHEN (code = 0) THEN 2^k ELSE 0 END)``. Here a word of 60 bits over N rows of random
truth codes (0 in a tenth, half or nine tenths of them), each way as the query writes it;
DuckDB on one thread, CPU time, medians, interleaved. Prints a Markdown section for
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

BITS = 60


def word(way: str) -> str:
    if way == "cast and multiply":
        return " + ".join(f"(CAST((c{i} = 0) AS BIGINT) * {1 << i})" for i in range(BITS))
    return " + ".join(f"(CASE WHEN (c{i} = 0) THEN {1 << i} ELSE 0 END)" for i in range(BITS))


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.mask_words")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    import duckdb

    from bench.machine import describe

    con = duckdb.connect(config={"threads": 1})
    load = os.getloadavg()[0]
    rows = []
    for share in (0.1, 0.5, 0.9):
        codes = ", ".join(f"CAST(CASE WHEN random() < {share} THEN 0 ELSE 1 + floor(random() * 2) END "
                          f"AS UTINYINT) AS c{i}" for i in range(BITS))
        con.execute(f"CREATE OR REPLACE TABLE codes AS SELECT {codes} FROM range({args.n})")
        ways = ("cast and multiply", "CASE")
        got: dict[str, list[float]] = {w: [] for w in ways}
        sums = set()
        for _ in range(args.repeats):
            for way in ways:
                c0 = time.process_time()
                sums.add(con.execute(f"SELECT sum(CAST({word(way)} AS BIGINT) % 1000003) FROM codes")
                         .fetchone())
                got[way].append(time.process_time() - c0)
        assert len(sums) == 1, "the two ways must give the same words"
        base = statistics.median(got[ways[0]])
        for way in ways:
            t = statistics.median(got[way])
            rows.append(f"| {share:.0%} | {way} | {t * 1000:.1f} ms | {t / base:.2f} |")
    print("\n".join([
        f"\n## Failed-condition bits: cast and multiply, or CASE (`python -m bench.mask_words --n "
        f"{args.n} --repeats {args.repeats}`) — {time.strftime('%Y-%m-%d %H:%M')}", "",
        f"- machine: {describe()}; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end",
        f"- a word of {BITS} bits, `code = 0` for {BITS} UTINYINT truth codes, over N = {args.n:,} "
        "rows in memory (codes 0 in the share of rows shown, else 1 or 2); DuckDB "
        f"{duckdb.__version__} on one thread, CPU time, medians of {args.repeats}, the ways "
        "interleaved and checked equal", "",
        "| codes 0 | bit written as | CPU | × cast and multiply |", "|---:|---|---:|---:|", *rows]))


if __name__ == "__main__":
    main()
