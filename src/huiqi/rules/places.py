"""Where a policy applies: the parks and cities (districts, provinces) its conditions name.
A policy that names none applies everywhere (a national one, or one open to all)."""

from __future__ import annotations

import re

from huiqi.rules.model import PolicySpec

#: Facts that say where an enterprise is registered.
PLACE_FACTS = ("province", "city", "district", "park")
_PLACE_RE = re.compile(r'(?<![A-Za-z0-9_])(province|city|district|park)\s*(?:==|in)\s*\{?([^}]*)')


def places(pol: PolicySpec) -> set[str]:
    """The places a policy's conditions name (parks, cities …); empty for a national one."""
    found: set[str] = set()
    for c in pol.clauses:
        for cond in c.all_conditions():
            for hit in _PLACE_RE.finditer(cond.text or ""):
                found.update(re.findall(r'"([^"]+)"', hit.group(2)))
    return found


def local(where: set[str], city: str | None, park: str | None) -> bool:
    """Whether a policy applies where the enterprise is: national ones everywhere; local
    ones where the park is named, or the city (厦门市 ~ 厦门火炬高新区). Unknown place: yes."""
    if not where or (not city and not park):
        return True
    if park and park in where:
        return True
    if city:
        stem = city.removesuffix("市")
        return any(w == city or (bool(stem) and stem in w) for w in where)
    assert park is not None
    return any(w.removesuffix("市") in park or park in w for w in where)


__all__ = ["PLACE_FACTS", "local", "places"]
