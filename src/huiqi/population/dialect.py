"""The few places where DuckDB's SQL and Spark SQL differ."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: below this, a non-negative integer held as DECIMAL(38, 0) fits DECIMAL(18, 0): 64 bits
NARROW = 10 ** 18


@dataclass(frozen=True)
class Dialect:
    name: str

    def ident(self, name: str) -> str:
        if self.name == "spark":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'

    def string(self, s: str) -> str:
        if self.name == "spark":
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + s.replace("'", "''") + "'"

    def array(self, items: list[str]) -> str:
        if self.name == "spark":
            return f"array({', '.join(items)})" if items else "CAST(array() AS ARRAY<STRING>)"
        return "[" + ", ".join(items) + "]" if items else "CAST([] AS VARCHAR[])"

    def contains(self, arr: str, item: str) -> str:
        fn = "array_contains" if self.name == "spark" else "list_contains"
        return f"{fn}({arr}, {item})"

    def lam(self, var: str, body: str) -> str:
        if self.name == "spark":
            return f"{var} -> {body}"
        return f"lambda {var}: {body}"

    def filter(self, arr: str, var: str, body: str) -> str:
        fn = "filter" if self.name == "spark" else "list_filter"
        return f"{fn}({arr}, {self.lam(var, body)})"

    def transform(self, arr: str, var: str, body: str) -> str:
        fn = "transform" if self.name == "spark" else "list_transform"
        return f"{fn}({arr}, {self.lam(var, body)})"

    def size(self, arr: str) -> str:
        return f"size({arr})" if self.name == "spark" else f"len({arr})"

    def field(self, rec: str, name: str) -> str:
        if self.name == "spark":
            return f"{rec}.{self.ident(name)}"
        return f"struct_extract({rec}, {self.string(name)})"

    def sum_list(self, arr: str, scale: int) -> str:
        if self.name == "spark":
            return (f"aggregate({arr}, CAST(0 AS DECIMAL(38,{scale})), "
                    f"(acc, x) -> CAST(acc + x AS DECIMAL(38,{scale})))")
        return f"CAST(coalesce(list_sum({arr}), 0) AS DECIMAL(38,{scale}))"

    def max_list(self, arr: str, pick: str) -> str:
        if self.name == "spark":
            return f"array_{pick}({arr})"
        return f"list_{pick}({arr})"

    def days_between(self, later: str, earlier: str) -> str:
        """``later - earlier`` in days, as an integer."""
        if self.name == "spark":
            return f"datediff({later}, {earlier})"
        return f"date_diff('day', {earlier}, {later})"

    def add_days(self, date: str, days: str) -> str:
        if self.name == "spark":
            return f"date_add({date}, CAST({days} AS INT))"
        return f"CAST({date} + CAST({days} AS INTEGER) AS DATE)"

    def add_months(self, date: str, months: str) -> str:
        if self.name == "spark":
            return f"add_months({date}, CAST({months} AS INT))"
        return f"CAST({date} + to_months(CAST({months} AS INTEGER)) AS DATE)"

    def idiv(self, num: str, den: str) -> str:
        """Integer division of two non-negative integers held as DECIMAL(38, 0).

        On DuckDB, where both are below 10¹⁸ (nearly always), they are divided as 64-bit
        integers: narrowed to DECIMAL(18, 0) first, since DuckDB casts a 128-bit decimal to
        an integer by a 128-bit division (5–6× the time: bench.decimal_ops in bench/RESULTS.md)."""
        if self.name == "spark":
            return f"CAST((({num}) - ({num}) % ({den})) / ({den}) AS DECIMAL(38,0))"
        narrow = (f"CAST(CAST(CAST({num} AS DECIMAL(18,0)) AS BIGINT) // "
                  f"CAST(CAST({den} AS DECIMAL(18,0)) AS BIGINT) AS DECIMAL(38,0))")
        wide = f"CAST(CAST({num} AS HUGEINT) // CAST({den} AS HUGEINT) AS DECIMAL(38,0))"
        return f"(CASE WHEN {num} < {NARROW} AND {den} < {NARROW} THEN {narrow} ELSE {wide} END)"

    def odd(self, q: str) -> str:
        """True where the non-negative integer ``q`` (DECIMAL(38, 0)) is odd (on DuckDB in 64
        bits where it fits: :meth:`narrowed`)."""
        return f"{self.narrowed(q, 0, lambda v: f'{v} % 2', signed=False)} = 1"

    def rescale(self, sql: str, scale: int, to: int) -> str:
        """``sql`` (a DECIMAL(38, ``scale``)) cast to DECIMAL(38, ``to``), ``to`` < ``scale``
        (rounded as DuckDB's cast rounds; exact where the digits dropped are zeros); on DuckDB
        in 64 bits where it fits (:meth:`narrowed`)."""
        if to >= scale:
            return f"CAST({sql} AS DECIMAL(38,{to}))"
        return self.narrowed(sql, scale, lambda v: f"CAST({v} AS DECIMAL(38,{to}))")

    def narrowed(self, sql: str, scale: int, op: Callable[[str], str], signed: bool = True) -> str:
        """``op`` of ``sql`` (a DECIMAL(38, ``scale``)). On DuckDB, where the value fits 18
        digits ``op`` is applied to it as DECIMAL(18, ``scale``), a 64-bit integer: DuckDB does
        whatever divides a 128-bit decimal — a cast to an integer or to fewer decimals,
        ``round``/``floor``/``ceil``, ``%`` — by a 128-bit division, 5–6× the time
        (bench.decimal_ops in bench/RESULTS.md). ``signed=False``: ``sql`` is never negative."""
        if self.name == "spark" or scale > 17:
            return op(sql)
        bound = 10 ** (18 - scale)
        fits = f"{sql} > -{bound} AND {sql} < {bound}" if signed else f"{sql} < {bound}"
        return (f"(CASE WHEN {fits} THEN {op(f'CAST({sql} AS DECIMAL(18,{scale}))')} "
                f"ELSE {op(sql)} END)")

    def day(self, date: str) -> str:
        return f"dayofmonth({date})"

    @property
    def code_type(self) -> str:
        """The smallest integer type for a status code (0–3): Spark has no unsigned ones."""
        return "TINYINT" if self.name == "spark" else "UTINYINT"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
