"""How a typed fact value is stored: numbers exactly in ``value_number``, everything else
as canonical text in ``value_text`` (dates ISO, sets and records as JSON)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from huiqi.facts.catalogue import Catalogue, Field

NUMBER_KINDS = frozenset({"integer", "decimal", "money", "ratio"})
Stored = tuple[str | None, Decimal | None]


def encode(f: Field, value: Any) -> Stored:
    """The (text, number) pair stored for a value already coerced by the catalogue."""
    k = f.kind
    if k in NUMBER_KINDS:
        return None, Decimal(value)
    if k == "bool":
        return ("true" if value else "false"), None
    if k == "date":
        return value.isoformat(), None
    if k == "enum_set":
        return json.dumps(sorted(value), ensure_ascii=False), None
    if k == "records":
        return json.dumps([{key: _plain(v) for key, v in r.items()} for r in value],
                          ensure_ascii=False, sort_keys=True), None
    return str(value), None


def decode(cat: Catalogue, f: Field, text: str | None, number: Decimal | None) -> Any:
    """The typed value of a stored pair (the inverse of :func:`encode`)."""
    k = f.kind
    if k in NUMBER_KINDS:
        if number is None:
            return None
        return int(number) if k == "integer" else number
    if text is None:
        return None
    if k == "bool":
        return text == "true"
    if k == "date":
        return dt.date.fromisoformat(text)
    if k == "enum_set":
        return frozenset(json.loads(text))
    if k == "records":
        return cat.coerce(f, json.loads(text))
    return text


def same(a: Stored, b: Stored) -> bool:
    return a[0] == b[0] and a[1] == b[1]


def plain(f: Field, text: str | None, number: Decimal | None) -> Any:
    """A stored value as JSON-ready data (numbers as exact strings)."""
    if f.kind in NUMBER_KINDS:
        if number is None:
            return None
        return str(int(number)) if f.kind == "integer" else format(number.normalize(), "f")
    if text is None:
        return None
    if f.kind in ("enum_set", "records"):
        return json.loads(text)
    if f.kind == "bool":
        return text == "true"
    return text


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v
