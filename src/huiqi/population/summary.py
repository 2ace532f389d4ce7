"""Summaries of a population run: per clause the counts by status and the total amount,
and the same by industry, size band and district.

Size bands follow the revenue thresholds of 《统计上大中小微型企业划分办法(2017)》 for
industrial enterprises (微型 < 300万元 ≤ 小型 < 2000万元 ≤ 中型 < 4亿元 ≤ 大型), applied to
last fiscal year's revenue; the staff thresholds and other sectors' tables are not
applied (an assumption, stated here and in the reports).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from huiqi.engine.result import Tally
from huiqi.text import Text

from .query import WideClause, fixed_amount, money_columns
from .wide import STATUS_NAMES

SIZE_BANDS = (("micro", Text("微型", "micro")), ("small", Text("小型", "small")),
              ("medium", Text("中型", "medium")), ("large", Text("大型", "large")),
              ("unknown", Text("未知", "unknown")))
Key = tuple[str, str, str, str, str]  # clause, status, industry, size band, district


def size_band_sql(revenue_col: str | None) -> str:
    if revenue_col is None:
        return "'unknown'"
    r = f'"{revenue_col}"'
    return (f"(CASE WHEN {r} IS NULL THEN 'unknown' WHEN {r} < 3000000 THEN 'micro' "
            f"WHEN {r} < 20000000 THEN 'small' WHEN {r} < 400000000 THEN 'medium' "
            f"ELSE 'large' END)")


def dimensions_sql(columns: list[str], as_of: dt.date, extra: Sequence[str] = ()) -> str:
    """id, industry, size band and district of each of ``enterprises`` (with ``columns``),
    and the ``extra`` columns as they are."""
    rev = f"revenue@{as_of.year - 1}"
    industry = '"industry"' if "industry" in columns else "NULL"
    district = '"district"' if "district" in columns else "NULL"
    more = "".join(f', "{c}"' for c in extra)
    return (f"SELECT id, coalesce({industry}, 'unknown') AS industry, "
            f"{size_band_sql(rev if rev in columns else None)} AS size_band, "
            f"coalesce({district}, 'unknown') AS district{more} FROM enterprises")


@dataclass
class Cell:
    count: int = 0
    amount: Decimal = Decimal(0)
    potential: Decimal = Decimal(0)


def _money(column: str | None, status: str) -> str:
    """A clause's amount column in SQL: NULL where the layout has none, a constant
    (``@fixed:``) where the status is not 0."""
    if column is None:
        return "CAST(NULL AS DECIMAL(38,2))"
    value = fixed_amount(column)
    if value is not None:
        return f"(CASE WHEN \"{status}\" <> 0 THEN CAST('{value}' AS DECIMAL(38,2)) END)"
    return f'"{column}"'


@dataclass
class Summary:
    cells: dict[Key, Cell] = field(default_factory=lambda: defaultdict(Cell))

    def add_wide(self, con: duckdb.DuckDBPyConnection, enterprises: pa.Table,
                 layout: list[WideClause], dims: Sequence[str], as_of: dt.date) -> None:
        """Add the counts of one batch of compact rows (:mod:`huiqi.population.wide`: ``id``,
        the ``dims`` columns, then each clause's columns as ``layout`` says)."""
        if not layout or enterprises.num_rows == 0:
            return
        con.register("enterprises", enterprises)
        try:
            cols = [c for wc in layout for c in (wc.status, *money_columns(wc))]
            d = dimensions_sql([*dims], as_of, cols)
            each = " UNION ALL ".join(
                f"SELECT {i} AS k, \"{wc.status}\" AS st, industry, size_band, district, "
                f"(CASE WHEN \"{wc.status}\" = 1 THEN {_money(wc.amount, wc.status)} END) AS amount, "
                f"{_money(wc.potential, wc.status)} AS potential FROM d"
                for i, wc in enumerate(layout))
            rows = con.execute(
                f"WITH d AS ({d}) SELECT k, st, industry, size_band, district, count(*), "
                f"coalesce(sum(amount), 0), coalesce(sum(potential), 0) FROM ({each}) "
                f"GROUP BY ALL").fetchall()
        finally:
            con.unregister("enterprises")
        for k, st, industry, band, district, n, amount, potential in rows:
            c = self.cells[(layout[k].key, STATUS_NAMES[st], industry, band, district)]
            c.count += n
            c.amount += Decimal(amount)
            c.potential += Decimal(potential)

    def count(self, con: duckdb.DuckDBPyConnection, columns: list[str], as_of: dt.date) -> None:
        """Add the counts of the relations ``enterprises`` (with ``columns``) and ``results``
        that ``con`` knows — tables registered by :meth:`add`, or views over Parquet files
        that DuckDB reads as it goes, without loading them."""
        dims = dimensions_sql(columns, as_of)
        rows = con.execute(
            f"WITH d AS ({dims}) SELECT r.clause, r.status, d.industry, d.size_band, "
            f"d.district, count(*), coalesce(sum(r.amount), 0), "
            f"coalesce(sum(r.potential_amount), 0) FROM results r JOIN d "
            f"ON r.enterprise_id = d.id GROUP BY ALL").fetchall()
        for clause, status, industry, band, district, n, amount, potential in rows:
            c = self.cells[(clause, status, industry, band, district)]
            c.count += n
            c.amount += Decimal(amount)
            c.potential += Decimal(potential)

    def by_clause(self) -> dict[str, Tally]:
        """clause → its results counted by status, with the money."""
        out: dict[str, Tally] = {}
        for (clause, status, _i, _b, _d), c in self.cells.items():
            out.setdefault(clause, Tally(clause)).add(status, c.count, c.amount, c.potential)
        return dict(sorted(out.items()))

    def by(self, dimension: str) -> dict[tuple[str, str], Tally]:
        """(clause, value of the dimension) → results counted by status, with the money."""
        pos = {"industry": 2, "size_band": 3, "district": 4}[dimension]
        out: dict[tuple[str, str], Tally] = {}
        for key, c in self.cells.items():
            k = (key[0], key[pos])
            out.setdefault(k, Tally(k[1])).add(key[1], c.count, c.amount, c.potential)
        return dict(sorted(out.items()))

    def totals_by(self, dimension: str) -> dict[str, Decimal]:
        """Total payable amount by the value of a dimension, all clauses together."""
        out: dict[str, Decimal] = defaultdict(Decimal)
        for (_c, value), t in self.by(dimension).items():
            out[value] += t.amount
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def rows(self) -> list[dict[str, Any]]:
        return [{"clause": k[0], "status": k[1], "industry": k[2], "size_band": k[3],
                 "district": k[4], "count": c.count, "amount": c.amount,
                 "potential_amount": c.potential} for k, c in sorted(self.cells.items())]
