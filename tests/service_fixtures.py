"""Fixtures of the platform service, loaded by tests/conftest.py.

Every test that takes ``db`` (or anything built on it) runs twice: on SQLite (a file in
WAL mode) and on PostgreSQL (a fresh schema for the test session). The schema is
migrated once per backend; each test runs inside one transaction that is rolled back at
its end, and every session the code opens is a savepoint inside it.

PostgreSQL is found at ``HUIQI_TEST_POSTGRESQL`` (default
postgresql+psycopg://postgres@127.0.0.1:5432/test). If it cannot be reached the
PostgreSQL half is skipped with the reason, unless ``HUIQI_REQUIRE_POSTGRESQL=1`` (CI),
where it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from huiqi.facts.credit_code import make
from huiqi.service import accounts, enterprises, sessions
from huiqi.service.context import Context, Platform
from huiqi.service.permissions import Role
from huiqi.service.schemas import EnterpriseCreate, VersionPublic
from huiqi.settings import Settings
from huiqi.store.database import Database, make_engine

PG_URL = os.environ.get("HUIQI_TEST_POSTGRESQL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
PASSWORD = "Correct-Horse-9-Battery"
ROOT = Path(__file__).resolve().parent.parent


def postgres_or_skip() -> None:
    import psycopg

    try:
        with psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if os.environ.get("HUIQI_REQUIRE_POSTGRESQL") == "1":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")


REDIS_URL = os.environ.get("HUIQI_TEST_REDIS", "redis://127.0.0.1:6379/0")


def redis_or_skip() -> None:
    """Skip when Redis cannot be reached, unless ``HUIQI_REQUIRE_REDIS=1`` (CI), where it
    fails."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("HUIQI_REQUIRE_REDIS") == "1":
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")


def clear_of_minute_turn(margin: float = 15.0) -> None:
    """Wait, if the wall clock is within ``margin`` seconds of a minute's turn, until it has
    turned: the in-process rate-limit counters (``limits``' sliding windows) are aligned on the
    wall clock's minutes, and at the turn a request that would have been refused is let
    through (the previous minute's count is weighted down). A test that counts refusals must
    not straddle the turn."""
    left = 60.0 - time.time() % 60.0
    if left < margin:
        time.sleep(left + 0.2)


@dataclass
class Backend:
    """A migrated, empty database of one kind for the test session."""

    name: str
    engine: Engine
    url: str
    connect_args: dict[str, str] = field(default_factory=dict)


def new_backend(name: str, tmp: Path, tag: str) -> Backend:
    if name == "sqlite":
        url = f"sqlite:///{tmp / (tag + '.db')}"
        return Backend(name, make_engine(url), url)
    postgres_or_skip()
    schema = f"huiqi_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    args = {"options": f"-csearch_path={schema}"}
    return Backend(name, make_engine(PG_URL, connect_args=args), PG_URL, args)


def drop_backend(b: Backend) -> None:
    b.engine.dispose()
    if b.name == "postgresql":
        schema = b.connect_args["options"].split("=", 1)[1]
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def shared_platform(name: str, tmp: Path, tag: str) -> Iterator[Platform]:
    """A platform over a migrated database of its own that threads may share (as served;
    not the tests' one connection), dropped afterwards."""
    b = new_backend(name, tmp, tag)
    try:
        db = Database(b.engine)
        db.upgrade()
        yield Platform(db, make_settings(database_url=b.url))
        db.dispose()
    finally:
        drop_backend(b)


@pytest.fixture(scope="session")
def backends() -> Iterator[dict[str, Backend]]:
    """The migrated databases of the session, by kind, made when first asked for and dropped
    at its end."""
    made: dict[str, Backend] = {}
    yield made
    for b in made.values():
        drop_backend(b)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, backends: dict[str, Backend],
            tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """The migrated database of one kind, made once a session: pytest sets a parametrized
    session fixture up again each time the kind changes — with xdist, twice in every module
    (its SQLite tests, then its PostgreSQL ones) — and a migration takes seconds."""
    if request.param not in backends:
        b = new_backend(request.param, tmp_path_factory.mktemp("db"), "test")
        Database(b.engine).upgrade()
        backends[request.param] = b
    return backends[request.param]


@pytest.fixture
def db(backend: Backend) -> Iterator[Database]:
    """The migrated database, inside a transaction rolled back after the test."""
    conn = backend.engine.connect()
    trans = conn.begin()
    try:
        yield Database(conn)
    finally:
        trans.rollback()
        conn.close()


class Clock:
    """A clock the test moves by hand (sessions expire, locks end)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


#: the environment that gives a command the tests' argon2 parameters (those of make_settings):
#: a hash at the defaults costs about 0.4 s of CPU, on threads at the lowest priority that a
#: busy machine starves; tests about something else than the hashing's cost use these
CHEAP_HASHING = {"HUIQI_PASSWORD_HASH_TIME_COST": "1", "HUIQI_PASSWORD_HASH_MEMORY_KIB": "1024",
                 "HUIQI_PASSWORD_HASH_PARALLELISM": "1"}


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test", "secret_key": "test-secret-" + "k3y9" * 8, "password_hash_time_cost": 1,
        "password_hash_memory_kib": 1024, "password_hash_parallelism": 1, "as_of": dt.date(2025, 6, 1),
        "lang": "zh"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def platform(db: Database, settings: Settings, clock: Clock) -> Platform:
    return Platform(db, settings, clock)


@pytest.fixture
def system(platform: Platform) -> Context:
    return platform.system()


CODE_A = make("9", "1", "370212", "MA3C4X5Y")   # 青岛 (Qingdao)
CODE_B = make("9", "1", "330201", "MA2GQ1XK")   # 宁波 (Ningbo)
CODE_UNI = make("1", "2", "350200", "42600001")  # a university (public institution)


@dataclass
class World:
    """Two enterprises, a university, and one account of each role (the case officer of
    崂山区, the enterprises' district)."""

    platform: Platform
    tokens: dict[str, str]
    own: str = CODE_A
    other: str = CODE_B

    def ctx(self, role: str) -> Context:
        return self.platform.as_actor(sessions.authenticate(self.platform, self.tokens[role]))

    def publish(self, key: str, files: list[tuple[str, bytes]], note: str | None = None,
                ) -> VersionPublic:
        """Four eyes: a policy officer uploads, an administrator reviews the differences and
        publishes."""
        from huiqi.service import policies

        v = policies.upload(self.ctx("policy_officer"), key, files, note)
        admin = self.ctx("admin")
        return policies.publish(admin, key, v.number,
                                policies.diff(admin, key, v.number).digest)


ROLES = tuple(r.value for r in Role)


@pytest.fixture
def world(platform: Platform, system: Context) -> World:
    for code, name, kind in ((CODE_A, "青岛海纳微电子有限公司", "enterprise"),
                             (CODE_B, "宁波甬新材料科技有限公司", "enterprise"),
                             (CODE_UNI, "厦门理工大学", "university")):
        enterprises.create(system, EnterpriseCreate(credit_code=code, name=name, kind=kind,
                                                    district="崂山区", park="青岛高新区",
                                                    since=dt.date(2019, 5, 1)))
    tokens = {}
    for role in Role:
        accounts.create(system, f"u_{role.value}", f"{role.label.zh}", role, PASSWORD,
                        CODE_A if role is Role.ENTERPRISE else None,
                        district="崂山区" if role is Role.CASE_OFFICER else None)
        tokens[role.value] = sessions.login(platform, f"u_{role.value}", PASSWORD).token
    return World(platform, tokens)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_APPS: dict[tuple[str, str], Any] = {}


def app_for(platform: Platform, kind: str = "api") -> Any:
    """The application (``"api"``, or ``"web"``: the API and the pages) over ``platform``:
    built once in this test process for each settings, then given each test's platform.
    FastAPI builds every route's dependencies and schemas on an app's first request (0.5 to
    1 s of CPU for the ~320 routes), which a new app per test paid again each time."""
    key = (kind, platform.settings.model_dump_json())
    app = _APPS.get(key)
    if app is None:
        if kind == "web":
            from huiqi.web import create_app as make_app
        else:
            from huiqi.api import create_app as make_app
        app = _APPS[key] = make_app(platform.settings, platform=platform)
    app.state.platform = platform
    return app
