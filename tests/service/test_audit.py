"""Every write is audited with before and after; the log cannot be altered."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from huiqi.service import audit, enterprises
from huiqi.service.audit import AuditQuery
from huiqi.service.schemas import EnterpriseUpdate, FactSet, FactsUpdate
from huiqi.store.database import Database
from huiqi.store.models import AuditEntry
from service_fixtures import World


def test_writes_are_audited_with_before_and_after(world: World) -> None:
    officer = world.ctx("case_officer")
    enterprises.update(world.ctx("admin"), world.other, EnterpriseUpdate(district="黄岛区",
                                                                         moved_on="2025-03-01"))
    enterprises.set_facts(officer, world.other, FactsUpdate(items=[
        FactSet(fact="revenue", year=2024, value="12000000")]))
    enterprises.set_facts(officer, world.other, FactsUpdate(items=[
        FactSet(fact="revenue", year=2024, value="13000000.50")]))
    _, rows = audit.entries(world.ctx("admin"), AuditQuery(target=world.other))
    got = [(e.actor, e.action, e.before, e.after) for e in reversed(rows)]
    assert got[0][:2] == ("system", "enterprise.create")
    assert got[1] == ("u_admin", "enterprise.update",
                      {"name": "宁波甬新材料科技有限公司", "kind": "enterprise", "district": "崂山区",
                       "park": "青岛高新区"},
                      {"name": "宁波甬新材料科技有限公司", "kind": "enterprise", "district": "黄岛区",
                       "park": "青岛高新区"})
    assert got[2] == ("u_case_officer", "enterprise.facts", {"revenue@2024": None},
                      {"revenue@2024": "12000000"})
    assert got[3][2:] == ({"revenue@2024": "12000000"}, {"revenue@2024": "13000000.5"})
    assert all(e.at is not None and e.outcome == "ok" for e in rows)


def test_an_unchanged_write_is_not_a_write(world: World) -> None:
    officer = world.ctx("case_officer")
    items = FactsUpdate(items=[FactSet(fact="revenue", year=2024, value="1")])
    assert enterprises.set_facts(officer, world.own, items)
    assert enterprises.set_facts(officer, world.own, items) == []
    total, _ = audit.entries(world.ctx("admin"), AuditQuery(action="enterprise.facts"))
    assert total == 1


def test_the_database_refuses_to_change_the_audit_log(world: World, db: Database) -> None:
    for stmt in (update(AuditEntry).values(actor="mallory"), delete(AuditEntry)):
        with db.write() as s, pytest.raises(DatabaseError, match="append-only"), s.begin_nested():
            s.execute(stmt)
    with db.read() as s:
        assert s.query(AuditEntry).filter(AuditEntry.actor == "mallory").count() == 0
        assert s.query(AuditEntry).count() > 0
    if db.dialect == "postgresql":
        with db.write() as s, pytest.raises(DatabaseError, match="append-only"), s.begin_nested():
            s.execute(text("TRUNCATE audit_log"))


def test_only_administrators_read_the_audit_log(world: World) -> None:
    from huiqi.errors import PermissionDenied

    for role in ("policy_officer", "reviewer", "case_officer", "leadership", "enterprise"):
        with pytest.raises(PermissionDenied):
            audit.entries(world.ctx(role), AuditQuery())
    assert audit.entries(world.ctx("admin"), AuditQuery())[0] > 0
