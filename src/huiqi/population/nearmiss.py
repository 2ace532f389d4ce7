"""Near-misses: enterprises that fail a clause on exactly k conditions — those that can act
on their gap first, then the closest."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from .results import relation


@dataclass
class NearMiss:
    enterprise_id: str
    failed: list[str]
    gaps: dict[str, Decimal]


def near_misses(results: Path | Any, clause: str, k: int = 1, limit: int = 50,
                con: duckdb.DuckDBPyConnection | None = None,
                fixed: Collection[str] = ()) -> list[NearMiss]:
    """From a results file (compact or long; :mod:`huiqi.population.results`) or an Arrow
    table of long results: who fails ``clause`` on exactly ``k`` conditions.

    Those that can act on what they miss come first: none of their failed conditions is in
    ``fixed`` (conditions on what cannot change: :func:`huiqi.rules.fixed.fixed_paths` —
    a firm of another city whose only failing condition is where it is registered is not
    "nearly" there). Then those whose failures all have a measurable gap; then sorted by the
    failed conditions and by the size of the gap of the first (smallest first: the closest
    to qualifying), then by enterprise id.
    """
    con = con or duckdb.connect()
    if isinstance(results, Path):   # a compact folder: only this clause's long rows derived
        source = relation(con, results, "near_miss_results", [clause])
    else:
        con.register("near_miss_results", results)
        source = "near_miss_results"
    rows = con.execute(
        f"SELECT enterprise_id, failed, gaps FROM {source} WHERE clause = ? "
        f"AND status = 'not_eligible' AND len(failed) = ? ORDER BY "
        f"list_has_any(failed, ?::VARCHAR[]), "
        f"len(gaps) = 0, array_to_string(failed, ','), "
        f"list_extract(list_transform(list_filter(gaps, lambda g: g.condition = failed[1]), "
        f"lambda g: g.shortfall), 1) NULLS LAST, enterprise_id LIMIT ?",
        [clause, k, sorted(fixed), limit]).fetchall()
    return [NearMiss(eid, list(failed), {g["condition"]: g["shortfall"] for g in gaps or []})
            for eid, failed, gaps in rows]


def counts_by_failures(results: Path, clause: str, con: duckdb.DuckDBPyConnection | None = None
                       ) -> dict[int, int]:
    """How many enterprises fail ``clause`` on 1, 2, 3 … conditions (a results file of
    either form)."""
    con = con or duckdb.connect()
    source = relation(con, results, "near_miss_counted", [clause])
    rows = con.execute(
        f"SELECT len(failed), count(*) FROM {source} "
        f"WHERE clause = ? AND status = 'not_eligible' GROUP BY 1 ORDER BY 1", [clause]).fetchall()
    return {int(n): int(c) for n, c in rows}
