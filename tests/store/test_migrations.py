"""Migrations go from an empty database to the latest schema and back, on both backends,
and the migrated schema is exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from huiqi.store.database import Database
from huiqi.store.models import Base
from service_fixtures import BACKENDS, drop_backend, new_backend

TABLES = {"account", "audit_log", "auth_session", "entity", "entity_location", "fact_value",
          "import_batch", "match_result", "match_run", "pack_file", "pack_version",
          "policy_pack"}


@pytest.mark.parametrize("name", BACKENDS)
def test_empty_to_head_and_back(name: str, tmp_path: Path) -> None:
    b = new_backend(name, tmp_path, "mig")
    try:
        db = Database(b.engine)
        assert db.revision() is None
        assert set(db.table_names()) <= {"alembic_version"}
        db.upgrade()
        assert db.revision() == "0001"
        assert set(db.table_names()) >= TABLES
        with b.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={
                "compare_type": True}), Base.metadata)
        assert diff == [], diff
        db.downgrade()
        assert db.revision() is None
        assert set(db.table_names()) <= {"alembic_version"}
        db.upgrade()  # and up again, after a full round trip
        assert set(db.table_names()) >= TABLES
    finally:
        drop_backend(b)


def test_migrations_ship_inside_the_package() -> None:
    import huiqi.store.migrations as m

    folder = Path(m.__file__).parent
    assert (folder / "env.py").is_file()
    assert list((folder / "versions").glob("0001_*.py"))
