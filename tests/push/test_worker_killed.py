"""A worker killed mid-delivery (a real ``huiqi worker`` process, SIGKILL) loses nothing and
sends nothing twice (issue 15, item 5): every message reaches the SMTP server, and the only
one that can arrive a second time is the one in flight when the worker died — with the same
``Message-ID`` (the idempotency key), so the receiver knows it for a repeat."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.push.models import PushDelivery
from huiqi.push.outbox import Notice, notify
from huiqi.service.context import Platform
from huiqi.store.database import Database
from service_fixtures import Backend, drop_backend, make_settings, new_backend

from . import sinks as S
from .conftest import firms, subscribe


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Backend, str]]:
    b = new_backend(request.param, tmp_path, "push")
    Database(b.engine).upgrade()
    url = f"sqlite:///{tmp_path / 'push.db'}"
    if b.name == "postgresql":
        schema = b.connect_args["options"].split("=", 1)[1]
        url = f"{b.url}?options=-csearch_path%3D{schema}"
    yield b, url
    drop_backend(b)


def _worker(url: str, tmp: Path, sinks: S.Sinks) -> subprocess.Popen[bytes]:
    env = {**os.environ, **sinks.env(), "HUIQI_DATABASE_URL": url,
           "HUIQI_WORKER_POLL_SECONDS": "0.2", "HUIQI_ENV": "development",
           "HUIQI_PUSH_LEASE_SECONDS": "5"}
    env.pop("HUIQI_MIGRATION_DATABASE_URL", None)
    with open(tmp / "worker.log", "ab") as log:
        return subprocess.Popen([str(Path(sys.executable).parent / "huiqi"), "worker"],
                                env=env, cwd=tmp, stdout=log, stderr=log)


def _sent(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).where(PushDelivery.state == "sent")) or 0


def _wait(until: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
        shared: tuple[Backend, str], tmp_path: Path, sinks: S.Sinks) -> None:
    backend, url = shared
    db = Database(backend.engine)
    platform = Platform(db, make_settings(**sinks.settings()))
    ctx = platform.system()
    a, _ = firms(ctx)
    subscribe(ctx, a, ["email"])
    n = 10
    with db.write() as s:
        for i in range(n):
            notify(s, ctx, Notice(entity_id=a, kind="test", key=f"{a}:c{i}:1:test",
                                  title=f"消息 {i}", body="正文", title_en=f"message {i}",
                                  body_en="body", link="http://huiqi.test/inbox"))
    sinks.mailbox.hold = 0.3  # a slow server: the worker is killed while it waits
    first = _worker(url, tmp_path, sinks)
    try:
        _wait(lambda: _sent(db) >= 3)
        time.sleep(0.15)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    assert _sent(db) < n, "the first worker was to be killed before it finished"
    sinks.mailbox.hold = 0.0
    second = _worker(url, tmp_path, sinks)
    try:
        _wait(lambda: _sent(db) == n)
    finally:
        second.terminate()
        assert second.wait(30) == 0, (tmp_path / "worker.log").read_text()
    received = Counter(sinks.mailbox.ids())
    with db.read() as s:
        rows = list(s.scalars(select(PushDelivery)))
    assert len(rows) == n and {r.state for r in rows} == {"sent"}
    assert len(received) == n, "every message reached the server"
    repeats = {k: c for k, c in received.items() if c > 1}
    assert sum(c - 1 for c in repeats.values()) <= 1, f"only the one in flight: {repeats}"
    assert all(r.sent_at is not None and r.sent_at > dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
               for r in rows)
