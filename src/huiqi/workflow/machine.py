"""Declared state machines: a workflow's states and allowed transitions written once, as data,
and one function that performs a transition.

    APPLICATION = Workflow(
        "application",
        states={"draft": Text("草稿", "draft"), "submitted": Text("已提交", "submitted"), …},
        initial="draft",
        transitions=(
            Transition("submit", {"draft", "returned"}, "submitted", {Role.ENTERPRISE},
                       Text("提交", "submit")),
            Transition("return", {"submitted"}, "returned", {Role.CASE_OFFICER},
                       Text("退回补正", "return for correction"), reason_required=True),
        ))

    perform(ctx, APPLICATION, load=lambda s: s.get_one(Application, 7), name="return",
            reason="缺少审计报告")

:func:`perform` checks, in this order: that the actor's role may do the transition (else
:class:`~huiqi.errors.PermissionDenied`, the refusal audited); that the row is in one of its
source states (else :class:`~huiqi.errors.Conflict`, which the API answers with 409); then,
in one transaction, changes the state with a conditional update (``… WHERE state = :from``,
so that of two people acting at once only one moves it; the other gets 409), writes the
audit entry with the reason and emits the domain event ``<workflow>.<transition>``.

Why a table and not python-statemachine or transitions: those libraries drive the state of
an object in memory through callbacks; here a transition is a conditional UPDATE of a row,
an audit entry and an outbox row in one database transaction, allowed per role. The
legality check is a lookup in the declared table; the rest is the transaction, which the
libraries would have to be wrapped around anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, PermissionDenied
from huiqi.messages import message
from huiqi.service.audit import record
from huiqi.service.context import Context
from huiqi.service.permissions import Role
from huiqi.text import Text

from .events import Subject, emit

REASON_MAX = 2000


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of ``sources`` to ``target``, by one of ``roles``."""

    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    label: Text
    reason_required: bool = False

    def __init__(self, name: str, sources: Iterable[str], target: str, roles: Iterable[Role],
                 label: Text, reason_required: bool = False) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "reason_required", reason_required)


@dataclass(frozen=True)
class Workflow:
    """States (with their labels), the initial state and the allowed transitions. ``name`` is
    the subject type of its events and the prefix of its audit actions and event kinds."""

    name: str
    states: Mapping[str, Text]
    initial: str
    transitions: tuple[Transition, ...]
    state_attr: str = "state"
    _by_name: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Transition] = {}
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: the initial state {self.initial!r} is not declared")
        for t in self.transitions:
            if t.name in by_name:
                raise ValueError(f"{self.name}: the transition {t.name!r} is declared twice")
            unknown = (t.sources | {t.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{t.name}: undeclared states {sorted(unknown)}")
            if not t.sources or not t.roles:
                raise ValueError(f"{self.name}.{t.name}: needs source states and roles")
            by_name[t.name] = t
        object.__setattr__(self, "_by_name", by_name)

    def transition(self, name: str) -> Transition:
        t = self._by_name.get(name)
        if t is None:
            raise InputError(message("workflow.unknown_transition", workflow=self.name,
                                     name=name, known=", ".join(self._by_name)))
        return t

    def allowed(self, state: str, role: Role) -> list[Transition]:
        """The transitions ``role`` may do from ``state`` (what a page offers as buttons)."""
        return [t for t in self.transitions if state in t.sources and role in t.roles]


@dataclass(frozen=True)
class Change:
    """A transition done: from which state to which, and the event that records it."""

    transition: str
    source: str
    target: str
    event_id: int


def check_role(ctx: Context, workflow: Workflow, name: str, subject: Subject) -> Transition:
    """The transition ``name`` if the actor's role may do it; otherwise the refusal is
    audited (in its own transaction) and :class:`PermissionDenied` raised."""
    t = workflow.transition(name)
    if ctx.actor.role in t.roles:
        return t
    action = f"{workflow.name}.{t.name}"
    with ctx.db.write() as s:
        record(s, ctx, action, target=subject.key, outcome="denied",
               detail=f"role {ctx.actor.role.value} may not {action}")
    raise PermissionDenied(action, subject.key)


def apply(s: Session, ctx: Context, workflow: Workflow, row: Any, t: Transition,
          reason: str | None = None, payload: Mapping[str, Any] | None = None) -> Change:
    """Do ``t`` to ``row`` inside the session ``s`` (the role already checked): the state
    changed only if it is still what was read, the audit entry, the event."""
    reason = (reason or "").strip() or None
    if t.reason_required and reason is None:
        raise InputError(message("workflow.reason_required", transition_zh=t.label.zh,
                                 transition_en=t.label.en))
    if reason is not None and len(reason) > REASON_MAX:
        raise InputError(message("workflow.reason_too_long", max=REASON_MAX))
    model = type(row)
    column = getattr(model, workflow.state_attr)
    current = getattr(row, workflow.state_attr)
    (pk,) = inspect(model).primary_key
    ident = inspect(row).identity
    assert ident is not None and len(ident) == 1, "a workflow row has one primary key"
    subject = Subject(workflow.name, ident[0])
    if current not in t.sources:
        raise _illegal(workflow, t, subject, current)
    moved = s.execute(update(model).where(pk == ident[0], column == current)
                      .values({workflow.state_attr: t.target})
                      .execution_options(synchronize_session="fetch"))
    if getattr(moved, "rowcount", 1) != 1:
        raise Conflict("workflow.stale", subject=subject.key)
    action = f"{workflow.name}.{t.name}"
    record(s, ctx, action, target=subject.key, before={"state": current},
           after={"state": t.target}, detail=reason)
    event = emit(s, ctx, action, subject, {"from": current, "to": t.target, "reason": reason,
                                           **dict(payload or {})})
    s.flush()
    return Change(t.name, current, t.target, event.id)


def perform(ctx: Context, workflow: Workflow, load: Callable[[Session], Any], name: str,
            subject_id: str | int, reason: str | None = None,
            payload: Mapping[str, Any] | None = None,
            effect: Callable[[Session, Any], None] | None = None) -> Change:
    """Check and do the transition ``name`` on the row ``load`` returns, in one transaction;
    ``effect`` (optional) makes the area's own changes in that same transaction."""
    t = check_role(ctx, workflow, name, Subject(workflow.name, subject_id))
    with ctx.db.write() as s:
        row = load(s)
        change = apply(s, ctx, workflow, row, t, reason, payload)
        if effect is not None:
            effect(s, row)
        return change


def _illegal(workflow: Workflow, t: Transition, subject: Subject, state: str) -> Conflict:
    label = workflow.states.get(state, Text(state, state))
    allowed = [x for x in workflow.transitions if state in x.sources]
    return Conflict("workflow.illegal", subject=subject.key, state_zh=label.zh,
                    state_en=label.en, transition_zh=t.label.zh, transition_en=t.label.en,
                    allowed_zh="、".join(x.label.zh for x in allowed) or "无",
                    allowed_en=", ".join(x.label.en for x in allowed) or "none")


__all__ = ["Change", "Transition", "Workflow", "apply", "check_role", "perform"]
