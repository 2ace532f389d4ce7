"""Which enterprises' facts changed, and what the changed values were before (migration
0015): one ``fact_change`` row per enterprise per write of its facts (an import's batch, a
staff member's or the enterprise's own change, a confirmed claim), added in the
transaction that writes the facts — the outbox the push worker reads and empties
(:mod:`huiqi.push.facts`): the enterprise's result before and after, exactly.

    before   [[fact, year, text, number], …]: the value in force before this write of each
             (fact, year) it wrote; text and number both null where there was none —
             or "nothing" (:data:`NOTHING`): the enterprise is new, it had no facts at all
             before (a million new enterprises imported do not write every key twice)

A queue, not a cursor: a row is deleted in the transaction that tells what it changed, so a
write committed late (a long import) is read all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from huiqi.store.models import Base, table
from huiqi.store.types import BigKey, JSONText, UTCDateTime

from . import values as V

NOTHING = "nothing"


class FactChange(Base):
    """One write of one enterprise's facts, not yet told (see the module)."""

    __tablename__ = "fact_change"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    before: Mapped[Any] = mapped_column(JSONText())
    source: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def _plain(old: V.Stored | None) -> list[str | None]:
    if old is None:
        return [None, None]
    text, number = old
    return [text, None if number is None else str(number)]


def change_rows(fact_rows: Iterable[Mapping[str, Any]],
                current: Mapping[int, Mapping[tuple[str, int], V.Stored]],
                new: Collection[int] = ()) -> list[dict[str, Any]]:
    """The ``fact_change`` rows of a write of ``fact_rows``: one per enterprise, with the
    values ``current`` had before for what they wrote (a key ``current`` lacks: none) —
    :data:`NOTHING` for the enterprises of ``new`` (created by this write: no facts at all
    before). Only ``new`` says nothing: an enterprise missing from ``current`` may well
    have other facts than those written."""
    by_entity: dict[int, dict[tuple[str, int], list[str | None]]] = {}
    meta: dict[int, tuple[str, dt.datetime]] = {}
    for r in fact_rows:
        eid, key = int(r["entity_id"]), (str(r["fact"]), int(r["year"]))
        seen = by_entity.setdefault(eid, {})
        if key not in seen:
            seen[key] = _plain(current.get(eid, {}).get(key))
        meta.setdefault(eid, (str(r["source"]), r["recorded_at"]))
    fresh = set(new)
    return [{"entity_id": eid,
             "before": NOTHING if eid in fresh else [[f, y, *old] for (f, y), old in keys.items()],
             "source": meta[eid][0][:32], "at": meta[eid][1]}
            for eid, keys in by_entity.items()]


def mark(s: Session, fact_rows: Iterable[Mapping[str, Any]],
         current: Mapping[int, Mapping[tuple[str, int], V.Stored]],
         new: Collection[int] = ()) -> int:
    """Add one change per enterprise among ``fact_rows`` (the rows just written) in ``s``
    (see :func:`change_rows`); how many."""
    rows = change_rows(fact_rows, current, new)
    if rows:
        s.execute(table(FactChange).insert(), rows)
    return len(rows)


def before_values(after: Mapping[tuple[str, int], V.Stored], changes: Iterable[FactChange]
                  ) -> dict[tuple[str, int], V.Stored]:
    """An enterprise's facts before ``changes`` (oldest first), from those after them."""
    out = dict(after)
    seen: set[tuple[str, int]] = set()
    for i, c in enumerate(changes):
        if c.before == NOTHING:
            if i == 0:  # none before the first: none at all
                return {}
            continue  # (a later write cannot find none: facts are never removed)
        for fact, year, text, number in c.before or []:
            key = (str(fact), int(year))
            if key in seen:
                continue
            seen.add(key)
            if text is None and number is None:
                out.pop(key, None)
            else:
                out[key] = (text, None if number is None else Decimal(str(number)))
    return out


__all__ = ["NOTHING", "FactChange", "before_values", "change_rows", "mark"]
