"""Migrations go from an empty database to the latest schema and back, on both backends,
and the migrated schema is exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, insert, inspect, select
from sqlalchemy.orm import Session

import huiqi.analytics.models  # (analytics' tables on the metadata)
import huiqi.cases.models
import huiqi.programmes.models  # the programmes' tables on the metadata
import huiqi.push.models  # (push's tables on the metadata)
import huiqi.registry.changes
import huiqi.registry.claims
import huiqi.vouchers.models  # the vouchers' tables and ledger
import huiqi.workflow.models
import huiqi.workflow.timers  # noqa: F401  (the timers' table)
from huiqi.store.database import Database
from huiqi.store.models import Account, AuthSession, Base
from service_fixtures import BACKENDS, drop_backend, new_backend

TABLES = {"account", "audit_log", "auth_session", "entity", "entity_location", "fact_value",
          "import_batch", "match_result", "match_run", "pack_file", "pack_version",
          "policy_pack", "domain_events", "calendar_day", "calendar_year", "programme", "application",
          "application_material", "review_assignment", "reviewer_conflict", "objection", "payment",
          "timers", "service_case", "case_agent", "case_file", "case_rating", "case_standard",
          "eval_park", "park_statistic", "chain_member", "market_listing", "market_match",
          "fact_claim", "policy_note",
          "voucher_scheme", "voucher_provider", "voucher_item", "voucher", "voucher_contract",
          "voucher_claim", "ledger_account", "ledger_txn", "ledger_entry",
          "challenge_list", "challenge_task", "challenge_application", "challenge_milestone",
          "push_message", "push_delivery", "push_subscription", "push_cursor",
          "fact_change", "challenge_agreement", "competition", "competition_problem",
          "competition_team", "review_decision", "review_score", "evaluation_result"}


@pytest.mark.parametrize("name", BACKENDS)
def test_empty_to_head_and_back(name: str, tmp_path: Path) -> None:
    b = new_backend(name, tmp_path, "mig")
    try:
        db = Database(b.engine)
        assert db.revision() is None
        assert set(db.table_names()) <= {"alembic_version"}
        db.upgrade()
        assert db.revision() == "0023"
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


def _table(s: Session, name: str) -> Table:
    """A table as it is at the schema's present revision (not as the models say)."""
    return Table(name, MetaData(), autoload_with=s.connection())


def test_migrations_ship_inside_the_package() -> None:
    import huiqi.store.migrations as m

    folder = Path(m.__file__).parent
    assert (folder / "env.py").is_file()
    assert list((folder / "versions").glob("0001_*.py"))


@pytest.mark.parametrize("name", BACKENDS)
def test_sealed_totp_keys_up_and_down(name: str, tmp_path: Path) -> None:
    """0002 widens the column for sealed keys; back down, sealed keys (which 64 characters
    cannot hold) are dropped with their second factor, keys stored before are kept."""
    import datetime as dt

    from sqlalchemy import text

    b = new_backend(name, tmp_path, "totp")
    try:
        db = Database(b.engine)
        db.upgrade("0001")
        now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        with db.write() as s:
            s.execute(insert(_table(s, "account")), [
                {"username": u, "display_name": u, "role": "admin", "password_hash": "x",
                 "password_changed_at": now, "totp_secret": secret, "totp_enabled": True,
                 "failed_logins": 0, "active": True, "created_at": now}
                for u, secret in (("plain", "JBSWY3DPEHPK3PXP"), ("none", None))])
            # a session points at an account: SQLite's copy of the table must keep it
            s.execute(insert(AuthSession), [{"account_id": s.scalars(select(Account.id)).first(),
                                             "token_hash": "h", "created_at": now,
                                             "expires_at": now}])
        db.upgrade("0002")
        sealed = "v1:" + "A" * 80
        with db.write() as s:
            s.execute(insert(_table(s, "account")), [
                {"username": "sealed", "display_name": "s", "role": "admin",
                 "password_hash": "x", "password_changed_at": now, "totp_secret": sealed,
                 "totp_enabled": True, "failed_logins": 0, "active": True, "created_at": now}])
        db.downgrade("0001")
        with b.engine.connect() as conn:
            rows = dict(conn.execute(text(
                "SELECT username, totp_secret FROM account")).all())
            enabled = dict(conn.execute(text(
                "SELECT username, totp_enabled FROM account")).all())
            sessions = conn.execute(text("SELECT count(*) FROM auth_session")).scalar()
        assert rows == {"plain": "JBSWY3DPEHPK3PXP", "none": None, "sealed": None}
        assert sessions == 1
        assert not enabled["sealed"] and enabled["plain"]
    finally:
        drop_backend(b)


@pytest.mark.parametrize("name", BACKENDS)
def test_auth_hardening_up_and_down(name: str, tmp_path: Path) -> None:
    """0003: a key being bound (stored, not on) moves to its own column and back; keys in
    use stay; the per-account failure counters go (the per-address table takes over)."""
    import datetime as dt

    from sqlalchemy import text

    b = new_backend(name, tmp_path, "auth")
    try:
        db = Database(b.engine)
        db.upgrade("0002")
        now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        with db.write() as s:
            s.execute(insert(_table(s, "account")), [
                {"username": u, "display_name": u, "role": "admin", "password_hash": "x",
                 "password_changed_at": now, "totp_secret": secret, "totp_enabled": on,
                 "failed_logins": 3, "locked_until": now, "active": True, "created_at": now}
                for u, secret, on in (("binding", "v1:pending", False), ("on", "v1:on", True),
                                      ("none", None, False))])
        db.upgrade("0003")
        with b.engine.connect() as conn:
            rows = {r[0]: tuple(r[1:]) for r in conn.execute(text(
                "SELECT username, totp_secret, totp_pending, totp_enabled FROM account"))}
            columns = {c["name"] for c in inspect(conn).get_columns("account")}
        assert rows == {"binding": (None, "v1:pending", False), "on": ("v1:on", None, True),
                        "none": (None, None, False)}
        assert not {"failed_logins", "locked_until"} & columns
        assert "login_failure" in db.table_names()
        db.downgrade("0002")
        with b.engine.connect() as conn:
            rows = {r[0]: tuple(r[1:]) for r in conn.execute(text(
                "SELECT username, totp_secret, totp_enabled, failed_logins FROM account"))}
        assert rows == {"binding": ("v1:pending", False, 0), "on": ("v1:on", True, 0),
                        "none": (None, False, 0)}
        assert "login_failure" not in db.table_names()
    finally:
        drop_backend(b)


@pytest.mark.parametrize("name", BACKENDS)
def test_entries_from_before_the_chain_are_chained_by_its_migration(name: str,
                                                                     tmp_path: Path) -> None:
    """0004 gives the audit entries already there their place in the hash chain (in id
    order, each counted once), keeps them append-only, and a new entry follows them."""
    import datetime as dt

    from sqlalchemy import String, column, delete, table, text
    from sqlalchemy.exc import DatabaseError

    from huiqi.service.audit import chain_rows, record
    from huiqi.service.context import Platform
    from huiqi.store import chain
    from huiqi.store.models import AuditEntry
    from huiqi.store.types import JSONText, UTCDateTime
    from service_fixtures import make_settings

    b = new_backend(name, tmp_path, "chain")
    try:
        db = Database(b.engine)
        db.upgrade("0002")
        now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        with db.write() as s:
            old = table("audit_log", column("at", UTCDateTime()), column("before", JSONText()),
                        column("after", JSONText()), *[column(c, String()) for c in (
                            "actor", "role", "action", "outcome", "target", "detail")])
            s.execute(insert(old), [
                {"at": now + dt.timedelta(minutes=i), "actor": f"u{i}", "role": "admin",
                 "action": "enterprise.update", "outcome": "ok", "target": None,
                 "before": {"name": "旧"}, "after": {"name": f"新{i}"}, "detail": None}
                for i in range(7)])
        db.upgrade()
        verdict = chain.verify_rows(chain_rows(db, batch=3))
        assert verdict.ok and verdict.rows == 7 and verdict.head_id == 7
        rows = list(chain_rows(db))
        assert rows[0]["prev_hash"] == chain.GENESIS and all(r["count"] == 1 for r in rows)
        with db.write() as s, pytest.raises(DatabaseError, match="append-only"), \
                s.begin_nested():
            s.execute(delete(AuditEntry))
        with db.write() as s:
            record(s, Platform(db, make_settings()).system(), "login", actor="alice")
        assert chain.verify_rows(chain_rows(db)).rows == 8
        with b.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 8
    finally:
        drop_backend(b)
