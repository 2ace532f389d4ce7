"""An evaluation framework as data: groups of indicators, each with a direction, a unit, a
weight and the interval the weight may move in, and how sure huiqi is of each number.

The frameworks ship as YAML in ``huiqi/analytics/frameworks/`` (one file per version); a
year's evaluation uses the framework whose ``years`` cover it, so that comparisons across
years use the method of each year.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import numpy as np
import yaml

from huiqi.errors import InputError, NotFoundError
from huiqi.text import Text, text_of

Status = Literal["confirmed", "unofficial", "assumed"]
STATUS_LABELS: dict[str, Text] = {
    "confirmed": Text("已核实", "confirmed"),
    "unofficial": Text("未经官方核实", "not confirmed officially"),
    "assumed": Text("假定", "assumed"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Text
    unit: str
    direction: int  # +1: more is better; -1: less is better
    weight: float
    range: tuple[float, float]
    status: str
    group: str


@dataclass(frozen=True)
class Group:
    key: str
    label: Text
    weight: float
    range: tuple[float, float]
    status: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Framework:
    key: str
    version: int
    title: Text
    source: str
    years: tuple[int, int]
    groups: tuple[Group, ...]
    min_available: float = 0.67
    complete: bool = True
    published: tuple[int, int] | None = None  # (groups, indicators) the source says it has

    @property
    def known(self) -> tuple[int, int]:
        """(groups, indicators) declared here."""
        return len(self.groups), len(self.indicators)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    @property
    def keys(self) -> list[str]:
        return [i.key for i in self.indicators]

    def indicator(self, key: str) -> Indicator:
        for i in self.indicators:
            if i.key == key:
                return i
        raise NotFoundError(Text("指标", "indicator"), key, self.keys[:5])

    def directions(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array([i.direction for i in self.indicators], dtype=float)

    def membership(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The group index of each indicator, in indicator order."""
        return np.array([gi for gi, g in enumerate(self.groups) for _ in g.indicators])

    def indicator_weights(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Declared indicator weights, normalised to sum 1 within each group."""
        raw = np.array([i.weight for i in self.indicators], dtype=float)
        return _within(raw, self.membership(), len(self.groups))

    def group_weights(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        raw = np.array([g.weight for g in self.groups], dtype=float)
        out: np.ndarray[Any, np.dtype[np.float64]] = raw / raw.sum()
        return out

    def ranges(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(group ranges (G×2), indicator ranges (K×2)), in the declared (raw) units."""
        return (np.array([g.range for g in self.groups], dtype=float),
                np.array([i.range for i in self.indicators], dtype=float))

    def covers(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


def _within(raw: np.ndarray[Any, Any], member: np.ndarray[Any, Any], groups: int
            ) -> np.ndarray[Any, Any]:
    sums = np.bincount(member, weights=raw, minlength=groups)
    out: np.ndarray[Any, Any] = raw / sums[member]
    return out


def parse(doc: dict[str, Any]) -> Framework:
    """A framework from its YAML document; :class:`InputError` for a mistake in it."""
    try:
        groups = []
        seen: set[str] = set()
        for g in doc["groups"]:
            inds = []
            for i in g["indicators"]:
                key = str(i["key"])
                if key in seen:
                    raise ValueError(f"indicator {key} declared twice")
                seen.add(key)
                direction = int(i.get("direction", 1))
                if direction not in (1, -1):
                    raise ValueError(f"{key}: direction must be 1 or -1")
                lo, hi = (float(x) for x in i.get("range", [i["weight"], i["weight"]]))
                w = float(i["weight"])
                if not (0 < lo <= w <= hi):
                    raise ValueError(f"{key}: weight {w} not inside its range [{lo}, {hi}]")
                inds.append(Indicator(key, text_of(i["label"]), str(i.get("unit", "")),
                                      direction, w, (lo, hi), str(i.get("status", "assumed")),
                                      str(g["key"])))
            lo, hi = (float(x) for x in g.get("range", [g["weight"], g["weight"]]))
            w = float(g["weight"])
            if not (0 < lo <= w <= hi):
                raise ValueError(f"{g['key']}: weight {w} not inside its range [{lo}, {hi}]")
            if not inds:
                raise ValueError(f"group {g['key']} has no indicators")
            groups.append(Group(str(g["key"]), text_of(g["label"]), w, (lo, hi),
                                str(g.get("status", "assumed")), tuple(inds)))
        y0, y1 = doc.get("years", [1900, 9999])
        published = _published(doc, len(groups), len(seen))
        return Framework(str(doc["key"]), int(doc.get("version", 1)), text_of(doc["title"]),
                         str(doc.get("source", "")), (int(y0), int(y1)), tuple(groups),
                         float(doc.get("min_available", 0.67)), bool(doc.get("complete", True)),
                         published)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(Text(f"评价指标体系有误:{exc}",
                              f"The evaluation framework is wrong: {exc}")) from None


def _published(doc: dict[str, Any], groups: int, indicators: int) -> tuple[int, int] | None:
    """The sizes the source publishes (``published: {groups, indicators}``); a framework
    that declares fewer must say it is incomplete, one that declares more is wrong."""
    pub = doc.get("published")
    if pub is None:
        return None
    out = (int(pub["groups"]), int(pub["indicators"]))
    if groups > out[0] or indicators > out[1]:
        raise ValueError(f"{groups} groups and {indicators} indicators declared, more than the "
                         f"{out[0]} and {out[1]} published")
    if (groups, indicators) != out and bool(doc.get("complete", True)):
        raise ValueError(f"only {groups} of {out[0]} groups and {indicators} of {out[1]} "
                         "indicators declared: say complete: false")
    return out


@functools.cache
def shipped() -> dict[str, Framework]:
    """The frameworks shipped with huiqi, by key."""
    out: dict[str, Framework] = {}
    for f in sorted(resources.files("huiqi.analytics").joinpath("frameworks").iterdir(),
                    key=lambda p: p.name):
        if f.name.endswith(".yaml"):
            fw = parse(yaml.safe_load(f.read_text(encoding="utf-8")))
            out[fw.key] = fw
    return out


def get(key: str) -> Framework:
    fw = shipped().get(key)
    if fw is None:
        raise NotFoundError(Text("评价指标体系", "framework"), key, list(shipped()))
    return fw


def for_year(year: int) -> Framework:
    """The complete framework that covers ``year`` (the latest version if several do)."""
    fits = [f for f in shipped().values() if f.covers(year) and f.complete]
    if not fits:
        raise NotFoundError(Text("评价指标体系", "framework"), str(year))
    return max(fits, key=lambda f: (f.years[0], f.version))
