"""Every file the platform creates is readable by its owner only: the database (and
SQLite's -wal and -shm), the demo logins, the folders they are put in."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from demo_fixtures import DemoRun
from huiqi.files import owner_only, write_private
from huiqi.store.database import Database


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_a_new_sqlite_database_and_its_journal_are_the_owners_alone(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # as a shell usually has it
    try:
        db = Database.connect(f"sqlite:///{tmp_path / 'var' / 'huiqi.db'}")
        with db.write() as s:
            s.execute(text("CREATE TABLE t (x INTEGER)"))
            s.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted((tmp_path / "var").iterdir())
        assert {f.name for f in files} >= {"huiqi.db", "huiqi.db-wal", "huiqi.db-shm"}
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(tmp_path / "var") == 0o700
        db.dispose()
    finally:
        os.umask(previous)


def test_the_logins_file_is_made_private_even_if_it_existed(tmp_path: Path) -> None:
    path = tmp_path / "demo-logins.txt"
    path.write_text("old", "utf-8")
    path.chmod(0o644)
    write_private(path, "demo_admin secret\n")
    assert mode(path) == 0o600 and path.read_text("utf-8") == "demo_admin secret\n"


def test_owner_only_sets_and_restores_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        with owner_only():
            (tmp_path / "inside.txt").write_text("x")
        (tmp_path / "after.txt").write_text("x")
        assert mode(tmp_path / "inside.txt") == 0o600
        assert mode(tmp_path / "after.txt") == 0o644
    finally:
        os.umask(previous)


def test_init_demo_creates_only_private_files(demo_run: DemoRun) -> None:
    """In a process of its own with the usual umask 022, as ``make demo`` runs it (the modes
    of the shared run, taken as soon as it ended: tests/demo_fixtures.py)."""
    assert demo_run.returncode == 0, demo_run.output
    assert set(demo_run.modes) >= {".", "demo.db", "demo-logins.txt"}
    wrong = {name: oct(m) for name, m in demo_run.modes.items()
             if m != (0o700 if (demo_run.folder / name).is_dir() else 0o600)}
    assert wrong == {}
