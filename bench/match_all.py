"""Benchmark of the population engines: every enterprise × every clause, five ways.

    .venv/bin/python -m bench.match_all                       # N = 200,000 and 2,000,000
    .venv/bin/python -m bench.match_all --sizes 20000 --repeats 1 --no-record   # a quick look

On the same generated population (:mod:`bench.population`: a ``huiqi generate`` park made
exact for OpenFisca's int32 storage) and the same rules — the seed pack (26 clauses) and
a generated pack of 1,000 clauses (:mod:`bench.bigpack`) — this runs

* ``engine``: huiqi's one-enterprise engine, record by record (on a sample, extrapolated);
* ``duckdb``: the DuckDB backend end to end (``Runner.run``: Parquet in, the results out in
  the compact form, the default — statuses, amounts, failed conditions, gaps, missing facts);
* ``duckdb-compute``: the same queries, their compact results read into Arrow and dropped
  (``Runner.compact`` on a new runner: what the database computes, without writing the
  results);
* ``duckdb-status``: the same with statuses and amounts only (``outputs="status"``: no
  failed conditions, gaps or missing facts) — what OpenFisca and numpy compute;
* ``spark``: the Spark backend in local mode (``local[2]``), Parquet to Parquet;
* ``openfisca``: the same rules as an OpenFisca tax-benefit system (:mod:`bench.ofisca`),
  run in slices of the park (``--of-batch``, 50,000 enterprises): one simulation per slice,
  one after the other in the same process, the time of every slice (inputs loaded,
  calculated) summed; each simulation is freed by the cycle collector after its slice,
  untimed. A simulation of the whole park at once would
  hold every variable of every enterprise: ~7,600 variables for the 1,000-clause pack, a
  simulation of 50,000 enterprises ~2.7 GB resident, so 40 times that at 2,000,000. Slicing
  is how an OpenFisca user would run such a park; what it costs OpenFisca per slice
  (building the simulation, setting its inputs) is in the time, reported apart as "load
  inputs", and the number and size of the slices are recorded with the time;
* ``numpy``: the same rules as hand-written numpy (:mod:`bench.kernels`).

First every baseline is checked to give the same statuses and amounts as huiqi's engine on
a sample; then each engine runs in a child process of this one (so that its peak resident
memory is its own), ``--repeats`` times; the median time is reported, with the CPU time of
the same run. A reform of the big pack is simulated against its baseline run. A section is
appended to bench/RESULTS.md.

The 1,000-clause pack at 2,000,000 enterprises (issue 18's target), without the engines that
take hours (``engine`` is extrapolated from a sample anyway; ``spark`` in local mode is
~20× slower than DuckDB here)::

    .venv/bin/python -m bench.match_all --sizes 2000000 --packs big \
        --engines duckdb-status duckdb openfisca numpy --repeats 1 --check 1000 --spark-check 0 --no-reform
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
AS_OF = dt.date(2023, 6, 30)
SEED = 0
ENGINES = ("engine", "duckdb-status", "duckdb-compute", "duckdb", "spark", "openfisca", "numpy")


# ---------------------------------------------------------------------- inputs

def population(n: int) -> Path:
    """The benchmark population of ``n`` enterprises (made once, kept under var/bench)."""
    from bench.population import prepare

    path = VAR / f"park-{n}.parquet"
    info = path.with_suffix(".json")
    if not path.exists() or not info.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        stats = prepare(path, n, SEED, AS_OF)
        info.write_text(json.dumps({"rows": stats.rows, "rounded": stats.rounded, "clipped": stats.clipped}))
    return path


def bigpack_dir() -> Path:
    from bench import bigpack

    folder = VAR / "bigpack"
    if not (folder / "pack.yaml").exists():
        desc = bigpack.draw(1000, SEED)
        bigpack.write_pack(desc, folder)
        (VAR / "bigpack-reform.yaml").write_text(bigpack.reform_yaml(desc), encoding="utf-8")
    return folder


def load(pack: str) -> tuple[Any, Any]:
    """(huiqi Pack, baseline RuleSet) of ``seed`` or ``big``."""
    from huiqi.rules.loader import load_pack

    if pack == "seed":
        from bench import seedrules

        return load_pack(ROOT / "policies" / "seed"), seedrules.rules(AS_OF)
    from bench import bigpack

    folder = bigpack_dir()
    return load_pack(folder), bigpack.rules(bigpack.draw(1000, SEED))


def in_force(pack: Any) -> list[Any]:
    live = {p.id for p in pack.policies if p.in_force(AS_OF)}
    return [c for c in pack.clauses() if c.policy in live]


def sample(source: Path, size: int) -> Any:
    """``size`` enterprises spread over the file (equal slices of evenly spaced row groups)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(source)
    groups = pf.metadata.num_row_groups
    picks = sorted({round(i * (groups - 1) / max(1, min(groups, 10) - 1)) for i in range(min(groups, 10))})
    each = -(-size // len(picks))
    parts = [pf.read_row_group(g).slice(0, each) for g in picks]
    return pa.concat_tables(parts).slice(0, size).combine_chunks()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _jvm_peak_mb() -> float:
    """Peak resident memory of the JVMs this process started (Spark's driver), from /proc."""
    peak = 0.0
    me = os.getpid()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(me) and "java" in fields.get("Name", ""):
            peak = max(peak, int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
    return peak


# ---------------------------------------------------------------------- engines (children)

def run_engine(pack_name: str, source: Path, n: int, size: int) -> dict[str, Any]:
    from huiqi.engine.matcher import Matcher
    from huiqi.facts.columnar import table_to_enterprises

    pack, _ = load(pack_name)
    table = sample(source, size)
    t0 = time.perf_counter()
    firms = table_to_enterprises(table, pack.catalogue)
    convert = time.perf_counter() - t0
    m = Matcher(pack, AS_OF)
    t0 = time.perf_counter()
    for e in firms:
        m.match(e)
    match = time.perf_counter() - t0
    scale = n / len(firms)
    return {"seconds": match * scale, "measured_on": len(firms), "convert_s": convert * scale,
            "note": f"{len(firms):,} enterprises matched one by one, time × {scale:,.0f}"}


def run_duckdb_compute(pack_name: str, source: Path, batch: int, outputs: str = "all") -> dict[str, Any]:
    """``Runner.compact`` on a new runner (a child process per run: the SQL built, the views
    made, each planned): the compact rows streamed into Arrow and dropped."""
    from huiqi.population.runner import Runner

    pack, _ = load(pack_name)
    t0, c0 = time.perf_counter(), time.process_time()
    rows = 0
    for rb, layout in Runner(pack, AS_OF, clauses=in_force(pack)).compact(source, outputs, batch):
        rows += rb.num_rows * len(layout)
    return {"seconds": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "results": rows}


def run_duckdb(pack_name: str, source: Path, batch: int) -> dict[str, Any]:
    from huiqi.population.runner import Runner

    pack, _ = load(pack_name)
    out = VAR / f"results-{pack_name}-{os.getpid()}.parquet"
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        stats = Runner(pack, AS_OF).run(source, out, batch, summarize=False)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        files = list(out.rglob("*")) if out.is_dir() else [out]   # compact: a folder
        size = sum(f.stat().st_size for f in files if f.is_file())
    finally:
        if out.is_dir():
            shutil.rmtree(out)
        else:
            out.unlink(missing_ok=True)
    return {"seconds": seconds, "cpu_s": cpu, "results": stats.results, "file_mb": size / 1e6}


def run_spark(pack_name: str, source: Path, n: int, clauses: int) -> dict[str, Any]:
    from huiqi.population import spark as S

    pack, _ = load(pack_name)
    chosen = in_force(pack)
    part = chosen[:clauses] if clauses else chosen
    t0 = time.perf_counter()
    session = S.session()
    start = time.perf_counter() - t0
    out = Path(tempfile.mkdtemp(prefix="huiqi-spark-bench-", dir=VAR))
    try:
        t0 = time.perf_counter()
        S.match_parquet(session, pack, AS_OF, source, out / "results", part)
        seconds = time.perf_counter() - t0
        jvm = _jvm_peak_mb()
        session.stop()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    scale = len(chosen) / len(part)
    note = "" if scale == 1 else f"{len(part)} of {len(chosen)} clauses, time × {scale:.1f}"
    return {"seconds": seconds * scale, "session_s": start, "jvm_peak_mb": jvm, "note": note}


def run_openfisca(pack_name: str, source: Path, batch: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench import kernels as K
    from bench import ofisca

    pack, rs = load(pack_name)
    pf = pq.ParquetFile(source)
    t0 = time.perf_counter()
    system = ofisca.build(rs, pf.read_row_group(0).slice(0, 64), AS_OF, pack.catalogue)
    build = time.perf_counter() - t0
    load_s = calc = 0.0
    t_all, c_all = time.perf_counter(), time.process_time()
    slices = 0
    for rb in pf.iter_batches(batch_size=batch):
        slices += 1
        t0 = time.perf_counter()
        fr = K.NumpyFrame(pa.Table.from_batches([rb]), AS_OF, rs.params, rs.values)
        sim = system.simulation(fr)
        t1 = time.perf_counter()
        system.run(sim)
        calc += time.perf_counter() - t1
        load_s += t1 - t0
        del sim, fr
        # A simulation's objects refer to one another (entities, holders, the simulation):
        # only the cycle collector frees them, and with few Python objects made it seldom
        # runs — left alone, each slice of 50,000 enterprises of the 1,000-clause pack kept
        # ~1.8 GB. Collected here, outside the timing: the slices are the benchmark's (one
        # simulation of the whole park would not fit), so is their cleaning — timed, it cost
        # OpenFisca 35% more on the seed pack (27.7 against 20.4 s at 2,000,000).
        g0, gc0 = time.perf_counter(), time.process_time()
        gc.collect()
        t_all += time.perf_counter() - g0
        c_all += time.process_time() - gc0
    return {"seconds": time.perf_counter() - t_all, "cpu_s": time.process_time() - c_all, "load_s": load_s,
            "calculate_s": calc, "build_s": build, "variables": len(system.tbs.variables), "slices": slices,
            "slice": batch}


def run_numpy(pack_name: str, source: Path, batch: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench import kernels as K

    _, rs = load(pack_name)
    pf = pq.ParquetFile(source)
    t_all, c_all = time.perf_counter(), time.process_time()
    compute = 0.0
    for rb in pf.iter_batches(batch_size=batch):
        t0 = time.perf_counter()
        K.evaluate(rs, K.NumpyFrame(pa.Table.from_batches([rb]), AS_OF, rs.params, rs.values))
        compute += time.perf_counter() - t0
    return {"seconds": time.perf_counter() - t_all, "cpu_s": time.process_time() - c_all, "compute_s": compute}


def run_reform(source: Path, batch: int) -> dict[str, Any]:
    from huiqi.population.reform import load_reform
    from huiqi.population.runner import Runner
    from huiqi.population.simulate import simulate

    pack, _ = load("big")
    reform = load_reform(VAR / "bigpack-reform.yaml", pack)
    work = Path(tempfile.mkdtemp(prefix="huiqi-reform-bench-", dir=VAR))
    try:
        base = work / "baseline.parquet"
        t0 = time.perf_counter()
        Runner(pack, AS_OF).run(source, base, batch, summarize=False)
        baseline = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = simulate(reform, source, AS_OF, work / "sim", baseline_results=base, batch_size=batch)
        reformed = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": reformed, "baseline_s": baseline, "affected": len(reform.affected),
            "gainers": rep.gainers, "losers": rep.losers, "cost_change": str(rep.cost_change)}


def child(args: argparse.Namespace) -> None:
    source = population(args.n)
    runs = {
        "engine": lambda: run_engine(args.pack, source, args.n, args.engine_sample),
        "duckdb-status": lambda: run_duckdb_compute(args.pack, source, args.batch, "status"),
        "duckdb-compute": lambda: run_duckdb_compute(args.pack, source, args.batch),
        "duckdb": lambda: run_duckdb(args.pack, source, args.batch),
        "spark": lambda: run_spark(args.pack, source, args.n, args.spark_clauses),
        "openfisca": lambda: run_openfisca(args.pack, source, args.of_batch),
        "numpy": lambda: run_numpy(args.pack, source, args.batch),
        "reform": lambda: run_reform(source, args.batch),
        "check": lambda: check(args.pack, source, args.check, args.spark_check),
    }
    if args.child not in runs:
        raise SystemExit(f"unknown engine {args.child}")
    out = runs[args.child]()
    out["peak_rss_mb"] = _peak_mb()
    print(json.dumps(out, default=str))


# ---------------------------------------------------------------------- the agreement check

Results = dict[tuple[str, str], tuple[str, Any]]


def engine_results(pack: Any, table: Any) -> Results:
    """(enterprise, clause) → (status, amount) by huiqi's one-enterprise engine."""
    from huiqi.engine.matcher import Matcher
    from huiqi.facts.columnar import table_to_enterprises

    out: Results = {}
    m = Matcher(pack, AS_OF)
    for e in table_to_enterprises(table, pack.catalogue):
        for c in m.match(e).clauses:
            out[(e.id, c.key)] = (c.status.value, c.amount)
    return out


def kernel_results(out: dict[str, tuple[Any, Any]], ids: list[str]) -> Results:
    """The same from the kernels' arrays (status codes; amounts in fen, -1 none)."""
    from decimal import Decimal

    from bench import kernels as K

    got: Results = {}
    for key, (status, amount) in out.items():
        for i, eid in enumerate(ids):
            a = int(amount[i])
            got[(eid, key)] = (K.STATUS_NAMES[int(status[i])], None if a < 0 else Decimal(a) / 100)
    return got


def check(pack_name: str, source: Path, size: int, spark_size: int) -> dict[str, Any]:
    """Statuses and amounts of every baseline against huiqi's engine on ``size`` enterprises."""
    from decimal import Decimal

    from bench import kernels as K
    from bench import ofisca
    from huiqi.population import duck

    pack, rs = load(pack_name)
    table = sample(source, size)
    expected = engine_results(pack, table)
    ids = table.column("id").to_pylist()

    def from_kernels(out: dict[str, tuple[Any, Any]]) -> dict[tuple[str, str], tuple[str, Decimal | None]]:
        return kernel_results(out, ids)

    def from_rows(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, Decimal | None]]:
        return {(r["enterprise_id"], r["clause"]): (r["status"], r["amount"]) for r in rows}

    def differ(got: dict[Any, Any], only: set[str] | None = None) -> int:
        keys = [k for k in expected if only is None or k[0] in only]
        return sum(1 for k in keys if got.get(k) != expected[k]) + sum(1 for k in got if k not in expected)

    frame = K.NumpyFrame(table, AS_OF, rs.params, rs.values)
    system = ofisca.build(rs, table.slice(0, 64), AS_OF, pack.catalogue)
    counts = {
        "numpy": differ(from_kernels(K.evaluate(rs, frame))),
        "openfisca": differ(from_kernels(system.run(system.simulation(
            K.NumpyFrame(table, AS_OF, rs.params, rs.values))))),
        "duckdb": differ(from_rows(duck.match_arrow(pack, AS_OF, table).to_pylist())),
    }
    spark_n = min(size, spark_size)
    if spark_n:
        from huiqi.population import spark as S

        session = S.session()
        rows: list[dict[str, Any]] = []
        small = table.slice(0, spark_n)
        from huiqi.population.wide import chunks

        frame_s = S._frame_from_arrow(session, small)
        for chunk in chunks(pack, in_force(pack)):
            rows += [r.asDict() for r in S.match_frame(session, pack, AS_OF, frame_s, clauses=chunk)
                     .select("enterprise_id", "clause", "status", "amount").collect()]
        session.stop()
        counts["spark"] = differ(from_rows(rows), set(ids[:spark_n]))
    statuses: dict[str, int] = {}
    for status, _ in expected.values():
        statuses[status] = statuses.get(status, 0) + 1
    return {"enterprises": len(ids), "results": len(expected), "spark_enterprises": spark_n,
            "differences": counts, "statuses": statuses}


# ---------------------------------------------------------------------- the parent

def spawn(kind: str, pack: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.match_all", "--child", kind, "--pack", pack, "--n", str(n),
           "--batch", str(args.batch), "--of-batch", str(args.of_batch), "--engine-sample",
           str(args.engine_sample), "--spark-clauses", str(args.spark_clauses if pack == "big" else 0),
           "--check", str(args.check), "--spark-check", str(args.spark_check)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {pack} {n}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure_all(kinds: list[str], pack: str, n: int, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Every engine ``--repeats`` times, interleaved (round 1 of each, then round 2 …), so that
    the machine's other load falls on all alike; each one's median."""
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for r in range(args.repeats):
        for kind in kinds:
            if r == 0 or kind not in args.once:
                runs[kind].append(spawn(kind, pack, n, args))
                print(f"  round {r + 1} {pack} {kind}: {runs[kind][-1]['seconds']:.1f} s", flush=True)
    return {kind: summarize(rs) for kind, rs in runs.items()}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[len(runs) // 2])
    out["seconds"] = statistics.median(r["seconds"] for r in runs)
    out["runs"] = [round(r["seconds"], 2) for r in runs]
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return out


def fmt_rate(x: float) -> str:
    return f"{x / 1e6:,.2f} M" if x >= 1e6 else f"{x / 1e3:,.1f} k"


def section(args: argparse.Namespace, machine: str, load_after: float, checks: dict[str, Any],
            results: dict[tuple[str, int], dict[str, dict[str, Any]]], reforms: dict[int, dict[str, Any]],
            clauses: dict[str, int], pops: dict[int, dict[str, Any]], command: str) -> str:
    lines = [f"\n## Population engines: every enterprise × every clause (`{command}`) — "
             f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: {machine} at the start, {load_after:.2f} at the end (the machine was shared; "
             "see the load averages)",
             f"- population: `huiqi generate -s {SEED} --as-of {AS_OF}`, made exact for OpenFisca's int32 "
             "storage (bench/population.py): money rounded to whole yuan and clipped to ±2,147,483,647 yuan, "
             "areas to whole m² — "
             + "; ".join(f"N = {n:,}: {p['rounded']:,} values rounded, {p['clipped']:,} clipped"
                         for n, p in sorted(pops.items())),
             f"- rules: the seed pack ({clauses['seed']} clauses in force on {AS_OF}) and a generated pack "
             f"of {clauses['big']} clauses (bench/bigpack.py), each also written as an OpenFisca system "
             "(bench/ofisca.py; inputs in int32 variables: money in whole yuan, ratios in basis points; "
             "records-derived inputs precomputed; a `__known` flag beside each input, since OpenFisca has no "
             "missing values) and as hand-written numpy (bench/kernels.py, bench/seedrules.py)",
             f"- each engine in a child process, {args.repeats} run(s) interleaved, the median time (all runs "
             "listed); "
             "peak RSS is the child's maximum resident set (for Spark, also the JVM's VmHWM); "
             "throughput = enterprises × clauses ÷ time; CPU: the timed part's user + system time "
             "(every thread of the child; the run listed as the median's), less disturbed by the machine's "
             "other load than the time",
             f"- DuckDB {__import__('duckdb').__version__} (2 threads), PySpark {_version('pyspark')} "
             f"(local[2], driver 2 GB), OpenFisca-Core {_version('openfisca-core')}, numpy "
             f"{_version('numpy')}; OpenFisca and numpy run on one core, DuckDB and Spark on two", ""]
    lines += ["Agreement with huiqi's engine before timing (statuses and amounts, the amounts after "
              "stacking, to the fen):", "",
              "| pack | enterprises | clause results | numpy | OpenFisca | DuckDB | Spark |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for pack, c in checks.items():
        d = c["differences"]
        spark = f"{d['spark']} differences (on {c['spark_enterprises']:,})" if "spark" in d else "—"
        lines.append(f"| {pack} | {c['enterprises']:,} | {c['results']:,} | {d['numpy']} differences | "
                     f"{d['openfisca']} differences | {d['duckdb']} differences | {spark} |")
    for (pack, n), res in sorted(results.items(), key=lambda kv: (kv[0][0] != "seed", kv[0][1])):
        evals = n * clauses[pack]
        of = res.get("openfisca", {}).get("seconds")
        npy = res.get("numpy", {}).get("seconds")
        lines += ["", f"**{pack} pack, N = {n:,} ({clauses[pack]} clauses, {evals:,} clause-evaluations)**", "",
                  "| engine | time (median) | runs | CPU | clause-evals/s | × OpenFisca | × numpy | peak RSS | notes |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---|"]
        for kind in ENGINES:
            r = res.get(kind)
            if r is None:
                continue
            s = r["seconds"]
            rss = f"{r['peak_rss_mb']:,.0f} MB"
            if r.get("jvm_peak_mb"):
                rss += f" + JVM {r['jvm_peak_mb']:,.0f} MB"
            notes = _notes(kind, r)
            cpu = f"{r['cpu_s']:,.1f} s" if "cpu_s" in r else "—"
            lines.append(f"| {kind} | {s:,.1f} s | {', '.join(map(str, r['runs']))} | {cpu} | {fmt_rate(evals / s)} | "
                         f"{(of / s if of else float('nan')):.2f} | {(npy / s if npy else float('nan')):.2f} | "
                         f"{rss} | {notes} |")
    if reforms:
        lines += ["", "Reform of the big pack (bench/bigpack.py `reform_yaml`: `money_min` doubled from the "
                  "evaluation date in 10 policies; `huiqi simulate`'s machinery, baseline results reused):", "",
                  "| N | affected clauses | baseline run | reform run | reform ÷ baseline | "
                  "(baseline + reform) ÷ baseline | peak RSS |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for n, r in sorted(reforms.items()):
            b = r["baseline_s"]
            lines.append(f"| {n:,} | {r['affected']} | {b:,.1f} s | {r['seconds']:,.1f} s | {r['seconds'] / b:.2f} | "
                         f"{(b + r['seconds']) / b:.2f} | {r['peak_rss_mb']:,.0f} MB |")
    return "\n".join(lines) + "\n"


def _notes(kind: str, r: dict[str, Any]) -> str:
    if kind == "openfisca":
        slices = (f"; {r['slices']:,} simulations of ≤ {r['slice']:,} enterprises, times summed "
                  "(the cycle collector run between them, untimed)" if r.get("slices", 1) > 1 else "")
        return (f"calculate {r['calculate_s']:,.1f} s, load inputs {r['load_s']:,.1f} s "
                f"({r['variables']:,} variables){slices}")
    if kind == "numpy":
        return f"evaluate {r['compute_s']:,.1f} s"
    if kind == "duckdb":
        return f"compact results {r['file_mb']:,.0f} MB"
    if kind in ("engine", "spark"):
        return str(r.get("note", "")) + (f"; session start {r['session_s']:.1f} s" if "session_s" in r else "")
    return ""


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.match_all", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--packs", nargs="+", default=["seed", "big"], choices=["seed", "big"])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--once", nargs="*", default=[], help="engines run once whatever --repeats")
    parser.add_argument("--batch", type=int, default=100_000, help="enterprises per batch (DuckDB, numpy)")
    parser.add_argument("--of-batch", type=int, default=50_000, help="enterprises per OpenFisca simulation")
    parser.add_argument("--engine-sample", type=int, default=2_000)
    parser.add_argument("--spark-clauses", type=int, default=100, help="big pack on Spark: first K clauses")
    parser.add_argument("--check", type=int, default=2_000, help="enterprises in the agreement check")
    parser.add_argument("--spark-check", type=int, default=200, help="of which checked on Spark too")
    parser.add_argument("--no-reform", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pack", default="seed", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return
    from bench.machine import describe, record
    from huiqi.rules.loader import load_pack

    machine = describe()
    pops = {}
    for n in args.sizes:
        population(n)
        pops[n] = json.loads((VAR / f"park-{n}.json").read_text())
    bigpack_dir()
    clauses = {"seed": len(in_force(load_pack(ROOT / "policies" / "seed"))),
               "big": len(in_force(load_pack(VAR / "bigpack")))}
    checks = {}
    for pack in args.packs:
        checks[pack] = spawn("check", pack, min(args.sizes), args)
        print(f"check {pack}: {checks[pack]['differences']}", flush=True)
        if any(checks[pack]["differences"].values()):
            raise SystemExit("the baselines do not give the same results as huiqi: nothing timed")
    results: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    reforms: dict[int, dict[str, Any]] = {}
    for n in args.sizes:
        for pack in args.packs:
            for kind, r in measure_all(args.engines, pack, n, args).items():
                results.setdefault((pack, n), {})[kind] = r
                evals = n * clauses[pack]
                print(f"{pack:>4} N={n:>9,} {kind:>14}: {r['seconds']:8.1f} s {fmt_rate(evals / r['seconds']):>9}/s "
                      f"peak {r['peak_rss_mb']:,.0f} MB {r.get('note', '')}", flush=True)
        if "big" in args.packs and not args.no_reform:
            reforms[n] = spawn("reform", "big", n, args)
            print(f"reform N={n:,}: {reforms[n]}", flush=True)
    command = "python -m bench.match_all " + " ".join(argv if argv is not None else sys.argv[1:])
    text = section(args, machine, os.getloadavg()[0], checks, results, reforms, clauses, pops, command.strip())
    print(text)
    if not args.no_record:
        record(text)


if __name__ == "__main__":
    main()
