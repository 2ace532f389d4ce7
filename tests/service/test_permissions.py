"""Rights are enforced in the service layer: every role against every service function,
and an enterprise user only ever reaches its own enterprise."""

from __future__ import annotations

import inspect

import pytest

from huiqi.errors import PermissionDenied
from huiqi.service import accounts, audit, enterprises, imports, matching, policies, population
from huiqi.service.audit import AuditQuery
from huiqi.service.permissions import GRANTS, Permission, Role, Scope
from huiqi.service.schemas import EnterpriseUpdate, FactSet, FactsUpdate
from service_fixtures import World

SERVICES = (accounts, audit, enterprises, imports, matching, policies, population)
#: Helpers that give nobody any data: the caller's own account, the date, pack caches.
INTERNAL = {"me", "today", "remember", "loaded", "matcher", "warm", "precompute"}


def test_every_public_service_function_declares_a_permission() -> None:
    undeclared = []
    for module in SERVICES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:1] == ["ctx"] and not hasattr(fn, "permission") and name not in INTERNAL:
                undeclared.append(f"{module.__name__}.{name}")
    assert undeclared == []


def test_leadership_is_read_only() -> None:
    writes = {Permission.ENTERPRISE_WRITE, Permission.ENTERPRISE_MOVE, Permission.POLICY_WRITE,
              Permission.POLICY_PUBLISH, Permission.RESULT_RUN, Permission.IMPORT_RUN, Permission.ACCOUNT_MANAGE,
              Permission.SIMULATION_RUN}
    assert not writes & set(GRANTS[Role.LEADERSHIP])


def test_enterprise_users_hold_only_their_own_enterprise() -> None:
    g = GRANTS[Role.ENTERPRISE]
    assert g[Permission.ENTERPRISE_READ] is Scope.OWN
    assert g[Permission.ENTERPRISE_WRITE] is Scope.OWN
    assert Permission.RESULT_READ not in g and Permission.AUDIT_READ not in g


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_reading_an_enterprise_by_role(world: World, role: str) -> None:
    ctx = world.ctx(role)
    allowed = GRANTS[Role(role)].get(Permission.ENTERPRISE_READ)
    if allowed is None:
        with pytest.raises(PermissionDenied):
            enterprises.get(ctx, world.other)
        return
    assert enterprises.get(ctx, world.own).credit_code == world.own
    if allowed is Scope.OWN:
        with pytest.raises(PermissionDenied) as exc:
            enterprises.get(ctx, world.other)
        assert world.other in exc.value.message("zh")
    else:
        assert enterprises.get(ctx, world.other).credit_code == world.other


def test_enterprise_user_cannot_read_or_change_another_enterprise(world: World) -> None:
    me = world.ctx("enterprise")
    other = world.other
    calls = [
        lambda: enterprises.get(me, other),
        lambda: enterprises.facts(me, other),
        lambda: enterprises.locations(me, other),
        lambda: enterprises.update(me, other, EnterpriseUpdate(name="冒名")),
        lambda: enterprises.set_facts(me, other, FactsUpdate(items=[FactSet(
            fact="revenue", year=2024, value="1")])),
        lambda: enterprises.get(me, other.lower()),
        lambda: matching.match_one(me, other),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    # nothing of the other enterprise changed
    admin = world.ctx("admin")
    assert enterprises.get(admin, other).name == "宁波甬新材料科技有限公司"
    assert enterprises.facts(admin, other) == []
    # its own, it may change and list only
    enterprises.update(me, world.own, EnterpriseUpdate(name="青岛海纳微电子股份有限公司"))
    page = enterprises.search(me)
    assert [e.credit_code for e in page.items] == [world.own] and page.total == 1


def test_refusals_are_audited(world: World) -> None:
    me = world.ctx("enterprise")
    with pytest.raises(PermissionDenied):
        enterprises.get(me, world.other)
    with pytest.raises(PermissionDenied):
        audit.entries(me, AuditQuery())
    _, rows = audit.entries(world.ctx("admin"), AuditQuery(outcome="denied"))
    got = [(e.actor, e.action, e.target) for e in reversed(rows)]
    assert got == [("u_enterprise", "enterprise.read", world.other),
                   ("u_enterprise", "audit.read", None)]
