"""The few places where DuckDB's SQL and Spark SQL differ."""

from __future__ import annotations

from dataclasses import dataclass


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
        """Integer division of two non-negative integers held as DECIMAL(38, 0)."""
        if self.name == "spark":
            return f"CAST((({num}) - ({num}) % ({den})) / ({den}) AS DECIMAL(38,0))"
        return (f"CAST(CAST({num} AS HUGEINT) // CAST({den} AS HUGEINT) AS DECIMAL(38,0))")

    def day(self, date: str) -> str:
        return f"dayofmonth({date})"

    @property
    def code_type(self) -> str:
        """The smallest integer type for a status code (0–3): Spark has no unsigned ones."""
        return "TINYINT" if self.name == "spark" else "UTINYINT"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
