"""How many results are *undetermined* before and after the bounds reasoning (issue 11,
item 6), on a generated park, per clause — and that no decided result changed.

    .venv/bin/python -m bench.undetermined --before f49bffd^ --enterprises 50000

The park is ``huiqi generate``'s (seed 0). The "before" code is the source tree of the
``--before`` commit (``git archive``), run in a child process with that tree first on the
path; the "after" code is this checkout. Both run ``match-all`` on DuckDB (``Runner.run``)
for the national pack and the seed pack on the same date. Per clause: the share of
undetermined results before and after, and how many decided results (status, amount)
differ — which must be none. A section is appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKS = ("national", "seed")

_RUN = """
import datetime as dt, sys
from pathlib import Path
from huiqi.population.runner import Runner
from huiqi.rules.loader import load_pack
pack = load_pack(Path(sys.argv[1]))
Runner(pack, dt.date.fromisoformat(sys.argv[4])).run(Path(sys.argv[2]), Path(sys.argv[3]),
                                                    summarize=False)
import huiqi
print(huiqi.__file__)
"""


def _source_of(rev: str, into: Path) -> Path:
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _run(src: Path, pack: str, park: Path, out: Path, day: dt.date) -> str:
    env = {**os.environ, "PYTHONPATH": str(src)}
    r = subprocess.run([sys.executable, "-c", _RUN, str(ROOT / "policies" / pack), str(park),
                        str(out), day.isoformat()], env=env, check=True, capture_output=True,
                       text=True)
    return r.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="the commit before the bounds reasoning")
    ap.add_argument("--enterprises", type=int, default=50_000)
    ap.add_argument("--as-of", default="2025-06-01")
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    day = dt.date.fromisoformat(args.as_of)
    import duckdb
    import pyarrow.parquet as pq

    from huiqi.generator import table as generate

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        park = t / "park.parquet"
        pq.write_table(generate(args.enterprises, 0, day), park)
        before_src = _source_of(args.before, t / "before")
        lines = []
        for pack in PACKS:
            before, after = t / f"{pack}-before.parquet", t / f"{pack}-after.parquet"
            used_before = _run(before_src, pack, park, before, day)
            used_after = _run(ROOT / "src", pack, park, after, day)
            assert used_before.startswith(str(before_src)), used_before
            assert used_after.startswith(str(ROOT / "src")), used_after
            con = duckdb.connect()
            rows = con.execute(f"""
                SELECT b.clause, count(*) AS n,
                       sum(CASE WHEN b.status = 'undetermined' THEN 1 ELSE 0 END) AS und_b,
                       sum(CASE WHEN a.status = 'undetermined' THEN 1 ELSE 0 END) AS und_a,
                       sum(CASE WHEN b.status <> 'undetermined' AND
                                     (a.status <> b.status OR a.amount IS DISTINCT FROM b.amount)
                                THEN 1 ELSE 0 END) AS changed,
                       sum(CASE WHEN b.status = 'undetermined' AND a.status = 'eligible'
                                THEN 1 ELSE 0 END) AS to_eligible,
                       sum(CASE WHEN b.status = 'undetermined' AND a.status = 'not_eligible'
                                THEN 1 ELSE 0 END) AS to_not
                FROM read_parquet('{before}') b
                JOIN read_parquet('{after}') a USING (enterprise_id, clause)
                GROUP BY b.clause ORDER BY min(b.clause_index)
            """).fetchall()
            for clause, n, und_b, und_a, changed, to_e, to_n in rows:
                lines.append(f"| {clause} | {n:,} | {und_b / n:.1%} | {und_a / n:.1%} | "
                             f"{to_e:,} | {to_n:,} | {changed} |")
                print(lines[-1])
        if not args.no_record:
            head = (f"\n## Undetermined results before and after the bounds reasoning: "
                    f"`python -m bench.undetermined --before {args.before} --enterprises "
                    f"{args.enterprises}` — {dt.date.today().isoformat()}\n\n"
                    f"A generated park of {args.enterprises:,} enterprises (seed 0), "
                    f"evaluated on {day}; `match-all` on DuckDB with the code of "
                    f"`{args.before}` (before) and of this commit (after), the national and "
                    f"the seed pack. Per clause: the share of undetermined results, how many "
                    f"became eligible or not eligible, and how many results decided before "
                    f"changed status or amount.\n\n"
                    "| clause | results | undetermined before | after | → eligible | "
                    "→ not eligible | decided results changed |\n"
                    "|---|---:|---:|---:|---:|---:|---:|\n")
            with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
                fh.write(head + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
