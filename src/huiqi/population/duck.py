"""Run the population match on DuckDB (embedded)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from huiqi.rules.model import ClauseSpec, Pack

from . import choices
from .dialect import DUCKDB
from .query import MatchQuery, WideClause, wide_query
from .wide import chunks, to_long


def connect(memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET disabled_optimizers = '{DISABLED_OPTIMIZERS}'")
    return con


#: DuckDB optimizer passes the compact queries are better without: placing projections took
#: up to an eighth of planning a chunk's query (the most in the largest) and made no run faster
#: (bench.optimizers, bench/RESULTS.md 20:53); the Spark kernel's tasks
#: (huiqi.population.spark) leave it out too
DISABLED_OPTIMIZERS = "projection_placement"


def columns_of(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def check_choices(pack: Pack, con: duckdb.DuckDBPyConnection, source: str, where: str,
                  columns: list[str] | None = None) -> None:
    """Refuse a declared choice that is not an option (:mod:`huiqi.population.choices`);
    ``columns``: the source's, when known."""
    choices.check(pack, columns if columns is not None else columns_of(con, source), source, DUCKDB,
                  lambda q: [(r[0], r[1]) for r in con.execute(q).fetchall()], where)


def match_sql(pack: Pack, as_of: dt.date, con: duckdb.DuckDBPyConnection, source: str,
              clauses: list[ClauseSpec] | None = None) -> str:
    return MatchQuery(pack, as_of, DUCKDB, columns_of(con, source), clauses).build(source)


def wide_sql(pack: Pack, as_of: dt.date, con: duckdb.DuckDBPyConnection, source: str,
             clauses: list[ClauseSpec] | None = None) -> tuple[str, list[WideClause]]:
    """The compact query (:meth:`MatchQuery.build_wide`) and where each clause's results are."""
    return wide_query(pack, as_of, DUCKDB, columns_of(con, source), source, clauses)


def match_arrow(pack: Pack, as_of: dt.date, table: Any,
                con: duckdb.DuckDBPyConnection | None = None,
                clauses: list[ClauseSpec] | None = None) -> Any:
    """Match an Arrow table of enterprises; the results as an Arrow table (long format).

    The clauses are matched in chunks, each by one compact query
    (:mod:`huiqi.population.wide`); the rows come enterprise by enterprise, each
    enterprise's clauses in pack order.
    """
    con = con or connect()
    con.register("__input", table)
    try:
        check_choices(pack, con, "__input", "企业表/the table of enterprises")
        parts = []
        for chunk in chunks(pack, clauses):
            sql, layout = wide_sql(pack, as_of, con, "__input", chunk)
            if layout:
                parts.append((con.sql(sql).to_arrow_table(), layout))
        if not parts:
            return con.sql(match_sql(pack, as_of, con, "__input", [])).to_arrow_table()
        return to_long(parts)
    finally:
        con.unregister("__input")


def match_parquet(pack: Pack, as_of: dt.date, source: Path, out: Path,
                  con: duckdb.DuckDBPyConnection | None = None) -> None:
    con = con or connect()
    src = f"read_parquet('{source.as_posix()}')"
    check_choices(pack, con, src, str(source))
    sql = match_sql(pack, as_of, con, src)
    con.execute(f"COPY ({sql}) TO '{out.as_posix()}' (FORMAT PARQUET)")


def values_sql(pack: Pack, as_of: dt.date, con: duckdb.DuckDBPyConnection, source: str
               ) -> tuple[str, list[tuple[str, str]]]:
    """The query of the values the pack reports per enterprise (:meth:`MatchQuery.build_values`)."""
    return MatchQuery(pack, as_of, DUCKDB, columns_of(con, source), []).build_values(source)


def values_arrow(pack: Pack, as_of: dt.date, table: Any,
                 con: duckdb.DuckDBPyConnection | None = None) -> Any:
    """The reported values of an Arrow table of enterprises: ``id`` and one column each
    (``policy:name``, and ``policy:name:grade`` for a graded one)."""
    con = con or connect()
    con.register("__input", table)
    try:
        sql, _ = values_sql(pack, as_of, con, "__input")
        return con.sql(sql).to_arrow_table()
    finally:
        con.unregister("__input")
