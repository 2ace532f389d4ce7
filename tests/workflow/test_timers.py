"""Timers in the database: fired once, when due, by whichever worker claims them; a failing
handler leaves no trace but the attempt; a worker killed half-way loses none and fires none
twice; two workers on PostgreSQL never fire one timer twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.service.context import Context, Platform
from huiqi.store.database import Database
from huiqi.workflow import timers as T
from huiqi.workflow.events import Subject, emit
from huiqi.workflow.models import DomainEvent
from service_fixtures import Backend, Clock, drop_backend, make_settings, new_backend

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _probes(db: Database) -> Counter[str]:
    with db.read() as s:
        return Counter(s.scalars(select(DomainEvent.subject_id).where(
            DomainEvent.kind == T.PROBE)))


def test_a_timer_fires_once_when_due(platform: Platform, clock: Clock, db: Database) -> None:
    clock.now = NOW
    with db.write() as s:
        T.schedule(s, T.PROBE, NOW + dt.timedelta(hours=1), Subject("t", 1), now=NOW)
        T.schedule(s, T.PROBE, NOW - dt.timedelta(minutes=1), Subject("t", 2), now=NOW)
        assert T.schedule(s, T.PROBE, NOW, Subject("t", 2), key="once", now=NOW) is not None
        assert T.schedule(s, T.PROBE, NOW, Subject("t", 2), key="once", now=NOW) is None
    assert T.run_due(platform) == 2
    assert _probes(db) == Counter({"2": 2})
    assert T.run_due(platform) == 0
    clock.advance(hours=2)
    assert T.run_due(platform) == 1
    assert _probes(db) == Counter({"2": 2, "1": 1})
    with db.read() as s:
        assert all(t.fired_at is not None for t in s.scalars(select(T.Timer)))


def test_a_cancelled_timer_does_not_fire(platform: Platform, clock: Clock, db: Database) -> None:
    clock.now = NOW
    with db.write() as s:
        T.schedule(s, T.PROBE, NOW, Subject("t", 1), now=NOW)
        T.schedule(s, T.PROBE, NOW, Subject("t", 2), now=NOW)
        assert T.cancel(s, Subject("t", 1), now=NOW) == 1
        assert [t.subject_id for t in T.pending(s, Subject("t", 2))] == ["2"]
    assert T.run_due(platform) == 1
    assert _probes(db) == Counter({"2": 1})


def test_a_failing_handler_is_rolled_back_and_tried_again_later(
        platform: Platform, clock: Clock, db: Database) -> None:
    clock.now = NOW
    calls: list[int] = []

    def flaky(s: Session, ctx: Context, timer: T.Timer) -> None:
        calls.append(timer.id)
        emit(s, ctx, "flaky.tried", timer.subject)  # rolled back with the failure
        raise RuntimeError("the mail server is down")

    with db.write() as s:
        T.schedule(s, "flaky", NOW, Subject("t", 1), now=NOW)
    known = {"flaky": flaky}
    for attempt in range(T.MAX_ATTEMPTS):
        assert T.run_due(platform, known=known) == 1
        assert T.run_due(platform, known=known) == 0  # not again before its back-off
        clock.advance(minutes=2 ** attempt)
    assert len(calls) == T.MAX_ATTEMPTS
    assert T.run_due(platform, known=known) == 0  # failed for good: a person looks at it
    with db.read() as s:
        timer = s.scalars(select(T.Timer)).one()
        tried = s.scalar(select(func.count()).where(DomainEvent.kind == "flaky.tried"))
    assert (timer.attempts, timer.fired_at, tried) == (T.MAX_ATTEMPTS, None, 0)
    assert timer.failed_at is not None and "mail server" in (timer.last_error or "")


def test_a_timer_of_an_unknown_kind_fails_without_firing(platform: Platform, clock: Clock,
                                                         db: Database) -> None:
    clock.now = NOW
    with db.write() as s:
        T.schedule(s, "nobody.handles", NOW, Subject("t", 1), now=NOW)
    assert T.run_due(platform) == 1
    with db.read() as s:
        timer = s.scalars(select(T.Timer)).one()
    assert timer.fired_at is None and timer.attempts == 1
    assert "no handler" in (timer.last_error or "")


# ------------------------------------------------------------- real workers, real processes

@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Backend, str]]:
    """A migrated database other processes can open too, and its URL for them."""
    b = new_backend(request.param, tmp_path, "timers")
    Database(b.engine).upgrade()
    url = f"sqlite:///{tmp_path / 'timers.db'}"
    if b.name == "postgresql":
        schema = b.connect_args["options"].split("=", 1)[1]
        url = f"{b.url}?options=-csearch_path%3D{schema}"
    yield b, url
    drop_backend(b)


def _timers(db: Database, n: int, hold: float = 0.0) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with db.write() as s:
        for i in range(n):
            T.schedule(s, T.PROBE, now, Subject("probe", i), {"hold": hold}, now=now)


def _worker(url: str, tmp: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HUIQI_DATABASE_URL": url, "HUIQI_WORKER_POLL_SECONDS": "0.2",
           "HUIQI_ENV": "development"}
    env.pop("HUIQI_MIGRATION_DATABASE_URL", None)
    with open(tmp / "worker.log", "ab") as log:
        return subprocess.Popen([str(Path(sys.executable).parent / "huiqi"), "worker"],
                                env=env, cwd=tmp, stdout=log, stderr=log)


def _wait(until: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the workers")
        time.sleep(0.1)


def _fired(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).where(T.Timer.fired_at.is_not(None))) or 0


def test_a_worker_killed_half_way_loses_no_timer_and_fires_none_twice(
        shared: tuple[Backend, str], tmp_path: Path) -> None:
    backend, url = shared
    db = Database(backend.engine)
    n = 12
    _timers(db, n, hold=0.3)
    first = _worker(url, tmp_path)
    try:
        _wait(lambda: _fired(db) >= 3)
        time.sleep(0.15)  # inside the next timer's transaction, most likely
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    assert _fired(db) < n, "the first worker was to be killed before it finished"
    second = _worker(url, tmp_path)
    try:
        _wait(lambda: _fired(db) == n)
    finally:
        second.terminate()
        assert second.wait(30) == 0, (tmp_path / "worker.log").read_text()
    assert _probes(db) == Counter({str(i): 1 for i in range(n)})


def test_two_workers_on_postgresql_fire_each_timer_once(shared: tuple[Backend, str],
                                                        tmp_path: Path) -> None:
    backend, url = shared
    if backend.name != "postgresql":
        pytest.skip("SQLite's writers take turns: two processes there prove nothing")
    db = Database(backend.engine)
    n = 40
    _timers(db, n, hold=0.05)
    workers = [_worker(url, tmp_path) for _ in range(2)]
    try:
        _wait(lambda: _fired(db) == n)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(30)
    assert _probes(db) == Counter({str(i): 1 for i in range(n)})
    with db.read() as s:
        by = Counter(s.scalars(select(T.Timer.fired_by)))
    assert len(by) == 2, f"both workers fired timers: {by}"


def test_threads_racing_on_postgresql_fire_each_timer_once(shared: tuple[Backend, str]) -> None:
    backend, _url = shared
    if backend.name != "postgresql":
        pytest.skip("PostgreSQL's row locks are what is tested")
    db = Database(backend.engine)
    _timers(db, 30)
    platform = Platform(db, make_settings())
    threads = [threading.Thread(target=T.run_due, args=(platform, f"w{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert _probes(db) == Counter({str(i): 1 for i in range(30)})


def test_huiqi_serve_fires_due_timers_itself(tmp_path: Path) -> None:
    """The embedded default: the server runs a worker of its own (HUIQI_WORKER_EMBEDDED)."""
    import socket
    import urllib.request

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db = Database.connect(url)
    db.upgrade()
    _timers(db, 3)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "huiqi"), "serve", "--port",
                             str(port), "--database", url], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "HUIQI_ENV": "development",
                                 "HUIQI_WORKER_POLL_SECONDS": "0.2",
                                 "HUIQI_MATCH_PRECOMPUTE": "false"})
    try:
        _wait(lambda: _fired(db) == 3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
            assert r.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        db.dispose()
    assert _probes(db) == Counter({"0": 1, "1": 1, "2": 1})
