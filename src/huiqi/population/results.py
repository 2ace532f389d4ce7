"""The results files of ``match-all``: the compact form, written by default, and the long
form, derived on demand.

A *compact* results file is a folder (named as the file was: ``results-….parquet``)::

    results-seed-2025-06-01.parquet/
        layout.json           what is where: pack, version, as-of, each chunk's clauses
        chunk-0000.parquet    one row per enterprise: enterprise_id, then per clause its
        chunk-0001.parquet    status code, amount, potential amount, failed-condition and
        …                     missing-fact bit masks, gap columns (the compact query's row)

One Parquet file per chunk of clauses (:func:`huiqi.population.wide.chunks`), each with
every enterprise in the population's order: the chunks' queries read the same file with
DuckDB's insertion order preserved, so row *i* of every chunk is the same enterprise (the
reader checks it). Spark writes each chunk as a folder of part files instead (one per
partition, :func:`chunk_files`), every chunk from the same partitions in the same order.
``layout.json`` says which column is which clause, condition and fact
(:class:`~huiqi.population.query.WideClause`). It is a sidecar rather than Parquet key-value
metadata because it describes all the chunks at once (and a pack with no clause in force,
with no chunk at all); being written into the folder before the folder is renamed into
place, it appears together with the data or not at all.

The *long* form (:data:`RESULT_SCHEMA`: one row per enterprise and clause, with lists of
failed conditions, gaps and missing facts) is what ``match-all --format long`` writes (on
either engine), and what :func:`read_long` derives from a compact folder — only the clauses
and the enterprises asked for, a batch at a time (:func:`huiqi.population.wide.to_long`).
:func:`relation` gives either form to DuckDB as a relation in the long form.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from huiqi.errors import UsageError
from huiqi.text import Text

from .query import WideClause, gap_columns, mask_columns, money_columns
from .wide import to_long

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
# the same, with the strings repeated on every row dictionary-encoded, as they are written:
# the file keeps no Arrow schema, so it reads back as RESULT_SCHEMA
WRITE_SCHEMA = pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), pa.string()))
                          if f.name in ("enterprise_id", "pack_version", "clause", "status") else f
                          for f in RESULT_SCHEMA])
LAYOUT = "layout.json"
# /2: clauses' bit masks may share a column (a clause's names padded with "" for the bits of
# the clauses before it); an amount column is read where the status is 1 only; a title has no
# amount column. A /1 folder reads the same way.
FORMAT = "huiqi.results.compact/2"
READABLE = ("huiqi.results.compact/1", FORMAT)
ID = "enterprise_id"
#: How a compact chunk's Parquet file is written, by DuckDB's runner and by Spark's tasks
#: alike: no dictionary pages (an id is never repeated, a code column compresses as well
#: without) and statistics for the enterprise id only (what a reader filters on) — a quarter
#: less of the writing thread's CPU
COMPACT_WRITE: dict[str, Any] = {"compression": "zstd", "store_schema": False,
                                    "use_dictionary": False, "write_statistics": [ID]}
FORMS = ("compact", "long")


@dataclass
class Chunk:
    path: Path
    clauses: list[WideClause]


@dataclass
class Compact:
    """A compact results folder, as its ``layout.json`` describes it."""

    path: Path
    pack_id: str
    pack_version: str
    as_of: dt.date
    enterprises: int
    chunks: list[Chunk]

    def clauses(self) -> list[WideClause]:
        return sorted((wc for c in self.chunks for wc in c.clauses), key=lambda wc: wc.index)


# ---------------------------------------------------------------------- the layout

def _clause_json(wc: WideClause) -> dict[str, Any]:
    return {"key": wc.key, "index": wc.index, "status": wc.status, "amount": wc.amount,
            "potential": wc.potential, "failed": [[c, list(ns)] for c, ns in wc.failed],
            "gaps": [[cid, c] for cid, c in wc.gaps],
            "missing": [[c, list(ns)] for c, ns in wc.missing]}


def _clause_of(d: dict[str, Any]) -> WideClause:
    return WideClause(d["key"], int(d["index"]), d["status"], d["amount"], d["potential"],
                      [(c, list(ns)) for c, ns in d["failed"]],
                      [(cid, c) for cid, c in d["gaps"]],
                      [(c, list(ns)) for c, ns in d["missing"]])


def columns(wc: WideClause) -> list[str]:
    """The compact columns of one clause, in the order the query gives them."""
    return [wc.status, *money_columns(wc),
            *mask_columns(wc.failed), *gap_columns(wc), *mask_columns(wc.missing)]


def is_compact(path: Path) -> bool:
    return path.is_dir() and (path / LAYOUT).is_file()


def open_compact(path: Path) -> Compact:
    """The layout of a compact results folder."""
    try:
        d = json.loads((path / LAYOUT).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(Text(f"结果文件夹 {path} 的 {LAYOUT} 无法读取:{exc}",
                             f"{LAYOUT} of the results folder {path} cannot be read: {exc}")
                        ) from exc
    if d.get("format") not in READABLE:
        raise UsageError(Text(f"结果文件夹 {path} 的格式是“{d.get('format')}”,应为“{FORMAT}”",
                             f"the results folder {path} is in format “{d.get('format')}”, "
                             f"not “{FORMAT}”"))
    return Compact(path, d["pack_id"], d["pack_version"], dt.date.fromisoformat(d["as_of"]),
                   int(d["enterprises"]),
                   [Chunk(path / c["file"], [_clause_of(x) for x in c["clauses"]])
                    for c in d["chunks"]])


# ---------------------------------------------------------------------- writing

class CompactWriter:
    """Writes a compact results folder into ``<out>.partial``; :meth:`commit` puts it in
    place of ``out`` (whatever ``out`` was: an older folder or a long file), :meth:`abort`
    removes it — no half-written results."""

    def __init__(self, out: Path, pack_id: str, pack_version: str, as_of: dt.date) -> None:
        self.out = out
        self.tmp = out.with_name(out.name + ".partial")
        self._head = {"format": FORMAT, "pack_id": pack_id, "pack_version": pack_version,
                      "as_of": as_of.isoformat()}
        self._chunks: dict[int, dict[str, Any]] = {}
        _remove(self.tmp)
        self.tmp.mkdir(parents=True)

    def chunk(self, layout: list[WideClause], index: int | None = None) -> Path:
        """The file for a chunk of clauses: the next one, or the ``index``-th of the pack's
        (the chunks are listed in that order, whichever was asked for first)."""
        if index is None:
            index = max(self._chunks, default=-1) + 1
        name = f"chunk-{index:04d}.parquet"
        self._chunks[index] = {"file": name, "clauses": [_clause_json(wc) for wc in layout]}
        return self.tmp / name

    def commit(self, enterprises: int) -> None:
        body = {**self._head, "enterprises": enterprises,
                "chunks": [self._chunks[k] for k in sorted(self._chunks)]}
        (self.tmp / LAYOUT).write_text(json.dumps(body, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
        old = self.out.with_name(self.out.name + ".old")
        _remove(old)
        if self.out.exists() or self.out.is_symlink():
            self.out.replace(old)
        self.tmp.replace(self.out)
        _remove(old)

    def abort(self) -> None:
        _remove(self.tmp)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def compact_table(batch: Any, layout: list[WideClause], id_column: str = "id") -> pa.Table:
    """The columns of one chunk's compact rows that are written: the enterprise id (as
    ``enterprise_id``) and the clauses' columns (not the columns passed through for the
    summaries)."""
    t = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    names = list(dict.fromkeys([id_column, *(c for wc in layout for c in columns(wc))]))
    return t.select(names).rename_columns([ID, *names[1:]])


# ---------------------------------------------------------------------- the long form

def keyed(long: pa.Table, version: str, as_of: dt.date, schema: pa.Schema = RESULT_SCHEMA
          ) -> pa.Table:
    """Long results (:func:`~huiqi.population.wide.to_long`) with the pack version and the
    date, in ``schema``."""
    n = long.num_rows
    ver = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)),
                                         pa.array([version], pa.string()))
    day = pa.repeat(pa.scalar(as_of, pa.date32()), n)
    out = long.add_column(1, "pack_version", ver).add_column(2, "as_of", day)
    return out.select(schema.names).cast(schema)


def _aligned(readers: list[Iterator[pa.RecordBatch]]) -> Iterator[list[pa.Table]]:
    """The batches of several readers of the same number of rows, cut to equal lengths."""
    heads: list[pa.Table | None] = [None] * len(readers)
    while True:
        for i, r in enumerate(readers):
            while heads[i] is None or heads[i].num_rows == 0:  # type: ignore[union-attr]
                nxt = next(r, None)
                if nxt is None:
                    if any(h is not None and h.num_rows for h in heads):
                        raise UsageError(Text("结果文件夹中各块的企业数不一致",
                                             "the chunks of the results folder hold different "
                                             "numbers of enterprises"))
                    return
                heads[i] = pa.Table.from_batches([nxt])
        n = min(h.num_rows for h in heads if h is not None)
        yield [h.slice(0, n) for h in heads if h is not None]
        heads = [h.slice(n) if h is not None else None for h in heads]


def _check_ids(tables: list[pa.Table]) -> None:
    first = tables[0].column(ID)
    for t in tables[1:]:
        if not t.column(ID).equals(first):
            raise UsageError(Text("结果文件夹中各块的企业顺序不一致",
                                 "the chunks of the results folder list the enterprises in "
                                 "different orders"))


def read_long(path: Path, clauses: Collection[str] | None = None,
              enterprises: Collection[str] | None = None, batch_size: int = 100_000,
              dictionary: bool = False) -> Iterator[pa.Table]:
    """The long results of a results file (compact folder, long file or Spark's folder of
    long files), a batch at a time, in :data:`RESULT_SCHEMA` (:data:`WRITE_SCHEMA` with
    ``dictionary``): only ``clauses`` (keys) and ``enterprises`` (ids) when given. From a
    compact folder only the columns of those clauses are read, and the rows are
    enterprise by enterprise, each enterprise's clauses in pack order."""
    schema = WRITE_SCHEMA if dictionary else RESULT_SCHEMA
    if not is_compact(path):
        yield from _read_long_file(path, clauses, enterprises, batch_size, schema)
        return
    c = open_compact(path)
    wanted = None if clauses is None else set(clauses)
    parts = [(ch.path, [wc for wc in ch.clauses if wanted is None or wc.key in wanted])
             for ch in c.chunks]
    parts = [(p, lay) for p, lay in parts if lay]
    if not parts:
        return
    cols = [list(dict.fromkeys([ID, *(x for wc in lay for x in columns(wc))])) for _, lay in parts]
    if enterprises is not None:
        ids = sorted(set(enterprises))
        tables = [pa.concat_tables([pq.read_table(f, columns=cs, filters=[(ID, "in", ids)])
                                    for f in chunk_files(p)]) if ids else
                  pq.read_schema(chunk_files(p)[0]).empty_table().select(cs)
                  for (p, _), cs in zip(parts, cols, strict=True)]
        groups: Iterator[list[pa.Table]] = iter([tables])
    else:
        groups = _aligned([_batches(p, batch_size, cs)
                           for (p, _), cs in zip(parts, cols, strict=True)])
    for tables in groups:
        _check_ids(tables)
        if tables[0].num_rows == 0:
            continue
        long = to_long([(t, lay) for t, (_, lay) in zip(tables, parts, strict=True)], ID,
                       dictionary=True)
        yield keyed(long, c.pack_version, c.as_of, schema)


def chunk_files(path: Path) -> list[Path]:
    """The Parquet files of a chunk, in order: the chunk's file, or for a chunk written as a
    folder of part files (Spark's, one per partition) those files by name — the order of
    the partitions, the same for every chunk of the folder."""
    if not path.is_dir():
        return [path]
    return sorted(f for f in path.iterdir()
                  if f.suffix == ".parquet" and not f.name.startswith((".", "_")))


def _batches(path: Path, batch_size: int, cols: list[str]) -> Iterator[pa.RecordBatch]:
    for f in chunk_files(path):
        yield from pq.ParquetFile(f).iter_batches(batch_size, columns=cols)


def _read_long_file(path: Path, clauses: Collection[str] | None,
                    enterprises: Collection[str] | None, batch_size: int, schema: pa.Schema
                    ) -> Iterator[pa.Table]:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    if not path.exists():
        raise FileNotFoundError(path)
    where = None
    if clauses is not None:
        where = pc.field("clause").isin(sorted(set(clauses)))
    if enterprises is not None:
        e = pc.field("enterprise_id").isin(sorted(set(enterprises)))
        where = e if where is None else where & e
    data = ds.dataset(path, format="parquet")
    for batch in data.to_batches(columns=schema.names, filter=where, batch_size=batch_size):
        if batch.num_rows:
            yield pa.Table.from_batches([batch]).cast(schema)


def read(path: Path, clauses: Collection[str] | None = None,
         enterprises: Collection[str] | None = None) -> pa.Table:
    """The long results of a results file as one table (:func:`read_long`)."""
    return pa.concat_tables([RESULT_SCHEMA.empty_table(),
                             *read_long(path, clauses, enterprises)])


def relation(con: duckdb.DuckDBPyConnection, path: Path, name: str,
             clauses: Collection[str] | None = None) -> str:
    """Make ``name`` in ``con`` the long results of ``path`` (any form), only ``clauses``
    when given, and return it quoted for SQL. A long file is a view over it; a compact
    folder is a stream of long batches derived as DuckDB reads them (read it once)."""
    quoted = '"' + name.replace('"', '""') + '"'
    if not is_compact(path):
        where = (path / "*.parquet").as_posix() if path.is_dir() else path.as_posix()
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quoted} AS SELECT * FROM "
                    f"read_parquet('{_escaped(where)}')"
                    + ("" if clauses is None else
                       " WHERE clause IN (" + ", ".join(f"'{_escaped(k)}'" for k in clauses)
                       + ")" if clauses else " WHERE false"))
        return quoted
    batches = (rb for t in read_long(path, clauses) for rb in t.to_batches())
    con.register(name, pa.RecordBatchReader.from_batches(RESULT_SCHEMA, batches))
    return quoted


def _escaped(s: str) -> str:
    return s.replace("'", "''")


def pack_version_and_date(path: Path) -> list[tuple[str, dt.date]]:
    """The (pack version, as-of) pairs of a results file."""
    if is_compact(path):
        c = open_compact(path)
        return [(c.pack_version, c.as_of)]
    con = duckdb.connect()
    try:
        name = relation(con, path, "r")
        return [(v, d) for v, d in con.execute(
            f"SELECT DISTINCT pack_version, as_of FROM {name}").fetchall()]
    finally:
        con.close()


def count(path: Path) -> int:
    """How many long results (enterprise × clause) a results file holds."""
    if is_compact(path):
        c = open_compact(path)
        return c.enterprises * len(c.clauses())
    import pyarrow.dataset as ds

    return int(ds.dataset(path, format="parquet").count_rows())


def write_long(path: Path, out: Path, batch_size: int = 100_000) -> int:
    """Write the long form of the results ``path`` to the Parquet file ``out`` (through
    ``<out>.partial``: all or nothing); the number of rows."""
    tmp = out.with_name(out.name + ".partial")
    rows = 0
    writer = pq.ParquetWriter(tmp, WRITE_SCHEMA, compression="zstd", store_schema=False)
    try:
        for t in read_long(path, batch_size=batch_size, dictionary=True):
            writer.write_table(t)
            rows += t.num_rows
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    writer.close()
    tmp.replace(out)
    return rows
