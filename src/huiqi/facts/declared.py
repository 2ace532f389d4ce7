"""Facts declared by packs: ``facts.yaml`` beside a pack's policies.

A policy often needs a fact nobody foresaw (the revenue of one product line, a panel's
grade, whether a patent supports the main product). Its pack declares it, and the pack's
catalogue is the base catalogue (``catalogue.yaml``) plus what the pack declares::

    facts:
      product_line_revenue:
        type: money                   # money ratio count number date yes_no enum text records
        label: {zh: 主导产品线营业收入, en: Revenue of the main product line}
        description: {zh: 经审计的主导产品线收入, en: Audited revenue of the main line}
        yearly: true                  # reported per fiscal year (default: no)
        min: 0                        # the allowed range (numbers); optional
        source: enterprise            # enterprise | department | review_panel (or a base source)
      panel_grade:
        type: enum
        label: 专家组评级
        options: {A: 优秀, B: {zh: 良好, en: Good}, C: 一般}
        source: review_panel
      lab_area: {type: number, unit: m2, label: 实验室面积, min: 0}
      trials:
        type: records
        label: 临床试验
        fields:
          phase: {type: enum, options: {I: Ⅰ期, II: Ⅱ期, III: Ⅲ期}, label: 阶段}
          started: {type: date, label: 开始日期}
          cost: {type: money, label: 费用, optional: true}

A declared fact is a fact like any other: the checker types expressions with it, enterprise
files, imports, Parquet tables and the engines read it, explanations show its label. A fact
the base catalogue (or another pack in play) already has may be declared again only with
the same meaning — the same type, unit, period, range and options; otherwise the pack is
refused, naming both places.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from huiqi.errors import PackError, Problem
from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue, Enum, Field, RecordType
from huiqi.messages import message
from huiqi.text import Text, text_of
from huiqi.yamldoc import Document, YamlProblems, load_file

DECLARED_FILE = "facts.yaml"

#: the types a pack may declare → the catalogue's kinds
KINDS: dict[str, str] = {
    "money": "money", "ratio": "ratio", "count": "integer", "integer": "integer",
    "number": "decimal", "decimal": "decimal", "date": "date", "yes_no": "bool",
    "bool": "bool", "enum": "enum", "text": "text", "records": "records",
}
_FACT_KEYS = ("type", "label", "description", "unit", "yearly", "period", "min", "max",
              "source", "options", "enum", "fields")
_FIELD_KEYS = ("type", "label", "description", "unit", "min", "max", "options", "enum",
               "optional")
BASE = "catalogue.yaml"


def _ok_id(name: object) -> bool:
    s = str(name)
    return bool(s) and s[0].isascii() and s[0].isalpha() and all(
        c.isascii() and (c.isalnum() or c == "_") for c in s)


class _Reader:
    """Reads one facts.yaml against the catalogue it extends."""

    def __init__(self, doc: Document, base: Catalogue) -> None:
        self.doc = doc
        self.base = base
        self.problems: list[Problem] = []
        self.enums: dict[str, Enum] = {}
        self.records: dict[str, RecordType] = {}

    def problem(self, code: str, path: tuple[str | int, ...], **params: Any) -> None:
        self.problems.append(self.doc.problem(code, path, at_key=True, **params))

    def keys(self, raw: dict[str, Any], allowed: tuple[str, ...], name: str,
             path: tuple[str | int, ...]) -> None:
        for k in raw:
            if k not in allowed:
                sugg = difflib.get_close_matches(str(k), allowed, n=3)
                self.problem("facts.unknown_key", (*path, k), name=name, key=k,
                             suggestions=", ".join(sugg) or ", ".join(allowed))

    def kind(self, raw: dict[str, Any], name: str, path: tuple[str | int, ...],
             nested: bool) -> str | None:
        written = raw.get("type")
        kind = KINDS.get(str(written)) if written is not None else None
        allowed = [k for k in KINDS if not (nested and k == "records")]
        if kind is None or (nested and kind == "records"):
            self.problem("facts.bad_type", (*path, "type"), name=name, value=written,
                         allowed=", ".join(allowed))
            return None
        return kind

    def number(self, raw: dict[str, Any], key: str, name: str,
               path: tuple[str | int, ...]) -> Decimal | None:
        if key not in raw or raw[key] is None:
            return None
        v = raw[key]
        try:
            if isinstance(v, bool | float):
                raise InvalidOperation
            text = str(v).strip().replace(",", "")
            d = Decimal(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except (InvalidOperation, ValueError):
            self.problem("facts.bad_range", (*path, key), name=name, value=v)
            return None
        return d

    def options(self, raw: dict[str, Any], enum_id: str, name: str,
                path: tuple[str | int, ...]) -> str | None:
        """The enum a declared enum names: its own options, or an enum of the base."""
        opts = raw.get("options")
        if opts is None:
            ref = raw.get("enum")
            if ref in self.base.enums:
                return str(ref)
            self.problem("facts.no_options", (*path, "options"), name=name)
            return None
        if not isinstance(opts, dict) or not opts:
            self.problem("facts.no_options", (*path, "options"), name=name)
            return None
        values: dict[str, Text] = {}
        for k, v in opts.items():
            if not str(k).strip():
                self.problem("facts.bad_option", (*path, "options", k), name=name, value=k)
                continue
            values[str(k)] = text_of(v if v is not None else str(k))
        self.enums[enum_id] = Enum(enum_id, text_of(raw.get("label", name)), values)
        return enum_id

    def field(self, fid: str, raw: Any, path: tuple[str | int, ...], owner: str | None
              ) -> Field | None:
        """One declared fact (``owner`` None) or one field of a declared record type."""
        name = fid if owner is None else f"{owner}.{fid}"
        if not isinstance(raw, dict):
            self.problem("facts.bad_entry", path, name=name)
            return None
        self.keys(raw, _FACT_KEYS if owner is None else _FIELD_KEYS, name, path)
        if not _ok_id(fid):
            self.problem("facts.bad_id", path, name=name)
            return None
        if "label" not in raw:
            self.problem("facts.no_label", path, name=name)
        kind = self.kind(raw, name, path, owner is not None)
        if kind is None:
            return None
        unit = raw.get("unit")
        if unit is not None:
            try:
                T.parse_unit(str(unit))
            except ValueError:
                self.problem("facts.bad_unit", (*path, "unit"), name=name, value=unit,
                             allowed=", ".join(T.BASE_UNITS))
                return None
        lo, hi = self.number(raw, "min", name, path), self.number(raw, "max", name, path)
        if lo is not None and hi is not None and lo > hi:
            self.problem("facts.empty_range", (*path, "min"), name=name, min=lo, max=hi)
        enum = record = None
        if kind == "enum":
            enum = self.options(raw, name.replace(".", "__") + "__options", name, path)
            if enum is None:
                return None
        if kind == "records":
            record = self.record(fid, raw, path)
            if record is None:
                return None
        return Field(
            id=fid, kind=kind, label=text_of(raw.get("label", fid)),
            description=text_of(raw["description"]) if raw.get("description") else None,
            unit=str(unit) if unit is not None else None, enum=enum, record=record,
            period=self.period(raw, name, path) if owner is None else "static",
            source=self.source(raw, name, path) if owner is None else None,
            optional=bool(raw.get("optional", False)), min=lo, max=hi)

    def period(self, raw: dict[str, Any], name: str, path: tuple[str | int, ...]) -> Any:
        yearly = raw.get("yearly", raw.get("period", False))
        if yearly in (True, "yearly"):
            return "yearly"
        if yearly in (False, None, "static"):
            return "static"
        self.problem("facts.bad_period", (*path, "yearly"), name=name, value=yearly)
        return "static"

    def source(self, raw: dict[str, Any], name: str, path: tuple[str | int, ...]
               ) -> str | None:
        src = raw.get("source")
        if src is None or src in self.base.sources:
            return src
        self.problem("facts.bad_source", (*path, "source"), name=name, value=src,
                     allowed=", ".join(self.base.sources))
        return None

    def record(self, fid: str, raw: dict[str, Any], path: tuple[str | int, ...]) -> str | None:
        fields = raw.get("fields")
        if not isinstance(fields, dict) or not fields:
            self.problem("facts.no_fields", (*path, "fields"), name=fid)
            return None
        out: dict[str, Field] = {}
        for sub, fr in fields.items():
            f = self.field(str(sub), fr, (*path, "fields", sub), fid)
            if f is not None:
                out[str(sub)] = f
        if len(out) != len(fields):
            return None
        rid = f"{fid}__record"
        self.records[rid] = RecordType(rid, text_of(raw.get("label", fid)), out)
        return rid


def meaning(cat: Catalogue, f: Field) -> tuple[Any, ...]:
    """What makes two declarations of a fact the same fact: its kind, unit, period, range,
    options (their ids) and, for records, its fields' meanings. Labels and descriptions
    may be worded differently."""
    opts: tuple[str, ...] = ()
    if f.enum is not None and f.enum in cat.enums:
        opts = tuple(sorted(cat.enums[f.enum].values))
    fields: tuple[Any, ...] = ()
    if f.record is not None and f.record in cat.records:
        fields = tuple(sorted((k, sub.optional, meaning(cat, sub))
                              for k, sub in cat.records[f.record].fields.items()))
    unit = T.parse_unit(f.unit) if f.unit else T.DIMENSIONLESS
    return (f.kind, unit, f.period, f.min, f.max, opts, fields)


def _where(cat: Catalogue, fid: str) -> tuple[str, int | None]:
    return cat.declared.get(fid, (BASE, None))


def _clash(code: str, fid: str, this: tuple[str, int | None], other: tuple[str, int | None],
           why: str = "") -> Problem:
    other_text = other[0] + (f":{other[1]}" if other[1] is not None else "")
    return Problem(code=code, message=message(code, name=fid, other=other_text, why=why),
                   hint=message(code + ".hint", name=fid), file=this[0], line=this[1])


def _difference(a_cat: Catalogue, a: Field, b_cat: Catalogue, b: Field) -> str:
    """Which part of the meaning differs, in words (for the clash message)."""
    ma, mb = meaning(a_cat, a), meaning(b_cat, b)
    names = ("type", "unit", "period", "min", "max", "options", "fields")
    parts = [f"{n}: {x if x != () else '-'} ≠ {y if y != () else '-'}"
             for n, x, y in zip(names, ma, mb, strict=True) if x != y]
    return "; ".join(parts)


def extend(base: Catalogue, other: Catalogue) -> Catalogue:
    """``base`` with the facts ``other`` declares added; :class:`PackError` naming both
    places for each fact declared in both with different meanings."""
    problems: list[Problem] = []
    facts = dict(base.facts)
    enums = dict(base.enums)
    records = dict(base.records)
    declared = dict(base.declared)
    for fid, where in other.declared.items():
        f = other.facts[fid]
        known = base.facts.get(fid)
        if known is not None:
            if meaning(base, known) != meaning(other, f):
                problems.append(_clash("facts.clash", fid, where, _where(base, fid),
                                       _difference(other, f, base, known)))
            continue
        facts[fid] = f
        declared[fid] = where
        for ref in _refs(other, f):
            if ref[0] == "enum":
                enums[ref[1]] = other.enums[ref[1]]
            else:
                records[ref[1]] = other.records[ref[1]]
    if problems:
        raise PackError(problems, problems[0].file or DECLARED_FILE)
    return Catalogue(facts=facts, enums=enums, records=records, sources=base.sources,
                     declared=declared)


def _refs(cat: Catalogue, f: Field) -> Iterable[tuple[str, str]]:
    if f.enum is not None:
        yield ("enum", f.enum)
    if f.record is not None:
        yield ("record", f.record)
        for sub in cat.records[f.record].fields.values():
            yield from _refs(cat, sub)


def combine(catalogues: Iterable[Catalogue]) -> Catalogue:
    """The catalogue of several packs in play together: the first's, extended with the
    facts each of the others declares (a clash raises :class:`PackError`)."""
    it = iter(catalogues)
    out = next(it)
    for c in it:
        out = extend(out, c)
    return out


def declared_catalogue(path: Path, base: Catalogue, display: str | None = None) -> Catalogue:
    """``base`` extended with the facts of the file ``path``; :class:`PackError` listing
    every problem of the file (each with its line) and every clash with ``base``."""
    shown = display or str(path)
    try:
        doc = load_file(path, display=shown)
    except YamlProblems as exc:
        raise PackError(exc.problems, shown) from None
    r = _Reader(doc, base)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
        raise PackError([doc.problem("facts.bad_file", ())], shown)
    for k in data:
        if k != "facts":
            r.problem("facts.unknown_key", (k,), name=DECLARED_FILE, key=k, suggestions="facts")
    own: dict[str, Field] = {}
    where: dict[str, tuple[str, int | None]] = {}
    for fid, raw in data["facts"].items():
        f = r.field(str(fid), raw, ("facts", fid), None)
        if f is not None:
            own[f.id] = f
            pos = (doc.key_positions or {}).get(("facts", fid)) or doc.where(("facts", fid))
            where[f.id] = (shown, pos.line if pos is not None else None)
    if r.problems:
        raise PackError(r.problems, shown)
    mine = Catalogue(facts=own, enums={**base.enums, **r.enums},
                     records={**base.records, **r.records}, sources=base.sources,
                     declared=where)
    return extend(base, mine)


def facts_schema() -> dict[str, Any]:
    """The JSON Schema of facts.yaml, for editors (``huiqi schema`` writes it); the checker
    (:func:`declared_catalogue`) says the same and more (clashes, ranges, units)."""
    text = {"oneOf": [{"type": "string", "minLength": 1},
                      {"type": "object", "required": ["zh"], "additionalProperties": False,
                       "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}]}
    number = {"oneOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?[0-9][0-9,_.]*%?$"}]}
    options = {"type": "object", "minProperties": 1, "additionalProperties": text}
    common = {"label": text, "description": text, "unit": {"enum": list(T.BASE_UNITS)},
              "min": number, "max": number, "options": options, "enum": {"type": "string"}}
    field = {"type": "object", "required": ["type", "label"], "additionalProperties": False,
             "properties": {**common, "type": {"enum": [k for k in KINDS if k != "records"]},
                            "optional": {"type": "boolean"}}}
    fact = {"type": "object", "required": ["type", "label"], "additionalProperties": False,
            "properties": {**common, "type": {"enum": list(KINDS)},
                           "yearly": {"type": "boolean"},
                           "period": {"enum": ["static", "yearly"]},
                           "source": {"type": "string"},
                           "fields": {"type": "object", "minProperties": 1,
                                      "additionalProperties": field}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "huiqi facts.yaml: the facts a pack declares",
        "type": "object", "required": ["facts"], "additionalProperties": False,
        "properties": {"facts": {
            "type": "object", "additionalProperties": fact,
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_]*$"}}},
    }


__all__ = ["DECLARED_FILE", "KINDS", "combine", "declared_catalogue", "extend", "facts_schema",
           "meaning"]
