"""Push at scale (issue 15, item 6): a change published over a park of N enterprises — the
population engine's results before and after (``Runner``, DuckDB), their difference, and the
messages enqueued in batches (:mod:`huiqi.push.bulk`) into a SQLite database holding the N
enterprises. Measured: the time of each phase, the population diff's share, and the peak
memory of the process that enqueues (a child of its own, so the peak is the enqueueing's).

    python -m bench.push --enterprises 1000000          # the xm-voucher-raise reform
    python -m bench.push --enterprises 1000000 --all    # a change that concerns everyone
    python -m bench.push --enterprises 1000000 --timed  # the dated jobs' matching

``--timed`` measures what a dated job (:mod:`huiqi.push.timed`: an application window, a
version taking effect) computes per batch of enterprises: the clauses it concerns only, by
the population engine (:mod:`huiqi.push.concerned`) — over all N enterprises — against
every clause of the pack by the one-enterprise engine (what the jobs did before), on the
first ``--sample`` enterprises, interleaved with the same sample by the new path (the old
path's time at N is that rate times N). Each in a child process of its own (its peak
memory is its own).

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
    """This process's peak resident memory (MB): its own (VmHWM) where Linux says it —
    ``ru_maxrss`` keeps the peak of the parent that exec'd it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
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
    # the changed copy below is made from the long rows; otherwise the default compact form
    Runner(pack, AS_OF).run(park, before, 100_000, summarize=False,
                            form="long" if everyone else "compact")
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


WINDOW_CLAUSE = "xm-torch-voucher/voucher"


def timed_child(park: Path, how: str, limit: int, batch: int) -> dict[str, Any]:
    """One dated job's matching over the park's first ``limit`` enterprises, ``batch`` at a
    time, as a window job does it: ``old`` every clause of the pack by the one-enterprise
    engine, ``new`` the concerned clauses by the population engine; and the same for a
    version taking effect (the day before and the date compared)."""
    from huiqi.engine.matcher import matcher_for
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.facts.columnar import read_parquet_enterprises
    from huiqi.push import concerned as C
    from huiqi.push.who import classify, outcome
    from huiqi.rules.loader import load_pack

    pack = load_pack(ROOT / "policies" / "seed")
    cat = default_catalogue()
    day = dt.date(2023, 3, 29)  # dl-business-env takes effect: its clauses change
    eve = day - dt.timedelta(days=1)
    out: dict[str, Any] = {}
    for job in ("window", "effective"):
        seen = told = 0
        t0, c0 = time.perf_counter(), time.process_time()
        if how == "old":
            m, m_eve = matcher_for(pack, day), matcher_for(pack, eve)
        clauses = C.window(pack, WINDOW_CLAUSE) if job == "window" else C.on_date(pack, day)
        for read in read_parquet_enterprises(park, cat, batch):
            ents = read[:max(limit - seen, 0)]
            if not ents:
                break
            seen += len(ents)
            if how == "old" and job == "window":
                told += sum(1 for e in ents for c in m.match(e).clauses
                            if c.key == WINDOW_CLAUSE and outcome(c).eligible)
            elif how == "old":
                for e in ents:
                    now = {c.key: outcome(c) for c in m.match(e).clauses}
                    was = {c.key: outcome(c) for c in m_eve.match(e).clauses}
                    told += sum(classify(was.get(k), now.get(k)) is not None
                                for k in set(now) | set(was))
            elif job == "window":
                found = C.outcomes(pack, cat, day, ents, clauses)
                told += sum(1 for e in ents if (o := found[e.id].get(WINDOW_CLAUSE)) is not None
                            and o.eligible)
            else:
                now_ = C.outcomes(pack, cat, day, ents, clauses)
                was_ = C.outcomes(pack, cat, eve, ents, clauses)
                told += sum(classify(was_[e.id].get(k), now_[e.id].get(k)) is not None
                            for e in ents for k in set(now_[e.id]) | set(was_[e.id]))
        out[job] = {"enterprises": seen, "told": told, "clauses": len(clauses),
                    "seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}
    out["peak_rss_mb"] = _rss_mb()
    out["pack_clauses"] = len(pack.clauses())
    return out


def _timed_run(park: Path, how: str, limit: int, batch: int) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-m", "bench.push", "--timed-child", str(park), how,
                        str(limit), "--batch", str(batch)], capture_output=True, text=True,
                       check=True, cwd=ROOT)
    return json.loads(r.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def timed(n: int, sample: int, batch: int, record_it: bool) -> None:
    """The dated jobs' matching: the new path over all ``n`` enterprises, and the old and
    new paths over the same ``sample``, interleaved (old, new, new at n)."""
    import os

    from huiqi.generator import write

    with tempfile.TemporaryDirectory(prefix="huiqi-push-timed-") as tmp:
        park = Path(tmp) / "park.parquet"
        write(park, n, SEED, AS_OF)
        loads = [os.getloadavg()[0]]
        old = _timed_run(park, "old", sample, batch)
        loads.append(os.getloadavg()[0])
        new_sample = _timed_run(park, "new", sample, batch)
        loads.append(os.getloadavg()[0])
        new = _timed_run(park, "new", n, batch)
        loads.append(os.getloadavg()[0])
    rows = []
    for job, what in (("window", f"window job ({WINDOW_CLAUSE}: eligible, told)"),
                      ("effective", "effective-date job (2023-03-29: dl-business-env takes "
                                    "effect; results changed, told)")):
        o, ns, nn = old[job], new_sample[job], new[job]
        per_old = o["cpu"] / o["enterprises"]
        per_new = ns["cpu"] / ns["enterprises"]
        rows.append(
            f"| {what} | {old['pack_clauses']} → {nn['clauses']} | "
            f"{o['cpu']:.1f} s ({o['told']:,} told) | {ns['cpu']:.1f} s ({ns['told']:,} told) | "
            f"{per_old / per_new:.1f}× | {nn['seconds']:.0f} s wall, {nn['cpu']:.0f} s CPU "
            f"({nn['told']:,} told) | {per_old * n:.0f} s CPU (extrapolated) |")
    command = f"python -m bench.push --enterprises {n} --timed --sample {sample} --batch {batch}"
    text = (f"\n## Push: the dated jobs' matching, concerned clauses only (`{command}`) — "
            f"{dt.date.today().isoformat()}\n\n{describe()}\n\nLoad average (1 min) before "
            f"and after each run: {', '.join(f'{x:.1f}' for x in loads)}. Seed pack, a "
            f"generated park; batches of {batch:,} enterprises (each one population-engine "
            f"query per day compared); CPU time is the child process's.\n\n"
            f"| job | clauses matched (old → new) | old, first {sample:,}: CPU | "
            f"new, same {sample:,}: CPU | ratio | new, all {n:,} | old at {n:,} |\n"
            f"|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
            f"Peak memory (max RSS of each child): old {old['peak_rss_mb']:.0f} MB, new on "
            f"{sample:,} {new_sample['peak_rss_mb']:.0f} MB, new on {n:,} "
            f"{new['peak_rss_mb']:.0f} MB.\n")
    print(text)
    if record_it:
        record(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.push", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--all", action="store_true", help="a change that concerns everyone")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--timed", action="store_true",
                        help="the dated jobs' matching (see above)")
    parser.add_argument("--sample", type=int, default=20_000,
                        help="--timed: enterprises matched by the old path")
    parser.add_argument("--timed-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.batch)))
        return
    if args.timed_child:
        park, how, limit = args.timed_child
        print(json.dumps(timed_child(Path(park), how, int(limit), args.batch)))
        return
    if args.timed:
        timed(args.enterprises, args.sample, args.batch, not args.no_record)
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
