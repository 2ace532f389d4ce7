"""What a reform changes, in one shape for both simulations: ``huiqi simulate`` over result
files (DuckDB, for millions of enterprises) and the simulation page over the park's stored
entities (in memory, within a page's time). Each counts, per enterprise, the payable total
over the clauses the reform touches, before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from huiqi.text import Text

ZERO = Decimal(0)


@dataclass
class Change:
    """Before and after for one group: an industry, a district, a size band, a clause."""

    key: str
    before: Decimal = ZERO
    after: Decimal = ZERO
    gainers: int = 0
    losers: int = 0
    eligible_before: int = 0   # counted for clauses
    eligible_after: int = 0

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass
class Comparison:
    reform: str                 # the reform's id, or the pack's key for a draft
    title: Text
    as_of: dt.date
    baseline_version: str
    reform_version: str
    entities: int
    clauses: list[str]          # matched on both sides
    gainers: int = 0
    losers: int = 0
    newly_qualify: int = 0
    drop_out: int = 0
    cost_before: Decimal = ZERO
    cost_after: Decimal = ZERO
    #: "industry", "district" and, where the enterprises' size is known, "size_band"
    by: dict[str, list[Change]] = field(default_factory=dict)
    by_clause: list[Change] = field(default_factory=list)
    #: (clause, status before, status after, how many enterprises), for changed statuses
    transitions: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: (enterprise, name, before, after), the 20 largest changes
    largest: list[tuple[str, str, Decimal, Decimal]] = field(default_factory=list)

    @property
    def cost_change(self) -> Decimal:
        return self.cost_after - self.cost_before

    @property
    def by_industry(self) -> list[Change]:
        return self.by.get("industry", [])

    @property
    def by_district(self) -> list[Change]:
        return self.by.get("district", [])


LARGEST = 20


def ranked(changes: Iterable[Change]) -> list[Change]:
    """Largest change first; then the larger cost after; then by key."""
    return sorted(changes, key=lambda c: (-abs(c.change), -c.after, c.key))


def in_order(changes: Iterable[Change], keys: list[str]) -> list[Change]:
    """Clauses in the order of ``keys`` (the others last, by key)."""
    at = {k: i for i, k in enumerate(keys)}
    return sorted(changes, key=lambda c: (at.get(c.key, len(keys)), c.key))


def largest(changes: Iterable[tuple[str, str, Decimal, Decimal]]
            ) -> list[tuple[str, str, Decimal, Decimal]]:
    return sorted(changes, key=lambda c: (-abs(c[3] - c[2]), c[0]))[:LARGEST]


def transitions(counts: dict[tuple[str, str, str], int]) -> list[tuple[str, str, str, int]]:
    """By clause, the most frequent change of status first."""
    return sorted(((c, b, a, n) for (c, b, a), n in counts.items() if b != a),
                  key=lambda t: (t[0], -t[3], t[1], t[2]))
