"""The simple-rules pack (bench/simplepack) and its baselines, side by side.

    .venv/bin/python -m bench.simplerules                     # N = 200,000, medians of 3
    .venv/bin/python -m bench.simplerules -n 20000 --repeats 1 --no-record   # a quick look

The pack is 25 threshold rules over last year's flat figures (revenue, staff, R&D
expense …), written in huiqi's language as an ordinary user would (fixed amounts, a share
with a cap, a few titles; no records, no dates). The same rules three more ways:

* ``handsql``: hand-written DuckDB SQL, what an SQL user would write — per condition a
  ``CASE`` (a year before registration: not met; missing: undetermined), per clause its
  status and amount (``round``/``floor`` of exact decimals), one row per enterprise;
* ``openfisca``: an OpenFisca system of the same rules (:mod:`bench.ofisca`);
* ``numpy``: the same rules as hand-written numpy kernels (:mod:`bench.kernels`).

All are first checked to give the same statuses and amounts to the fen as huiqi's
one-enterprise engine; then every engine runs ``--repeats`` times, interleaved (round 1
of each, then round 2 …) in this one process, and the medians are compared. huiqi runs

* ``huiqi-status``: statuses and amounts only (``Runner.compact``: the compact rows streamed
  into Arrow, nothing written; one runner kept for the whole benchmark, as a service keeps one
  per pack — its first round builds the SQL and the views);
* ``huiqi-full``: the same with failed conditions, gaps and missing facts;
* ``huiqi-e2e``: ``Runner.run`` end to end, Parquet in, the results out (the compact form,
  the default: :mod:`huiqi.population.results`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from bench import kernels as K
from bench.kernels import Amount, Frame, RClause, RuleSet

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = Path(__file__).resolve().parent / "simplepack"
AS_OF = dt.date(2023, 6, 30)
POLICY = "simple-thresholds"
UNIT_YUAN = {"yuan": 1, "ten_yuan": 10, "hundred_yuan": 100}

# (clause, [(fact of last year, op, threshold in yuan or units)], amount) — amount: None (a
# title), ("fixed", yuan) or ("share", percent, fact, cap in yuan, rounding unit, mode);
# the same rules as bench/simplepack/simple-thresholds.yaml
Cond = tuple[str, str, int]
RULES: list[tuple[str, list[Cond], tuple[Any, ...] | None]] = [
    ("revenue_20m", [("revenue", ">=", 20_000_000)], ("fixed", 100_000)),
    ("revenue_100m_profit", [("revenue", ">=", 100_000_000), ("net_profit", ">", 0)], ("fixed", 300_000)),
    ("staff_50", [("staff_total", ">=", 50)], ("fixed", 20_000)),
    ("small_firm", [("staff_total", "<=", 20), ("revenue", "<", 5_000_000)], ("fixed", 10_000)),
    ("rd_share", [("rd_expense", ">=", 1_000_000)], ("share", 10, "rd_expense", 500_000, "yuan", "half_up")),
    ("rd_big_share", [("rd_expense", ">=", 5_000_000)],
     ("share", 5, "rd_expense", 1_000_000, "hundred_yuan", "down")),
    ("rd_staff_10", [("rd_staff", ">=", 10)], None),
    ("ip_one", [("ip_class1", ">=", 1)], ("fixed", 50_000)),
    ("ip_five_rd", [("ip_class1", ">=", 5), ("rd_expense", ">=", 2_000_000)], ("fixed", 200_000)),
    ("high_tech_income", [("high_tech_product_income", ">=", 10_000_000)],
     ("share", 2, "high_tech_product_income", 300_000, "yuan", "half_up")),
    ("output_50m", [("industrial_output", ">=", 50_000_000)], ("fixed", 150_000)),
    ("output_500m", [("industrial_output", ">=", 500_000_000)], ("fixed", 500_000)),
    ("assets_100m", [("total_assets", ">=", 100_000_000)], None),
    ("profit_share", [("net_profit", ">=", 10_000_000)], ("share", 1, "net_profit", 200_000, "yuan", "half_up")),
    ("loss_relief", [("net_profit", "<", 0), ("staff_total", ">=", 10)], ("fixed", 30_000)),
    ("tax_share", [("tax_paid", ">=", 5_000_000)], ("share", 3, "tax_paid", 500_000, "ten_yuan", "half_up")),
    ("main_revenue_30m", [("main_business_revenue", ">=", 30_000_000)], ("fixed", 80_000)),
    ("st_staff_30", [("st_staff", ">=", 30)], ("fixed", 40_000)),
    ("low_debt", [("total_liabilities", "<=", 10_000_000), ("revenue", ">=", 10_000_000)], None),
    ("net_assets_50m", [("net_assets", ">=", 50_000_000)], ("fixed", 100_000)),
    ("rd_domestic_share", [("rd_expense_domestic", ">=", 3_000_000)],
     ("share", 8, "rd_expense_domestic", 400_000, "yuan", "down")),
    ("growing_small", [("revenue", ">=", 1_000_000), ("revenue", "<", 20_000_000)], ("fixed", 5_000)),
    ("ip_self_3", [("ip_class1_self_developed", ">=", 3)], ("fixed", 60_000)),
    ("staff_300", [("staff_total", ">=", 300)], ("fixed", 100_000)),
    ("costs_50m", [("total_cost_expense", ">=", 50_000_000)], None),
]


def load_pack() -> Any:
    from huiqi.rules.loader import load_pack as load

    return load(PACK_DIR)


@functools.cache
def the_pack() -> Any:
    """The pack, loaded once in this process (as a server or match-all keeps its packs)."""
    return load_pack()


# ---------------------------------------------------------------------- numpy / OpenFisca

def _cond(fact: str, op: str, value: int) -> K.Kernel:
    return lambda fr: K.num_cmp(K.year_num(fr, fact, -1), op, value)


def _amount(spec: tuple[Any, ...]) -> K.AmountKernel:
    if spec[0] == "fixed":
        yuan = spec[1]

        def fixed(fr: Frame) -> Amount:
            one = np.ones(fr.n, bool)
            return Amount(np.full(fr.n, yuan, np.int64), 1, one, ~one)
        return fixed
    _, pct, fact, cap, _, _ = spec

    def share(fr: Frame) -> Amount:
        x = K.year_num(fr, fact, -1)
        return K.capped(Amount(x.v * pct, 100, x.known, x.undef), cap)
    return share


def rules() -> RuleSet:
    """The pack as numpy kernels (OpenFisca runs the same kernels as formulas)."""
    clauses = []
    for cid, conds, amount in RULES:
        unit, mode = ("yuan", "half_up") if amount is None or amount[0] == "fixed" else (amount[4], amount[5])
        clauses.append(RClause(f"{POLICY}/{cid}", [(f"k{i}", _cond(*c)) for i, c in enumerate(conds)],
                               None if amount is None else _amount(amount), K.UNIT_FEN[unit], mode))
    return RuleSet(clauses)


# ---------------------------------------------------------------------- hand-written SQL

def hand_sql(source: str, fy: int = AS_OF.year) -> str:
    """The rules as an SQL user writes them: one row per enterprise, per clause its status
    (1 eligible, 0 not, 2 undetermined) and its amount in yuan (NULL unless eligible)."""
    last = fy - 1
    facts = sorted({f for _, conds, _ in RULES for f, _, _ in conds})
    cols = ", ".join(f'"{f}@{last}" AS {f}' for f in facts)
    base = (f"SELECT id, coalesce(year(registration_date) > {last}, FALSE) AS young, {cols} "
            f"FROM {source}")
    outs = ["id"]
    for cid, conds, amount in RULES:
        codes = [f"(CASE WHEN young THEN 0 WHEN {f} IS NULL THEN 2 WHEN {f} {op} {v} THEN 1 ELSE 0 END)"
                 for f, op, v in conds]
        if len(codes) == 1:
            status = codes[0]
        else:
            status = (f"(CASE WHEN {' OR '.join(f'{c} = 0' for c in codes)} THEN 0 "
                      f"WHEN {' OR '.join(f'{c} = 2' for c in codes)} THEN 2 ELSE 1 END)")
        outs.append(f"CAST({status} AS UTINYINT) AS s_{cid}")
        if amount is None:
            continue
        if amount[0] == "fixed":
            pay = f"{amount[1]}"
        else:
            _, pct, fact, cap, unit, mode = amount
            raw = f"least({fact} * {pct} / 100, {cap})"
            u = UNIT_YUAN[unit]
            pay = (f"round({raw} / {u}) * {u}" if mode == "half_up" else f"floor({raw} / {u}) * {u}")
        outs.append(f"CAST(CASE WHEN s_{cid} = 1 THEN {pay} END AS DECIMAL(18, 2)) AS a_{cid}")
    return f"WITH t AS ({base})\nSELECT {', '.join(outs)} FROM t"


def hand_results(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, Decimal | None]]:
    out = {}
    for r in rows:
        for cid, _, _ in RULES:
            out[(r["id"], f"{POLICY}/{cid}")] = (K.STATUS_NAMES[int(r[f"s_{cid}"])], r.get(f"a_{cid}"))
    return out


# ---------------------------------------------------------------------- the engines

def population(n: int) -> Path:
    from bench.match_all import population as make

    return make(n)


@functools.cache
def kept_runner() -> Any:
    """One runner for the whole benchmark, as a service keeps one per pack: its first run
    builds the SQL, the views over the input and the relations over them; the next runs over
    input of the same columns bind the kept relations again (DuckDB plans on every run)."""
    from huiqi.population.runner import Runner

    return Runner(the_pack(), AS_OF)


def run_huiqi(source: Path, outputs: str, batch: int) -> float:
    """``Runner.compact``: the compact rows of every chunk of clauses, streamed into Arrow
    (nothing written), on the kept runner."""
    runner = kept_runner()
    t0 = time.perf_counter()
    for _ in runner.compact(source, outputs, batch):
        pass
    return time.perf_counter() - t0


def run_e2e(source: Path, batch: int) -> float:
    from huiqi.population.runner import Runner

    work = Path(tempfile.mkdtemp(prefix="huiqi-simple-"))
    try:
        t0 = time.perf_counter()
        Runner(load_pack(), AS_OF).run(source, work / "results.parquet", batch, summarize=False)
        return time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_handsql(source: Path, batch: int) -> float:
    from huiqi.population import duck

    con = duck.connect()
    t0 = time.perf_counter()
    for _ in con.sql(hand_sql(f"read_parquet('{source.as_posix()}')")).to_arrow_reader(batch):
        pass
    return time.perf_counter() - t0


def needed(fy: int = AS_OF.year) -> list[str]:
    """The columns the rules read (the baselines read only these, as their users would)."""
    return ["id", "registration_date",
            *sorted({f"{f}@{fy - 1}" for _, conds, _ in RULES for f, _, _ in conds})]


def run_openfisca(source: Path, batch: int) -> float:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench import ofisca

    rs = rules()
    pf = pq.ParquetFile(source)
    t0 = time.perf_counter()
    system = ofisca.build(rs, pf.read_row_group(0).slice(0, 64), AS_OF, load_pack().catalogue)
    for rb in pf.iter_batches(batch_size=batch, columns=needed()):
        system.run(system.simulation(K.NumpyFrame(pa.Table.from_batches([rb]), AS_OF, rs.params, rs.values)))
    return time.perf_counter() - t0


def run_numpy(source: Path, batch: int) -> float:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rs = rules()
    pf = pq.ParquetFile(source)
    t0 = time.perf_counter()
    for rb in pf.iter_batches(batch_size=batch, columns=needed()):
        K.evaluate(rs, K.NumpyFrame(pa.Table.from_batches([rb]), AS_OF, rs.params, rs.values))
    return time.perf_counter() - t0


# ---------------------------------------------------------------------- the agreement check

def check(source: Path, size: int) -> dict[str, int]:
    """Differences in statuses and amounts (to the fen) of each baseline and of huiqi's
    DuckDB backend against huiqi's one-enterprise engine, on ``size`` enterprises."""
    from bench import ofisca
    from bench.match_all import Results, engine_results, kernel_results, sample
    from huiqi.population import duck

    pack = load_pack()
    rs = rules()
    table = sample(source, size)
    expected = engine_results(pack, table)
    ids = table.column("id").to_pylist()

    def from_kernels(out: dict[str, tuple[Any, Any]]) -> Results:
        return kernel_results(out, ids)

    def differ(got: dict[Any, Any]) -> int:
        return sum(1 for k in expected if got.get(k) != expected[k]) + sum(1 for k in got if k not in expected)

    con = duck.connect()
    con.register("sample", table)
    system = ofisca.build(rs, table.slice(0, 64), AS_OF, pack.catalogue)
    rows = duck.match_arrow(pack, AS_OF, table).to_pylist()
    return {
        "numpy": differ(from_kernels(K.evaluate(rs, K.NumpyFrame(table, AS_OF, rs.params, rs.values)))),
        "openfisca": differ(from_kernels(system.run(system.simulation(
            K.NumpyFrame(table, AS_OF, rs.params, rs.values))))),
        "handsql": differ(hand_results(con.sql(hand_sql("sample")).to_arrow_table().to_pylist())),
        "huiqi": differ({(r["enterprise_id"], r["clause"]): (r["status"], r["amount"]) for r in rows}),
        "results": len(expected),
        "eligible": sum(1 for s, _ in expected.values() if s == "eligible"),
        "undetermined": sum(1 for s, _ in expected.values() if s == "undetermined"),
    }


# ---------------------------------------------------------------------- planning

def empty_like(source: Path) -> Path:
    """A Parquet file of no row with ``source``'s columns (kept beside it)."""
    import pyarrow.parquet as pq

    path = source.with_name(source.stem + "-empty.parquet")
    if not path.exists():
        pq.write_table(pq.ParquetFile(source).schema_arrow.empty_table(), path)
    return path


def planning(runner: Any, source: Path, outputs: str, batch: int) -> dict[str, float]:
    """What a run costs beyond its rows, and a run: ``Runner.compact`` over a file of the same
    columns and no row (the source pointed at it, its choices checked, each chunk's query
    bound, optimised and started: everything but reading and matching rows), then over
    ``source``. On a kept runner, the first call builds the SQL and the views."""
    out = {}
    for name, path in (("plan", empty_like(source)), ("run", source)):
        t0 = time.perf_counter()
        for _ in runner.compact(path, outputs, batch):
            pass
        out[name] = time.perf_counter() - t0
    return out


def planning_section(n: int, repeats: int, batch: int, command: str) -> str:
    from bench.machine import describe
    from huiqi.population.runner import Runner
    from huiqi.rules.loader import load_pack as load

    source = population(n)
    packs = {"simple": load_pack(), "seed": load(ROOT / "policies" / "seed")}
    rows = []
    for name, pack in packs.items():
        for outputs in ("status", "all"):
            runner = Runner(pack, AS_OF)
            runs = [planning(runner, source, outputs, batch) for _ in range(repeats + 1)]
            first, kept = runs[0], runs[1:]
            med = {k: statistics.median(r[k] for r in kept) for k in kept[0]}
            rows.append(f"| {name} | {outputs} | {first['plan']:.3f} s | {med['plan']:.3f} s | "
                        f"{med['run']:.3f} s | {med['plan'] / med['run']:.1%} |")
    return "\n".join([
        f"\n## Planning's share of a match-all run (`{command}`) — {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "", f"- machine: {describe()}; load average at the end {os.getloadavg()[0]:.2f}",
        f"- N = {n:,}; `Runner.compact` (the compact rows of every chunk, streamed, nothing "
        "written) on one runner per pack and outputs, as a service keeps it: \"plan\" is a run over "
        "a file of the same columns and no row (the source view pointed at it, choices checked, "
        "each chunk's query bound, optimised and started), \"run\" a run over the park; the first "
        f"plan (SQL built, views made) is listed apart, then medians of {repeats}; share = plan ÷ run",
        "",
        "| pack | outputs | plan (first) | plan | run | share |",
        "|---|---|---:|---:|---:|---:|", *rows]) + "\n"


# ---------------------------------------------------------------------- the parent

ENGINES: dict[str, Callable[[Path, int], float]] = {
    "huiqi-status": lambda s, b: run_huiqi(s, "status", b),
    "huiqi-full": lambda s, b: run_huiqi(s, "all", b),
    "huiqi-e2e": run_e2e,
    "handsql": run_handsql,
    "openfisca": lambda s, b: run_openfisca(s, min(b, 50_000)),
    "numpy": run_numpy,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.simplerules", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--check", type=int, default=2_000)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--planning", action="store_true", help="measure planning's share instead")
    args = parser.parse_args(argv)
    from bench.machine import describe, record

    command = "python -m bench.simplerules " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.planning:
        text = planning_section(args.n, args.repeats, args.batch, command.strip())
        print(text)
        if not args.no_record:
            record(text)
        return

    machine = describe()
    source = population(args.n)
    diffs = check(source, args.check)
    print(f"check: {diffs}", flush=True)
    if any(diffs[k] for k in ("numpy", "openfisca", "handsql", "huiqi")):
        raise SystemExit("the baselines do not give the same results as huiqi: nothing timed")
    times: dict[str, list[float]] = {k: [] for k in args.engines}
    for r in range(args.repeats):
        for kind in args.engines:
            s = ENGINES[kind](source, args.batch)
            times[kind].append(s)
            print(f"round {r + 1} {kind:>13}: {s:7.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    text = section(args, machine, os.getloadavg(), diffs, times, med, command.strip())
    print(text)
    if not args.no_record:
        record(text)


def section(args: argparse.Namespace, machine: str, load: tuple[float, float, float], diffs: dict[str, int],
            times: dict[str, list[float]], med: dict[str, float], command: str) -> str:
    n = args.n
    evals = n * len(RULES)
    lines = [f"\n## Simple-rules pack: huiqi against hand SQL, OpenFisca, numpy (`{command}`) — "
             f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: {machine}; load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
             f"- rules: bench/simplepack ({len(RULES)} threshold rules over last year's flat figures); "
             f"population: bench/population.py, N = {n:,}, {evals:,} clause-evaluations",
             f"- agreement before timing, on {args.check:,} enterprises ({diffs['results']:,} results, "
             f"{diffs['eligible']:,} eligible, {diffs['undetermined']:,} undetermined): differences in "
             f"statuses and amounts to the fen — numpy {diffs['numpy']}, OpenFisca {diffs['openfisca']}, "
             f"hand SQL {diffs['handsql']}, huiqi DuckDB {diffs['huiqi']}",
             f"- {args.repeats} rounds, engines interleaved in one process; DuckDB on 2 threads, "
             "OpenFisca and numpy on one core (reading only the columns the rules use); medians", "",
             "| engine | median | runs | × hand SQL | × OpenFisca | × numpy |", "|---|---:|---|---:|---:|---:|"]
    for kind, s in med.items():
        def ratio(base: str, s: float = s) -> str:
            return f"{med[base] / s:.2f}" if base in med else "—"
        lines.append(f"| {kind} | {s:.2f} s | {', '.join(f'{x:.2f}' for x in times[kind])} | "
                     f"{ratio('handsql')} | {ratio('openfisca')} | {ratio('numpy')} |")
    if "huiqi-status" in med and "huiqi-full" in med:
        lines += ["", f"With failed conditions, gaps and missing facts: {med['huiqi-full'] / med['huiqi-status']:.2f}× "
                  "the time of statuses and amounts alone."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
