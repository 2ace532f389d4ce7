"""Arrow arrays from numpy arrays, in the types of the columnar layout.

Money is built from int64 cents and ratios and decimals from their unscaled
integers, so no value ever passes through a float on its way out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from huiqi.facts.columnar import DECIMAL, MONEY, RATIO, decimal_array

Array = Any
Bools = np.ndarray[Any, Any]


def _mask(valid: Bools | None) -> Any:
    return None if valid is None else ~np.asarray(valid, dtype=bool)


def money(cents: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    """A money column from int64 cents (fen)."""
    return decimal_array(cents, MONEY, valid)


def ratio(units: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    """A ratio column from int64 units of 1e-8."""
    return decimal_array(units, RATIO, valid)


def decimal(units: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    """A decimal column from int64 units of 1e-4."""
    return decimal_array(units, DECIMAL, valid)


def ints(values: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=_mask(valid))


def bools(values: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=_mask(valid))


def dates(days: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    d = np.asarray(days, dtype="datetime64[D]")
    nat = np.isnat(d)
    v = ~nat if valid is None else (np.asarray(valid, dtype=bool) & ~nat)
    d = np.where(nat, np.datetime64("1970-01-01", "D"), d)
    return pa.array(d, type=pa.date32(), mask=None if bool(v.all()) else ~v)


def choice(labels: Sequence[str], index: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    """A string column: ``labels[index]`` (null where not valid)."""
    idx = pa.array(np.asarray(index, dtype=np.int32), type=pa.int32(), mask=_mask(valid))
    return pa.array(list(labels), type=pa.string()).take(idx)


def strings(values: Sequence[str]) -> Array:
    return pa.array(values, type=pa.string())


def records(n: int, rows: np.ndarray[Any, Any], order: np.ndarray[Any, Any],
            fields: dict[str, Array], type_: Any, valid: Bools | None = None) -> Array:
    """A ``list<struct>`` column from records in long form.

    ``rows[i]`` is the enterprise (0..n-1) of record i, ``order[i]`` sorts records
    within an enterprise (a date), ``fields`` holds one array per struct field.
    """
    rows = np.asarray(rows, dtype=np.int64)
    perm = np.lexsort((np.asarray(order), rows)) if len(rows) else np.zeros(0, dtype=np.int64)
    struct_type = type_.value_type
    children = []
    take = pa.array(perm, type=pa.int64())
    for f in struct_type:
        children.append(fields[f.name].take(take))
    values = pa.StructArray.from_arrays(children, fields=list(struct_type))
    counts = np.bincount(rows, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values, type=type_,
                                    mask=_list_mask(valid))


def _list_mask(valid: Bools | None) -> Any:
    return None if valid is None else pa.array(~np.asarray(valid, dtype=bool), type=pa.bool_())


def string_sets(n: int, rows: np.ndarray[Any, Any], labels: Sequence[str],
                index: np.ndarray[Any, Any], valid: Bools | None = None) -> Array:
    """A ``list<string>`` column (an enum set) from (row, label index) pairs, ids sorted."""
    rows = np.asarray(rows, dtype=np.int64)
    names = np.array(list(labels), dtype=object)[np.asarray(index, dtype=np.int64)]
    perm = np.lexsort((names.astype(str), rows)) if len(rows) else np.zeros(0, dtype=np.int64)
    values = pa.array(names[perm].tolist(), type=pa.string())
    counts = np.bincount(rows, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values,
                                    type=pa.list_(pa.string()), mask=_list_mask(valid))


def cents(yuan: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Yuan drawn as floats, rounded to the fen as int64 cents."""
    return np.rint(np.asarray(yuan, dtype=np.float64) * 100).astype(np.int64)
