"""The composite evaluation at scale: the Monte Carlo of rank stability (10,000 draws ×
169 parks × 40 indicators by default), the sensitivity and the what-if, timed.

    python -m bench.analytics [--draws 10000] [--parks 169] [--repeats 3] [--no-record]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import resource
import statistics
import subprocess
import time

import numpy as np

from huiqi.analytics import framework as F
from huiqi.analytics import sample
from huiqi.analytics.uncertainty import monte_carlo, what_if

from .machine import describe, record


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--parks", type=int, default=169)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--registry", type=int, default=0,
                    help="instead: time the registry indicators over this many generated "
                         "enterprises (SQLite file, all years)")
    a = ap.parse_args()
    if a.registry:
        registry(a.registry, a.repeats, not a.no_record)
        return
    fw = F.get("gxq-2021")
    parks = sample.generate(fw, n=a.parks, years=(2025,))
    x = parks.values[2025]
    times, sens_times, group_times, whatif_times = [], [], [], []
    stability = None
    for r in range(a.repeats):
        t0 = time.perf_counter()
        stability = monte_carlo(fw, x, parks.names, draws=a.draws, seed=r)
        times.append(time.perf_counter() - t0)
        # interleaved: the sensitivity without the indicators' weights (as before they
        # were measured), then with them
        t0 = time.perf_counter()
        dataclasses.replace(stability, indicator_weights=None).sensitivity()
        group_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stability.interval()
        stability.sensitivity()
        sens_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        what_if(fw, x, parks.names, sample.HOME)
        whatif_times.append(time.perf_counter() - t0)
    assert stability is not None
    home = parks.names.index(sample.HOME)
    lo, hi, _ = stability.interval()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    evaluations = a.draws * a.parks * len(fw.indicators)
    med = statistics.median(times)

    def runs(ts: list[float]) -> str:
        return ", ".join(f"{t:.2f}" for t in ts)

    n_ind, n_grp = len(fw.indicators), len(fw.groups)
    cmd = f"python -m bench.analytics --draws {a.draws} --parks {a.parks}"
    rows = [
        (f"Monte Carlo, {a.draws:,} draws × {a.parks} parks × {n_ind} indicators", times),
        ("sensitivity over the group weights only (the scope before; same code)", group_times),
        (f"intervals + sensitivity with the {n_ind} indicator weights (all parks)", sens_times),
        ("what-if for one park (bisection, full recomputation per step)", whatif_times),
    ]
    table = "\n".join(f"| {name} | {statistics.median(ts):.2f} s | {runs(ts)} |"
                      for name, ts in rows)
    xiamen = (f"Xiamen (nominal rank {int(stability.nominal[home])}): median "
              f"{stability.median()[home]:.0f}, 90 % interval {lo[home]:.0f}–{hi[home]:.0f}.")
    text = f"""
## Composite evaluation: Monte Carlo of rank stability (`{cmd}`) — {dt.date.today()}, {commit}

Machine: {describe()}; numpy {np.__version__}. Framework gxq-2021 ({n_ind} indicators in {n_grp}
groups), generated parks (huiqi.analytics.sample, 3 % of values missing). Each draw: every weight
within its range, one of 4 normalisations × 2 aggregations × 3 treatments of missing data; draws
grouped by their discrete choices and computed in batches of 512. Median of {a.repeats} runs.

| step | median | runs (s) |
|---|---:|---|
{table}

{evaluations / med / 1e6:.0f} million indicator values aggregated per second; peak RSS {peak:.0f} MB.
{xiamen}
"""
    print(text)
    if not a.no_record:
        record(text)


def registry(n: int, repeats: int, keep: bool) -> None:
    """The home park's registry indicators (DuckDB over the facts in force) over ``n``
    generated enterprises in a SQLite database."""
    import tempfile
    from pathlib import Path

    from huiqi import generator
    from huiqi.analytics import indicators
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.registry.imports import import_enterprises
    from huiqi.store.database import Database

    day = dt.date(2026, 3, 1)
    cat = default_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.connect(f"sqlite:///{Path(tmp) / 'r.db'}")
        db.upgrade()
        t0 = time.perf_counter()
        import_enterprises(db, cat, generator.enterprises(n, 42, day, cat), by="bench",
                           at=dt.datetime.now(dt.UTC), source="generator", display="bench",
                           batch_rows=2000)
        load = time.perf_counter() - t0
        with db.read() as s:
            from sqlalchemy import func, select

            from huiqi.store.models import Entity, FactValue
            firms = s.scalar(select(func.count()).select_from(Entity)
                             .where(Entity.park == sample.HOME)) or 0
            facts = s.scalar(select(func.count()).select_from(FactValue)) or 0
        times = []
        values = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            with db.read() as s:
                values = indicators.compute(s, sample.HOME, [2023, 2024, 2025])
            times.append(time.perf_counter() - t0)
        db.dispose()
    shown = [v for v in values if v.year == 2025][:4]
    med = statistics.median(times)
    text = f"""
## Registry indicators of a park (`python -m bench.analytics --registry {n}`) — {dt.date.today()}

Machine: {describe()}; SQLite file. {n:,} generated enterprises ({facts:,} fact rows, loaded in
{load:.0f} s), {firms:,} of them in {sample.HOME}; {len(indicators.DEFINITIONS)} indicators × 3 years:
the facts in force read from the database, then computed with DuckDB. Median of {repeats} runs:
**{med:.2f} s** ({", ".join(f"{t:.2f}" for t in times)}). For example (2025): {"; ".join(
        f"{v.key} = {'missing' if v.value is None else f'{v.value:.2f}'} ({v.enterprises} firms)"
        for v in shown)}.
"""
    print(text)
    if keep:
        record(text)


if __name__ == "__main__":
    main()
