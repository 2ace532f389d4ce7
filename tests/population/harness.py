"""Run the same pack and enterprises through the engine, DuckDB and Spark; compare."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from huiqi.engine.matcher import Matcher
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.columnar import arrow_schema, enterprises_to_table, with_declarations
from huiqi.facts.enterprise import Enterprise
from huiqi.population.compare import differences, engine_rows, table_rows
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack


def load_text(text: str, folder: Path) -> Pack:
    path = folder / "rp.yaml"
    path.write_text(text, encoding="utf-8")
    return load_pack(path)


def drawn(data: Any, firms: int = 12) -> tuple[str, Pack, list[Enterprise]]:
    """A random pack (its text and the pack) and ``firms`` random enterprises, drawn from a
    Hypothesis ``data`` object."""
    from . import randpack as R

    text = data.draw(R.pack_text(), label="pack")
    es = [data.draw(R.enterprise(i), label=f"enterprise {i}") for i in range(firms)]
    with tempfile.TemporaryDirectory() as tmp:
        pack = load_text(text, Path(tmp))
    return text, pack, es


def table_of(es: list[Enterprise], as_of: dt.date) -> Any:
    table = enterprises_to_table(es, arrow_schema(default_catalogue(),
                                                  list(range(as_of.year - 6, as_of.year))))
    return with_declarations(table, es)


def expected(pack: Pack, es: list[Enterprise], as_of: dt.date) -> dict[Any, Any]:
    m = Matcher(pack, as_of)
    out: dict[Any, Any] = {}
    for e in es:
        out.update(engine_rows(m.match(e)))
    return out


def compare(exp: dict[Any, Any], table: Any) -> list[str]:
    return differences(exp, table_rows(table.to_pylist()))


def expected_values(pack: Pack, es: list[Enterprise], as_of: dt.date) -> dict[Any, Any]:
    """The reported values by the one-enterprise engine: (enterprise, column) → value."""
    m = Matcher(pack, as_of)
    out: dict[Any, Any] = {}
    for e in es:
        for v in m.match(e).values:
            out[(e.id, v.key)] = v.value
            if any(s.key == v.key and s.grade is not None for s in pack.reported()):
                out[(e.id, v.key + ":grade")] = v.grade
    return out


def table_values(table: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for row in table.to_pylist():
        for k, v in row.items():
            if k != "id":
                out[(row["id"], k)] = v
    return out
