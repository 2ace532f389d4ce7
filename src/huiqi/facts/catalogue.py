"""The fact catalogue: every enterprise fact a policy may test, declared as data.

The catalogue lives in ``catalogue.yaml`` beside this module. It declares enums
(with Chinese and English labels for each value), record types (honours, awards,
standards …) and facts. Each fact has a type, a unit, labels, a period (static,
or reported per fiscal year) and its usual source.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal

from huiqi.errors import PackError, Problem
from huiqi.facts import types as T
from huiqi.text import Text, text_of
from huiqi.yamldoc import YamlProblems, load_file

FactKind = Literal["bool", "integer", "decimal", "money", "ratio", "date", "enum", "enum_set",
                   "text", "records"]
FACT_KINDS: tuple[str, ...] = ("bool", "integer", "decimal", "money", "ratio", "date", "enum",
                               "enum_set", "text", "records")
CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")


@dataclass(frozen=True)
class Enum:
    id: str
    label: Text
    values: dict[str, Text]

    def normalise(self, value: str) -> str | None:
        """The value's id, given its id or its Chinese label; None if unknown."""
        if value in self.values:
            return value
        for key, label in self.values.items():
            if value in (label.zh, label.en):
                return key
        return None


@dataclass(frozen=True)
class Field:
    """A fact, or a field of a record type."""

    id: str
    kind: str
    label: Text
    description: Text | None = None
    unit: str | None = None
    enum: str | None = None
    record: str | None = None
    period: Literal["static", "yearly"] = "static"
    source: str | None = None
    optional: bool = False
    min: Decimal | None = None
    max: Decimal | None = None

    @property
    def yearly(self) -> bool:
        return self.period == "yearly"

    @property
    def type(self) -> T.Type:
        return _type_of(self)


@dataclass(frozen=True)
class RecordType:
    id: str
    label: Text
    fields: dict[str, Field]


@dataclass
class Catalogue:
    """The loaded catalogue. Look facts up with :meth:`fact`."""

    facts: dict[str, Field]
    enums: dict[str, Enum]
    records: dict[str, RecordType]
    sources: dict[str, Text] = field(default_factory=dict)
    #: the facts declared by packs (not in the base catalogue): id → (file, line) where
    #: each is declared (``mypack/facts.yaml``, 12)
    declared: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def suggest(self, name: str, names: list[str] | None = None) -> list[str]:
        pool = names if names is not None else list(self.facts)
        return difflib.get_close_matches(name, pool, n=3, cutoff=0.6)

    def enum_of(self, f: Field) -> Enum | None:
        return self.enums.get(f.enum) if f.enum else None

    def coerce(self, f: Field, value: Any) -> Any:
        """Turn a value read from a file into the fact's Python type, or raise ValueError.

        The ValueError's args[0] is a :class:`Text` saying what is wrong.
        """
        return _coerce(self, f, value)


def _type_of(f: Field) -> T.Type:
    k = f.kind
    if k == "bool":
        return T.BOOL
    if k in ("integer", "decimal"):
        return T.num(T.parse_unit(f.unit))
    if k == "money":
        return T.MONEY
    if k == "ratio":
        return T.RATIO
    if k == "date":
        return T.DATE
    if k == "enum":
        return T.Type(T.Kind.ENUM, domain=f.enum)
    if k == "enum_set":
        return T.Type(T.Kind.SET, domain=f.enum)
    if k == "text":
        return T.TEXT
    if k == "records":
        return T.Type(T.Kind.RECORDS, domain=f.record)
    raise ValueError(k)


def _bad(zh: str, en: str) -> ValueError:
    return ValueError(Text(zh, en))


def _coerce(cat: Catalogue, f: Field, value: Any) -> Any:
    if value is None:
        return None
    fn = _COERCE.get(f.kind)
    if fn is None:
        raise _bad(f"未知类型 {f.kind}", f"unknown type {f.kind}")
    return fn(cat, f, value)


def _coerce_bool(cat: Catalogue, f: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("true", "1", "yes", "是", "y"):
        return True
    if s in ("false", "0", "no", "否", "n"):
        return False
    raise _bad(f"“{value}”不是是/否值", f"“{value}” is not true/false")


def _coerce_number(cat: Catalogue, f: Field, value: Any) -> int | Decimal:
    k = f.kind
    if isinstance(value, bool | float):
        raise _bad(f"“{value}”须写成精确数值", f"“{value}” must be an exact number")
    try:
        text = str(value).strip().replace(",", "").replace("_", "")
        percent = text.endswith("%")
        d = Decimal(text.rstrip("%"))
        if percent:
            d = d / 100
    except InvalidOperation:
        raise _bad(f"“{value}”不是数字", f"“{value}” is not a number") from None
    if not d.is_finite():
        raise _bad(f"“{value}”不是有限数字", f"“{value}” is not a finite number")
    if k == "integer" and d != d.to_integral_value():
        raise _bad(f"“{value}”须为整数", f"“{value}” must be a whole number")
    if k == "money":
        try:
            cents = d.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        except InvalidOperation:  # more digits than any amount has (1e30)
            raise _bad(f"金额“{value}”过大", f"money “{value}” is too large") from None
        if d != cents:
            raise _bad(f"金额“{value}”最多保留到分", f"money “{value}” has more than 2 decimals")
    if f.min is not None and d < f.min:
        raise _bad(f"“{value}”小于下限 {f.min}", f"“{value}” is below the minimum {f.min}")
    if f.max is not None and d > f.max:
        raise _bad(f"“{value}”大于上限 {f.max}", f"“{value}” is above the maximum {f.max}")
    return int(d) if k == "integer" else d


def _coerce_date(cat: Catalogue, f: Field, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(f"“{value}”不是日期(应为 YYYY-MM-DD)",
                   f"“{value}” is not a date (expected YYYY-MM-DD)") from None


def _coerce_enum(cat: Catalogue, f: Field, value: Any) -> str:
    e = cat.enums[f.enum or ""]
    norm = e.normalise(str(value).strip())
    if norm is None:
        sugg = difflib.get_close_matches(str(value), list(e.values), n=3)
        allowed = "、".join(e.values)
        raise _bad(f"“{value}”不是允许的取值({allowed})" + (f",是否为 {sugg[0]}?" if sugg else ""),
                   f"“{value}” is not an allowed value ({allowed})"
                   + (f"; did you mean {sugg[0]}?" if sugg else ""))
    return norm


def _coerce_enum_set(cat: Catalogue, f: Field, value: Any) -> frozenset[str]:
    items = value if isinstance(value, list) else [v for v in str(value).split("|") if v]
    sub = Field(id=f.id, kind="enum", label=f.label, enum=f.enum)
    return frozenset(_coerce_enum(cat, sub, v) for v in items)


def _coerce_text(cat: Catalogue, f: Field, value: Any) -> str:
    return str(value)


def _coerce_records(cat: Catalogue, f: Field, value: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        raise _bad("须为记录列表", "must be a list of records")
    rt = cat.records[f.record or ""]
    return tuple(_coerce_record(cat, rt, i, item) for i, item in enumerate(value))


def _coerce_record(cat: Catalogue, rt: RecordType, i: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _bad(f"第{i + 1}条记录须为键值表", f"record {i + 1} must be a mapping")
    rec: dict[str, Any] = {}
    for key in item:
        if key not in rt.fields:
            raise _bad(f"第{i + 1}条记录有未知字段“{key}”", f"record {i + 1}: unknown field “{key}”")
    for fid, fdef in rt.fields.items():
        raw = item.get(fid)
        if raw is None:
            if not fdef.optional:
                raise _bad(f"第{i + 1}条记录缺少字段“{fid}”",
                           f"record {i + 1}: field “{fid}” is missing")
            rec[fid] = None
            continue
        try:
            rec[fid] = _coerce(cat, fdef, raw)
        except ValueError as exc:
            t: Text = exc.args[0]
            raise _bad(f"第{i + 1}条记录字段“{fid}”:{t.zh}",
                       f"record {i + 1}, field “{fid}”: {t.en}") from None
    return rec


_COERCE: dict[str, Any] = {
    "bool": _coerce_bool, "integer": _coerce_number, "decimal": _coerce_number,
    "money": _coerce_number, "ratio": _coerce_number, "date": _coerce_date,
    "enum": _coerce_enum, "enum_set": _coerce_enum_set, "text": _coerce_text,
    "records": _coerce_records,
}


# --------------------------------------------------------------------------- loading

def _field(cat_enums: dict[str, Any], records: dict[str, Any], fid: str, raw: Any,
           path: tuple[str | int, ...], problems: list[Problem], doc: Any) -> Field | None:
    if not isinstance(raw, dict):
        problems.append(doc.problem("catalogue.bad_entry", path, name=fid))
        return None
    kind = raw.get("type")
    if kind not in FACT_KINDS:
        problems.append(doc.problem("catalogue.bad_type", (*path, "type"), name=fid,
                                    value=kind, allowed=", ".join(FACT_KINDS)))
        return None
    if kind in ("enum", "enum_set") and raw.get("enum") not in cat_enums:
        problems.append(doc.problem("catalogue.bad_enum", (*path, "enum"), name=fid,
                                    value=raw.get("enum")))
        return None
    if kind == "records" and raw.get("record") not in records:
        problems.append(doc.problem("catalogue.bad_record", (*path, "record"), name=fid,
                                    value=raw.get("record")))
        return None
    unit = raw.get("unit")
    if unit is not None:
        try:
            T.parse_unit(str(unit))
        except ValueError:
            problems.append(doc.problem("catalogue.bad_unit", (*path, "unit"), name=fid,
                                        value=unit, allowed=", ".join(T.BASE_UNITS)))
            return None
    period = raw.get("period", "static")
    if period not in ("static", "yearly"):
        problems.append(doc.problem("catalogue.bad_period", (*path, "period"), name=fid,
                                    value=period))
        return None
    return Field(
        id=fid, kind=kind, label=text_of(raw.get("label", fid)),
        description=text_of(raw["description"]) if "description" in raw else None,
        unit=str(unit) if unit is not None else None, enum=raw.get("enum"),
        record=raw.get("record"), period=period, source=raw.get("source"),
        optional=bool(raw.get("optional", False)),
        min=Decimal(str(raw["min"])) if "min" in raw else None,
        max=Decimal(str(raw["max"])) if "max" in raw else None,
    )


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Load and check a catalogue file. Raises :class:`PackError` with every problem."""
    try:
        doc = load_file(path, display=path.name)
    except YamlProblems as exc:
        raise PackError(exc.problems, path.name) from None
    data = doc.data or {}
    problems: list[Problem] = []
    enums = {
        eid: Enum(eid, text_of(e.get("label", eid)),
                  {str(k): text_of(v) for k, v in (e.get("values") or {}).items()})
        for eid, e in (data.get("enums") or {}).items()
    }
    rec_raw = data.get("record_types") or {}
    records: dict[str, RecordType] = {}
    for rid, r in rec_raw.items():
        fields: dict[str, Field] = {}
        for fid, fr in (r.get("fields") or {}).items():
            f = _field(enums, rec_raw, fid, fr, ("record_types", rid, "fields", fid), problems,
                       doc)
            if f is not None:
                fields[fid] = f
        records[rid] = RecordType(rid, text_of(r.get("label", rid)), fields)
    facts: dict[str, Field] = {}
    sources = {k: text_of(v) for k, v in (data.get("sources") or {}).items()}
    for fid, fr in (data.get("facts") or {}).items():
        f = _field(enums, rec_raw, fid, fr, ("facts", fid), problems, doc)
        if f is None:
            continue
        if f.source is not None and f.source not in sources:
            problems.append(doc.problem("catalogue.bad_source", ("facts", fid, "source"),
                                        name=fid, value=f.source))
            continue
        facts[fid] = f
    if problems:
        raise PackError(problems, path.name)
    return Catalogue(facts=facts, enums=enums, records=records, sources=sources)


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with huiqi, loaded once."""
    return load_catalogue()
