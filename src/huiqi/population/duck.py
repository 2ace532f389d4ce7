"""Run the population match on DuckDB (embedded)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from huiqi.rules.model import ClauseSpec, Pack

from .dialect import DUCKDB
from .query import MatchQuery


def connect(memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def columns_of(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def match_sql(pack: Pack, as_of: dt.date, con: duckdb.DuckDBPyConnection, source: str,
              clauses: list[ClauseSpec] | None = None) -> str:
    return MatchQuery(pack, as_of, DUCKDB, columns_of(con, source), clauses).build(source)


def match_arrow(pack: Pack, as_of: dt.date, table: Any,
                con: duckdb.DuckDBPyConnection | None = None) -> Any:
    """Match an Arrow table of enterprises; the results as an Arrow table (long format)."""
    con = con or connect()
    con.register("__input", table)
    try:
        return con.sql(match_sql(pack, as_of, con, "__input")).to_arrow_table()
    finally:
        con.unregister("__input")


def match_parquet(pack: Pack, as_of: dt.date, source: Path, out: Path,
                  con: duckdb.DuckDBPyConnection | None = None) -> None:
    con = con or connect()
    src = f"read_parquet('{source.as_posix()}')"
    sql = match_sql(pack, as_of, con, src)
    con.execute(f"COPY ({sql}) TO '{out.as_posix()}' (FORMAT PARQUET)")
