"""Benchmark of importing a large CSV file: time and peak memory, in bounded memory.

    python -m bench.import_load [--rows 1000000] [--repeat 3] [--database postgresql]
        [--pg-database huiqi_bench_import] [--append]

Writes (once) var/bench/firms-<rows>.csv — valid credit codes, names, district and park,
industry, registration date and four yearly figures, some cells empty — then imports it
with ``huiqi import`` into a fresh SQLite database, in a child process whose peak
resident memory is measured; then imports the same file again (which changes nothing).
With ``--append`` the results are added to bench/RESULTS.md (without it, nothing is
recorded: the numbers are printed). The CPU time is the child's, all its threads; on SQLite
the file is read and checked in a thread beside the one that writes, whose CPU time is
shown apart (the wall time of an unloaded machine is about the larger of the two).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.machine import record

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DISTRICTS = [("370212", "崂山区", "青岛高新区"), ("330201", "鄞州区", "宁波高新区"),
             ("350206", "湖里区", "厦门火炬高新区"), ("530102", "五华区", "昆明高新区"),
             ("450300", "七星区", "桂林高新区"), ("210204", "沙河口区", "大连高新区")]
INDUSTRIES = ["new_materials", "integrated_circuits", "software_it", "biomedicine",
              "energy_storage", "high_end_equipment", "other"]
HEADER = ["id", "name", "district", "park", "industry", "registration_date", "revenue@2024",
          "rd_expense@2024", "staff_total@2024", "tax_paid@2024"]


def org8(i: int) -> str:
    out = ""
    for _ in range(8):
        i, r = divmod(i, 31)
        out = ALPHABET[r] + out
    return out


def write_csv(path: Path, rows: int) -> None:
    from huiqi.facts.credit_code import make

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            division, district, park = DISTRICTS[i % len(DISTRICTS)]
            revenue = 1_000_000 + (i * 7919) % 500_000_000
            w.writerow([make("9", "1", division, org8(i + 31**6)), f"测试企业{i:07d}有限公司",
                        district, park, INDUSTRIES[i % len(INDUSTRIES)],
                        dt.date(2000 + i % 25, 1 + i % 12, 1 + i % 28).isoformat(),
                        f"{revenue}.{i % 100:02d}", "" if i % 5 == 0 else str(revenue // 20),
                        str(5 + i % 400), str(revenue // 30)])
    tmp.rename(path)


def child(csv_path: str, url: str, baseline: str | None = None) -> None:
    """Run in a fresh process: import the file, print the report and the time (with
    ``baseline``, a file of registry/imports.py as it was, by that code, with the bulk.py
    of the same commit beside it if there is one)."""
    from huiqi.service import imports

    if baseline:
        import importlib.util

        bulk = Path(baseline).with_name(Path(baseline).name.replace("imports-", "bulk-"))
        if bulk.exists():  # (its bulk writer too, in place of this commit's)
            spec = importlib.util.spec_from_file_location("huiqi.registry.bulk", bulk)
            assert spec is not None and spec.loader is not None
            sys.modules[spec.name] = old_bulk = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(old_bulk)
        spec = importlib.util.spec_from_file_location("huiqi.registry.baseline_imports",
                                                      baseline)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # (its dataclasses look their module up)
        spec.loader.exec_module(module)
        imports.import_file = module.import_file  # type: ignore[attr-defined]
    from huiqi.service.context import Platform
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    db.upgrade()
    ctx = Platform(db, Settings(database_url=url)).system()
    server = _server_cpu(db)
    t, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
    report = imports.run(ctx, Path(csv_path))
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    main = time.thread_time() - main  # (the writing thread; the file is read beside)
    after = _server_cpu(db)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "main_cpu": main, "rows": report.rows,
                      "server_cpu": None if after is None else sum(
                          v - (server or {}).get(k, 0.0) for k, v in after.items()),
                      "created": report.entities_created, "facts": report.facts_written,
                      "changed": report.changed,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    db.dispose()


def _server_cpu(db: Any) -> dict[int, float] | None:
    """The CPU time (s) of each PostgreSQL server process of this database, read from
    /proc (the server runs on this machine), by process id; None on SQLite or when
    /proc cannot say."""
    from sqlalchemy import text

    if db.dialect != "postgresql":
        return None
    with db.rows() as conn:
        pids = list(conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars())
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return out


def measure(csv_path: Path, url: str, baseline: Path | None = None) -> dict[str, object]:
    """One import in a child process: its time, CPU time (this process's, not the
    database server's), peak memory, and the load average before and after."""
    load = os.getloadavg()[0]
    extra = ["--baseline-file", str(baseline)] if baseline else []
    out = subprocess.run([sys.executable, "-m", "bench.import_load", "--child", str(csv_path),
                          url, *extra], check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])  # peak: the child's
    result["load"] = (load, os.getloadavg()[0])
    return result


def fresh_database(kind: str, rows: int, name: str = "huiqi_bench_import") -> str:
    """The URL of an empty database: a new SQLite file, or a PostgreSQL database ``name``
    created again on the server of ``HUIQI_BENCH_PG`` (default: the tests' server)."""
    if kind == "sqlite":
        db_path = ROOT / "var" / "bench" / f"import-{rows}.db"
        for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            p.unlink(missing_ok=True)
        return f"sqlite:///{db_path}"
    from sqlalchemy import create_engine, text

    server = os.environ.get("HUIQI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def _lock_after() -> int:
    from huiqi.settings import Settings

    return Settings().import_lock_after_rows


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(float(r[key]) for r in runs))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--lock-after", type=int, default=50_000,
                    help="PostgreSQL: HUIQI_IMPORT_LOCK_AFTER_ROWS for the imports (0: checked "
                    "row by row, the default setting)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each (medians reported)")
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--append", action="store_true")
    ap.add_argument("--pg-database", default="huiqi_bench_import", metavar="NAME",
                    help="the PostgreSQL database dropped and created for each run")
    ap.add_argument("--baseline", metavar="COMMIT",
                    help="also run registry/imports.py (and bulk.py) of this commit, "
                    "interleaved")
    ap.add_argument("--child", nargs=2, metavar=("CSV", "URL"))
    ap.add_argument("--baseline-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:   # (the setting from the parent's environment)
        child(args.child[0], args.child[1], args.baseline_file)
        return 0
    # the children read the setting (the platform's one way in for configuration)
    os.environ["HUIQI_IMPORT_LOCK_AFTER_ROWS"] = str(args.lock_after)
    csv_path = ROOT / "var" / "bench" / f"firms-{args.rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        write_csv(csv_path, args.rows)
        print(f"wrote {csv_path} in {time.perf_counter() - t:.0f} s")
    codes: list[tuple[str, Path | None]] = [("", None)]
    if args.baseline:
        old = ROOT / "var" / "bench" / f"imports-{args.baseline}.py"
        for name, path in (("imports", old),
                           ("bulk", old.with_name(f"bulk-{args.baseline}.py"))):
            shown = subprocess.run(
                ["git", "show", f"{args.baseline}:src/huiqi/registry/{name}.py"],
                check=False, capture_output=True, cwd=ROOT)
            if shown.returncode == 0:  # (registry/bulk.py exists since the bulk writer)
                path.write_bytes(shown.stdout)
        codes = [(f"{args.baseline}: ", old), ("this commit: ", None)]
    runs: dict[str, list[dict[str, Any]]] = {
        f"{label}{name}": [] for label, _ in codes
        for name in ("first import", "same file again (no change)")}
    for _ in range(args.repeat):
        for label, code in codes:  # interleaved: each under the same load
            url = fresh_database(args.database, args.rows, args.pg_database)
            for name in ("first import", "same file again (no change)"):
                runs[f"{label}{name}"].append(measure(csv_path, url, code))
                print(f"{label}{name}:", runs[f"{label}{name}"][-1], flush=True)
    if args.append:
        record(_section(args, csv_path, runs))
    return 0


def _section(args: argparse.Namespace, csv_path: Path,
             runs: dict[str, list[dict[str, Any]]]) -> str:
    from bench.api_load import machine

    size = csv_path.stat().st_size / 2**20
    loads = [x for rs in runs.values() for r in rs for x in r["load"]]
    where = "a fresh SQLite file (WAL)" if args.database == "sqlite" else \
        "a fresh PostgreSQL 15 database on the same machine (its server's CPU time in a " \
        "column of its own, not in the CPU time)"
    lines = [
        "", f"## Import: {args.rows:,}-row CSV, {args.database} ({dt.date.today().isoformat()})",
        "", f"- machine: {machine()}; load average (1 min) {min(loads):.1f}–{max(loads):.1f} "
        "during the runs: the 2 cores are shared with other work, so the wall time is "
        "longer than the CPU time the import used",
        f"- file: {size:,.0f} MiB, {len(HEADER)} columns (credit code, name, district, park, "
        "industry, registration date, four 2024 figures; one R&D cell in five empty)",
        f"- `python -m bench.import_load --rows {args.rows} --repeat {args.repeat} --database "
        f"{args.database}" + (f" --baseline {args.baseline}" if args.baseline else "") +
        "`: the service's import (`huiqi import` without the progress bar) into "
        f"{where}, in a child process; peak memory is the child's maximum resident set; "
        f"medians of {args.repeat} run(s), each on a new database",
        "- design: one streaming pass in one transaction: each row checked, and written in "
        "batches of 5,000 while no row has failed; a bad row rolls everything back; a "
        "batch is checked column by column and written set by set in SQL through a "
        "temporary table (filled by COPY on PostgreSQL; existing entities compared with "
        "their facts in SQL), the file read and checked in a second thread; the server's "
        "CPU time is that of the PostgreSQL processes of the benchmark's database (read "
        "from /proc), not the server's background writers" + (
            "; on PostgreSQL, past HUIQI_IMPORT_LOCK_AFTER_ROWS rows "
            f"({_lock_after():,}; the benchmark signs in as the tables' owner) the foreign "
            "keys of facts, places and changes are dropped in the import's transaction and "
            "added back before it commits, one check per key, and the secondary indexes of "
            "the tables empty when it began dropped and built once at its end"
            if args.database == "postgresql" and _lock_after() > 0 else
            "; on PostgreSQL, HUIQI_IMPORT_LOCK_AFTER_ROWS 0 (the default setting): every row's "
            "foreign keys checked by the server as it is written, the indexes kept up row by row"
            if args.database == "postgresql" else "") + (
            f" (the rows “{args.baseline}:” ran registry/imports.py and bulk.py of that commit, "
            "interleaved with this commit's runs)" if args.baseline else ""), "",
        "| run | rows | time | CPU time | of it, writing thread | server CPU time | rows/s "
        "| entities created | facts written | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|"]
    for name, rs in runs.items():
        secs, cpu = _median(rs, "seconds"), _median(rs, "cpu")
        r = rs[0]
        main = _median(rs, "main_cpu") if all("main_cpu" in x for x in rs) else float("nan")
        server = f"{_median(rs, 'server_cpu'):,.1f} s" if all(
            x.get("server_cpu") is not None for x in rs) else "—"
        lines.append(f"| {name} | {r['rows']:,} | {secs:,.0f} s | {cpu:,.1f} s | {main:,.1f} s | "
                     f"{server} | "
                     f"{int(r['rows']) / secs:,.0f} | {r['created']:,} | {r['facts']:,} | "
                     f"{_median(rs, 'peak_mb'):,.0f} MB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("HUIQI_ENV", "development")
    sys.exit(main())
