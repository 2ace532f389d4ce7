"""Match a whole population in batches, so that memory stays bounded whatever its size.

Enterprises are read from Parquet (the generator's layout, :mod:`huiqi.facts.columnar`)
batch by batch; each batch is matched by DuckDB (or Spark) and its results appended to a
Parquet file or a DuckDB table, keyed by enterprise id, pack version and as-of date.
Summaries (counts by status and amounts per clause, by industry, size band and district)
are accumulated on the way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from huiqi.rules.model import ClauseSpec, Pack

from . import duck
from .summary import Summary

RESULT_SCHEMA = pa.schema([
    ("enterprise_id", pa.string()),
    ("pack_version", pa.string()),
    ("as_of", pa.date32()),
    ("clause", pa.string()),
    ("clause_index", pa.int32()),
    ("status", pa.string()),
    ("amount", pa.decimal128(38, 2)),
    ("potential_amount", pa.decimal128(38, 2)),
    ("failed", pa.list_(pa.string())),
    ("gaps", pa.list_(pa.struct([("condition", pa.string()),
                                 ("shortfall", pa.decimal128(38, 6))]))),
    ("missing", pa.list_(pa.string())),
])
DIMENSIONS = ("industry", "district", "park")
Progress = Callable[[int], None]


@dataclass
class RunStats:
    enterprises: int = 0
    results: int = 0
    batches: int = 0
    summary: Summary = field(default_factory=Summary)


def read_batches(source: Path, batch_size: int) -> Iterator[pa.Table]:
    """Enterprises from Parquet, ``batch_size`` rows at a time."""
    pf = pq.ParquetFile(source)
    for batch in pf.iter_batches(batch_size=batch_size):
        yield pa.Table.from_batches([batch])


def count_rows(source: Path) -> int:
    return int(pq.ParquetFile(source).metadata.num_rows)


class Runner:
    """Matches batches of enterprises against one pack at one date on DuckDB."""

    def __init__(self, pack: Pack, as_of: dt.date, threads: int | None = None,
                 memory_limit: str | None = None, clauses: list[ClauseSpec] | None = None) -> None:
        self.pack = pack
        self.as_of = as_of
        self.con = duck.connect(memory_limit=memory_limit, threads=threads)
        self.clauses = clauses
        self._sql: dict[tuple[str, ...], str] = {}

    def match_batch(self, table: pa.Table) -> pa.Table:
        """The results of one batch, with pack version and date, in RESULT_SCHEMA."""
        key = tuple(table.column_names)
        self.con.register("batch", table)
        try:
            sql = self._sql.get(key)
            if sql is None:
                sql = self._sql[key] = duck.match_sql(self.pack, self.as_of, self.con, "batch",
                                                       self.clauses)
            version = self.pack.version_id.replace("'", "''")
            full = (f"SELECT enterprise_id, '{version}' AS pack_version, "
                    f"DATE '{self.as_of.isoformat()}' AS as_of, clause, "
                    f"CAST(clause_index AS INTEGER) AS clause_index, status, amount, "
                    f"potential_amount, failed, gaps, missing FROM ({sql})")
            out = self.con.sql(full).to_arrow_table()
        finally:
            self.con.unregister("batch")
        return out.cast(RESULT_SCHEMA)

    def run(self, source: Path, out: Path | None = None, batch_size: int = 100_000,
            progress: Progress | None = None, summarize: bool = True) -> RunStats:
        """Match every enterprise of ``source``; write the results to ``out`` (Parquet)."""
        stats = RunStats()
        writer: pq.ParquetWriter | None = None
        tmp = out.with_suffix(out.suffix + ".partial") if out is not None else None
        try:
            if tmp is not None:
                writer = pq.ParquetWriter(tmp, RESULT_SCHEMA, compression="zstd")
            for table in read_batches(source, batch_size):
                res = self.match_batch(table)
                if writer is not None:
                    writer.write_table(res)
                if summarize:
                    stats.summary.add(self.con, table, res)
                stats.enterprises += table.num_rows
                stats.results += res.num_rows
                stats.batches += 1
                if progress is not None:
                    progress(table.num_rows)
        except BaseException:
            if writer is not None:
                writer.close()
            if tmp is not None and tmp.exists():
                tmp.unlink()  # no half-written results
            raise
        if writer is not None:
            writer.close()
            assert tmp is not None and out is not None
            tmp.replace(out)
        return stats


def to_duckdb_table(results: Path, database: Path, table: str = "match_results") -> None:
    """Load a results file into a DuckDB database table (replacing the same pack and date)."""
    con = duckdb.connect(str(database))
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM read_parquet(?) LIMIT 0",
                    [str(results)])
        con.execute(f"DELETE FROM {table} WHERE (pack_version, as_of) IN "
                    f"(SELECT DISTINCT pack_version, as_of FROM read_parquet(?))", [str(results)])
        con.execute(f"INSERT INTO {table} SELECT * FROM read_parquet(?)", [str(results)])
    finally:
        con.close()
