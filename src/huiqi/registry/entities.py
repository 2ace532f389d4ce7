"""Entities in the database: identity by credit code, a dated history of where each is
registered (district, park), and facts by fiscal year that are never overwritten.

An entity that moves to another district keeps its row, its credit code and all its
facts; :func:`move` closes the old location on the day before the move and opens the new
one (the seed's Qingdao cross-district migration, 进一扇门,办两地事).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.clock import china_date
from huiqi.facts.catalogue import Catalogue
from huiqi.store.models import Entity, EntityLocation, FactValue, table

from . import changes as C
from . import values as V

STATIC = 0  # the "year" of a static fact
LOCATION_FACTS = ("district", "park")
#: the lock every transaction that creates entities takes (``Database.write(lock=…)``), so
#: that two of them creating the same new credit codes run one after the other
LOCK = "entities"


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: the source, who recorded it and when, the import batch."""

    source: str
    by: str
    at: dt.datetime
    batch_id: int | None = None


def find(s: Session, code: str) -> Entity | None:
    return s.scalar(select(Entity).where(Entity.credit_code == code))


def create(s: Session, code: str, name: str, kind: str, p: Provenance,
           district: str | None = None, park: str | None = None,
           since: dt.date | None = None) -> Entity:
    e = Entity(credit_code=code, name=name, kind=kind, district=district, park=park,
               revision=1, created_at=p.at, updated_at=p.at)
    s.add(e)
    s.flush()
    if district is not None or park is not None:
        s.add(EntityLocation(entity_id=e.id, district=district, park=park,
                             valid_from=since or china_date(p.at), valid_to=None,
                             batch_id=p.batch_id, recorded_at=p.at, recorded_by=p.by))
    return e


def move(s: Session, e: Entity, district: str | None, park: str | None, on: dt.date,
         p: Provenance, correct_same_day: bool = False) -> bool:
    """Register the entity in a new district/park from ``on``; False if nothing changes.

    With ``correct_same_day``, a second change on the day the current place began
    corrects that place instead (an import run twice on one day with new data)."""
    if (district, park) == (e.district, e.park):
        return False
    current = s.scalar(select(EntityLocation).where(
        EntityLocation.entity_id == e.id, EntityLocation.valid_to.is_(None)))
    if current is not None and correct_same_day and on == current.valid_from:
        current.district, current.park = district, park
        current.batch_id, current.recorded_at, current.recorded_by = p.batch_id, p.at, p.by
        e.district, e.park = district, park
        touch(e, p.at)
        return True
    if current is not None:
        if on <= current.valid_from:
            from huiqi.errors import InputError
            from huiqi.messages import message

            raise InputError(message("location.before", on=on.isoformat(),
                                     since=current.valid_from.isoformat()))
        current.valid_to = on - dt.timedelta(days=1)
    s.add(EntityLocation(entity_id=e.id, district=district, park=park, valid_from=on,
                         valid_to=None, batch_id=p.batch_id, recorded_at=p.at,
                         recorded_by=p.by))
    e.district, e.park = district, park
    touch(e, p.at)
    return True


def touch(e: Entity, at: dt.datetime) -> None:
    e.revision = (e.revision or 0) + 1
    e.updated_at = at


def locations(s: Session, entity_id: int) -> list[EntityLocation]:
    return list(s.scalars(select(EntityLocation).where(EntityLocation.entity_id == entity_id)
                          .order_by(EntityLocation.valid_from, EntityLocation.id)))


def location_on(s: Session, e: Entity, day: dt.date) -> tuple[str | None, str | None]:
    """Where the entity was registered on ``day`` (its current place if no history says)."""
    for loc in reversed(locations(s, e.id)):
        if loc.valid_from <= day and (loc.valid_to is None or day <= loc.valid_to):
            return loc.district, loc.park
    return e.district, e.park


def latest(s: Session, entity_ids: Iterable[int]) -> dict[int, dict[tuple[str, int], FactValue]]:
    """The value in force of every (fact, year) of each entity: its latest row."""
    ids = list(entity_ids)
    out: dict[int, dict[tuple[str, int], FactValue]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = s.scalars(select(FactValue).where(FactValue.entity_id.in_(ids))
                     .order_by(FactValue.id))
    for r in rows:
        out[r.entity_id][(r.fact, r.year)] = r
    return out


def latest_values(s: Session, entity_ids: Iterable[int],
                  marks: dict[int, int] | None = None
                  ) -> dict[int, dict[tuple[str, int], V.Stored]]:
    """Like :func:`latest`, only the stored values (no provenance), read without building
    ORM objects: what the engine needs, fast. ``marks``, if given, receives each entity's
    last value row id, read with the values (0: no facts) — which state of its facts they
    are (values are only ever added: a later write, a higher mark)."""
    ids = list(entity_ids)
    out: dict[int, dict[tuple[str, int], V.Stored]] = {i: {} for i in ids}
    if marks is not None:
        marks.update(dict.fromkeys(ids, 0))
    if not ids:
        return out
    rows = s.execute(select(FactValue.entity_id, FactValue.fact, FactValue.year,
                            FactValue.value_text, FactValue.value_number, FactValue.id)
                     .where(FactValue.entity_id.in_(ids)).order_by(FactValue.id))
    for eid, fact, year, text, number, vid in rows:
        out[eid][(fact, year)] = (text, number)
        if marks is not None:
            marks[eid] = vid
    return out


def history(s: Session, entity_id: int) -> list[FactValue]:
    return list(s.scalars(select(FactValue).where(FactValue.entity_id == entity_id)
                          .order_by(FactValue.fact, FactValue.year, FactValue.id)))


def set_facts(s: Session, cat: Catalogue, e: Entity, items: Iterable[tuple[str, int, Any]],
              p: Provenance, current: dict[tuple[str, int], V.Stored] | None = None
              ) -> list[dict[str, Any]]:
    """Record typed values (already coerced) that differ from those in force.

    Returns one change per value written (``fact``, ``year``, ``before``, ``after``);
    an identical value writes nothing, so that re-recording the same data is a no-op.
    """
    now_values = current if current is not None else latest_values(s, [e.id])[e.id]
    rows, changes, industry = fact_rows(cat, e.id, items, p, now_values)
    if industry is not None:
        e.industry = industry
    if rows:
        s.execute(table(FactValue).insert(), rows)
        C.mark(s, rows, {e.id: now_values})
        touch(e, p.at)
    return changes


def fact_rows(cat: Catalogue, entity_id: int, items: Iterable[tuple[str, int, Any]],
              p: Provenance, current: dict[tuple[str, int], V.Stored]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
    """The rows to insert for values that differ from ``current``, the changes they make,
    and the new industry if it is among them (nothing is written here)."""
    rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    industry = None
    for fact, year, value in items:
        f = cat.facts[fact]
        new = V.encode(f, value)
        old = current.get((fact, year))
        if old is not None and V.same(old, new):
            continue
        rows.append({"entity_id": entity_id, "fact": fact, "year": year, "value_text": new[0],
                     "value_number": new[1], "source": p.source, "batch_id": p.batch_id,
                     "recorded_at": p.at, "recorded_by": p.by})
        changes.append({"fact": fact, "year": year or None,
                        "before": None if old is None else V.plain(f, *old),
                        "after": V.plain(f, new[0], new[1])})
        if fact == "industry":
            industry = str(value)
    return rows, changes, industry
