"""Applications: the enterprise starts one from a programme (the facts its clause reads
pre-filled from the registry), confirms or completes those facts (recorded as its own,
self-reported, with provenance), hands in the declared materials, submits while the window
is open (the engine pre-checks eligibility and says what is missing); staff do the formal
review (pass, or return with reasons and a working-day deadline; resubmission), 公示 and
grant; payments (拨付) never exceed the grant. Every transition goes through the declared
workflow (:mod:`.flow`): allowed role, audited reason, domain event, one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.facts.catalogue import default_catalogue
from huiqi.messages import message
from huiqi.registry import entities as E
from huiqi.registry import values as V
from huiqi.rules import ir
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.enterprises import load as load_entity
from huiqi.service.enterprises import set_facts
from huiqi.service.permissions import Permission, Scope
from huiqi.service.policies import loaded
from huiqi.service.schemas import FactSet, FactsUpdate
from huiqi.store.models import Entity, PackVersion
from huiqi.store.stored_file import stored
from huiqi.workflow import machine as M

from . import core, flow, money
from .models import Application, ApplicationMaterial, Objection, Payment, Programme
from .schemas import (
    ApplicationPublic,
    FactsConfirm,
    MaterialSpec,
    NoticeEntry,
    ObjectionAnswer,
    ObjectionIn,
    PaymentIn,
)

#: the first bytes of each file type a programme may ask for
MAGIC = {"pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",),
         "jpeg": (b"\xff\xd8\xff",), "zip": (b"PK\x03\x04",), "docx": (b"PK\x03\x04",),
         "xlsx": (b"PK\x03\x04",), "ofd": (b"PK\x03\x04",)}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
                 "jpeg": "image/jpeg", "zip": "application/zip",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "ofd": "application/ofd"}


def clause_facts(ctx: Context, s: Session, p: Programme) -> list[tuple[str, int | None]]:
    """The facts (of which fiscal years) the programme's clause reads, through its named
    values too, in the order the conditions name them."""
    v = s.get_one(PackVersion, p.pack_version_id)
    pack = loaded(ctx, p.pack_key, v)
    spec = pack.clause(p.clause_key)
    assert spec is not None
    values = {x.key: x for pol in pack.policies for x in pol.values.values()}
    nodes = [c.expr for c in spec.all_conditions() if c.expr is not None]
    return list(dict.fromkeys(n for n in ir.needs(nodes, p.year, lambda key: values[key].expr)
                              if not n[0].startswith("choice:")))


def prefill(ctx: Context, s: Session, p: Programme, e: Entity) -> dict[str, Any]:
    """The values in force of the clause's facts (yearly ones as ``fact@year``): what the
    form shows pre-filled, for the enterprise to confirm or complete."""
    cat = default_catalogue()
    current = E.latest_values(s, [e.id])[e.id]
    out: dict[str, Any] = {}
    for name, year in clause_facts(ctx, s, p):
        f = cat.facts.get(name)
        if f is None or name in E.LOCATION_FACTS:
            continue
        stored = current.get((name, year if year is not None else E.STATIC))
        out[f"{name}@{year}" if year is not None else name] = V.plain(f, *stored) if stored else None
    return out


@requires(Permission.APPLICATION_WRITE, enterprise="code")
def start(ctx: Context, programme: str, code: str) -> ApplicationPublic:
    """A draft application of the enterprise ``code`` to ``programme`` (one per programme;
    asking again gives the existing one), its facts pre-filled."""
    with ctx.db.write() as s:
        p = core.programme_row(s, programme)
        if p.mode == "automatic":
            raise Conflict("programme.no_application", programme=p.key)
        e = load_entity(s, code)
        a = s.scalar(select(Application).where(Application.programme_id == p.id,
                                               Application.entity_id == e.id))
        if a is None:
            core.require_open(p, core.today(ctx))
            now = ctx.now()
            a = Application(programme_id=p.id, entity_id=e.id, origin="applied",
                            state=flow.APPLICATION.initial, facts=prefill(ctx, s, p, e),
                            paid=Decimal(0), created_at=now, updated_at=now)
            s.add(a)
            s.flush()
            record(s, ctx, "application.start", target=f"application:{a.id}",
                   after={"programme": p.key, "enterprise": e.credit_code})
        return core.application_public(ctx, s, a)


@requires(Permission.APPLICATION_READ)
def get(ctx: Context, app_id: int) -> ApplicationPublic:
    core.visible(ctx, app_id)
    with ctx.db.read() as s:
        return core.application_public(ctx, s, core.application_row(s, app_id))


@requires(Permission.APPLICATION_READ)
def list_for(ctx: Context, *, programme: str | None = None, code: str | None = None,
             state: str | None = None) -> list[ApplicationPublic]:
    """Applications the actor may see: an enterprise user its own; staff all (by programme,
    enterprise, state); the officer's queue is this with ``programme`` and a state."""
    with ctx.db.read() as s:
        stmt = select(Application).order_by(Application.due_on.is_(None), Application.due_on,
                                            Application.id)
        if ctx.scope(Permission.APPLICATION_READ) is not Scope.ALL:
            stmt = stmt.where(Application.entity_id == (ctx.actor.entity_id or -1))
        if programme is not None:
            stmt = stmt.where(Application.programme_id == core.programme_row(s, programme).id)
        if code is not None:
            e = s.scalar(select(Entity).where(Entity.credit_code == code.strip().upper()))
            stmt = stmt.where(Application.entity_id == (e.id if e else -1))
        if state is not None:
            stmt = stmt.where(Application.state == state)
        return [core.application_public(ctx, s, a) for a in s.scalars(stmt.limit(1000))]


def _own_editable(ctx: Context, s: Session, app_id: int) -> Application:
    """The application, in a state the enterprise may still change (visibility checked by
    the caller, before its transaction)."""
    a = core.application_row(s, app_id)
    if a.state not in flow.EDITABLE:
        raise Conflict("programme.not_editable", application=a.id,
                       state_zh=flow.STATES[a.state].zh, state_en=flow.STATES[a.state].en)
    return a


@requires(Permission.APPLICATION_WRITE)
def confirm_facts(ctx: Context, app_id: int, data: FactsConfirm) -> ApplicationPublic:
    """The enterprise confirms or completes the pre-filled facts: each value given is
    recorded as a fact of the enterprise (self-reported, with who and when) and kept on the
    application as confirmed."""
    core.visible(ctx, app_id, write=True)
    with ctx.db.read() as s:
        a = _own_editable(ctx, s, app_id)
        code = core.entity_row(s, a.entity_id).credit_code
    items = []
    for key, value in data.facts.items():
        name, _, year = key.partition("@")
        if value is None or value == "":
            continue
        items.append(FactSet(fact=name, year=int(year) if year else None, value=value))
    if items:
        set_facts(ctx, code, FactsUpdate(items=items))
    with ctx.db.write() as s:
        a = _own_editable(ctx, s, app_id)
        facts = dict(a.facts or {})
        facts.update({k: v for k, v in data.facts.items() if v not in (None, "")})
        a.facts = facts
        a.updated_at = ctx.now()
        record(s, ctx, "application.facts", target=f"application:{a.id}",
               after={k: core.json_of(v) for k, v in data.facts.items()})
        return core.application_public(ctx, s, a)


@requires(Permission.APPLICATION_WRITE)
def upload(ctx: Context, app_id: int, kind: str, file_name: str, content: bytes) -> ApplicationPublic:
    """A material of a declared kind: its type checked by name and by its first bytes, its
    size against the programme's limit, its SHA-256 kept."""
    core.visible(ctx, app_id, write=True)
    with ctx.db.write() as s:
        a = _own_editable(ctx, s, app_id)
        p = s.get_one(Programme, a.programme_id)
        specs = {m["kind"]: MaterialSpec.model_validate(m) for m in p.materials or []}
        spec = specs.get(kind)
        if spec is None:
            raise InputError(message("programme.material_kind", kind=kind[:64],
                                     known="、".join(specs) or "—"))
        suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        if suffix not in spec.types or not content.startswith(MAGIC.get(suffix, (b"",))):
            raise InputError(message("programme.material_type", name=file_name[:100],
                                     types="、".join(spec.types)))
        if len(content) > spec.max_bytes or not content:
            raise InputError(message("programme.material_size", name=file_name[:100],
                                     size=len(content), max=spec.max_bytes))
        m = ApplicationMaterial(application_id=a.id, kind=kind, file_name=file_name[:255],
                                **stored(content, CONTENT_TYPES.get(suffix), ctx.actor.username,
                                         ctx.now()))
        s.add(m)
        a.updated_at = ctx.now()
        s.flush()
        record(s, ctx, "application.upload", target=f"application:{a.id}",
               after={"kind": kind, "file": file_name[:255], "size": m.size, "sha256": m.sha256})
        return core.application_public(ctx, s, a)


@requires(Permission.APPLICATION_READ)
def material(ctx: Context, app_id: int, material_id: int) -> tuple[str, str, bytes]:
    """A material's name, type and bytes — only for those who may see the application."""
    core.visible(ctx, app_id)
    with ctx.db.read() as s:
        a = core.application_row(s, app_id)
        m = s.get(ApplicationMaterial, material_id)
        if m is None or m.application_id != a.id:
            raise NotFoundError(core.MATERIAL, str(material_id))
        return m.file_name, m.content_type, m.content


def _load(app_id: int) -> Any:
    def load(s: Session) -> Application:
        return core.application_row(s, app_id)
    return load


def _submit_checks(ctx: Context, s: Session, a: Application) -> None:
    p = s.get_one(Programme, a.programme_id)
    day = core.today(ctx)
    core.require_open(p, day)
    have = {m.kind for m in s.scalars(select(ApplicationMaterial).where(
        ApplicationMaterial.application_id == a.id))}
    lacking = [m["label_zh"] for m in p.materials or [] if m.get("required", True)
               and m["kind"] not in have]
    if lacking:
        raise Conflict("programme.materials_missing", missing="、".join(lacking))
    _once_and_cooldown(ctx, s, p, a, day)
    got = money.assess(ctx, s, p, core.entity_row(s, a.entity_id), day)
    a.precheck = {"status": got.status, "failed": list(got.failed), "missing": list(got.missing),
                  "amount": core.money(got.amount), "version_key": got.version_key,
                  "as_of": day.isoformat()}
    if got.status == "not_eligible":
        raise Conflict("programme.not_eligible", failed="、".join(got.failed))
    if got.missing:
        raise Conflict("programme.facts_missing", missing="、".join(got.missing))


def _once_and_cooldown(ctx: Context, s: Session, p: Programme, a: Application, day: dt.date) -> None:
    """The clause's ``program:`` section: a once-only benefit is granted to an enterprise
    once ever; after a grant, the cooldown must pass before it applies again."""
    v = s.get_one(PackVersion, p.pack_version_id)
    spec = loaded(ctx, p.pack_key, v).clause(p.clause_key)
    prog = spec.program if spec is not None else None
    if prog is None or not (prog.once_only or prog.cooldown_months or prog.cooldown_days):
        return
    before = s.scalars(select(Application).join(Programme).where(
        Programme.clause_key == p.clause_key, Application.entity_id == a.entity_id,
        Application.id != a.id, Application.state.in_(("granted", "paid", "closed")))).all()
    for b in before:
        if prog.once_only:
            raise Conflict("programme.once_only", clause=p.clause_key, application=b.id)
        on = dt.date.fromisoformat(((b.explanation or {}).get("grant") or {}).get("on", "1900-01-01"))
        until = money.add_months(on, prog.cooldown_months or 0) + dt.timedelta(days=prog.cooldown_days or 0)
        if day < until:
            raise Conflict("programme.cooldown", clause=p.clause_key, until=until.isoformat())


@requires(Permission.APPLICATION_READ)
def move(ctx: Context, app_id: int, action: str, reason: str | None = None) -> ApplicationPublic:
    """Do the transition ``action`` (submit, resubmit, return, reject, pass, withdraw,
    publicise, grant, close) — the role, the state and the reason checked by the workflow."""
    if action not in core.MOVES:
        raise InputError(message("workflow.unknown_transition", workflow="application",
                                 name=action[:32], known=", ".join(sorted(core.MOVES))))
    core.visible(ctx, app_id, write=True)

    def effect(s: Session, a: Application) -> None:
        p = s.get_one(Programme, a.programme_id)
        d = core.durations(p)
        day = core.today(ctx)
        a.updated_at = ctx.now()
        if action in ("submit", "resubmit"):
            _submit_checks(ctx, s, a)
            a.submitted_at = ctx.now()
            a.due_on = core.due(s, day, d.formal_review)
        elif action == "reopen":
            core.require_open(p, day)
            a.due_on = None
        elif action == "return":
            a.note, a.due_on = reason, core.due(s, day, d.correction)
        elif action == "pass":
            a.note = reason
            a.due_on = core.due(s, day, d.review) if p.mode == "competitive" else None
            if p.mode == "competitive":
                from .reviews import assign_panel

                assign_panel(ctx, s, p, a)
        elif action == "publicise":
            a.due_on = core.due(s, day, d.objection)
        elif action == "grant":
            _grant(ctx, s, p, a, day)
        else:
            a.note, a.due_on = reason or a.note, None

    M.perform(ctx, flow.APPLICATION, _load(app_id), action, app_id, reason=reason, effect=effect)
    with ctx.db.read() as s:
        return core.application_public(ctx, s, core.application_row(s, app_id))


def _grant(ctx: Context, s: Session, p: Programme, a: Application, day: dt.date) -> None:
    """公示 over: no open objection, the period ended; the amount after 就高不重复 and the
    yearly cap (what is cut is given back to the budget); the honour recorded."""
    if a.due_on is not None and day <= a.due_on:
        raise Conflict("programme.notice_running", ends=a.due_on.isoformat())
    if s.scalar(select(Objection.id).where(Objection.application_id == a.id,
                                           Objection.answered_at.is_(None))) is not None:
        raise Conflict("programme.objection_open", application=a.id)
    amount, steps = money.capped(s, p, a)
    cut = Decimal(a.amount or 0) - amount
    if cut > 0:
        money.release(s, p, cut, places=0)
    a.amount = amount
    a.due_on = None
    a.explanation = {**(a.explanation or {}), "grant": {"amount": core.json_of(amount),
                                                        "steps": steps, "on": day.isoformat()}}
    money.record_honour(s, ctx, p, a, day)


@requires(Permission.APPLICATION_PROCESS)
def pay(ctx: Context, app_id: int, data: PaymentIn) -> ApplicationPublic:
    """Record a payment (拨付); the sum of payments never exceeds the grant; paid in full
    moves the application to ``paid``."""
    try:
        amount = Decimal(data.amount)
    except InvalidOperation as exc:
        raise InputError(message("programme.bad_number", name="amount", value=data.amount)) from exc
    if amount <= 0:
        raise InputError(message("programme.bad_number", name="amount", value=data.amount))
    t = M.check_role(ctx, flow.APPLICATION, "pay", core.subject(app_id))
    with ctx.db.write() as s:
        a = core.application_row(s, app_id)
        if a.state != "granted":
            raise Conflict("programme.not_granted", application=a.id,
                           state_zh=flow.STATES[a.state].zh, state_en=flow.STATES[a.state].en)
        moved = s.execute(update(Application).where(
            Application.id == a.id, Application.paid + amount <= Application.amount)
            .values(paid=Application.paid + amount).execution_options(synchronize_session="fetch"))
        if getattr(moved, "rowcount", 0) != 1:
            raise Conflict("programme.overpaid", application=a.id, amount=core.money(amount),
                           left=core.money(Decimal(a.amount or 0) - Decimal(a.paid or 0)))
        s.add(Payment(application_id=a.id, amount=amount, paid_on=data.paid_on,
                      reference=data.reference, recorded_at=ctx.now(), recorded_by=ctx.actor.username))
        record(s, ctx, "application.payment", target=f"application:{a.id}",
               after={"amount": core.money(amount), "paid_on": data.paid_on.isoformat(),
                      "reference": data.reference})
        s.refresh(a)
        if a.paid >= (a.amount or 0):
            M.apply(s, ctx, flow.APPLICATION, a, t, payload={"paid": core.money(a.paid)})
        return core.application_public(ctx, s, a)


# ------------------------------------------------------------------ 公示 (public notice)

def notice(ctx: Context) -> list[NoticeEntry]:
    """The public notice: every application in 公示 now — the enterprise, the programme, the
    amount, the rank and aggregate score; nothing else. No sign-in needed (it is public)."""
    with ctx.db.read() as s:
        rows = s.execute(select(Application, Programme, Entity)
                         .join(Programme, Programme.id == Application.programme_id)
                         .join(Entity, Entity.id == Application.entity_id)
                         .where(Application.state.in_(flow.PUBLIC))
                         .order_by(Programme.key, Application.rank, Application.id))
        return [NoticeEntry(application=a.id, programme=p.key,
                            programme_title={"zh": p.title_zh, "en": p.title_en},
                            enterprise=e.credit_code, enterprise_name=e.name,
                            amount=core.money(a.amount), rank=a.rank,
                            score=None if a.score is None else format(a.score, "f"),
                            notice_ends=a.due_on) for a, p, e in rows]


def object_to(ctx: Context, app_id: int, data: ObjectionIn) -> int:
    """Anyone may object to an application in 公示 (about procedure or facts); recorded,
    answered by staff. Returns the objection's number."""
    with ctx.db.write() as s:
        a = core.application_row(s, app_id)
        if a.state not in flow.PUBLIC:
            raise Conflict("programme.not_in_notice", application=app_id)
        o = Objection(application_id=a.id, text=data.text, contact=data.contact,
                      filed_at=ctx.now())
        s.add(o)
        s.flush()
        record(s, ctx, "application.objection", target=f"application:{a.id}",
               after={"objection": o.id})
        return o.id


@requires(Permission.APPLICATION_PROCESS)
def answer(ctx: Context, app_id: int, objection_id: int, data: ObjectionAnswer) -> ApplicationPublic:
    """Answer an objection; one upheld revokes the selection (its money given back)."""
    t = M.check_role(ctx, flow.APPLICATION, "revoke", core.subject(app_id)) if data.upheld else None
    with ctx.db.write() as s:
        a = core.application_row(s, app_id)
        o = s.get(Objection, objection_id)
        if o is None or o.application_id != a.id:
            raise NotFoundError(core.OBJECTION, str(objection_id))
        if o.answered_at is not None:
            raise Conflict("programme.objection_answered", objection=o.id)
        o.answer, o.upheld, o.answered_at, o.answered_by = (data.answer, data.upheld, ctx.now(),
                                                            ctx.actor.username)
        record(s, ctx, "application.objection_answer", target=f"application:{a.id}",
               after={"objection": o.id, "upheld": data.upheld}, detail=data.answer)
        if t is not None:
            M.apply(s, ctx, flow.APPLICATION, a, t, reason=data.answer)
            p = s.get_one(Programme, a.programme_id)
            money.release(s, p, Decimal(a.amount or 0))
            s.refresh(a)
        return core.application_public(ctx, s, a)
