"""The engine's view of a stored entity: an :class:`~huiqi.facts.enterprise.Enterprise`
built from the value in force of every fact and fiscal year, and from where the entity
was registered on the evaluation date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from huiqi.facts.catalogue import Catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.store.models import Entity

from . import entities
from . import values as V


def enterprise_of(s: Session, cat: Catalogue, e: Entity, as_of: dt.date | None = None,
                  facts: dict[tuple[str, int], V.Stored] | None = None) -> Enterprise:
    """The Enterprise the engine matches: latest value per fact and year (``facts``, from
    :func:`~huiqi.registry.entities.latest_values`, if already read)."""
    rows = facts if facts is not None else entities.latest_values(s, [e.id])[e.id]
    out = Enterprise(id=e.credit_code, name=e.name)
    for (fact, year), (text, number) in rows.items():
        f = cat.facts.get(fact)
        if f is None:  # a fact since removed from the catalogue
            continue
        value = V.decode(cat, f, text, number)
        if value is None:
            continue
        if year == entities.STATIC:
            out.facts[fact] = value
        else:
            out.years.setdefault(year, {})[fact] = value
    out.facts.setdefault("entity_kind", e.kind)
    district, park = (e.district, e.park) if as_of is None else entities.location_on(s, e, as_of)
    if district is not None:
        out.facts["district"] = district
    if park is not None:
        out.facts["park"] = park
    return out
