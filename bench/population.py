"""The benchmark population: a generated park whose numbers every engine stores exactly.

OpenFisca stores a ``float`` variable as float32 (¥20,000,001 reads back as
¥20,000,000) and an ``int`` variable as int32. So that the baseline sees exactly
the numbers huiqi sees, the generated park (``huiqi generate``, streamed) is
transformed once, before any engine reads it, and every engine reads the result:

* money facts (yuan to the fen) are rounded to whole yuan (half to even) and clipped
  into the int32 range, ±2,147,483,647 yuan — OpenFisca holds them in ``int``
  variables, in yuan;
* ``decimal`` facts (``office_area_rented``, m²; ``zjtx_local_feature_points``) are
  rounded to whole units, for the same reason;
* nothing else changes (integers are far below 2^31; dates, text, records as they are).

The number of values changed by rounding and by clipping is returned (and recorded
with the results).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

INT32_MAX = 2**31 - 1


@dataclass
class Prepared:
    path: Path
    rows: int
    rounded: int = 0   # values whose fen (or decimals) were dropped
    clipped: int = 0   # values moved into ±2^31 − 1


def _whole(col: Any, stats: Prepared) -> Any:
    """A decimal column rounded to whole units and clipped into the int32 range (nulls kept)."""
    rounded = pc.round(col, 0, round_mode="half_to_even")
    stats.rounded += int(pc.sum(pc.not_equal(rounded, col)).as_py() or 0)
    top = pa.scalar(Decimal(INT32_MAX), col.type)
    low = pa.scalar(Decimal(-INT32_MAX), col.type)
    clipped = pc.min_element_wise(pc.max_element_wise(rounded, low), top)
    stats.clipped += int(pc.sum(pc.not_equal(clipped, rounded)).as_py() or 0)
    return pc.if_else(pc.is_null(col), col, clipped)


def exact_for_int32(table: Any, stats: Prepared) -> Any:
    """The table with money and decimal facts made whole and int32-sized (see the module doc)."""
    cols = []
    for field, col in zip(table.schema, table.columns, strict=True):
        kind = (field.metadata or {}).get(b"huiqi.kind", b"").decode()
        whole = kind in ("money", "decimal") and pa.types.is_decimal(field.type)
        cols.append(_whole(col, stats) if whole else col)
    return pa.Table.from_arrays(cols, schema=table.schema)


def prepare(path: Path, n: int, seed: int, as_of: dt.date, batch_size: int = 50_000) -> Prepared:
    """Generate ``n`` enterprises into ``path`` (Parquet), made exact for int32 on the way."""
    from huiqi.facts.columnar import write_parquet
    from huiqi.generator import Plan, tables

    stats = Prepared(path, 0)

    def stream() -> Iterator[Any]:
        for t in tables(n, seed, as_of, batch_size):
            yield exact_for_int32(t, stats)

    stats.rows = write_parquet(path, stream(), Plan(seed, as_of).schema())
    return stats
