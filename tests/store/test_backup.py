"""docs/deploy.md's backups, as written there: an online backup of SQLite and a pg_dump of
PostgreSQL, restored elsewhere, after which ``huiqi audit verify`` passes on the copy (and
the copy holds what was written before the backup)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.service import accounts
from huiqi.service.audit import record
from huiqi.service.context import Platform
from huiqi.service.permissions import Role
from huiqi.store.database import Database, make_engine
from service_fixtures import PASSWORD, PG_URL, drop_backend, make_settings, new_backend


def _fill(db: Database) -> None:
    db.upgrade()
    ctx = Platform(db, make_settings()).system()
    accounts.create(ctx, "admin_1", "管理员", Role.ADMIN, PASSWORD)
    for i in range(5):
        with db.write() as s:
            record(s, ctx, "enterprise.update", target=f"t{i}", after={"name": f"名{i}"})


def _verify(url: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["audit", "verify", "--database", url],
                           env={"COLUMNS": "300", "HUIQI_ENV": "development"})
    return r.exit_code, r.output


def test_sqlite_online_backup_restores_with_a_whole_audit_chain(tmp_path: Path) -> None:
    live = tmp_path / "huiqi.db"
    db = Database.connect(f"sqlite:///{live}")
    _fill(db)
    # docs/deploy.md: the online backup API, while the service may be writing
    src, dst = sqlite3.connect(live), sqlite3.connect(tmp_path / "backup.db")
    with db.write() as s:  # the service holds the database open meanwhile
        record(s, Platform(db, make_settings()).system(), "enterprise.update", target="t5")
    src.backup(dst)
    src.close()
    dst.close()
    db.dispose()
    restored = tmp_path / "restored" / "huiqi.db"
    restored.parent.mkdir()
    shutil.copy(tmp_path / "backup.db", restored)
    code, out = _verify(f"sqlite:///{restored}")
    assert code == 0, out
    copy = Database.connect(f"sqlite:///{restored}")
    with copy.read() as s:
        assert s.execute(text("SELECT count(*) FROM account")).scalar() == 1
    copy.dispose()


def test_the_sqlite3_command_backs_up_as_documented(tmp_path: Path) -> None:
    if shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 command is not installed")
    live = tmp_path / "huiqi.db"
    db = Database.connect(f"sqlite:///{live}")
    _fill(db)
    subprocess.run(["sqlite3", str(live), f".backup '{tmp_path / 'backup.db'}'"], check=True)
    db.dispose()
    code, out = _verify(f"sqlite:///{tmp_path / 'backup.db'}")
    assert code == 0, out


def test_pg_dump_restores_with_a_whole_audit_chain(tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump / pg_restore are not installed")
    b = new_backend("postgresql", tmp_path, "backup")
    schema = b.connect_args["options"].split("=", 1)[1]
    try:
        _fill(Database(b.engine))
        plain = PG_URL.replace("+psycopg", "")
        dump = tmp_path / "huiqi.dump"
        subprocess.run(["pg_dump", "-Fc", "-n", schema, "-f", str(dump), "-d", plain],
                       check=True)
        name = f"huiqi_restore_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            target = plain.rsplit("/", 1)[0] + "/" + name
            subprocess.run(["pg_restore", "--no-owner", "-d", target, str(dump)], check=True)
            url = (PG_URL.rsplit("/", 1)[0] + "/" + name + "?options="
                   + quote(f"-csearch_path={schema}"))
            code, out = _verify(url)
            assert code == 0, out
            assert "6" in out or "条" in out
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    finally:
        drop_backend(b)
