"""Values for the facts a pack declares (``facts.yaml``): the generator knows nothing of
them but their declaration, so it draws each from what the declaration allows.

Each declared fact has its own random stream (seed, block, ``declared:<fact>``), so
declaring another fact changes none of the values drawn for the others, nor any base
fact. A value is missing (null) for :data:`MISSING` of the enterprises; a number is drawn
uniformly from the declared range — its ends themselves each for :data:`AT_END` of them,
so that conditions at a declared bound are met — and, where no range is declared, from
a default span of its kind; a date is within the last 20 years; a yes/no, an option and
a text (one of five) evenly; records 0 to 3 of them, each field drawn the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from huiqi.facts.catalogue import Catalogue, Field
from huiqi.facts.columnar import arrow_type, column_name
from huiqi.generator import arrays as A
from huiqi.generator.streams import stream

MISSING = 0.2
AT_END = 0.05
#: per kind: unscaled units per 1 (the layout's scale), the step drawn in, the default span
_SCALE: dict[str, tuple[int, int, Decimal]] = {
    "money": (100, 100, Decimal(10_000_000)),        # whole yuan
    "ratio": (10**8, 10**4, Decimal(1)),             # to 0.01 %
    "decimal": (10**4, 100, Decimal(1000)),          # to 0.01
    "integer": (1, 1, Decimal(100)),
}
_RECORDS_MAX = 3
_DAYS_BACK = 20 * 365


def _bounds(f: Field) -> tuple[Decimal, Decimal]:
    span = _SCALE[f.kind][2]
    lo = f.min if f.min is not None else (min(Decimal(0), f.max - span) if f.max is not None
                                          else Decimal(0))
    hi = f.max if f.max is not None else lo + span
    return lo, hi


def _numbers(rng: np.random.Generator, f: Field, n: int) -> np.ndarray[Any, Any]:
    """``n`` values in unscaled units of the layout, in ``[min, max]``."""
    scale, step, _ = _SCALE[f.kind]
    lo, hi = _bounds(f)
    lo_u = int((lo * scale / step).to_integral_value(ROUND_CEILING)) * step
    hi_u = int((hi * scale / step).to_integral_value(ROUND_FLOOR)) * step
    hi_u = max(hi_u, lo_u)
    out = rng.integers(lo_u // step, hi_u // step + 1, size=n, dtype=np.int64) * step
    end = rng.random(n)
    out = np.where(end < AT_END, lo_u, out)
    return np.where(end > 1 - AT_END, hi_u, out)


def _column(rng: np.random.Generator, cat: Catalogue, f: Field, n: int, as_of: dt.date,
            typ: Any) -> Any:
    valid = rng.random(n) >= MISSING
    k = f.kind
    if k == "records":
        return pa.array(_records(rng, cat, f, n, as_of, valid), type=typ)
    if k in _SCALE:
        values = _numbers(rng, f, n)
        if k == "integer":
            return A.ints(values, valid)
        return {"money": A.money, "ratio": A.ratio, "decimal": A.decimal}[k](values, valid)
    if k == "date":
        back = rng.integers(0, _DAYS_BACK, size=n)
        return A.dates(np.datetime64(as_of.isoformat(), "D") - back, valid)
    if k == "bool":
        return A.bools(rng.random(n) < 0.5, valid)
    labels = _labels(cat, f)
    if k == "enum_set":
        picks = rng.random((n, len(labels))) < 0.5
        return pa.array([sorted(np.asarray(labels)[p].tolist()) if ok else None
                         for p, ok in zip(picks, valid, strict=True)], type=typ)
    return A.choice(labels, rng.integers(0, len(labels), size=n), valid)


def _labels(cat: Catalogue, f: Field) -> list[str]:
    if f.kind in ("enum", "enum_set"):
        return list(cat.enums[f.enum or ""].values)
    return [f"{f.label.zh}{i}" for i in range(1, 6)]


def _records(rng: np.random.Generator, cat: Catalogue, f: Field, n: int, as_of: dt.date,
             valid: np.ndarray[Any, Any]) -> list[Any]:
    rt = cat.records[f.record or ""]
    counts = rng.integers(0, _RECORDS_MAX + 1, size=n)
    total = int(counts.sum())
    columns: dict[str, list[Any]] = {}
    for sub in rt.fields.values():
        draw = _column if sub.optional else _column_full  # a required field is never null
        columns[sub.id] = draw(rng, cat, sub, total, as_of, arrow_type(cat, sub)).to_pylist()
    out: list[Any] = []
    at = 0
    for c, ok in zip(counts.tolist(), valid.tolist(), strict=True):
        rows = [{k: v[i] for k, v in columns.items()} for i in range(at, at + c)]
        at += c
        out.append(rows if ok else None)
    return out


def _column_full(rng: np.random.Generator, cat: Catalogue, f: Field, n: int, as_of: dt.date,
                 typ: Any) -> Any:
    """A column with every value present (a required field of a record)."""
    import pyarrow.compute as pc

    col = _column(rng, cat, f, n, as_of, typ)
    while col.null_count:
        col = pc.if_else(col.is_null(), _column(rng, cat, f, n, as_of, typ), col)
    return col


def columns(seed: int, block: int, n: int, as_of: dt.date, years: tuple[int, ...],
            cat: Catalogue, schema: Any) -> dict[str, Any]:
    """The columns of the facts ``cat`` declares (by the packs) for block ``block``."""
    out: dict[str, Any] = {}
    for fid in cat.declared:
        f = cat.facts[fid]
        rng = stream(seed, block, f"declared:{fid}")
        names = [column_name(fid, y) for y in years] if f.yearly else [fid]
        for name in names:
            if schema.get_field_index(name) >= 0:
                out[name] = _column(rng, cat, f, n, as_of, schema.field(name).type)
    return out


__all__ = ["AT_END", "MISSING", "columns"]
