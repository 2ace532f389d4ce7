"""The engine: SQLite in WAL mode with foreign keys; URLs for psycopg 3."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from huiqi.store.database import Database, normalise_url


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite:///{tmp_path / 'sub' / 'huiqi.db'}")
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (tmp_path / "sub").is_dir()
    db.dispose()


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_failed_write_changes_nothing(db: Database) -> None:
    import datetime as dt

    from huiqi.store.models import PolicyPack

    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    try:
        with db.write() as s:
            s.add(PolicyPack(key="p", created_at=now))
            s.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.read() as s:
        assert s.query(PolicyPack).count() == 0
