"""The columnar layout of enterprises: one Arrow schema for Parquet files, imports,
the generator and the population engines (DuckDB, Spark).

One row per enterprise. Columns, in this order:

=====================  ===========================================================
``id``                 string, never null: the 统一社会信用代码
``name``               string
``<fact>``             one per static fact of the catalogue, in catalogue order
``<fact>@<year>``      one per yearly fact and fiscal year (``revenue@2025``), in
                       catalogue order, each fact's years ascending
=====================  ===========================================================

Types, by the fact's kind in the catalogue:

===========  ===========================================================
money        ``decimal128(20, 2)`` — yuan to the fen, exact
ratio        ``decimal128(18, 8)`` — a fraction (0.07 is 7 %)
integer      ``int64``
decimal      ``decimal128(20, 4)``
date         ``date32``
bool         ``bool``
enum, text   ``string`` (an enum column holds the value's id, e.g. ``hnte``)
enum_set     ``list<string>``, the ids sorted
records      ``list<struct<…>>``, the record type's fields typed as above
===========  ===========================================================

A missing fact is null, never 0. An empty list of records is a known "none" and
stays distinct from null ("not known"). Every field carries metadata
(``huiqi.fact``, ``huiqi.kind`` and, for yearly columns, ``huiqi.year``); the schema
carries ``huiqi.layout`` (this layout's version) and ``huiqi.years``.

An enterprise's ``choices`` and ``reviews`` are declarations made in applications,
not facts: they are not part of the layout. The population engines read them, when
given, from extra columns ``choice:<policy:choice>`` (string),
``review:<policy/clause/condition>`` (bool, a yes/no review's verdict) and, for a scored
review, ``scored:<policy/clause/condition>`` (TRUE where a scored decision is recorded) and
``score:<policy/clause/condition>:<part>`` (``decimal128(20, 4)``, null where that score
was not given): :func:`with_declarations` adds them.

Reading gives back what was written, exactly: a money amount ``Decimal("1.5")``
comes back as ``Decimal("1.50")`` (equal, and still a Decimal), records as tuples of
dicts, enum sets as frozensets, exactly as :meth:`Catalogue.coerce` makes them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from huiqi.errors import DataError, Problem
from huiqi.facts.catalogue import Catalogue, Field
from huiqi.facts.enterprise import Enterprise
from huiqi.messages import message

__all__ = [
    "LAYOUT_VERSION",
    "arrow_schema",
    "arrow_type",
    "column_name",
    "decimal_array",
    "enterprises_to_table",
    "parse_column",
    "read_parquet_enterprises",
    "table_to_enterprises",
    "with_declarations",
    "write_parquet",
]

LAYOUT_VERSION = "1"
MONEY = pa.decimal128(20, 2)
RATIO = pa.decimal128(18, 8)
DECIMAL = pa.decimal128(20, 4)
SCORE = pa.decimal128(20, 4)  # a review's score (huiqi.facts.io.SCORE_PLACES decimals)

_SCALAR_TYPES: dict[str, Any] = {
    "money": MONEY, "ratio": RATIO, "decimal": DECIMAL, "integer": pa.int64(),
    "date": pa.date32(), "bool": pa.bool_(), "enum": pa.string(), "text": pa.string(),
    "enum_set": pa.list_(pa.string()),
}


def arrow_type(catalogue: Catalogue, f: Field) -> Any:
    """The Arrow type of a fact (or of a field of a record type)."""
    if f.kind == "records":
        rt = catalogue.records[f.record or ""]
        return pa.list_(pa.struct([
            pa.field(sub.id, arrow_type(catalogue, sub), nullable=sub.optional)
            for sub in rt.fields.values()]))
    return _SCALAR_TYPES[f.kind]


def column_name(fact: str, year: int | None = None) -> str:
    """``revenue`` for a static fact, ``revenue@2025`` for a yearly one."""
    return fact if year is None else f"{fact}@{year}"


def parse_column(name: str) -> tuple[str, int | None]:
    """The fact and year of a column name; raises ValueError if the year is not a year."""
    fact, sep, year = name.partition("@")
    if not sep:
        return fact, None
    if not (year.isdigit() and len(year) == 4):
        raise ValueError(name)
    return fact, int(year)


def arrow_schema(catalogue: Catalogue, years: Sequence[int]) -> Any:
    """The layout for a catalogue and the fiscal years to hold (see the module doc)."""
    ys = sorted(set(years))
    fields = [pa.field("id", pa.string(), nullable=False), pa.field("name", pa.string())]
    for f in catalogue.facts.values():
        meta = {"huiqi.fact": f.id, "huiqi.kind": f.kind}
        if not f.yearly:
            fields.append(pa.field(f.id, arrow_type(catalogue, f), metadata=meta))
            continue
        for y in ys:
            fields.append(pa.field(column_name(f.id, y), arrow_type(catalogue, f),
                                   metadata={**meta, "huiqi.year": str(y)}))
    return pa.schema(fields, metadata={"huiqi.layout": LAYOUT_VERSION,
                                       "huiqi.years": ",".join(map(str, ys))})


def decimal_array(unscaled: np.ndarray[Any, Any], type_: Any,
                  valid: np.ndarray[Any, Any] | None = None) -> Any:
    """A decimal128 array from int64 unscaled values (cents for money), exactly and fast.

    ``valid`` (bool, optional) marks the values that are present; the others are null.
    """
    values = np.ascontiguousarray(unscaled, dtype=np.int64)
    n = len(values)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = np.where(values < 0, -1, 0)
    buffers = [None, pa.py_buffer(words)]
    null_count = 0
    if valid is not None and not bool(np.all(valid)):
        bits = np.packbits(np.asarray(valid, dtype=bool), bitorder="little")
        buffers[0] = pa.py_buffer(bits)
        null_count = int(n - np.count_nonzero(valid))
    return pa.Array.from_buffers(type_, n, buffers, null_count=null_count)


# --------------------------------------------------------------------------- to Arrow

def _plain(kind: str, value: Any) -> Any:
    if kind == "enum_set":
        return sorted(value)
    if kind == "records":
        return [dict(r) for r in value]
    return value


def _bad(where: str, name: str, zh: str, en: str) -> Problem:
    return Problem(code="data.bad_value", file=where, message=message(
        "data.bad_value", name=name, reason_zh=zh, reason_en=en))


def enterprises_to_table(enterprises: Sequence[Enterprise], schema: Any) -> Any:
    """A table in the layout ``schema`` (see :func:`arrow_schema`).

    Raises :class:`DataError` (nothing converted) if an enterprise has a fact or a
    year the schema has no column for, or a value the column cannot hold exactly.
    """
    names = set(schema.names)
    problems: list[Problem] = []
    for e in enterprises:
        for fact in e.facts:
            if fact not in names and e.facts[fact] is not None:
                problems.append(_bad(e.id, fact, "布局中没有这一列", "the layout has no such column"))
        for y, row in e.years.items():
            for fact, v in row.items():
                col = column_name(fact, y)
                if col not in names and v is not None:
                    problems.append(_bad(e.id, col, "布局中没有这一列", "the layout has no such column"))
    if problems:
        raise DataError(problems, "enterprises")
    arrays = []
    for field in schema:
        kind = (field.metadata or {}).get(b"huiqi.kind", b"text").decode()
        if field.name == "id":
            values: list[Any] = [e.id for e in enterprises]
        elif field.name == "name":
            values = [e.name for e in enterprises]
        else:
            fact, year = parse_column(field.name)
            values = [e.value(fact, year) for e in enterprises]
            values = [None if v is None else _plain(kind, v) for v in values]
        arrays.append(_to_array(values, field, enterprises))
    return pa.Table.from_arrays(arrays, schema=schema)


def with_declarations(table: Any, enterprises: Sequence[Enterprise]) -> Any:
    """``table`` (the rows of ``enterprises``, in order) with their choices and review
    decisions as the columns the population engines read (``choice:…``, ``review:…``)."""
    for k in sorted({k for e in enterprises for k in e.choices}):
        table = table.append_column(f"choice:{k}", pa.array([e.choices.get(k) for e in enterprises],
                                                            pa.string()))
    verdicts = sorted({k for e in enterprises for k, d in e.reviews.items() if isinstance(d, bool)})
    for k in verdicts:
        values = [e.reviews.get(k) for e in enterprises]
        table = table.append_column(f"review:{k}", pa.array(
            [d if isinstance(d, bool) else None for d in values], pa.bool_()))
    scored = sorted({k for e in enterprises for k, d in e.reviews.items() if isinstance(d, dict)})
    for k in scored:
        decisions = [e.reviews.get(k) for e in enterprises]
        table = table.append_column(f"scored:{k}", pa.array(
            [True if isinstance(d, dict) else None for d in decisions], pa.bool_()))
        for part in sorted({p for d in decisions if isinstance(d, dict) for p in d}):
            table = table.append_column(f"score:{k}:{part}", pa.array(
                [d.get(part) if isinstance(d, dict) else None for d in decisions], SCORE))
    return table


def _to_array(values: list[Any], field: Any, enterprises: Sequence[Enterprise]) -> Any:
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        pass
    for e, v in zip(enterprises, values, strict=True):  # find the first value at fault
        try:
            pa.array([v], type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError) as exc:
            raise DataError([_bad(e.id, field.name, f"取值“{v}”不能无损地存为 {field.type}:{exc}",
                                  f"the value “{v}” cannot be held exactly as {field.type}: {exc}")],
                            "enterprises") from None
    raise DataError([_bad("enterprises", field.name, f"无法转换为 {field.type}",
                          f"cannot be converted to {field.type}")], "enterprises")


# --------------------------------------------------------------------------- from Arrow

def _check_columns(table: Any, catalogue: Catalogue) -> list[tuple[int, str, Field, int | None]]:
    problems: list[Problem] = []
    cols: list[tuple[int, str, Field, int | None]] = []
    for i, field in enumerate(table.schema):
        if field.name in ("id", "name"):
            continue
        try:
            fact, year = parse_column(field.name)
        except ValueError:
            fact, year = field.name, None
        f = catalogue.facts.get(fact)
        if f is None or f.yearly != (year is not None):
            problems.append(Problem(code="data.bad_column", message=message(
                "data.bad_column", name=field.name), hint=message("data.bad_column.hint")))
            continue
        expected = arrow_type(catalogue, f)
        if not field.type.equals(expected):
            problems.append(_bad("table", field.name, f"列类型为 {field.type},应为 {expected}",
                                 f"the column is {field.type}, expected {expected}"))
            continue
        cols.append((i, fact, f, year))
    if "id" not in table.schema.names:
        problems.append(Problem(code="data.no_id", message=message("data.no_id", n=1)))
    if problems:
        raise DataError(problems, "table")
    return cols


def _python(kind: str, v: Any) -> Any:
    if kind == "records":
        return tuple(dict(r) for r in v)
    if kind == "enum_set":
        return frozenset(v)
    return v


def table_to_enterprises(table: Any, catalogue: Catalogue) -> list[Enterprise]:
    """The enterprises of a table or record batch in the layout (the inverse of
    :func:`enterprises_to_table`). Raises :class:`DataError` on an unknown column or a
    column of the wrong type."""
    cols = _check_columns(table, catalogue)
    n = table.num_rows
    ids = table.column(table.schema.get_field_index("id")).to_pylist()
    name_at = table.schema.get_field_index("name")
    names = table.column(name_at).to_pylist() if name_at >= 0 else [""] * n
    out = [Enterprise(id=ids[r], name=names[r] or "") for r in range(n)]
    for i, fact, f, year in cols:
        values = table.column(i).to_pylist()
        for e, v in zip(out, values, strict=True):
            if v is None:
                continue
            if year is None:
                e.facts[fact] = _python(f.kind, v)
            else:
                e.years.setdefault(year, {})[fact] = _python(f.kind, v)
    return out


# --------------------------------------------------------------------------- Parquet

def write_parquet(path: Path | str, batches: Iterable[Any], schema: Any, *,
                  compression: str = "zstd") -> int:
    """Stream record batches (or tables) to a Parquet file, one row group each.

    Memory stays that of one batch. String columns are dictionary-encoded, the
    others not. The file appears only when complete (written beside it and
    renamed). Returns the number of rows written.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    strings = [f.name for f in schema if pa.types.is_string(f.type)]
    rows = 0
    try:
        with pq.ParquetWriter(tmp, schema, compression=compression, use_dictionary=strings) as writer:
            for batch in batches:
                if isinstance(batch, pa.RecordBatch):
                    writer.write_batch(batch)
                else:   # a table: one row group, whatever its chunks
                    writer.write_table(batch, row_group_size=max(batch.num_rows, 1))
                rows += batch.num_rows
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return rows


def read_parquet_enterprises(path: Path | str, catalogue: Catalogue,
                             batch_size: int = 50_000) -> Iterator[list[Enterprise]]:
    """Enterprises of a Parquet file in the layout, ``batch_size`` at a time."""
    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(batch_size=batch_size):
        yield table_to_enterprises(batch, catalogue)

