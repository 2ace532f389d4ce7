"""Entities and their facts, as the roles may see and change them.

An enterprise user reads and changes only the enterprise its account is bound to; every
other role needs the permission over all entities.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from huiqi.clock import china_date
from huiqi.errors import (
    CreditCodeError,
    DataError,
    InputError,
    InvalidRequest,
    NotFoundError,
    Problem,
)
from huiqi.facts.credit_code import validate
from huiqi.messages import message
from huiqi.registry import entities as E
from huiqi.registry import values as V
from huiqi.store.models import Entity, FactValue
from huiqi.text import Text

from .audit import record
from .catalogue import platform_catalogue
from .context import Context, requires
from .permissions import Permission, Scope
from .schemas import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    FactChange,
    FactPublic,
    FactsUpdate,
    LocationPublic,
    Page,
)

ENTERPRISE = Text("企业", "enterprise")
SELF_REPORTED = "self_reported"


def public(e: Entity) -> EnterprisePublic:
    return EnterprisePublic(credit_code=e.credit_code, name=e.name, kind=e.kind,
                            district=e.district, park=e.park, industry=e.industry,
                            revision=e.revision, created_at=e.created_at,
                            updated_at=e.updated_at)


def _snapshot(e: Entity) -> dict[str, Any]:
    return {"name": e.name, "kind": e.kind, "district": e.district, "park": e.park}


def load(s: Session, code: str) -> Entity:
    e = E.find(s, code.strip().upper())
    if e is None:
        raise NotFoundError(ENTERPRISE, code)
    return e


@requires(Permission.ENTERPRISE_READ)
def search(ctx: Context, *, q: str | None = None, kind: str | None = None,
           district: str | None = None, industry: str | None = None, offset: int = 0,
           limit: int = 50) -> Page[EnterprisePublic]:
    stmt = select(Entity)
    if ctx.scope(Permission.ENTERPRISE_READ) is Scope.OWN:
        stmt = stmt.where(Entity.id == (ctx.actor.entity_id or -1))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Entity.name.like(like), Entity.credit_code.like(like)))
    if kind:
        stmt = stmt.where(Entity.kind == kind)
    if district:
        stmt = stmt.where(Entity.district == district)
    if industry:
        stmt = stmt.where(Entity.industry == industry)
    with ctx.db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(Entity.credit_code).offset(offset).limit(limit))
        return Page(total=total, offset=offset, limit=limit, items=[public(e) for e in rows])


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def get(ctx: Context, code: str) -> EnterprisePublic:
    with ctx.db.read() as s:
        return public(load(s, code))


@requires(Permission.ENTERPRISE_WRITE)
def create(ctx: Context, data: EnterpriseCreate) -> EnterprisePublic:
    if ctx.scope(Permission.ENTERPRISE_WRITE) is not Scope.ALL:
        ctx.refuse(Permission.ENTERPRISE_WRITE, data.credit_code)
    try:
        code = validate(data.credit_code)
    except CreditCodeError as exc:
        raise InputError(exc.text) from None
    with ctx.db.write(lock=E.LOCK) as s:  # after any import creating entities
        if E.find(s, code) is not None:
            from huiqi.errors import Conflict

            raise Conflict("enterprise.exists", value=code)
        prov = E.Provenance(source="manual", by=ctx.actor.username, at=ctx.now())
        e = E.create(s, code, data.name, data.kind, prov, district=data.district,
                     park=data.park, since=data.since)
        record(s, ctx, "enterprise.create", target=code, after=_snapshot(e))
        return public(e)


@requires(Permission.ENTERPRISE_WRITE, enterprise="code")
def update(ctx: Context, code: str, data: EnterpriseUpdate) -> EnterprisePublic:
    """Rename an entity, or correct where it is registered. Changing the location directly is
    an administrator's correction (:data:`Permission.ENTERPRISE_MOVE`); a move is a case
    (:mod:`huiqi.cases.moves`: both districts approve, then the location changes). An
    enterprise user may rename its own firm but not move it."""
    if data.model_fields_set & {"district", "park", "moved_on"}:
        ctx.require(Permission.ENTERPRISE_MOVE, target=code.strip().upper())
    with ctx.db.write() as s:
        e = load(s, code)
        before = _snapshot(e)
        prov = E.Provenance(source="manual", by=ctx.actor.username, at=ctx.now())
        if data.name is not None and data.name != e.name:
            e.name = data.name
            E.touch(e, prov.at)
        fields = data.model_fields_set
        if "district" in fields or "park" in fields:
            district = data.district if "district" in fields else e.district
            park = data.park if "park" in fields else e.park
            E.move(s, e, district, park, data.moved_on or china_date(prov.at), prov)
        after = _snapshot(e)
        if after != before:
            record(s, ctx, "enterprise.update", target=e.credit_code, before=before, after=after)
        return public(e)


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def locations(ctx: Context, code: str) -> list[LocationPublic]:
    with ctx.db.read() as s:
        e = load(s, code)
        return [LocationPublic(district=x.district, park=x.park, valid_from=x.valid_from,
                               valid_to=x.valid_to, recorded_at=x.recorded_at,
                               recorded_by=x.recorded_by, batch_id=x.batch_id)
                for x in E.locations(s, e.id)]


@requires(Permission.ENTERPRISE_READ, enterprise="code")
def facts(ctx: Context, code: str, history: bool = False) -> list[FactPublic]:
    """The value in force of each fact and year (or, with ``history``, every value ever)."""
    cat = platform_catalogue(ctx)
    with ctx.db.read() as s:
        e = load(s, code)
        rows: list[FactValue] = (E.history(s, e.id) if history
                                 else sorted(E.latest(s, [e.id])[e.id].values(),
                                             key=lambda r: (r.fact, r.year)))
        out = []
        for r in rows:
            f = cat.facts.get(r.fact)
            if f is None:
                continue
            out.append(FactPublic(fact=r.fact, year=r.year or None,
                                  value=V.plain(f, r.value_text, r.value_number),
                                  label=f.label.as_dict(), source=r.source,  # type: ignore[arg-type]
                                  recorded_at=r.recorded_at, recorded_by=r.recorded_by,
                                  batch_id=r.batch_id))
        return out


@requires(Permission.ENTERPRISE_WRITE, enterprise="code")
def set_facts(ctx: Context, code: str, data: FactsUpdate) -> list[FactChange]:
    """Record facts given by a person; every value is checked against the catalogue."""
    cat = platform_catalogue(ctx)
    problems: list[Problem] = []
    items: list[tuple[str, int, Any]] = []
    for i, it in enumerate(data.items):
        f = cat.facts.get(it.fact)
        where = ("items", i)
        if f is None or f.id in E.LOCATION_FACTS:
            problems.append(Problem(code="data.unknown_fact", path=(*where, "fact"),
                                    message=message("data.unknown_fact", name=it.fact)))
            continue
        if f.yearly != (it.year is not None):
            code_ = "data.yearly_as_static" if f.yearly else "data.static_as_yearly"
            problems.append(Problem(code=code_, path=(*where, "year"),
                                    message=message(code_, name=it.fact)))
            continue
        try:
            value = cat.coerce(f, it.value)
        except ValueError as exc:
            reason = exc.args[0]
            problems.append(Problem(code="data.bad_value", path=(*where, "value"),
                                    snippet=str(it.value)[:100],
                                    message=message("data.bad_value", name=it.fact,
                                                    reason_zh=reason.zh, reason_en=reason.en)))
            continue
        if value is None:
            continue
        items.append((f.id, it.year or E.STATIC, value))
    source = _source(ctx, data.source)
    if problems:
        raise DataError(problems, code)
    with ctx.db.write() as s:
        e = load(s, code)
        prov = E.Provenance(source=source, by=ctx.actor.username, at=ctx.now())
        changes = E.set_facts(s, cat, e, items, prov)
        if changes:
            record(s, ctx, "enterprise.facts", target=e.credit_code,
                   before={f"{c['fact']}@{c['year']}" if c["year"] else c["fact"]: c["before"]
                           for c in changes},
                   after={f"{c['fact']}@{c['year']}" if c["year"] else c["fact"]: c["after"]
                          for c in changes})
        return [FactChange(**c) for c in changes]


def _source(ctx: Context, asked: str | None) -> str:
    """Where facts come from is decided by who writes them: an enterprise user's are
    self-reported, whatever it asks for; staff may name the record they transcribe."""
    if ctx.scope(Permission.ENTERPRISE_WRITE) is Scope.ALL:
        return asked or "manual"
    if asked not in (None, SELF_REPORTED):
        raise InvalidRequest([Problem(code="facts.source_fixed", path=("source",),
                                      message=message("facts.source_fixed", source=asked[:32]))])
    return SELF_REPORTED


def today(ctx: Context) -> dt.date:
    """China's date by the platform's clock, or the ``as_of`` setting."""
    return ctx.platform.today()
