"""Cross-district moves (after Qingdao): a move is a case. The enterprise (or staff) asks for
it; the old district's staff release the enterprise, then the new district's staff — someone
else — admit it (each step only by an account of that district, ``account.district``; a
refusal too, by the district whose decision is pending), and only then does its location
change, in the same transaction: identity (credit code), facts, awards, vouchers and open
cases stay with the enterprise (they hang on its id), and the hand-over is recorded as an
event of the move. Until then nothing moves.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.clock import china_date
from huiqi.errors import Conflict
from huiqi.registry import entities as E
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission
from huiqi.store.models import Account, Entity, FactValue, MatchResult
from huiqi.workflow import machine
from huiqi.workflow.events import history

from .models import ServiceCase
from .service import act, entity_of, note, open_case, subject

OPEN_MOVE = ("requested", "released")


@requires(Permission.CASE_REQUEST, enterprise="code")
def request(ctx: Context, code: str, to_district: str, to_park: str | None, reason: str,
            on: dt.date | None = None) -> int:
    """Ask for the enterprise ``code`` to move to ``to_district`` (and park); the case id. One
    open move per enterprise (two asked at once on PostgreSQL: one after the other)."""
    with ctx.db.write(lock=f"move:{code.strip().upper()}") as s:
        e = entity_of(s, code)
        if to_district == e.district and to_park == e.park:
            raise Conflict("case.same_district")
        open_ = s.scalar(select(ServiceCase.id).where(
            ServiceCase.kind == "move", ServiceCase.entity_id == e.id,
            ServiceCase.state.in_(OPEN_MOVE)))
        if open_ is not None:
            raise Conflict("case.move_open", case=open_)
        case = open_case(s, ctx, "move", f"{e.name}:{e.district or '-'} → {to_district}",
                         entity_id=e.id, details={
                             "from_district": e.district, "from_park": e.park,
                             "to_district": to_district, "to_park": to_park,
                             "reason": reason[:2000], "on": on.isoformat() if on else None})
        return case.id


def deciding_district(case: ServiceCase) -> str | None:
    """The district whose staff decide the move's next step: the old one while it is asked
    for, the new one once released."""
    d = case.details or {}
    return d.get("from_district") if case.state == "requested" else d.get("to_district")


def of_deciding_district(s: Session, ctx: Context, case: ServiceCase) -> None:
    """Refuse (409) an actor whose account is not of the deciding district (a move whose
    district is not known is decided by any staff)."""
    district = deciding_district(case)
    if district is None:
        return
    mine = s.scalar(select(Account.district).where(Account.username == ctx.actor.username))
    if mine != district:
        raise Conflict("case.wrong_district", district=district, mine=mine or "—")


def release(ctx: Context, case_id: int, reason: str | None = None) -> machine.Change:
    """The old district's staff agree to let the enterprise go (nothing moves yet)."""
    return act(ctx, case_id, "release", reason,
               check=lambda s, case: of_deciding_district(s, ctx, case))


def admit(ctx: Context, case_id: int, reason: str | None = None) -> machine.Change:
    """The new district's staff (not the one who released it) agree: the move is made."""

    def check(s: Session, case: ServiceCase) -> None:
        of_deciding_district(s, ctx, case)
        by = _releaser(s, case)
        if by is not None and by == ctx.actor.username:
            raise Conflict("case.second_approver", user=by)

    def effect(s: Session, case: ServiceCase) -> None:
        d = dict(case.details or {})
        e = s.get_one(Entity, case.entity_id)
        on = dt.date.fromisoformat(d["on"]) if d.get("on") else china_date(ctx.now())
        carried = handover(s, e)
        before = {"district": e.district, "park": e.park}
        E.move(s, e, d["to_district"], d.get("to_park"), on,
               E.Provenance(source="move", by=ctx.actor.username, at=ctx.now()))
        note(s, ctx, case, "handover", {**carried, "from_place": before, "on": on.isoformat(),
                                        "to_place": {"district": e.district, "park": e.park}})

    return act(ctx, case_id, "admit", reason, check=check, effect=effect)


def _releaser(s: Session, case: ServiceCase) -> str | None:
    for e in reversed(history(s, subject(case))):
        if e.kind == "move.release":
            return e.actor
    return None


def refuse(ctx: Context, case_id: int, reason: str) -> machine.Change:
    """The district whose decision is pending says no."""
    return act(ctx, case_id, "refuse", reason,
               check=lambda s, case: of_deciding_district(s, ctx, case))


def withdraw(ctx: Context, case_id: int, reason: str | None = None) -> machine.Change:
    return act(ctx, case_id, "withdraw", reason)


def handover(s: Session, e: Entity) -> dict[str, int | str]:
    """What stays with the enterprise through the move, counted."""
    facts = s.scalar(select(func.count()).where(FactValue.entity_id == e.id)) or 0
    results = s.scalar(select(func.count()).where(MatchResult.entity_id == e.id)) or 0
    cases = s.scalar(select(func.count()).where(
        ServiceCase.entity_id == e.id, ServiceCase.kind != "move",
        ServiceCase.state.not_in(["closed", "approved", "completed", "resolved", "withdrawn",
                                  "started"]))) or 0
    return {"credit_code": e.credit_code, "facts": facts, "stored_results": results,
            "open_cases": cases}


__all__ = ["admit", "deciding_district", "handover", "of_deciding_district", "refuse", "release",
           "request", "withdraw"]
