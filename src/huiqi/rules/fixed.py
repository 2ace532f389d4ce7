"""What an enterprise cannot change: facts no document or new figure alters (the date it was
founded, where it is registered, what kind of entity it is), and so the conditions of a
clause that read them. A clause missed on such a condition is not "nearly" met: the
enterprise can do nothing about it (pages, near-miss lists)."""

from __future__ import annotations

from huiqi.rules import ir
from huiqi.rules.model import ClauseSpec, ConditionSpec

#: Facts an enterprise cannot change by supplying documents or data.
FIXED = frozenset({"registration_date", "establishment_date", "entity_kind", "province", "city",
                   "district", "park", "establishment_kind", "independent_legal_person",
                   "resident_enterprise", "first_loan_date", "niche_market_since"})


def facts_read(n: ir.Node | None) -> set[str]:
    """The facts an expression reads."""
    if n is None:
        return set()
    out: set[str] = set()
    fact = getattr(n, "fact", None)
    if isinstance(fact, str) and fact:
        out.add(fact)
    for k in n.kids():
        out |= facts_read(k)
    return out


def fixed_facts(spec: ConditionSpec | None) -> set[str]:
    """The facts a (simple) condition reads that an enterprise cannot change."""
    if spec is None or spec.kind != "expr":
        return set()
    return (set(spec.facts) | facts_read(spec.expr)) & FIXED


def fixed_paths(clause: ClauseSpec) -> set[str]:
    """The paths of a clause's conditions that only something unchangeable can decide: a
    simple condition on a fixed fact, or a group all of whose parts are such."""
    out: set[str] = set()

    def visit(c: ConditionSpec) -> bool:
        kids = [visit(k) for k in c.children]
        fixed = all(kids) if c.children else bool(fixed_facts(c))
        if fixed:
            out.add(c.path)
        return fixed

    for c in clause.conditions:
        visit(c)
    return out


__all__ = ["FIXED", "facts_read", "fixed_facts", "fixed_paths"]
