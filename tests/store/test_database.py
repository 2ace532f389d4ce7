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


def test_a_printable_url_masks_the_password() -> None:
    from huiqi.store.database import safe_url

    shown = safe_url("postgresql+psycopg://huiqi:S3cret-Pw@db.example:5432/huiqi"
                     "?sslmode=require&password=Other-Pw")
    assert "S3cret-Pw" not in shown and "Other-Pw" not in shown
    assert shown.startswith("postgresql+psycopg://huiqi:***@db.example:5432/huiqi")
    assert "sslmode=require" in shown
    assert safe_url("sqlite:///var/huiqi.db") == "sqlite:///var/huiqi.db"


def test_database_errors_carry_no_row_data(db: Database) -> None:
    import datetime as dt

    from sqlalchemy.exc import IntegrityError

    from huiqi.store.database import describe_error
    from huiqi.store.models import Entity

    now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    row = {"credit_code": "91370212MA3C4X5Y0S", "kind": "enterprise", "name": "保密名称-ROWDATA",
           "revision": 1, "created_at": now, "updated_at": now}
    try:
        with db.write() as s:
            s.add_all([Entity(**row), Entity(**row)])
    except IntegrityError as exc:
        error = exc
    else:
        raise AssertionError("the duplicate was written")
    safe = describe_error(error)
    assert "ROWDATA" not in str(error)  # the statement's parameters are hidden
    assert safe is not None and "INSERT INTO entity" in safe
    assert "ROWDATA" not in safe and "91370212MA3C4X5Y0S" not in safe
    assert describe_error(ValueError("no database here")) is None


def test_a_write_without_reference_checks_leaves_them_on_for_the_next(tmp_path: Path) -> None:
    """``references_checked=False`` (an import's bulk rows on SQLite) holds for that
    transaction alone: the connection, back in the pool, checks foreign keys again."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    db = Database.connect(f"sqlite:///{tmp_path / 'fk.db'}")
    db.upgrade()
    bad = text("INSERT INTO fact_change (entity_id, before, source, at) "
               "VALUES (999999, '[]', 'test', '2026-01-01 00:00:00')")
    with db.write(references_checked=False) as s:
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        s.execute(bad)  # not checked: this transaction's writer answers for its references
        s.execute(text("DELETE FROM fact_change"))
    for _ in range(2):  # whichever connection of the pool comes next
        with pytest.raises(IntegrityError), db.write() as s:
            assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            s.execute(bad)
    db.dispose()
