"""Spark on a standalone cluster (a Master and 1, then 2 Workers of one core on 127.0.0.1)
beside DuckDB, the same park and pack (issue 18: Spark on a real cluster).

    python -m bench.spark_cluster [--n 200000] [--rounds 3] [--kernels duckdb,sql] [--append]

Nothing is recorded without ``--append`` (the table is printed).

Both engines do the same work: Parquet in, the compact results folder out
(:mod:`huiqi.population.results`: the layout, one row per enterprise and chunk of clauses;
the long form is derived from it when read), no summaries. For each round, in turn: DuckDB
(``Runner.run``, ``summarize=False``) with its default threads (the machine's cores), then
with one thread, then Spark with one Worker, then with two, for each kernel of
``--kernels`` (``duckdb``: each task matches a slice of the park with DuckDB, reading
the Parquet file and writing its part files itself; ``sql``: Spark SQL computes the rows).
Each Spark run is ``match_parquet`` (``form="compact"``: each chunk a folder of the
executors' part files) on a session already started on a cluster just started (its
start-up is reported apart; the executors' JVMs and Python workers are cold, as for any new
application); the park is written in one row group, so that the spreading over executor
cores is part of what is measured. "Per core" multiplies a run's
seconds by the cores it had: DuckDB the machine's (or 1 for its one-thread run), Spark its
Workers'. "CPU s" is the processes' own CPU time (user + system, from /proc), which the
other load on the machine disturbs less than wall time: for DuckDB this process's, for
Spark the driver's and every process of the cluster's (Master, Workers, executors and their
Python workers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from bench.machine import describe, record
from huiqi.generator import table as generate
from huiqi.population import spark as S
from huiqi.population.runner import Runner
from huiqi.population.standalone import Standalone, stop_sessions
from huiqi.rules.loader import load_pack

ROOT = Path(__file__).parents[1]
AS_OF = dt.date(2025, 6, 1)


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process and every process below it, live or
    exited and waited for (/proc: the cluster's JVMs and their Python workers included)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    own: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw.rsplit(")", 1)[1].split()
        parent[int(entry)] = int(fields[1])
        # utime, stime, cutime, cstime: a process's own and its waited-for children's
        own[int(entry)] = sum(int(x) for x in fields[11:15]) / tick
    me = os.getpid()
    total, todo = 0.0, [me]
    while todo:
        pid = todo.pop()
        total += own.get(pid, 0.0)
        todo.extend(p for p, pp in parent.items() if pp == pid)
    return total


def spark_run(workers: int, pack_folder: Path, park: Path, folder: Path, kernel: str
              ) -> tuple[float, float, float]:
    """Seconds to start the cluster's session, to match the park on it, and the CPU
    seconds of that match (the driver and the whole cluster). Run in a process of its own
    (:func:`isolated`)."""
    pack = load_pack(pack_folder)
    stop_sessions()
    with Standalone(workers=workers, cores=1, memory="2g", executor_memory="1536m") as c:
        t0 = time.perf_counter()
        spark = S.session(c.master, app=f"huiqi-bench-{workers}", conf=c.conf)
        start = time.perf_counter() - t0
        try:
            out = folder / f"spark-{workers}"
            t0, c0 = time.perf_counter(), tree_cpu()
            S.match_parquet(spark, pack, AS_OF, park, out, form="compact", kernel=kernel)
            seconds, cpu = time.perf_counter() - t0, tree_cpu() - c0
            shutil.rmtree(out, ignore_errors=True)
        finally:
            spark.stop()
    return start, seconds, cpu


def isolated(workers: int, pack_folder: Path, park: Path, folder: Path, kernel: str
             ) -> tuple[float, float, float]:
    """:func:`spark_run` in a new Python process, so with a new driver JVM: a second
    application started from the same driver JVM (a session stopped, another started) made
    the executors of a 2-Worker cluster burn 15 s of CPU where the first burnt 3 (seed pack,
    200,000 enterprises), whichever Workers ran before."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: tuple[float, float, float] = pool.apply(
            spark_run, (workers, pack_folder, park, folder, kernel))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kernels", default="duckdb,sql",
                    help="Spark's kernels to run, comma-separated: duckdb, sql")
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args(argv)
    kernels = [k for k in args.kernels.split(",") if k]
    if not kernels or any(k not in S.KERNELS for k in kernels):
        ap.error(f"--kernels: some of {', '.join(S.KERNELS)}")
    why = S.missing()
    if why is not None:
        print(why.en)
        return 1
    load = os.getloadavg()[0]
    pack_folder = ROOT / "policies" / "seed"
    pack = load_pack(pack_folder)
    folder = Path(tempfile.mkdtemp(prefix="huiqi-bench-spark-"))
    park = folder / "park.parquet"
    pq.write_table(generate(args.n, 11, AS_OF), park, row_group_size=args.n)
    sparks = [f"spark-{w}-{k}" for k in kernels for w in (1, 2)]
    keys = ["duckdb", "duckdb-1", *sparks]
    times: dict[str, list[float]] = {k: [] for k in keys}
    cpus: dict[str, list[float]] = {k: [] for k in keys}
    starts: list[float] = []
    try:
        for i in range(args.rounds):
            for key, threads in (("duckdb", None), ("duckdb-1", 1)):
                t0, c0 = time.perf_counter(), time.process_time()
                Runner(pack, AS_OF, threads=threads).run(park, folder / "duck.parquet",
                                                         batch_size=100_000, summarize=False)
                times[key].append(time.perf_counter() - t0)
                cpus[key].append(time.process_time() - c0)
            for k in kernels:
                for w in (1, 2):
                    start, seconds, cpu = isolated(w, pack_folder, park, folder, k)
                    times[f"spark-{w}-{k}"].append(seconds)
                    cpus[f"spark-{w}-{k}"].append(cpu)
                    starts.append(start)
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    after = os.getloadavg()[0]
    med = {k: statistics.median(v) for k, v in times.items()}
    cpu_s = {k: statistics.median(v) for k, v in cpus.items()}
    cores = os.cpu_count() or 1
    per_core = {"duckdb": med["duckdb"] * cores, "duckdb-1": med["duckdb-1"],
                **{k: med[k] * int(k.split("-")[1]) for k in sparks}}
    lines = [
        "", f"## Spark on a standalone cluster beside DuckDB ({dt.date.today().isoformat()})", "",
        f"- command: `python -m bench.spark_cluster --n {args.n} --rounds {args.rounds} "
        f"--kernels {','.join(kernels)}`",
        f"- machine: {describe(load=False)}; load average {load:.1f} before the run, "
        f"{after:.1f} after (other engineers' work shares the 2 cores)",
        f"- park: {args.n:,} generated enterprises in one Parquet row group; the seed pack "
        f"({len(pack.clauses())} clauses), as of {AS_OF}",
        "- both write the compact results folder (one row per enterprise and chunk of clauses, "
        "the long form derived when read), no summaries. DuckDB: `Runner.run(summarize=False)`, "
        "its default threads (the machine's cores) and one thread; Spark: a Master and 1 or 2 "
        "Workers of 1 core each on 127.0.0.1 (`huiqi.population.standalone`), started anew for "
        "each run from a new driver process, `match_parquet` timed on a started session (cold "
        "executors); kernel `duckdb`: "
        "each task matches a slice of the park with DuckDB (one thread), reading the file and "
        "writing its part files itself; `sql`: Spark SQL computes the rows",
        "- CPU s: user + system CPU of the run's processes (DuckDB: this process; Spark: the "
        "driver and the whole cluster, executors' Python workers included), median",
        f"- Spark session start-up (median, not in the times): {statistics.median(starts):.1f} s",
        "",
        "| engine | median s | runs s | core-seconds | per core vs DuckDB | vs DuckDB 1 thread "
        "| CPU s | CPU vs DuckDB 1 thread |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k in keys:
        lines.append(f"| {k} | {med[k]:.2f} | {', '.join(f'{x:.2f}' for x in times[k])} | "
                     f"{per_core[k]:.1f} | {per_core[k] / per_core['duckdb']:.2f}× | "
                     f"{per_core[k] / per_core['duckdb-1']:.2f}× | {cpu_s[k]:.1f} | "
                     f"{cpu_s[k] / cpu_s['duckdb-1']:.2f}× |")
    lines.append("")
    lines += [f"1 → 2 Workers, kernel {k}: {med[f'spark-1-{k}'] / med[f'spark-2-{k}']:.2f}× faster."
              for k in kernels]
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.append:
        record(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
