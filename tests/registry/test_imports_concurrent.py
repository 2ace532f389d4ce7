"""Two imports at once that create the same new entities, with real concurrent writers on
SQLite and PostgreSQL: both end with a report (one creates, the other finds them), never a
database error (PostgreSQL answered 500: UniqueViolation)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from huiqi.facts.credit_code import make
from huiqi.service import enterprises, imports
from huiqi.service.context import Platform
from huiqi.service.schemas import EnterpriseCreate, ImportPublic
from huiqi.store.database import Database
from service_fixtures import BACKENDS, Backend, drop_backend, make_settings, new_backend

CODES = [make("9", "1", "370212", f"MA3CC{i:03d}") for i in range(60)]


@pytest.fixture(params=BACKENDS)
def platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    """A migrated database of its own, with a pool of connections (real concurrent
    transactions, not the savepoints of the usual fixture)."""
    b: Backend = new_backend(request.param, tmp_path, "concurrent")
    db = Database(b.engine)
    db.upgrade()
    yield Platform(db, make_settings(import_batch_rows=20))
    drop_backend(b)


def _file(tmp: Path, name: str, suffix: str) -> Path:
    p = tmp / name
    p.write_text("id,name,revenue@2024\n" + "".join(
        f"{c},公司{i}{suffix},{1000 + i}\n" for i, c in enumerate(CODES)), "utf-8")
    return p


@pytest.mark.parametrize("lock_after", [0, 1], ids=["checked", "keys dropped"])
def test_two_imports_of_the_same_new_codes_at_once(platform: Platform, tmp_path: Path,
                                                   lock_after: int) -> None:
    """Either way of checking foreign keys on PostgreSQL (row by row, or once at the end
    of an import that locks its tables): the second import waits for the first."""
    ctx = Platform(platform.db, make_settings(import_batch_rows=20,
                                              import_lock_after_rows=lock_after)).system()
    first_writing = threading.Event()
    results: dict[str, ImportPublic | BaseException] = {}

    def hold(phase: str, n: int, share: float) -> None:
        # the first import, inside its write transaction with its first rows written,
        # lets the second one start and waits for it (at most 2 s) before going on
        if phase == "write" and not first_writing.is_set():
            first_writing.set()
            threading.Event().wait(2.0)

    def run(name: str, path: Path, wait: threading.Event | None) -> None:
        if wait is not None:
            wait.wait(30)
        try:
            results[name] = imports.run(ctx, path, progress=hold if wait is None else None)
        except BaseException as exc:  # the test reports it below
            results[name] = exc

    a = threading.Thread(target=run, args=("a", _file(tmp_path, "a.csv", "甲"), None))
    b = threading.Thread(target=run, args=("b", _file(tmp_path, "b.csv", "乙"), first_writing))
    a.start()
    b.start()
    a.join(60)
    b.join(60)
    assert all(isinstance(r, ImportPublic) for r in results.values()), results
    ra, rb = results["a"], results["b"]
    assert isinstance(ra, ImportPublic) and isinstance(rb, ImportPublic)
    assert ra.entities_created == len(CODES)
    assert (rb.entities_created, rb.entities_updated) == (0, len(CODES))  # it found them
    assert enterprises.get(ctx, CODES[0]).name == "公司0乙"


@pytest.mark.parametrize("lock_after", [0, 1], ids=["checked", "keys dropped"])
def test_an_import_and_a_manual_creation_of_the_same_code(platform: Platform,
                                                          tmp_path: Path, lock_after: int) -> None:
    ctx = Platform(platform.db, make_settings(import_batch_rows=20,
                                              import_lock_after_rows=lock_after)).system()
    importing = threading.Event()
    outcome: list[object] = []

    def hold(phase: str, n: int, share: float) -> None:
        if phase == "write" and not importing.is_set():
            importing.set()
            threading.Event().wait(1.0)

    def create() -> None:
        importing.wait(30)
        try:
            outcome.append(enterprises.create(ctx, EnterpriseCreate(
                credit_code=CODES[5], name="手工录入")))
        except BaseException as exc:  # the test reports it below
            outcome.append(exc)

    t = threading.Thread(target=create)
    t.start()
    report = imports.run(ctx, _file(tmp_path, "a.csv", "甲"), progress=hold)
    t.join(60)
    assert report.entities_created == len(CODES)
    from huiqi.errors import Conflict

    [o] = outcome  # the creation waited for the import, then found the code taken
    assert isinstance(o, Conflict) and o.reason == "enterprise.exists", o


@pytest.fixture
def postgresql(tmp_path: Path) -> Iterator[Platform]:
    """As ``platform``, on PostgreSQL only (SQLite's writers always wait for each other)."""
    b = new_backend("postgresql", tmp_path, "concurrent")
    db = Database(b.engine)
    db.upgrade()
    yield Platform(db, make_settings(import_batch_rows=20))
    drop_backend(b)


def test_a_code_written_by_another_kind_of_writer_meanwhile_is_read_again(
        postgresql: Platform, tmp_path: Path) -> None:
    """A writer outside huiqi's lock (here plain SQL) creates one of the file's new codes
    while the import is writing: the import starts its write again, once, and finds it."""
    import datetime as dt

    from sqlalchemy import insert

    from huiqi.store.models import Entity

    platform = postgresql
    engine = platform.db.bind
    done = threading.Event()

    inserted = threading.Event()

    def other_writer() -> None:
        # a row of the import's next batch, written but committed only once the import
        # has read that batch as new and is trying to insert it
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:  # type: ignore[union-attr]
            conn.execute(insert(Entity).values(
                credit_code=CODES[30], name="别处写入", kind="enterprise", revision=1,
                created_at=now, updated_at=now))
            inserted.set()
            threading.Event().wait(1.0)

    writer = threading.Thread(target=other_writer)

    def meanwhile(phase: str, n: int, share: float) -> None:
        if phase == "write" and not done.is_set():
            done.set()
            writer.start()
            inserted.wait(30)

    report = imports.run(platform.system(), _file(tmp_path, "a.csv", "甲"), progress=meanwhile)
    writer.join(30)
    assert (report.entities_created, report.entities_updated) == (len(CODES) - 1, 1)
    assert enterprises.get(platform.system(), CODES[30]).name == "公司30甲"
