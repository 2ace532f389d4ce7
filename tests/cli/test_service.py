"""The service commands: init-demo, import, serve — on real database files or schemas."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from demo_fixtures import DEMO_ARGS, DEMO_ENTERPRISES, DemoRun
from huiqi.cli.app import app
from huiqi.facts.credit_code import make
from huiqi.service import sessions
from huiqi.service.context import Platform
from huiqi.store.database import Database
from service_fixtures import BACKENDS, CHEAP_HASHING, ROOT, Backend, drop_backend, make_settings, new_backend


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind, as the URL a person would pass."""
    b: Backend = new_backend(request.param, tmp_path, "cli")
    if b.name == "sqlite":
        yield b.url
    else:
        yield b.url + "?options=" + quote(b.connect_args["options"])
    drop_backend(b)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args), env={"HUIQI_LANG": "zh", "COLUMNS": "200",
                                                 **(env or {})})
    return r.exit_code, r.output


@dataclass(frozen=True)
class Demo:
    """One ``huiqi init-demo``: the database (as the URL a person would pass), its exit code
    and what it printed."""

    url: str
    code: int
    output: str
    #: the argon2 parameters it hashed the demo passwords with (make_settings' keywords)
    hashing: dict[str, int]


#: the argon2 defaults (Settings), as make demo hashes
DEFAULT_HASHING = {"password_hash_time_cost": 3, "password_hash_memory_kib": 65536,
                   "password_hash_parallelism": 4}


SECRET = "Sup3r-Secret-Pw"


@pytest.fixture(scope="module")
def pg_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """init-demo into a fresh PostgreSQL schema, given a URL that carries a password (the
    test server trusts local connections, so any password gets in)."""
    b: Backend = new_backend("postgresql", tmp_path_factory.mktemp("pg-demo"), "demo")
    url = b.url.replace("://postgres@", f"://postgres:{SECRET}@")
    assert SECRET in url
    url += "?options=" + quote(b.connect_args["options"])
    # the tests' argon2 parameters: the shared SQLite run hashes at the defaults, as make demo
    code, out = _run("init-demo", "--database", url, *DEMO_ARGS, env=CHEAP_HASHING)
    yield Demo(url, code, out, {})
    drop_backend(b)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """init-demo on each kind of database: on SQLite the test run's shared one (a copy of its
    database: tests/demo_fixtures.py), on PostgreSQL :func:`pg_demo`."""
    if request.param == "postgresql":
        pg: Demo = request.getfixturevalue("pg_demo")
        return pg
    run: DemoRun = request.getfixturevalue("demo_run")
    return Demo(run.database_copy(tmp_path_factory.mktemp("demo")), run.returncode, run.output,
                DEFAULT_HASHING)


def test_init_demo(demo: Demo) -> None:
    url, code, out = demo.url, demo.code, demo.output
    assert code == 0, out
    rows = dict(re.findall(r"(demo_[a-z_]+)\s*│[^│]*│\s*(\S+)\s*│", out))
    assert set(rows) == {f"demo_{r}" for r in ("admin", "policy_officer", "reviewer",
                                              "case_officer", "leadership", "enterprise")}
    assert len(set(rows.values())) == 6 and all(len(p) >= 20 for p in rows.values())
    db = Database.connect(url)
    platform = Platform(db, make_settings(**demo.hashing))  # (no rehash at the first login)
    assert sessions.login(platform, "demo_enterprise", rows["demo_enterprise"]).actor.entity_code
    from sqlalchemy import func, select

    from huiqi.store.models import Entity, MatchResult, PackVersion

    with db.read() as s:
        assert s.scalar(select(func.count(Entity.id))) == DEMO_ENTERPRISES
        assert s.scalar(select(PackVersion.status)) == "published"
        assert s.scalar(select(func.count(MatchResult.id))) > 0
        from huiqi.registry.claims import FactClaim

        # the enterprise's own values in every state (issue 16, item 6)
        assert set(s.scalars(select(FactClaim.status))) == {"pending", "confirmed", "rejected"}
        # review decisions in every state (issue 11): passed, failed, a score missing — and
        # enterprises not reviewed, which the stored results leave needing review
        from huiqi.store.models import ReviewDecision, ReviewScore

        assert set(s.scalars(select(ReviewDecision.verdict))) == {True, False, None}
        assert None in set(s.scalars(select(ReviewScore.score)))
        decided = set(s.scalars(select(ReviewDecision.entity_id)))
        waiting = set(s.scalars(select(MatchResult.entity_id).where(
            MatchResult.status == "needs_review")))
        assert waiting - decided and len(decided) == 3
    from huiqi.service import matching

    demo = platform.as_actor(sessions.login(platform, "demo_enterprise",
                                            rows["demo_enterprise"]).actor)
    code = demo.actor.entity_code
    assert code is not None and len(code) == 18  # a unified social credit code
    [rep] = matching.match_one(demo, code, pack="reported", explain=False).packs
    assert {v.key for v in rep.values} == {"rep:intensity", "rep:growth"}  # shown on its page
    [rev] = matching.match_one(demo, code, pack="reviews", explain=False).packs
    assert {c.key: c.status for c in rev.clauses}["panel/project"] == "eligible"  # passed
    db.dispose()
    code, out = _run("init-demo", "--database", url, "--enterprises", "5")
    assert code == 2 and "已有账号" in out


def test_init_demo_writes_the_logins_for_make_demo(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.output
    assert demo_run.modes["demo-logins.txt"] == 0o600
    text = demo_run.logins.read_text("utf-8")
    shown = dict(re.findall(r"(demo_[a-z_]+)\s*│[^│]*│\s*(\S+)\s*│", demo_run.output))
    assert len(shown) == 6
    assert all(f"{user}" in text and password in text for user, password in shown.items())


def test_init_demo_is_refused_in_production(tmp_path: Path) -> None:
    code, out = _run("init-demo", "--database", f"sqlite:///{tmp_path / 'p.db'}",
                     env={"HUIQI_ENV": "production", "HUIQI_SECRET_KEY": "Zq8#vL2!pW9x-Kt4" * 3})
    assert code == 2 and "生产环境中不能创建演示数据" in out


def test_default_secrets_are_refused_outside_development() -> None:
    from huiqi.errors import UsageError
    from huiqi.settings import service_settings

    for key in (None, "changeme", "short"):
        with pytest.raises(UsageError, match="HUIQI_SECRET_KEY"):
            service_settings(env="production", secret_key=key)
    assert service_settings(env="development").env == "development"
    assert service_settings(env="production", secret_key="a-long-and-random-key-" * 2)


def test_import_command(url: str, tmp_path: Path) -> None:
    c1, c2 = make("9", "1", "370212", "MA3CL101"), make("9", "1", "370212", "MA3CL102")
    good = tmp_path / "firms.csv"
    good.write_text(f"id,name,revenue@2024\n{c1},一号,100\n{c2},二号,200\n", "utf-8")
    code, out = _run("import", str(good), "--database", url)
    assert code == 0, out
    assert "2 rows, +2 new" in out
    code, out = _run("import", str(good), "--database", url)
    assert code == 0 and "文件未带来任何变化" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,name,revenue@2024\n{c1},一号,很多\n", "utf-8")
    code, out = _run("import", str(bad), "--database", url)
    assert code == 2 and "未导入任何数据" in out and "很多" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_the_service_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    huiqi = str(Path(sys.executable).with_name("huiqi"))
    proc = subprocess.Popen([huiqi, "serve", "--port", str(port), "--database",
                             f"sqlite:///{tmp_path / 'serve.db'}"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "HUIQI_ENV": "development"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=5) as r:
            assert b'"/enterprises/{code}/match"' in r.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:  # the pages
            assert "政策计算器" in r.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture
def pg_url_with_password(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL URL that carries a password (the test server trusts local connections,
    so any password gets in)."""
    b: Backend = new_backend("postgresql", tmp_path, "secret")
    url = b.url.replace("://postgres@", f"://postgres:{SECRET}@")
    assert SECRET in url
    yield url + "?options=" + quote(b.connect_args["options"])
    drop_backend(b)


def test_init_demo_never_prints_the_database_password(pg_demo: Demo) -> None:
    code, out = pg_demo.code, pg_demo.output
    assert code == 0, out
    assert "huiqi serve --database postgresql+psycopg://postgres:***@" in out
    # refused: the database has accounts; the message names it
    code, again = _run("init-demo", "--database", pg_demo.url, *DEMO_ARGS)
    assert code == 2 and "postgres:***@" in again
    assert SECRET not in out + again


def test_serve_never_prints_the_database_password(pg_url_with_password: str) -> None:
    port = _free_port()
    huiqi = str(Path(sys.executable).with_name("huiqi"))
    proc = subprocess.Popen([huiqi, "serve", "--port", str(port), "--database",
                             pg_url_with_password], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "HUIQI_ENV": "development", "COLUMNS": "300"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert "postgres:***@127.0.0.1" in out, out
    assert SECRET not in out


def test_an_interrupted_init_demo_leaves_no_database_to_serve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16, item 9: the SQLite file appears only once init-demo is complete."""
    from huiqi.cli import service

    target = tmp_path / "var" / "huiqi.db"

    def interrupted(*_a: object, **_k: object) -> None:
        assert (tmp_path / "var" / "huiqi.db.partial").exists() and not target.exists()
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "_demo", interrupted)
    code, _out = _run("init-demo", "--database", f"sqlite:///{target}")
    assert code != 0 and not target.exists()
    monkeypatch.undo()
    code, out = _run("init-demo", "--database", f"sqlite:///{target}", "--enterprises", "5",
                     "--as-of", "2026-03-01", "--policies", str(ROOT / "tests" / "packs"),
                     env=CHEAP_HASHING)  # (the accounts' hashes are not what is shown here)
    assert code == 0, out
    assert target.exists() and not (tmp_path / "var" / "huiqi.db.partial").exists()
    assert f"huiqi serve --database sqlite:///{target}" in out.replace("\n", "")


def test_serve_says_when_the_port_is_taken_and_what_an_empty_database_lacks(
        tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = _run("serve", "--port", str(port), "--database",
                         f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 2 and f"127.0.0.1:{port}" in out and "已被占用" in out
    assert f"--port {port + 1}" in out and "Errno" not in out
    assert "还没有账号" in out and "huiqi admin create" in out
    assert "还没有已发布的政策包" in out
