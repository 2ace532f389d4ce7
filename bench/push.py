"""Push at scale (issue 15, item 6): a change published over a park of N enterprises — the
population engine's results before and after (``Runner``, DuckDB), their difference, and the
messages enqueued in batches (:mod:`huiqi.push.bulk`) into a SQLite database holding the N
enterprises. Measured: the time of each phase, the population diff's share, and the peak
memory of the process that enqueues (a child of its own, so the peak is the enqueueing's).

    python -m bench.push --enterprises 1000000          # the xm-voucher-raise reform
    python -m bench.push --enterprises 1000000 --all    # a change that concerns everyone

``--all`` makes the "after" results differ for every enterprise (each one's first clause
turned eligible at a new amount), so that every enterprise gets a message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe, record

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 3, 1)
SEED = 7


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(n: int, work: Path, everyone: bool) -> dict[str, Any]:
    """The park, its registry in SQLite, the results before and after."""
    import duckdb
    import pyarrow.parquet as pq
    from sqlalchemy import insert

    from huiqi.generator import write
    from huiqi.population.reform import load_reform
    from huiqi.population.runner import Runner
    from huiqi.rules.loader import load_pack
    from huiqi.store.database import Database
    from huiqi.store.models import Entity

    out: dict[str, Any] = {}
    park = work / "park.parquet"
    t0 = time.perf_counter()
    write(park, n, SEED, AS_OF)
    out["generate_s"] = time.perf_counter() - t0
    db = Database.connect(f"sqlite:///{work / 'push.db'}")
    db.upgrade()
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    for rb in pq.ParquetFile(park).iter_batches(batch_size=50_000, columns=["id"]):
        with db.write() as s:
            s.execute(insert(Entity), [{"credit_code": c, "kind": "enterprise", "name": c,
                                        "revision": 1, "created_at": now, "updated_at": now}
                                       for c in rb.column(0).to_pylist()])
    out["registry_s"] = time.perf_counter() - t0
    db.dispose()
    pack = load_pack(ROOT / "policies" / "seed")
    before, after = work / "before.parquet", work / "after.parquet"
    t0 = time.perf_counter()
    Runner(pack, AS_OF).run(park, before, 100_000, summarize=False)
    out["match_before_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if everyone:
        con = duckdb.connect()
        first = con.sql(f"SELECT min(clause) FROM read_parquet('{before}')").fetchall()[0]
        con.execute(f"""COPY (SELECT * REPLACE (
            CASE WHEN clause = '{first[0]}' THEN 'eligible' ELSE status END AS status,
            CASE WHEN clause = '{first[0]}' THEN coalesce(amount, 0) + 1 ELSE amount END
              AS amount) FROM read_parquet('{before}')) TO '{after}' (FORMAT PARQUET)""")
    else:
        reform = load_reform(ROOT / "examples" / "reforms" / "xm-voucher-raise.yaml", pack)
        Runner(reform.pack, AS_OF).run(park, after, 100_000, summarize=False)
    out["match_after_s"] = time.perf_counter() - t0
    return out


def child(work: Path, batch: int) -> dict[str, Any]:
    """The diff alone, then the diff enqueued; in a process of its own."""
    from huiqi.push.bulk import diff_batches, enqueue
    from huiqi.service.context import Platform
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    before_rss = _rss_mb()
    t0 = time.perf_counter()
    rows = sum(rb.num_rows for rb in diff_batches(work / "before.parquet",
                                                  work / "after.parquet", batch))
    diff_s = time.perf_counter() - t0
    db = Database.connect(f"sqlite:///{work / 'push.db'}")
    platform = Platform(db, Settings(database_url=f"sqlite:///{work / 'push.db'}"))
    t0 = time.perf_counter()
    done = enqueue(platform, diff_batches(work / "before.parquet", work / "after.parquet",
                                          batch), version="bench-2", pack="seed")
    total_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = enqueue(platform, diff_batches(work / "before.parquet", work / "after.parquet",
                                           batch), version="bench-2", pack="seed")
    again_s = time.perf_counter() - t0
    db.dispose()
    return {"diff_rows": rows, "diff_s": diff_s, "enqueue_s": total_s,
            "messages": done.messages, "batches": done.batches, "again_messages": again.messages,
            "again_s": again_s, "peak_rss_mb": _rss_mb(), "rss_before_mb": before_rss}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.push", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--all", action="store_true", help="a change that concerns everyone")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.batch)))
        return
    with tempfile.TemporaryDirectory(prefix="huiqi-push-bench-") as tmp:
        work = Path(tmp)
        prep = prepare(args.enterprises, work, args.all)
        r = subprocess.run([sys.executable, "-m", "bench.push", "--child", str(work),
                            "--batch", str(args.batch)], capture_output=True, text=True,
                           check=True, cwd=ROOT)
        res = json.loads(r.stdout.strip().splitlines()[-1])
    share = res["diff_s"] / res["enqueue_s"] if res["enqueue_s"] else 0.0
    command = f"python -m bench.push --enterprises {args.enterprises}" + \
        (" --all" if args.all else "") + f" --batch {args.batch}"
    text = (f"\n## Push: a change published over a park (`{command}`) — "
            f"{dt.date.today().isoformat()}\n\n{describe()}\n\n"
            f"| phase | result |\n|---|---|\n"
            f"| enterprises (registry in SQLite) | {args.enterprises:,} |\n"
            f"| change | {'everyone concerned (synthetic)' if args.all else 'xm-voucher-raise'} |\n"
            f"| population match, before / after | {prep['match_before_s']:.1f} s / "
            f"{prep['match_after_s']:.1f} s |\n"
            f"| rows of the difference (messages due) | {res['diff_rows']:,} |\n"
            f"| population diff alone (DuckDB, streamed) | {res['diff_s']:.1f} s |\n"
            f"| diff + enqueue | {res['enqueue_s']:.1f} s, {res['batches']} batches, "
            f"{res['messages']:,} messages |\n"
            f"| the diff's share of enqueueing | {100 * share:.0f}% |\n"
            f"| enqueued again (idempotent: messages added) | {res['again_messages']} in {res['again_s']:.1f} s |\n"
            f"| peak memory of the enqueueing process | {res['peak_rss_mb']:.0f} MB "
            f"(at start {res['rss_before_mb']:.0f} MB) |\n")
    print(text)
    if not args.no_record:
        record(text)


if __name__ == "__main__":
    main()
