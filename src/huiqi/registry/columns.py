"""Which column of an import file holds what: the credit code, the name, a fact (of a
fiscal year), or where the entity is registered.

By default a column's name says it: ``id``, ``name``, a fact of the catalogue
(``industry``), a yearly fact with its year (``revenue@2025``), ``district``, ``park``.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huiqi.errors import DataError, Problem
from huiqi.facts.catalogue import Catalogue
from huiqi.messages import message

from .entities import LOCATION_FACTS, STATIC

SPECIAL = ("id", "name")


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
        target: str | None = mapping.columns.get(h, h) if h in mapping.columns else h
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


def cell_text(v: Any) -> str:
    return "" if v is None else str(v)
