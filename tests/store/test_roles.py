"""PostgreSQL with two roles: the owner migrates, the service may only add to the audit log.

The roles are made for the test (trust authentication lets it sign in as them) and
dropped at its end."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

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
