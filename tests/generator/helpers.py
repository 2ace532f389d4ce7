"""Reading a generated population: columns as numpy arrays, exactly where it matters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

AS_OF = dt.date(2026, 3, 1)
SEED = 20260301
N = 20_000
YEARS = tuple(range(AS_OF.year - 5, AS_OF.year))
LAST = YEARS[-1]

def cents(column: Any) -> np.ndarray[Any, Any]:
    """A decimal128 column as int64 unscaled integers (cents for money), exactly; nulls 0."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset: 2 * (arr.offset + len(arr))]
    out = words[0::2].copy()
    out[~valid(arr)] = 0
    return out


def valid(column: Any) -> np.ndarray[Any, Any]:
    return np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)


def floats(column: Any) -> np.ndarray[Any, Any]:
    """A numeric column as floats, NaN where null."""
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def strings(column: Any) -> np.ndarray[Any, Any]:
    return np.array(column.to_pylist(), dtype=object)


def years_open(park: Any) -> np.ndarray[Any, Any]:
    """For each enterprise and fiscal year, whether it was registered by the end of that year."""
    reg = np.array([d.year for d in park["registration_date"].to_pylist()])
    return reg[:, None] <= np.array(YEARS)[None, :]


def records(column: Any) -> tuple[np.ndarray[Any, Any], dict[str, np.ndarray[Any, Any]]]:
    """A list<struct> column flattened: the row of each record and each field as an array
    (dates as datetime64[D], NaT where null; other fields as objects)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    rows = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False), dtype=np.int64)
    flat = pc.list_flatten(arr)
    fields: dict[str, np.ndarray[Any, Any]] = {}
    for i, f in enumerate(flat.type):
        child = flat.field(i)
        if pa.types.is_date32(f.type):
            fields[f.name] = np.asarray(child.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        else:
            fields[f.name] = np.array(child.to_pylist(), dtype=object)
    return rows, fields


def holders(n: int, rows: np.ndarray[Any, Any], hit: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Which of n enterprises have at least one record where ``hit``."""
    return np.bincount(rows[hit], minlength=n) > 0
