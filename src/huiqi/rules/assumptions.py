"""What an amount rests on that the text does not give: the assumed notes behind a benefit.

A clause's amount is *assumed* when its benefit is marked ``assumed``, or when anything it
reads — the formula, the amount exceptions, the cap, through named values too — is a
parameter, table or named value marked ``assumed``. Such an amount is shown with its
mark wherever an amount appears (tables, JSON, pages, PDF, Excel, totals), so that a
reader never takes an invented number for one the text states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from huiqi.rules import ir
from huiqi.rules.model import AmountSpec, Citation, ParamSpec, TableSpec


def amount_notes(benefit: AmountSpec, params: Mapping[str, ParamSpec],
                 tables: Mapping[str, TableSpec],
                 value: Callable[[str], tuple[ir.Node, Citation] | None]) -> tuple[str, ...]:
    """The assumed notes behind ``benefit``'s amount, in the order met; () if it rests only
    on the text. ``value(key)`` gives a named value's expression and citation."""
    notes: list[str] = []

    def note(c: Citation) -> None:
        if c.assumed is not None and c.assumed not in notes:
            notes.append(c.assumed)

    seen: set[str] = set()

    def visit(n: ir.Node) -> None:
        for m in ir.walk(n):
            if isinstance(m, ir.Param) and m.name in params:
                note(params[m.name].cite)
            elif isinstance(m, ir.Band | ir.Lookup) and m.table in tables:
                note(tables[m.table].cite)
            elif isinstance(m, ir.ValueRef) and m.key not in seen:
                seen.add(m.key)
                found = value(m.key)
                if found is not None:
                    note(found[1])
                    visit(found[0])

    if benefit.expr is None:
        return ()
    note(benefit.cite)
    roots: Iterable[ir.Node | None] = (benefit.expr, benefit.cap,
                                       *(e.amount for e in benefit.exceptions))
    for e in benefit.exceptions:
        note(e.cite)
    for root in roots:
        if root is not None:
            visit(root)
    return tuple(notes)


__all__ = ["amount_notes"]
