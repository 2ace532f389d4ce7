"""The supply-demand market: demands and offers in one vocabulary
(``vocabulary.yaml``), scored against each other with every point explained, and matched
only with both sides' consent.

A match goes: ``proposed`` → ``demand_yes`` or ``offer_yes`` (one side said yes) →
``connected`` (the other side said yes too: only now are contacts shown) → ``deal`` or
``no_deal``; either side may decline before it is connected. The transitions are a
declared workflow (:mod:`huiqi.workflow.machine`): audited, an event each, and a database
check refuses a connected match without both consents, whatever the code does.

Score: for each specification the demand names, points in [0, 1] (met 1; within the
tolerance: partial, in proportion; beyond: 0; not stated by the offer: 0, "unknown"),
weighted; required qualifications and the volume and timing count too. The score is 100 ×
the weighted share. Matches below ``THRESHOLD`` are not proposed.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError, PermissionDenied
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.store.models import Entity
from huiqi.text import Text, text_of
from huiqi.workflow.events import Subject
from huiqi.workflow.machine import Transition, Workflow, apply, check_role

from .models import MarketListing, MarketMatch
from .schemas import Label, ListingCreate, ListingPublic, MatchPublic, SpecCheck

THRESHOLD = 40.0
ENT = {Role.ENTERPRISE}
STAFF = {Role.ADMIN, Role.CASE_OFFICER}

MATCH = Workflow(
    "market_match",
    states={"proposed": Text("待双方确认", "proposed"),
            "demand_yes": Text("需求方有意向", "demand side interested"),
            "offer_yes": Text("供给方有意向", "offer side interested"),
            "connected": Text("已对接(联系方式已交换)", "connected (contacts shared)"),
            "deal": Text("已成交", "deal"), "no_deal": Text("未成交", "no deal"),
            "declined": Text("已谢绝", "declined")},
    initial="proposed",
    transitions=(
        Transition("demand_interest", {"proposed"}, "demand_yes", ENT,
                   Text("需求方表示有意向", "demand side interested")),
        Transition("offer_interest", {"proposed"}, "offer_yes", ENT, Text("供给方表示有意向", "offer side interested")),
        Transition("demand_confirm", {"offer_yes"}, "connected", ENT, Text("需求方同意对接", "demand side agrees")),
        Transition("offer_confirm", {"demand_yes"}, "connected", ENT, Text("供给方同意对接", "offer side agrees")),
        Transition("decline", {"proposed", "demand_yes", "offer_yes"}, "declined", ENT,
                   Text("谢绝", "decline")),
        Transition("deal", {"connected"}, "deal", ENT | STAFF, Text("记录成交", "record a deal")),
        Transition("no_deal", {"connected"}, "no_deal", ENT | STAFF,
                   Text("记录未成交", "record no deal"), reason_required=True),
    ))
SHARED = {"connected", "deal", "no_deal"}


@functools.cache
def vocabulary() -> dict[str, Any]:
    text = resources.files("huiqi.analytics").joinpath("vocabulary.yaml").read_text("utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


SHAPES = {  # how a specification's value is written, by how it is compared
    "range": Text("区间(两个数,小者在前,如 [-40, 125])", "an interval (two numbers, the smaller "
                  "first, e.g. [-40, 125])"),
    "min": Text("一个数", "a number"), "max": Text("一个数", "a number"),
    "choice": Text("一个选项或选项列表(文字)", "a choice or a list of choices (text)"),
}


def _fits(how: str, value: Any) -> bool:
    def number(v: Any) -> bool:
        return not isinstance(v, bool) and _num(v) is not None and math.isfinite(float(v))

    if how == "range":
        return (isinstance(value, list | tuple) and len(value) == 2 and all(map(number, value))
                and float(value[0]) <= float(value[1]))
    if how in ("min", "max"):
        return number(value)
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(v, str) and v.strip() for v in items)


def check_description(category: str, specs: dict[str, Any], qualifications: list[str]) -> None:
    """A demand, an offer or a challenge task described in the vocabulary: its category, each
    specification's name and the shape of its value (an interval, a number, choices), each
    qualification; :class:`InputError` naming the first that is not, so that bad input never
    becomes a check that can only say "unknown"."""
    voc = vocabulary()
    cat = voc["categories"].get(category)
    if cat is None:
        raise InputError(message("market.unknown_category", category=category))
    for key, value in specs.items():
        spec = cat["specs"].get(key)
        if spec is None:
            raise InputError(message("market.unknown_spec", spec=key, category=category))
        if not _fits(spec["compare"], value):
            shape = SHAPES[spec["compare"]]
            raise InputError(message("market.spec_value", spec=key, label=text_of(spec["label"]).zh,
                                     shape=shape.zh, shape_en=shape.en, value=repr(value)[:80]))
    for q in qualifications:
        if q not in voc["qualifications"]:
            raise InputError(message("market.unknown_qualification", qualification=q))


def _lbl(value: Any) -> Label:
    t = text_of(value)
    return Label(zh=t.zh, en=t.en)


def _satisfied(required: str, held: list[str]) -> bool:
    quals = vocabulary()["qualifications"]
    return any(h == required or required in quals.get(h, {}).get("satisfies", []) for h in held)


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _check(key: str, spec: dict[str, Any], wanted: Any, offered: Any) -> SpecCheck:
    how, tol, w = spec["compare"], float(spec.get("tolerance", 0)), float(spec.get("weight", 1))
    unit = spec.get("unit", "")

    def out(status: str, points: float, zh: str, en: str) -> SpecCheck:
        return SpecCheck(spec=key, label=_lbl(spec["label"]), wanted=wanted, offered=offered,
                         status=status, points=round(points, 3), weight=w,  # type: ignore[arg-type]
                         note=Label(zh=zh, en=en))

    if offered is None:
        return out("unknown", 0, "供给方未说明", "not stated by the offer")
    if how == "choice":
        wants = set(wanted if isinstance(wanted, list) else [wanted])
        haves = set(offered if isinstance(offered, list) else [offered])
        if wants & haves:
            return out("met", 1, "符合", "matches")
        options = "/".join(map(str, wants))
        return out("unmet", 0, f"需要 {options}", f"needs {options}")
    if how == "range":
        try:
            (a, b), (c, d) = (float(x) for x in wanted), (float(x) for x in offered)
        except (TypeError, ValueError):
            return out("unknown", 0, "区间格式有误", "not a range")
        if c <= a and d >= b:
            return out("met", 1, "覆盖所需区间", "covers the range needed")
        covered = max(0.0, min(b, d) - max(a, c)) / (b - a) if b > a else 0.0
        return out("partial" if covered > 0 else "unmet", covered,
                   f"仅覆盖所需区间的 {covered:.0%}", f"covers {covered:.0%} of the range needed")
    want, have = _num(wanted), _num(offered)
    if want is None or have is None:
        return out("unknown", 0, "不是数值", "not a number")
    if how == "min":
        if have >= want:
            return out("met", 1, f"≥ {want:g}{unit}", f"≥ {want:g}{unit}")
        short = (want - have) / want if want else 1.0
    else:  # max
        if have <= want:
            return out("met", 1, f"≤ {want:g}{unit}", f"≤ {want:g}{unit}")
        short = (have - want) / want if want else 1.0
    if tol > 0 and short <= tol:
        pts = 1 - short / tol
        return out("partial", pts, f"差 {short:.0%}(容差 {tol:.0%})",
                   f"off by {short:.0%} (tolerance {tol:.0%})")
    return out("unmet", 0, f"差 {short:.0%},超出容差", f"off by {short:.0%}, beyond tolerance")


def score(demand: MarketListing | ListingCreate, offer: MarketListing | ListingCreate
          ) -> tuple[float, list[SpecCheck]]:
    """The offer's fit to the demand, 0–100, and why: one check per specification the
    demand names, each required qualification, the volume and the timing."""
    cat = vocabulary()["categories"].get(demand.category)
    if cat is None or offer.category != demand.category:
        return 0.0, []
    checks = [_check(k, cat["specs"][k], v, (offer.specs or {}).get(k))
              for k, v in (demand.specs or {}).items() if k in cat["specs"]]
    quals = vocabulary()["qualifications"]
    for q in demand.qualifications or []:
        ok = _satisfied(q, list(offer.qualifications or []))
        checks.append(SpecCheck(spec=f"qualification:{q}", label=_lbl(quals.get(q, {}).get("label", q)),
                                wanted=q, offered=list(offer.qualifications or []),
                                status="met" if ok else "unmet", points=1.0 if ok else 0.0,
                                weight=1.5, note=Label(zh="具备" if ok else "不具备该资质",
                                                       en="held" if ok else "not held")))
    if demand.volume:
        checks.append(_check("volume", {"label": {"zh": "数量/产能", "en": "Volume"},
                                        "compare": "min", "tolerance": 0.5, "weight": 1},
                             demand.volume, offer.volume))
    if demand.needed_by is not None:
        avail = offer.needed_by
        if avail is None:
            st, pts, zh, en = "unknown", 0.0, "供给方未说明供货时间", "no availability date"
        elif avail <= demand.needed_by:
            st, pts, zh, en = "met", 1.0, f"{avail} 可供货", f"available {avail}"
        else:
            late = (avail - demand.needed_by).days
            pts = max(0.0, 1 - late / 180)
            st = "partial" if pts > 0 else "unmet"
            zh, en = f"晚 {late} 天", f"{late} days late"
        checks.append(SpecCheck(spec="timing", label=Label(zh="交付时间", en="Timing"),
                                wanted=demand.needed_by.isoformat(),
                                offered=None if avail is None else avail.isoformat(),
                                status=st, points=round(pts, 3), weight=1,  # type: ignore[arg-type]
                                note=Label(zh=zh, en=en)))
    total = sum(c.weight for c in checks)
    value = 100 * sum(c.weight * c.points for c in checks) / total if total else 0.0
    return round(value, 1), checks


# ------------------------------------------------------------------ listings


def _entity(s: Session, code: str) -> Entity:
    e = s.scalar(select(Entity).where(Entity.credit_code == code.strip().upper()))
    if e is None:
        raise NotFoundError(Text("企业", "enterprise"), code)
    return e


def _public(ctx: Context, row: MarketListing, names: dict[int, str]) -> ListingPublic:
    return ListingPublic(id=row.id, side=row.side, kind=row.kind, category=row.category,
                         title=row.title, enterprise=names.get(row.entity_id, ""),
                         specs=row.specs or {}, qualifications=row.qualifications or [],
                         volume=row.volume, needed_by=row.needed_by, state=row.state,
                         created_at=row.created_at,
                         mine=ctx.actor.entity_id is not None and ctx.actor.entity_id == row.entity_id)


def _names(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in s.execute(select(Entity.id, Entity.name)
                                                .where(Entity.id.in_(ids)))}


@requires(Permission.MARKET_WRITE)
def create_listing(ctx: Context, body: ListingCreate) -> ListingPublic:
    """Post a demand or an offer (an enterprise for itself; staff for any), and propose the
    matches it makes with the open listings of the other side."""
    code = body.credit_code.strip().upper()
    ctx.require(Permission.MARKET_WRITE, enterprise=code)
    check_description(body.category, body.specs, list(body.qualifications))
    with ctx.db.write() as s:
        e = _entity(s, code)
        row = MarketListing(side=body.side, entity_id=e.id, kind=body.kind, category=body.category,
                            title=body.title, specs=body.specs, qualifications=body.qualifications,
                            volume=body.volume, needed_by=body.needed_by, contact=body.contact,
                            state="open", created_at=ctx.now(), created_by=ctx.actor.username)
        s.add(row)
        s.flush()
        proposed = _propose(s, ctx, row)
        record(s, ctx, "market.listing.create", target=f"market_listing:{row.id}",
               after={"side": row.side, "category": row.category, "title": row.title,
                      "proposed": proposed})
        return _public(ctx, row, {e.id: e.name})


def _propose(s: Session, ctx: Context, row: MarketListing) -> int:
    other = "offer" if row.side == "demand" else "demand"
    n = 0
    for o in s.scalars(select(MarketListing).where(
            MarketListing.side == other, MarketListing.state == "open",
            MarketListing.category == row.category, MarketListing.entity_id != row.entity_id)):
        demand, offer = (row, o) if row.side == "demand" else (o, row)
        value, checks = score(demand, offer)
        if value < THRESHOLD:
            continue
        s.add(MarketMatch(demand_id=demand.id, offer_id=offer.id, score=Decimal(str(value)),
                          explanation=[c.model_dump(mode="json") for c in checks],
                          state="proposed", created_at=ctx.now()))
        n += 1
    s.flush()
    return n


@requires(Permission.MARKET_READ)
def listings(ctx: Context, side: str | None = None, category: str | None = None
             ) -> list[ListingPublic]:
    """Open listings (contacts never included)."""
    with ctx.db.read() as s:
        q = select(MarketListing).where(MarketListing.state == "open")
        if side:
            q = q.where(MarketListing.side == side)
        if category:
            q = q.where(MarketListing.category == category)
        rows = list(s.scalars(q.order_by(MarketListing.id.desc()).limit(500)))
        names = _names(s, {r.entity_id for r in rows})
    return [_public(ctx, r, names) for r in rows]


def _side(ctx: Context, m: MarketMatch, demand: MarketListing, offer: MarketListing) -> str | None:
    eid = ctx.actor.entity_id
    if eid is None:
        return None
    if eid == demand.entity_id:
        return "demand"
    if eid == offer.entity_id:
        return "offer"
    return None


def _match_public(ctx: Context, m: MarketMatch, demand: MarketListing, offer: MarketListing,
                  names: dict[int, str]) -> MatchPublic:
    side = _side(ctx, m, demand, offer)
    staff = ctx.scope(Permission.MARKET_READ) is Scope.ALL
    contacts = None
    if m.state in SHARED and m.demand_consent_at is not None and m.offer_consent_at is not None \
            and (side is not None or staff):
        contacts = {"demand": demand.contact, "offer": offer.contact}
    actions = []
    if side is not None:
        for t in MATCH.allowed(m.state, ctx.actor.role):
            if t.name.startswith(side) or t.name in ("decline", "deal", "no_deal"):
                actions.append(t.name)
    elif staff:
        actions = [t.name for t in MATCH.allowed(m.state, ctx.actor.role)]
    return MatchPublic(
        id=m.id, demand=_public(ctx, demand, names), offer=_public(ctx, offer, names),
        score=float(m.score), explanation=[SpecCheck(**c) for c in m.explanation],
        state=m.state, state_label=_lbl(MATCH.states[m.state].as_dict()),
        demand_consented=m.demand_consent_at is not None,
        offer_consented=m.offer_consent_at is not None, my_side=side, actions=actions,
        contacts=contacts, outcome_note=m.outcome_note)


@requires(Permission.MARKET_READ)
def matches(ctx: Context, state: str | None = None) -> list[MatchPublic]:
    """Matches: staff see all; an enterprise sees those of its own listings."""
    with ctx.db.read() as s:
        q = select(MarketMatch)
        if ctx.scope(Permission.MARKET_READ) is not Scope.ALL:
            own = select(MarketListing.id).where(MarketListing.entity_id == ctx.actor.entity_id)
            q = q.where(or_(MarketMatch.demand_id.in_(own), MarketMatch.offer_id.in_(own)))
        if state:
            q = q.where(MarketMatch.state == state)
        rows = list(s.scalars(q.order_by(MarketMatch.score.desc(), MarketMatch.id).limit(500)))
        ids = {i for m in rows for i in (m.demand_id, m.offer_id)}
        lst = {r.id: r for r in s.scalars(select(MarketListing).where(MarketListing.id.in_(ids)))}
        names = _names(s, {r.entity_id for r in lst.values()})
    return [_match_public(ctx, m, lst[m.demand_id], lst[m.offer_id], names) for m in rows]


@requires(Permission.MARKET_READ)
def match(ctx: Context, match_id: int) -> MatchPublic:
    with ctx.db.read() as s:
        m, demand, offer = _load(s, match_id)
        names = _names(s, {demand.entity_id, offer.entity_id})
    if ctx.scope(Permission.MARKET_READ) is not Scope.ALL and _side(ctx, m, demand, offer) is None:
        ctx.refuse(Permission.MARKET_READ, f"market_match:{match_id}")
    return _match_public(ctx, m, demand, offer, names)


def _load(s: Session, match_id: int) -> tuple[MarketMatch, MarketListing, MarketListing]:
    m = s.get(MarketMatch, match_id)
    if m is None:
        raise NotFoundError(Text("撮合", "match"), str(match_id))
    return m, s.get_one(MarketListing, m.demand_id), s.get_one(MarketListing, m.offer_id)


def _act(ctx: Context, match_id: int, name_for: dict[str, str], reason: str | None = None,
         effect: Any = None) -> MatchPublic:
    with ctx.db.read() as s:
        m, demand, offer = _load(s, match_id)
    side = _side(ctx, m, demand, offer)
    if side is None and ctx.actor.role not in STAFF:
        raise PermissionDenied("market_match", f"market_match:{match_id}")
    name = name_for.get(side or "staff") or name_for.get("any")
    if name is None:
        raise Conflict("workflow.illegal", subject=f"market_match:{match_id}", state_zh=m.state,
                       state_en=m.state, transition_zh="-", transition_en="-",
                       allowed_zh="-", allowed_en="-")
    t = check_role(ctx, MATCH, name, Subject(MATCH.name, match_id))
    with ctx.db.write() as s:
        row = s.get_one(MarketMatch, match_id)
        if effect is not None:
            effect(row, side)
        s.flush()
        apply(s, ctx, MATCH, row, t, reason)
    return match(ctx, match_id)


@requires(Permission.MARKET_CONSENT)
def interest(ctx: Context, match_id: int) -> MatchPublic:
    """The actor's side says yes. The first yes moves the match to "<side>_yes"; the
    second connects it and the contacts are shown to both."""
    def consent(row: MarketMatch, side: str | None) -> None:
        now = ctx.now()
        if side == "demand":
            row.demand_consent_at, row.demand_consent_by = now, ctx.actor.username
        elif side == "offer":
            row.offer_consent_at, row.offer_consent_by = now, ctx.actor.username

    for attempt in (1, 2):
        with ctx.db.read() as s:
            m, _, _ = _load(s, match_id)
        names = ({"demand": "demand_interest", "offer": "offer_interest"}
                 if m.state == "proposed" else
                 {"demand": "demand_confirm", "offer": "offer_confirm"})
        try:
            return _act(ctx, match_id, names, effect=consent)
        except Conflict:
            # both sides said yes at the same moment: the other's yes came first, so this
            # one now confirms (once; any other conflict stands)
            if attempt == 2 or m.state != "proposed":
                raise
    raise AssertionError("unreachable")


@requires(Permission.MARKET_CONSENT)
def decline(ctx: Context, match_id: int, reason: str | None = None) -> MatchPublic:
    return _act(ctx, match_id, {"demand": "decline", "offer": "decline"}, reason)


@requires(Permission.MARKET_WRITE)
def outcome(ctx: Context, match_id: int, deal: bool, note: str | None = None) -> MatchPublic:
    """Record how a connected match ended (either side, or staff)."""
    def keep(row: MarketMatch, _side: str | None) -> None:
        row.outcome_note = note

    name = "deal" if deal else "no_deal"
    return _act(ctx, match_id, {"any": name}, note, effect=keep)
