"""Which column of an import file holds what: the credit code, the name, a fact (of a
fiscal year), or where the entity is registered.

By default a column's name says it: ``id``, ``name``, a fact of the catalogue
(``industry``), a yearly fact with its year (``revenue@2025``), ``district``, ``park`` —
or the same in Chinese, as the import page's hint and the templates write them: the
fact's Chinese label (``所属行业``, or a short name: ``统一社会信用代码``, ``名称``,
``区县``, ``园区``, ``行业``), a yearly one with its year (``营业收入@2025``,
``2025年营业收入``, ``营业收入(2025)``), or a label followed by its id in brackets
(``统一社会信用代码(id)``, ``营业收入(revenue@2025)``; full-width brackets too).
A mapping file (YAML) renames columns and may ignore some::

    source: tax                       # provenance of the values (default: import)
    columns:
      统一社会信用代码: id
      企业名称: name
      2025年营业收入: revenue@2025
      备注: ~                          # ignored
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huiqi.errors import DataError, Problem
from huiqi.facts.catalogue import Catalogue
from huiqi.messages import message

from .entities import LOCATION_FACTS, STATIC

SPECIAL = ("id", "name")
#: Chinese names of columns beside the facts' labels (what people write in a header)
ALIASES = {"统一社会信用代码": "id", "社会信用代码": "id", "信用代码": "id", "名称": "name",
           "企业名称": "name", "单位名称": "name", "主体名称": "name", "区县": "district",
           "区": "district", "园区": "park", "行业": "industry"}
_BRACKETS = str.maketrans({"\uff08": "(", "\uff09": ")", "\u3010": "(", "\u3011": ")",
                           "\uff3b": "(", "\uff3d": ")", "\uff20": "@", " ": "",
                           "\u3000": ""})  # full-width brackets and @, spaces


@dataclass(frozen=True)
class Column:
    header: str
    index: int
    target: str             # "id", "name", "location", "fact", "ignore"
    fact: str | None = None
    year: int = STATIC


@dataclass
class Mapping:
    columns: dict[str, str | None] = field(default_factory=dict)
    source: str = "import"


def read_mapping(path: Path | None, text: str | None = None, display: str = "mapping") -> Mapping:
    """A mapping file (YAML), or the default (column names are the targets)."""
    if path is None and text is None:
        return Mapping()
    import yaml

    try:
        raw = yaml.safe_load(text if text is not None else Path(path or "").read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise _bad(display, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from None
    if raw is None:
        return Mapping()
    if not isinstance(raw, dict) or not isinstance(raw.get("columns", {}), dict):
        raise _bad(display, "columns: {列名: 目标} / columns: {header: target}")
    cols = {str(k): (None if v is None else str(v)) for k, v in (raw.get("columns") or {}).items()}
    return Mapping(columns=cols, source=str(raw.get("source") or "import"))


def _bad(display: str, detail: str) -> DataError:
    return DataError([Problem(code="import.bad_mapping", file=display,
                              message=message("import.bad_mapping", detail=detail))], display)


def resolve(header: list[str], mapping: Mapping, cat: Catalogue, display: str
            ) -> tuple[list[Column], list[Problem]]:
    """Columns for a header row, and a problem for each column that cannot be placed."""
    out: list[Column] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        target: str | None = (mapping.columns.get(h, h) if h in mapping.columns
                              else default_target(h, cat))
        if target is None or (h == "" and target == ""):
            out.append(Column(h, i, "ignore"))
            continue
        col = _column(h, i, target, cat)
        if col is None:
            base = target.split("@")[0]
            sugg = difflib.get_close_matches(base, [*SPECIAL, *cat.facts], n=3, cutoff=0.6)
            problems.append(Problem(code="import.unknown_column", file=display, line=1,
                                    column=i + 1, snippet=h,
                                    message=message("import.unknown_column", name=h),
                                    hint=message("import.unknown_column.hint",
                                                 suggestions=", ".join(sugg) or "-")))
            continue
        key = f"{col.target}:{col.fact}@{col.year}"
        if key in seen:
            problems.append(Problem(code="import.duplicate_column", file=display, line=1,
                                    column=i + 1, snippet=h,
                                    message=message("import.duplicate_column", name=h)))
            continue
        seen[key] = i
        out.append(col)
    if not problems and not any(c.target == "id" for c in out):
        problems.append(Problem(code="import.no_id_column", file=display, line=1,
                                message=message("import.no_id_column"),
                                hint=message("import.no_id_column.hint")))
    return out, problems


def default_target(header: str, cat: Catalogue) -> str:
    """What a header names without a mapping file: itself if it is an id (``revenue@2025``),
    else its Chinese forms (above) made into an id; the header as it is if none fits (then
    reported as an unknown column, with suggestions)."""
    h = header.strip()
    if _column(h, 0, h, cat) is not None:
        return h
    plain = h.translate(_BRACKETS)
    labels = _labels(cat)
    if plain.partition("@")[0] in labels:   # 营业收入(销售收入)@2025: the label has brackets
        name, at, year = plain.partition("@")
        return _target(labels[name], at, year, h, cat)
    m = re.fullmatch(r"(.+?)\(([^()]+)\)", plain)
    if m is not None:
        label, inner = m.group(1), m.group(2).removesuffix("年")
        if _column(inner, 0, inner, cat) is not None:
            return inner                                  # 营业收入(revenue@2025)
        if inner.isdigit():
            plain = f"{label}@{inner}"                     # 营业收入(2025)
    m = re.fullmatch(r"(\d{4})年(?:度)?(.+)", plain)
    if m is not None:
        plain = f"{m.group(2)}@{m.group(1)}"               # 2025年营业收入
    name, at, year = plain.partition("@")
    fid = labels.get(name)
    return h if fid is None else _target(fid, at, year, h, cat)


def _target(fid: str, at: str, year: str, header: str, cat: Catalogue) -> str:
    target = f"{fid}@{year}" if at else fid
    return target if _column(target, 0, target, cat) is not None else header


_LABELS: dict[int, tuple[Catalogue, dict[str, str]]] = {}


def _labels(cat: Catalogue) -> dict[str, str]:
    """Chinese label → id, for the facts whose label is theirs alone (and the aliases)."""
    known = _LABELS.get(id(cat))
    if known is not None and known[0] is cat:
        return known[1]
    out = _labels_of(cat)
    _LABELS[id(cat)] = (cat, out)
    return out


def _labels_of(cat: Catalogue) -> dict[str, str]:
    seen: dict[str, list[str]] = {}
    for fid, f in cat.facts.items():
        seen.setdefault(f.label.zh.translate(_BRACKETS), []).append(fid)
    out = {label: ids[0] for label, ids in seen.items() if len(ids) == 1}
    short: dict[str, list[str]] = {}  # 营业收入 for 营业收入(销售收入)
    for label, fid in out.items():
        bare = re.sub(r"\([^()]*\)", "", label)
        if bare and bare != label:
            short.setdefault(bare, []).append(fid)
    out |= {b: ids[0] for b, ids in short.items() if len(ids) == 1 and b not in out}
    return {**out, **ALIASES}


def _column(h: str, i: int, target: str, cat: Catalogue) -> Column | None:
    if target in SPECIAL:
        return Column(h, i, target)
    if target in LOCATION_FACTS:
        return Column(h, i, "location", fact=target)
    name, at, year = target.partition("@")
    f = cat.facts.get(name)
    if f is None or (f.kind == "records" and at):
        return None
    if f.yearly != bool(at):
        return None
    if at:
        try:
            y = int(year)
        except ValueError:
            return None
        if not 1900 <= y <= 2200:
            return None
        return Column(h, i, "fact", fact=name, year=y)
    return Column(h, i, "fact", fact=name)


def fact_sets(cat: Catalogue) -> dict[str, Any]:
    """The sets of facts a template is made for: the facts of one usual source (工商登记,
    税务, 企业自报 …), by the source's id, with its label (a ``Text``)."""
    used = {f.source for f in cat.facts.values() if f.kind != "records" and f.source}
    return {k: label for k, label in cat.sources.items() if k in used}


def template_header(cat: Catalogue, fact_set: str, year: int) -> list[str]:
    """The header row of an import template: the credit code, the name, then each fact of
    the set (a yearly one for ``year``), each written ``中文名(id)`` — which the import
    reads back as the id (:func:`default_target`)."""
    if fact_set not in fact_sets(cat):
        from huiqi.errors import NotFoundError
        from huiqi.text import Text

        raise NotFoundError(Text("数据模板", "template"), fact_set)
    out = ["统一社会信用代码(id)", "名称(name)"]
    for fid, f in cat.facts.items():
        if f.source != fact_set or f.kind == "records":
            continue
        target = f"{fid}@{year}" if f.yearly else fid
        out.append(f"{f.label.zh}({target})")
    return out


def cell_text(v: Any) -> str:
    return "" if v is None else str(v)
