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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from huiqi.clock import china_date
from huiqi.engine.result import Tally
from huiqi.text import Text

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


def dimensions_sql(columns: list[str], as_of: dt.date) -> str:
    rev = f"revenue@{as_of.year - 1}"
    industry = '"industry"' if "industry" in columns else "NULL"
    district = '"district"' if "district" in columns else "NULL"
    return (f"SELECT id, coalesce({industry}, 'unknown') AS industry, "
            f"{size_band_sql(rev if rev in columns else None)} AS size_band, "
            f"coalesce({district}, 'unknown') AS district FROM enterprises")


@dataclass
class Cell:
    count: int = 0
    amount: Decimal = Decimal(0)
    potential: Decimal = Decimal(0)


@dataclass
class Summary:
    cells: dict[Key, Cell] = field(default_factory=lambda: defaultdict(Cell))

    def add(self, con: duckdb.DuckDBPyConnection, enterprises: pa.Table, results: pa.Table) -> None:
        con.register("enterprises", enterprises)
        con.register("results", results)
        try:
            as_of = results.column("as_of")[0].as_py() if results.num_rows else china_date()
            self.count(con, enterprises.column_names, as_of)
        finally:
            con.unregister("enterprises")
            con.unregister("results")

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
