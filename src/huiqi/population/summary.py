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
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huiqi.engine.result import Tally
from huiqi.text import Text

from .query import WideClause, fixed_amount, money_columns
from .wide import STATUS_NAMES, _col, _decimal_words

SIZE_BANDS = (("micro", Text("微型", "micro")), ("small", Text("小型", "small")),
              ("medium", Text("中型", "medium")), ("large", Text("大型", "large")),
              ("unknown", Text("未知", "unknown")))
Key = tuple[str, str, str, str, str]  # clause, status, industry, size band, district
#: the revenue limits of the size bands (yuan): below the first micro, then small, medium
_BAND_LIMITS = (3_000_000, 20_000_000, 400_000_000)


def size_band_sql(revenue_col: str | None) -> str:
    if revenue_col is None:
        return "'unknown'"
    r = f'"{revenue_col}"'
    bands = " ".join(f"WHEN {r} < {limit} THEN '{band}'"
                     for limit, (band, _) in zip(_BAND_LIMITS, SIZE_BANDS, strict=False))
    return f"(CASE WHEN {r} IS NULL THEN 'unknown' {bands} ELSE 'large' END)"


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
    #: (industry, size band, district) → its number in the sums below
    _groups: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: clause → counts, amounts and potential amounts (fen) by group number × 4 + status code,
    #: added to :attr:`cells` when they are read (:meth:`_settle`)
    _sums: dict[str, list[Any]] = field(default_factory=dict)

    def add_wide(self, con: duckdb.DuckDBPyConnection, enterprises: pa.Table,
                 layout: list[WideClause], dims: Sequence[str], as_of: dt.date) -> None:
        """Add the counts of one batch of compact rows (:mod:`huiqi.population.wide`: ``id``,
        the ``dims`` columns, then each clause's columns as ``layout`` says).

        Counted in numpy, not by a query: each row's industry, size band and district become
        one small group number, and each clause's status and group one index, so counting is
        a ``bincount`` and the money exact integer sums of fen (:func:`_fen_sums`); a batch
        whose money does not fit 64 bits is summed by DuckDB on ``con``."""
        if not layout or enterprises.num_rows == 0:
            return
        n = enterprises.num_rows
        industries, industry = _labels(enterprises, "industry" in dims and "industry", n)
        districts, district = _labels(enterprises, "district" in dims and "district", n)
        revenue = f"revenue@{as_of.year - 1}"
        band = _bands(_col(enterprises, revenue) if revenue in dims else None, n)
        combo = (industry * len(districts) + district) * len(SIZE_BANDS) + band
        groups, group = np.unique(combo, return_inverse=True)
        ids = np.array([self._groups.setdefault(
            (industries[c // len(SIZE_BANDS) // len(districts)], SIZE_BANDS[c % len(SIZE_BANDS)][0],
             districts[c // len(SIZE_BANDS) % len(districts)]), len(self._groups))
            for c in groups.tolist()], np.int64)
        width = len(STATUS_NAMES)
        size = width * len(self._groups)
        index = ids[group.reshape(-1)] * width
        added: list[tuple[str, Any, Any, Any]] = []
        paying = np.arange(size) % width   # the status each index counts
        for wc in layout:
            status = _col(enterprises, wc.status).to_numpy(zero_copy_only=False)
            at = index + status
            counts = np.bincount(at, minlength=size)
            amounts = _money_sums(enterprises, wc.amount, at, size, counts, paying == 1, status == 1)
            potentials = _money_sums(enterprises, wc.potential, at, size, counts, paying != 0, None)
            if amounts is None or potentials is None:
                self._add_wide_sql(con, enterprises, layout, dims, as_of)
                return
            added.append((wc.key, counts, amounts, potentials))
        for key, *sums in added:
            kept = self._sums.setdefault(key, [np.zeros(0, np.int64), np.zeros(0, object),
                                               np.zeros(0, object)])
            for i, more in enumerate(sums):
                if len(kept[i]) < size:
                    kept[i] = np.concatenate([kept[i], np.zeros(size - len(kept[i]), kept[i].dtype)])
                kept[i] += more

    def _settle(self) -> None:
        """Add the sums kept by :meth:`add_wide` to :attr:`cells`."""
        groups = list(self._groups)
        width = len(STATUS_NAMES)
        for clause, (counts, amounts, potentials) in self._sums.items():
            for k in np.flatnonzero(counts).tolist():
                industry, band, district = groups[k // width]
                c = self.cells[(clause, STATUS_NAMES[k % width], industry, band, district)]
                c.count += int(counts[k])
                c.amount += Decimal(amounts[k]).scaleb(-2)
                c.potential += Decimal(potentials[k]).scaleb(-2)
        self._sums.clear()

    def _add_wide_sql(self, con: duckdb.DuckDBPyConnection, enterprises: pa.Table,
                      layout: list[WideClause], dims: Sequence[str], as_of: dt.date) -> None:
        """:meth:`add_wide` by one DuckDB query: for money beyond 64 bits."""
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
        self._settle()
        out: dict[str, Tally] = {}
        for (clause, status, _i, _b, _d), c in self.cells.items():
            out.setdefault(clause, Tally(clause)).add(status, c.count, c.amount, c.potential)
        return dict(sorted(out.items()))

    def by(self, dimension: str) -> dict[tuple[str, str], Tally]:
        """(clause, value of the dimension) → results counted by status, with the money."""
        pos = {"industry": 2, "size_band": 3, "district": 4}[dimension]
        self._settle()
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
        self._settle()
        return [{"clause": k[0], "status": k[1], "industry": k[2], "size_band": k[3],
                 "district": k[4], "count": c.count, "amount": c.amount,
                 "potential_amount": c.potential} for k, c in sorted(self.cells.items())]


def _labels(table: pa.Table, name: str | bool, n: int) -> tuple[list[str], Any]:
    """The distinct values of a text column (a missing one: ``unknown``) and each row's
    number among them; all ``unknown`` where the batch has no such column."""
    if not name:
        return ["unknown"], np.zeros(n, np.int64)
    coded = pc.dictionary_encode(pc.fill_null(_col(table, str(name)), "unknown"))
    return coded.dictionary.to_pylist(), coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _bands(revenue: Any, n: int) -> Any:
    """Each row's size band, as its index in :data:`SIZE_BANDS` (as :func:`size_band_sql`)."""
    unknown = len(SIZE_BANDS) - 1
    if revenue is None:
        return np.full(n, unknown, np.int64)
    band = np.zeros(n, np.int64)
    for limit in _BAND_LIMITS:
        band += pc.fill_null(pc.greater_equal(revenue, pa.scalar(Decimal(limit), revenue.type)),
                             False).to_numpy(zero_copy_only=False)
    band[~revenue.is_valid().to_numpy(zero_copy_only=False)] = unknown
    return band


def _money_sums(table: pa.Table, column: str | None, index: Any, size: int, counts: Any,
                counted: Any, rows: Any) -> Any:
    """Per index the exact sum in fen of a clause's amount ``column`` (as :func:`_money` reads
    it: none for a title, a constant where the status is not 0) over the rows at it, ``rows``
    only (a mask, or None for all); ``counts``: the rows at each index, ``counted``: the
    indexes whose status reads the constant. None where an amount does not fit 64 bits."""
    if column is None:
        return np.zeros(size, object)
    fixed = fixed_amount(column)
    if fixed is not None:
        fen = int(Decimal(fixed).scaleb(2))
        return np.where(counted, counts, 0).astype(object) * fen
    return _fen_sums(_col(table, column), index, size, rows)


def _fen_sums(money: Any, index: Any, size: int, rows: Any = None) -> Any:
    """Per index (0 … size − 1) the exact sum of the non-NULL amounts (decimal128(38, 2)) at
    it, of ``rows`` only (a mask; None: all), in fen, as Python integers in an object array;
    None where an amount does not fit 64 bits. ``bincount`` sums in doubles: exact while no
    partial sum reaches 2⁵³, so when some could, the fen are split into their high and low
    32 bits, each summed so (a batch has fewer than 2²⁰ rows)."""
    n = len(money)
    if money.null_count == n:
        return np.zeros(size, object)
    words, valid = _decimal_words(money, n)
    if rows is not None:
        valid = valid & rows
    low, high = words[:, 0], words[:, 1]
    if not np.array_equal(high[valid], low[valid] >> 63) or n >= 1 << 20:
        return None
    fen = np.where(valid, low, 0)
    if n * max(int(fen.max(initial=0)), -int(fen.min(initial=0))) < 1 << 53:
        return np.bincount(index, weights=fen, minlength=size).astype(np.int64).astype(object)
    ones = np.bincount(index, weights=fen & 0xFFFFFFFF, minlength=size).astype(np.int64).astype(object)
    highs = np.bincount(index, weights=fen >> 32, minlength=size).astype(np.int64).astype(object)
    return highs * (1 << 32) + ones
