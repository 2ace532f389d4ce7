"""The clauses a dated trigger concerns, matched for a batch of enterprises by the
population engine (DuckDB) — not every clause of the pack by the one-enterprise engine:

* a programme's window opening or closing soon concerns its clause (:func:`window`);
* a version taking effect on a date concerns the clauses of the policies that come into
  force or expire on it and those whose parameters or tables take a new value on it
  (:func:`on_date`);

each with the clauses sharing a stacking group with them (a group's amounts are decided
together). The two engines give the same statuses, amounts, failed conditions, gaps and
missing facts (the differential property tests); what the population engine does not
return — whether the amount is assumed, the application window — is the clause's own
(:func:`outcomes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from huiqi.engine.result import Status
from huiqi.facts.catalogue import Catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.rules.model import ClauseSpec, Pack

from .who import Outcome


def _specs(pack: Pack, keys: Iterable[str]) -> list[ClauseSpec]:
    wanted = set(keys)
    return [c for c in pack.clauses() if c.key in wanted]


def window(pack: Pack, clause: str) -> list[ClauseSpec]:
    """A programme's clause and those of its stacking groups."""
    from huiqi.population.reform import clauses_affected

    return _specs(pack, clauses_affected(pack, {clause}, {}))


def on_date(pack: Pack, day: dt.date) -> list[ClauseSpec]:
    """The clauses whose results the version's own dates change on ``day`` (see
    :func:`huiqi.push.timed.effective_dates`). A result that moves with the date alone — a
    later fiscal year read, an enterprise's age — is not the version's doing: it moves on
    days with no dated change too, and is not told here (the whole pack compared the day
    before and on the date told it, only when the two fell on the same day)."""
    from huiqi.population.reform import clauses_affected

    starting: set[str] = set()
    names: dict[str, set[str]] = {}
    for p in pack.policies:
        if p.effective == day or (p.expiry is not None
                                  and p.expiry + dt.timedelta(days=1) == day):
            starting.update(c.key for c in p.clauses)
        names[p.id] = {n for n, param in p.params.items() if any(d == day for d, _ in
                                                                 param.values)}
        names[p.id] |= {n for n, t in p.tables.items() if any(d == day for d, _ in t.versions)}
    return _specs(pack, clauses_affected(pack, starting, names))


def _outcome(spec: ClauseSpec, row: dict[str, Any], day: dt.date) -> Outcome:
    status = str(row["status"])
    amount = row["amount"] if status == Status.ELIGIBLE.value else row["potential_amount"]
    w = spec.program.window_at(day) if spec.program is not None and spec.program.windows \
        else None
    return Outcome(
        key=spec.key, status=status, amount=None if amount is None else Decimal(amount),
        assumed=spec.benefit is not None and spec.benefit.assumed,
        failed=tuple(row["failed"] or ()),
        gaps=tuple(f"{g['condition']}:差 {Decimal(g['shortfall']).normalize():f}"
                   for g in row["gaps"] or ()),
        missing=tuple(row["missing"] or ()), deadline=w[1] if w else None)


def outcomes(pack: Pack, cat: Catalogue, day: dt.date, enterprises: Sequence[Enterprise],
             clauses: list[ClauseSpec]) -> dict[str, dict[str, Outcome]]:
    """Per enterprise (its credit code), the outcome of each of ``clauses`` on ``day``."""
    from huiqi.facts.columnar import arrow_schema, enterprises_to_table
    from huiqi.population.duck import connect, match_arrow

    out: dict[str, dict[str, Outcome]] = {e.id: {} for e in enterprises}
    if not clauses or not enterprises:
        return out
    years = sorted({y for e in enterprises for y in e.years})
    table = enterprises_to_table(enterprises, arrow_schema(cat, years))
    specs = {c.key: c for c in clauses}
    con = connect(threads=1)
    try:
        rows = match_arrow(pack, day, table, con, clauses).to_pylist()
    finally:
        con.close()
    for r in rows:
        spec = specs.get(r["clause"])
        if spec is not None:
            out[r["enterprise_id"]][spec.key] = _outcome(spec, r, day)
    return out


__all__ = ["on_date", "outcomes", "window"]
