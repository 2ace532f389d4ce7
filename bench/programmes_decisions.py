"""Grant decisions under concurrency: ``reviews.select_one`` (the amount from the clause,
the budget and the quota taken by one conditional UPDATE) on N applications in review, from
1, 8 and 50 threads at once, on SQLite (WAL, one writer at a time) and PostgreSQL (row lock,
condition re-checked). The budget fits half of them: the other half are refused (409).

    python -m bench.programmes_decisions [--applications 100] [--append]

With ``--append`` the results are added to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

from huiqi.errors import Conflict
from huiqi.facts.credit_code import make
from huiqi.packs.files import read_folder
from huiqi.programmes import applications as A
from huiqi.programmes import calls, reviews
from huiqi.programmes.schemas import ProgrammeCreate
from huiqi.service import enterprises, policies
from huiqi.service.context import Actor, Platform
from huiqi.service.permissions import Role
from huiqi.service.schemas import EnterpriseCreate, FactSet, FactsUpdate
from huiqi.settings import Settings
from huiqi.store.database import Database, make_engine

from .machine import describe, record

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("HUIQI_TEST_POSTGRESQL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2025, 6, 3, 2, 0, tzinfo=dt.UTC)


def _platform(url: str, args: dict[str, str] | None = None) -> Platform:
    engine = make_engine(url, connect_args=args or {})
    db = Database(engine)
    db.upgrade()
    settings = Settings(env="test", secret_key="bench-" + "k3y9" * 8, as_of=None)
    return Platform(db, settings, clock=lambda: NOW)


def _prepare(platform: Platform, n: int, key: str) -> list[int]:
    ctx = platform.system()
    if key == "t1":
        v = policies.upload(ctx, "seed", read_folder(ROOT / "policies" / "seed"))
        policies.publish(ctx, "seed", v.number)
    calls.create(ctx, ProgrammeCreate(
        key=key, title_zh=key, title_en=key, pack="seed", clause="nbgx-ip/ip_mgmt_cert",
        mode="universal", year=2025, opens_on=dt.date(2025, 5, 1), closes_on=dt.date(2025, 6, 30),
        budget=str(20000 * n // 2)))
    officer = platform.as_actor(Actor(username="bench_officer", role=Role.CASE_OFFICER))
    ids = []
    for i in range(n):
        code = make("9", "1", "330201", f"{key.upper()[:2]}{i:06d}")
        enterprises.create(ctx, EnterpriseCreate(credit_code=code, name=f"宁波{key}{i}号", kind="enterprise",
                                                 park="宁波高新区", since=dt.date(2015, 1, 1)))
        enterprises.set_facts(ctx, code, FactsUpdate(items=[FactSet(fact="honours", value=[
            {"kind": "ip_mgmt_standard", "level": "national", "date": "2024-10-01"}])]))
        with platform.db.read() as s:
            eid = s.execute(text("SELECT id FROM entity WHERE credit_code = :c"), {"c": code}).scalar_one()
        me = platform.as_actor(Actor(username="bench_firm", role=Role.ENTERPRISE, entity_id=eid,
                                     entity_code=code))
        app = A.start(me, key, code)
        A.move(me, app.id, "submit")
        A.move(officer, app.id, "pass")
        ids.append(app.id)
    return ids


def _run(platform: Platform, ids: list[int], threads: int) -> tuple[float, int, int]:
    officer = platform.as_actor(Actor(username="bench_officer", role=Role.CASE_OFFICER))
    queue = list(ids)
    lock = threading.Lock()
    ok = refused = 0
    start = threading.Barrier(threads)

    def work() -> None:
        nonlocal ok, refused
        start.wait()
        while True:
            with lock:
                if not queue:
                    return
                i = queue.pop()
            try:
                reviews.select_one(officer, i)
                with lock:
                    ok += 1
            except Conflict:
                with lock:
                    refused += 1

    ts = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - t0, ok, refused


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=100)
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args(argv)
    n = args.applications
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_prog_{secrets.token_hex(3)}"
        admin = make_engine(PG)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            for name, platform in (("SQLite", _platform(f"sqlite:///{tmp}/b.db")),
                                   ("PostgreSQL", _platform(PG, {"options": f"-csearch_path={schema}"}))):
                for threads in (1, 8, 50):
                    key = f"t{threads}"
                    ids = _prepare(platform, n, key)
                    wall, ok, refused = _run(platform, ids, threads)
                    rows.append((name, threads, n, wall, ok, refused))
                    print(f"{name:10} {threads:3} threads: {n} decisions in {wall:.2f} s "
                          f"({n / wall:.0f}/s), {ok} granted, {refused} refused")
                platform.db.dispose()
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    if args.append:
        out = [f"\n## Programmes: concurrent grant decisions (`python -m bench.programmes_decisions "
               f"--applications {n}`) — {dt.date.today().isoformat()}\n\n",
               f"Machine: {describe()}.\n\n",
               "Each decision: the clause matched by the engine (the amount), one conditional UPDATE "
               "of the programme's committed total and award count, the state change, its audit entry "
               "and domain event, in one transaction. The budget fits half the applications.\n\n",
               "| database | threads | decisions | wall time | decisions/s | granted | refused (409) |\n",
               "|---|---:|---:|---:|---:|---:|---:|\n"]
        out += [f"| {d} | {t} | {k} | {w:.2f} s | {k / w:.0f} | {o} | {r} |\n" for d, t, k, w, o, r in rows]
        record("".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
