"""Benchmark of importing a large CSV file: time and peak memory, in bounded memory.

    python -m bench.import_load [--rows 1000000] [--append]

Writes (once) var/bench/firms-<rows>.csv — valid credit codes, names, district and park,
industry, registration date and four yearly figures, some cells empty — then imports it
with ``huiqi import`` into a fresh SQLite database, in a child process whose peak
resident memory is measured; then imports the same file again (which changes nothing).
With ``--append`` the results are added to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

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


def child(csv_path: str, url: str) -> None:
    """Run in a fresh process: import the file, print the report and the time."""
    from huiqi.service import imports
    from huiqi.service.context import Platform
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    db.upgrade()
    ctx = Platform(db, Settings(database_url=url)).system()
    t = time.perf_counter()
    report = imports.run(ctx, Path(csv_path))
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "rows": report.rows, "created": report.entities_created,
                      "facts": report.facts_written, "changed": report.changed}))
    db.dispose()


def measure(csv_path: Path, url: str) -> dict[str, object]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-m", "bench.import_load", "--child", str(csv_path),
                          url], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = max(peak, before) / 1024  # ru_maxrss is in KiB on Linux
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--append", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("CSV", "URL"))
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    csv_path = ROOT / "var" / "bench" / f"firms-{args.rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        write_csv(csv_path, args.rows)
        print(f"wrote {csv_path} in {time.perf_counter() - t:.0f} s")
    db_path = ROOT / "var" / "bench" / f"import-{args.rows}.db"
    for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        p.unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    first = measure(csv_path, url)
    print("first import:", first)
    again = measure(csv_path, url)
    print("same file again:", again)
    if args.append:
        from bench.api_load import machine

        size = csv_path.stat().st_size / 2**20
        lines = [
            "", f"## Import: {args.rows:,}-row CSV ({dt.date.today().isoformat()})", "",
            f"- machine: {machine()}",
            f"- file: {size:,.0f} MiB, {len(HEADER)} columns (credit code, name, district, park, "
            "industry, registration date, four 2024 figures; one R&D cell in five empty)",
            "- `python -m bench.import_load`: the service's import (`huiqi import` without the "
            "progress bar) into a fresh SQLite file (WAL), in a child process; peak memory is "
            "the child's maximum resident set",
            "- design: a first streaming pass checks every row (nothing written), a second pass "
            f"writes batches of {5000:,} rows inside one transaction", "",
            "| run | rows | time | rows/s | entities created | facts written | peak RSS |",
            "|---|---|---|---|---|---|---|"]
        for name, r in (("first import", first), ("same file again (no change)", again)):
            secs = float(r["seconds"])  # type: ignore[arg-type]
            lines.append(f"| {name} | {r['rows']:,} | {secs:,.0f} s | {int(r['rows']) / secs:,.0f} "  # type: ignore[call-overload]
                         f"| {r['created']:,} | {r['facts']:,} | {float(r['peak_mb']):,.0f} MB |")  # type: ignore[arg-type]
        record("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HUIQI_ENV", "development")
    sys.exit(main())
