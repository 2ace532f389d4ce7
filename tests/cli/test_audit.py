"""``huiqi audit verify``: the audit log's hash chain, tampered with directly in the database
(as someone holding the database file or its owner's role would) on SQLite and PostgreSQL,
is found broken at the first entry changed, removed or inserted."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.service.audit import record
from huiqi.service.context import Platform
from huiqi.store import chain
from huiqi.store.database import Database
from service_fixtures import BACKENDS, Backend, Clock, drop_backend, make_settings, new_backend


@dataclass
class Log:
    backend: Backend
    url: str
    platform: Platform

    @property
    def engine(self) -> Engine:
        return self.backend.engine


@pytest.fixture(params=BACKENDS)
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Log]:
    """A migrated database whose audit log has six entries (#1 … #6), a minute apart."""
    b = new_backend(request.param, tmp_path, "chain")
    db = Database(b.engine)
    db.upgrade()
    clock = Clock()
    platform = Platform(db, make_settings(), clock)
    ctx = platform.system()
    for i in range(6):
        with db.write() as s:
            record(s, ctx, "enterprise.update", target=f"9137021200000000{i:02d}",
                   before={"name": f"旧名{i}"}, after={"name": f"新名{i}", "amount": 12.5})
        clock.advance(minutes=1)
    url = b.url if b.name == "sqlite" else b.url + "?options=" + quote(b.connect_args["options"])
    yield Log(b, url, platform)
    drop_backend(b)


def verify(url: str, lang: str = "zh") -> tuple[int, str]:
    r = CliRunner().invoke(app, ["audit", "verify", "--database", url, "--lang", lang],
                           env={"COLUMNS": "300", "HUIQI_ENV": "development"})
    return r.exit_code, r.output


def tamper(log: Log, *sql: str, **params: object) -> None:
    """Run ``sql`` with the append-only triggers out of the way, as the database's owner."""
    with log.engine.begin() as conn:
        if log.backend.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        for stmt in sql:
            conn.execute(text(stmt), params)


def _row(log: Log, rid: int) -> dict[str, object]:
    rows = {int(r["id"]): r for r in chain_rows(log)}
    return rows[rid]


def chain_rows(log: Log) -> list[dict[str, object]]:
    from huiqi.service.audit import chain_rows as rows

    return list(rows(log.platform.db, batch=4))  # batches smaller than the log


def test_an_intact_log_verifies(log: Log) -> None:
    code, out = verify(log.url)
    assert code == 0, out
    assert "审计日志完整" in out and "6 条记录" in out and "#6" in out
    code, out = verify(log.url, "en")
    assert code == 0 and "intact" in out


def test_an_edited_entry_is_named(log: Log) -> None:
    tamper(log, "UPDATE audit_log SET actor = 'mallory' WHERE id = 3")
    code, out = verify(log.url)
    assert code == 1, out
    assert "第 #3 条" in out and "内容或哈希与写入时不符" in out and "此前 2 条验证通过" in out


def test_an_entry_edited_with_its_hash_recomputed_breaks_the_next_link(log: Log) -> None:
    row = {**_row(log, 3), "actor": "mallory"}
    forged = chain.digest(str(row["prev_hash"]), row)
    tamper(log, "UPDATE audit_log SET actor = 'mallory', hash = :h WHERE id = 3", h=forged)
    code, out = verify(log.url)
    assert code == 1 and "第 #4 条记录未接在第 #3 条之后" in out, out


def test_a_deleted_entry_is_found_at_the_next(log: Log) -> None:
    tamper(log, "DELETE FROM audit_log WHERE id = 4")
    code, out = verify(log.url)
    assert code == 1, out
    assert "第 #5 条记录未接在第 #3 条之后" in out and "有记录被删除" in out
    code, out = verify(log.url, "en")
    assert "entry #5 does not follow entry #3" in out


def test_an_inserted_entry_is_named(log: Log) -> None:
    """A back-dated entry inserted by hand (no hash it could know) is named."""
    tamper(log, "INSERT INTO audit_log (id, at, actor, action, outcome, count, prev_hash, hash) "
                "VALUES (7, :at, 'admin', 'policy.publish', 'ok', 1, :p, :h)",
           at=dt.datetime(2025, 5, 1, 9, 0), p="f" * 64, h="e" * 64)
    code, out = verify(log.url)
    assert code == 1 and "第 #7 条记录未接在第 #6 条之后" in out, out


def test_an_entry_replaced_with_a_chained_forgery_breaks_the_next_link(log: Log) -> None:
    """Removing #4 and putting a forged #4 in its place, properly chained on #3."""
    prev = str(_row(log, 3)["hash"])
    at = dt.datetime(2025, 6, 1, 9, 3, tzinfo=dt.UTC)
    fields = {"at": at, "actor": "admin", "role": "admin", "action": "policy.publish",
              "outcome": "ok", "target": "seed #9", "before": None, "after": None,
              "detail": None, "count": 1}
    tamper(log, "DELETE FROM audit_log WHERE id = 4",
           "INSERT INTO audit_log (id, at, actor, role, action, outcome, target, count, prev_hash,"
           " hash) VALUES (4, :at, 'admin', 'admin', 'policy.publish', 'ok', 'seed #9', 1, :p, :h)",
           at=at if log.backend.name == "postgresql" else at.replace(tzinfo=None), p=prev,
           h=chain.digest(prev, fields))
    code, out = verify(log.url)
    assert code == 1 and "第 #5 条记录未接在第 #4 条之后" in out, out


def test_a_back_dated_entry_chained_at_the_end_is_named(log: Log) -> None:
    """Someone who knows how the chain is made appends a properly chained entry dated
    last month: its date gives it away."""
    prev = str(_row(log, 6)["hash"])
    at = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)
    fields = {"at": at, "actor": "u_admin", "role": "admin", "action": "policy.publish",
              "outcome": "ok", "target": None, "before": None, "after": None, "detail": None,
              "count": 1}
    with log.engine.begin() as conn:  # an INSERT: no trigger stands in its way
        conn.execute(text(
            "INSERT INTO audit_log (at, actor, role, action, outcome, count, prev_hash, hash) "
            "VALUES (:at, 'u_admin', 'admin', 'policy.publish', 'ok', 1, :p, :h)"),
            {"at": at if log.backend.name == "postgresql" else at.replace(tzinfo=None),
             "p": prev, "h": chain.digest(prev, fields)})
    code, out = verify(log.url)
    assert code == 1 and "第 #7 条记录的时间早于第 #6 条" in out, out


def test_concurrent_writers_make_one_chain(log: Log) -> None:
    """Eight threads, each with its own connection, append at once: one valid chain."""
    platform = Platform(log.platform.db, log.platform.settings)  # the real clock
    ctx = platform.system()
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(10):
                with platform.db.write() as s:
                    record(s, ctx, "enterprise.facts", target=f"t{k}", after={"i": i})
        except BaseException as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdict = chain.verify_rows(chain_rows(log))
    assert verdict.ok and verdict.rows == 6 + 80
