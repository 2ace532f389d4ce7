"""PostgreSQL with two roles: the owner migrates, the service may only add to the audit log.

The roles are made for the test (trust authentication lets it sign in as them) and
dropped at its end."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from huiqi.service import accounts, sessions
from huiqi.service.audit import verify
from huiqi.service.context import Platform
from huiqi.service.permissions import Role
from huiqi.store.database import Database, make_engine
from huiqi.store.roles import migrate
from service_fixtures import PASSWORD, PG_URL, make_settings, postgres_or_skip


@dataclass
class Roles:
    owner_url: str
    service_url: str
    schema: str


def _url(role: str, schema: str) -> str:
    base = PG_URL.replace("postgres@", f"{role}@", 1)
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def roles() -> Iterator[Roles]:
    postgres_or_skip()
    tag = secrets.token_hex(4)
    owner, service, schema = f"huiqi_owner_{tag}", f"huiqi_service_{tag}", f"huiqi_roles_{tag}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {service} LOGIN"))
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}"))
    try:
        yield Roles(_url(owner, schema), _url(service, schema), schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            for role in (service, owner):
                conn.execute(text(f"DROP OWNED BY {role} CASCADE"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


FORBIDDEN = (
    "DELETE FROM audit_log",
    "UPDATE audit_log SET actor = 'mallory'",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER USER",
    "ALTER TABLE audit_log DROP CONSTRAINT uq_audit_log_prev_hash",
    "DROP TRIGGER audit_log_append_only ON audit_log",
    "DROP TABLE audit_log",
    "UPDATE alembic_version SET version_num = '0001'",
)


def test_the_service_role_may_only_add_to_the_audit_log(roles: Roles) -> None:
    migrate(roles.owner_url, roles.service_url)
    db = Database.connect(roles.service_url)
    try:
        platform = Platform(db, make_settings())
        # the service works: it writes data and audit entries (and takes the chain's lock)
        accounts.create(platform.system(), "alice", "Alice", Role.POLICY_OFFICER, PASSWORD)
        sessions.login(platform, "alice", PASSWORD)
        assert verify(platform.system()).ok
        for sql in FORBIDDEN:
            with db.rows() as conn, pytest.raises(DBAPIError) as exc:
                conn.execute(text(sql))
            assert "permission denied" in str(exc.value) or "must be owner" in str(exc.value), sql
        with db.read() as s:
            assert s.execute(text("SELECT count(*) FROM audit_log")).scalar() == 2
    finally:
        db.dispose()
    # migrating again (a later release) keeps the service's rights as they were
    migrate(roles.owner_url, roles.service_url)
    db = Database.connect(roles.service_url)
    try:
        with db.rows() as conn, pytest.raises(DBAPIError):
            conn.execute(text("DELETE FROM audit_log"))
        assert sessions.login(Platform(db, make_settings()), "alice", PASSWORD)
    finally:
        db.dispose()


def test_a_large_import_by_the_service_role_is_checked_row_by_row(roles: Roles,
                                                                   tmp_path: Path) -> None:
    """The service role does not own the tables, so it may not drop their foreign keys: a
    large import (past ``import_lock_after_rows``) is written checked row by row, and the
    keys are the owner's, untouched."""
    from huiqi.facts.credit_code import make
    from huiqi.service import imports

    migrate(roles.owner_url, roles.service_url)
    keys = ("SELECT conname, oid FROM pg_constraint WHERE contype = 'f' AND connamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY 1")
    owner = make_engine(roles.owner_url)
    try:
        with owner.connect() as conn:
            before = conn.execute(text(keys)).all()
        path = tmp_path / "firms.csv"
        path.write_text("id,name,revenue@2024\n" + "".join(
            f"{make('9', '1', '370212', f'MR{i:06d}')},公司{i},{1000 + i}\n" for i in range(60)),
            encoding="utf-8")
        db = Database.connect(roles.service_url)
        try:
            report = imports.run(Platform(db, make_settings(
                import_batch_rows=20, import_lock_after_rows=1)).system(), path)
        finally:
            db.dispose()
        assert (report.entities_created, report.facts_written) == (60, 60)
        with owner.connect() as conn:
            assert conn.execute(text(keys)).all() == before
    finally:
        owner.dispose()
