"""Match a whole population in batches, so that memory stays bounded whatever its size.

The pack's clauses are matched in chunks (:func:`huiqi.population.wide.chunks`: a few
dozen clauses, stacking groups kept whole). For each chunk, DuckDB reads the enterprises
from Parquet (the generator's layout, :mod:`huiqi.facts.columnar`; only the columns the
chunk uses) and computes the compact results (:meth:`MatchQuery.build_wide
<huiqi.population.query.MatchQuery.build_wide>`), streamed batch by batch. By default the
batches are written as they are (the compact form, :mod:`huiqi.population.results`: a folder
with one Parquet file per chunk and the layout that says which column is which); with
``form="long"`` each batch is turned into the long results
(:func:`huiqi.population.wide.to_long`) and appended to one Parquet file, keyed by
enterprise id, pack version and as-of date — chunk by chunk, within a chunk enterprise by
enterprise, each enterprise's clauses in pack order. Each chunk's query is planned once for
the whole file; its SQL is parsed once per runner, as a view over a view of the source
(DuckDB parsed a relation's SQL twice, a third of planning a chunk: bench/RESULTS.md), and
the relation over that view is kept, so that a runner's next file of the same columns is
bound once, not twice (:meth:`Runner.compact` streams the compact rows without writing).
Summaries (counts by status and amounts per clause, by industry, size band
and district) are accumulated on the way, from the compact rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from huiqi.rules.model import ClauseSpec, Pack

from . import duck
from .dialect import DUCKDB
from .query import MatchQuery, WideClause, wide_query
from .results import (
    COMPACT_WRITE,
    FORMS,
    RESULT_SCHEMA,
    WRITE_SCHEMA,
    CompactWriter,
    compact_table,
    keyed,
)
from .results import relation as results_relation
from .summary import Summary
from .wide import CHUNK, chunks, to_long

DIMENSIONS = ("industry", "district", "park")
SOURCE_VIEW = "huiqi_source"   # the file being matched, as a view the chunks' views read
LONG_ROWS = 4_000_000   # result rows held at once: a batch has at most this many ÷ clauses enterprises
Progress = Callable[[int], None]
T = TypeVar("T")


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
        # a file's footer is read once, not at each binding of a run (and of the next run over
        # it): DuckDB checks the file's version before using what it kept
        self.con.execute("SET parquet_metadata_cache = true")
        self.clauses = clauses
        self.threads = threads or int(self.con.execute("SELECT current_setting('threads')").fetchone()[0])  # type: ignore[index]
        self._views: dict[tuple[Any, ...], tuple[str, list[WideClause]]] = {}
        # per cursor (the runner's connection, then one per worker), the relation over each view
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._relations: dict[tuple[int, str], duckdb.DuckDBPyRelation] = {}
        self._lock = threading.Lock()   # the connection's catalogue: views made one at a time

    def _view(self, columns: list[str], chunk: list[ClauseSpec], dims: list[str],
              outputs: str = "all") -> tuple[str, list[WideClause]]:
        """The view of a chunk's compact query over :data:`SOURCE_VIEW`, and its layout:
        made once per runner, input columns and outputs."""
        key = (tuple(columns), tuple(c.key for c in chunk), tuple(dims), outputs)
        found = self._views.get(key)
        if found is None:
            sql, layout = wide_query(self.pack, self.as_of, DUCKDB, columns, SOURCE_VIEW, chunk,
                                     outputs, dims)
            name = f"huiqi_match_{len(self._views)}"
            if layout:   # in the database's own schema: every worker's cursor sees it
                self._define(name, sql)
            found = self._views[key] = (name, layout)
        return found

    def _define(self, name: str, sql: str) -> None:
        """Keep a chunk's query in the database under ``name`` (a view; bench.cold_plan
        measures a table macro instead)."""
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def _relation(self, worker: int, name: str) -> duckdb.DuckDBPyRelation:
        """A relation over the query kept under ``name``, on ``worker``'s cursor."""
        return self._cursor(worker).view(name)

    def _reader(self, view: str, rows: int, worker: int = 0) -> pa.RecordBatchReader:
        """The rows of a chunk's view, streamed ``rows`` at a time on ``worker``'s cursor. The
        relation over the view is kept: DuckDB binds and plans a relation's query each time it
        runs, and making the relation binds it once more (a third of planning a chunk:
        bench/RESULTS.md), so a second run over the same kind of input pays for one binding,
        not two."""
        rel = self._relations.get((worker, view))
        if rel is None:
            rel = self._relations[(worker, view)] = self._relation(worker, view)
        return rel.to_arrow_reader(rows)

    def _cursor(self, worker: int) -> duckdb.DuckDBPyConnection:
        """Worker ``worker``'s connection to the runner's database (0: the runner's own)."""
        if worker == 0:
            return self.con
        while len(self._cursors) < worker:
            self._cursors.append(self.con.cursor())
        return self._cursors[worker - 1]

    def _open(self, source: Path) -> tuple[str, list[str], list[str]]:
        """Point :data:`SOURCE_VIEW` at ``source``, its declared choices checked: the source
        as SQL, its columns and the summaries' dimensions among them."""
        src = f"read_parquet('{source.as_posix().replace(chr(39), chr(39) * 2)}')"
        self.con.execute(f"CREATE OR REPLACE VIEW {SOURCE_VIEW} AS SELECT * FROM {src}")
        # the columns the view was made with, from the catalogue (not the file once more)
        columns = [r[0] for r in self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
            "ORDER BY column_index", [SOURCE_VIEW]).fetchall()]
        duck.check_choices(self.pack, self.con, SOURCE_VIEW, str(source), columns)
        dims = [c for c in ("industry", "district", f"revenue@{self.as_of.year - 1}") if c in columns]
        return src, columns, dims

    def compact(self, source: Path, outputs: str = "all", batch_size: int = 100_000
                ) -> Iterator[tuple[pa.RecordBatch, list[WideClause]]]:
        """The compact rows of every enterprise of ``source``, chunk of clauses by chunk, a
        batch at a time with the chunk's layout; nothing written. ``outputs="status"``:
        statuses and amounts only (:meth:`MatchQuery.build_wide
        <huiqi.population.query.MatchQuery.build_wide>`). With several chunks, several are
        streamed at once (:meth:`_stream`): the batches of different chunks interleave, each
        chunk's in order."""
        _, columns, _ = self._open(source)
        parts = chunks(self.pack, self.clauses, CHUNK)
        for ev in self._stream(columns, parts, [], outputs, lambda _: batch_size,
                               self._workers(parts)):
            if ev.batch is not None:
                yield ev.batch, ev.layout

    def _one_by_one(self, columns: list[str], parts: list[list[ClauseSpec]], dims: list[str],
                    outputs: str, rows: Callable[[list[WideClause]], int]) -> Iterator[_Event]:
        """:meth:`_stream` with one worker: chunk after chunk on the runner's connection."""
        for k, chunk in enumerate(parts):
            view, layout = self._view(columns, chunk, dims, outputs)
            if not layout:
                continue
            reader = self._reader(view, rows(layout))
            yield _Event(k, layout, schema=reader.schema)
            for batch in ahead(reader):
                yield _Event(k, layout, batch=batch)
            yield _Event(k, layout, end=True)

    def _workers(self, parts: list[list[ClauseSpec]]) -> int:
        """How many chunks of clauses are matched at once: one per DuckDB thread the runner
        may use, at most one per chunk."""
        return max(1, min(self.threads, len(parts)))

    def _stream(self, columns: list[str], parts: list[list[ClauseSpec]], dims: list[str],
                outputs: str, rows: Callable[[list[WideClause]], int], workers: int
                ) -> Iterator[_Event]:
        """The compact rows of every chunk of clauses as events: each chunk's ``begin`` (with
        its schema), its batches and its ``end``, in order; chunks without clauses left out.

        With one worker, chunk after chunk, DuckDB using all its threads on each. With
        ``workers`` > 1, that many chunks at once, each streamed by a thread of its own on a
        cursor of its own with DuckDB on one thread: one chunk's query is planned (and the
        next chunk's SQL built) while the others run, so every core is busy, where DuckDB
        alone plans on one core and has few row groups to share out. The chunks' events
        interleave."""
        if workers <= 1:
            yield from self._one_by_one(columns, parts, dims, outputs, rows)
            return
        todo = iter(enumerate(parts))
        events: queue.Queue[_Event | BaseException | None] = queue.Queue(maxsize=2 * workers)
        stop = threading.Event()

        def work(worker: int) -> None:
            try:
                while not stop.is_set():
                    with self._lock:   # the next chunk, its view made on the runner's connection
                        item = next(todo, None)
                        if item is None:
                            return
                        k, chunk = item
                        view, layout = self._view(columns, chunk, dims, outputs)
                    if not layout:
                        continue
                    reader = self._reader(view, rows(layout), worker)
                    events.put(_Event(k, layout, schema=reader.schema))
                    for batch in reader:
                        if stop.is_set():
                            return
                        events.put(_Event(k, layout, batch=batch))
                    events.put(_Event(k, layout, end=True))
            except BaseException as exc:  # handed to the consumer, which raises it
                events.put(exc)
            finally:
                events.put(None)

        self.con.execute("SET threads = 1")   # each worker's query on its own thread
        threads = [threading.Thread(target=work, args=(w,), name=f"huiqi-chunk-{w}", daemon=True)
                   for w in range(1, workers + 1)]
        for t in threads:
            t.start()
        try:
            running = workers
            while running:
                ev = events.get()
                if ev is None:
                    running -= 1
                elif isinstance(ev, BaseException):
                    raise ev
                else:
                    yield ev
        finally:
            stop.set()
            _drain(events, threads)
            self.con.execute(f"SET threads = {self.threads}")

    def _keyed(self, long: pa.Table, schema: pa.Schema = RESULT_SCHEMA) -> pa.Table:
        """The long results with the pack version and the date, in ``schema``."""
        return keyed(long, self.pack.version_id, self.as_of, schema)

    def match_batch(self, table: pa.Table) -> pa.Table:
        """The results of one batch, with pack version and date, in RESULT_SCHEMA (enterprise
        by enterprise, each enterprise's clauses in pack order)."""
        return self._keyed(duck.match_arrow(self.pack, self.as_of, table, self.con, self.clauses))

    def _values(self, src: str, columns: list[str], out: Path, batch_size: int) -> None:
        """The values the pack reports per enterprise, one column each (``policy:name``, and
        ``policy:name:grade`` for a graded one), keyed by enterprise, pack version and date."""
        query = MatchQuery(self.pack, self.as_of, DUCKDB, columns, [])
        sql, _ = query.build_values(src)
        tmp = out.with_suffix(out.suffix + ".partial")
        writer: pq.ParquetWriter | None = None
        try:
            for batch in self.con.sql(sql).to_arrow_reader(batch_size):
                t = pa.Table.from_batches([batch]).rename_columns(
                    ["enterprise_id", *batch.schema.names[1:]])
                n = t.num_rows
                t = t.add_column(1, "pack_version", pa.array([self.pack.version_id] * n,
                                                             pa.string()))
                t = t.add_column(2, "as_of", pa.repeat(pa.scalar(self.as_of, pa.date32()), n))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, t.schema, compression="zstd")
                writer.write_table(t)
        except BaseException:
            if writer is not None:
                writer.close()
            tmp.unlink(missing_ok=True)
            raise
        if writer is not None:
            writer.close()
            tmp.replace(out)

    def _take(self, ev: _Event, stats: RunStats, counts: dict[int, list[int]],
              sink: _Sink | None, side: Any, dims: list[str]) -> None:
        """One event of :meth:`_stream`: a chunk's file begun or ended, or a batch of compact
        results written to ``sink``, counted in the summary (``side``, the cursor beside the
        streaming queries; None: not summarized) and in ``counts`` (per chunk: enterprises,
        batches)."""
        if ev.schema is not None:
            counts[ev.chunk] = [0, 0]
            if sink is not None:
                sink.begin(ev.chunk, ev.layout, ev.schema)
        elif ev.end:
            if sink is not None:
                sink.end(ev.chunk)
        elif ev.batch is not None:
            if sink is not None:
                sink.write(ev.chunk, ev.batch, ev.layout)
            if side is not None:
                stats.summary.add_wide(side, pa.Table.from_batches([ev.batch]), ev.layout, dims,
                                       self.as_of)
            counts[ev.chunk][0] += ev.batch.num_rows
            counts[ev.chunk][1] += 1
            stats.results += ev.batch.num_rows * len(ev.layout)

    def run(self, source: Path, out: Path | None = None, batch_size: int = 100_000,
            progress: Progress | None = None, summarize: bool = True,
            form: str = "compact") -> RunStats:
        """Match every enterprise of ``source``; write the results to ``out``.

        ``form`` ``"compact"`` (the default) writes a compact results folder
        (:mod:`huiqi.population.results`: one file per chunk of clauses, one row per
        enterprise, and the layout); ``"long"`` one Parquet file in :data:`RESULT_SCHEMA`.
        Either appears whole or not at all. ``batch_size`` is the most enterprises handled
        at once (for the long form fewer for a chunk of many clauses, so that a batch holds
        at most :data:`LONG_ROWS` results). The compact form matches several chunks at once
        (:meth:`_stream`); the long form, one file in chunk order, one chunk after another."""
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, not {form!r}")
        stats = RunStats()
        total = count_rows(source)   # FileNotFoundError before anything is written
        src, columns, dims = self._open(source)
        parts = chunks(self.pack, self.clauses, CHUNK)
        clauses = sum(len(p) for p in parts) or 1
        done = reported = 0
        counts: dict[int, list[int]] = {}   # per chunk: enterprises, batches
        side = self.con.cursor()   # summaries are computed beside the streaming query
        sink: _Sink | None = None

        def rows(layout: list[WideClause]) -> int:
            return max(1, min(batch_size, LONG_ROWS // len(layout))) if form == "long" \
                else batch_size

        try:
            if out is not None:
                sink = (_LongSink(out, self._keyed) if form == "long" else
                        _CompactSink(CompactWriter(out, self.pack.id, self.pack.version_id,
                                                   self.as_of)))
            workers = 1 if form == "long" else self._workers(parts)
            for ev in self._stream(columns, parts, dims, "all", rows, workers):
                self._take(ev, stats, counts, sink, side if summarize else None, dims)
                if ev.batch is not None:
                    done += ev.batch.num_rows * len(parts[ev.chunk])
                    if progress is not None and done // clauses > reported:
                        progress(done // clauses - reported)
                        reported = done // clauses
            if progress is not None and reported < total:
                progress(total - reported)
            # the enterprises and batches are those of the first chunk of clauses
            stats.enterprises, stats.batches = counts[min(counts)] if counts else (total, 0)
            if sink is not None:
                sink.commit(stats.enterprises)
        except BaseException:
            if sink is not None:
                sink.abort()   # no half-written results
            raise
        finally:
            side.close()
        if out is not None and self.pack.reported(self.as_of):
            self._values(src, columns, values_path(out), batch_size)
        return stats


@dataclass
class _Event:
    """What :meth:`Runner._stream` hands on about chunk ``chunk``: that it begins (its
    ``schema``), one ``batch`` of its compact rows, or its ``end``."""

    chunk: int
    layout: list[WideClause]
    schema: pa.Schema | None = None
    batch: pa.RecordBatch | None = None
    end: bool = False


class _Sink(ABC):
    """Where a run's compact batches go."""

    def begin(self, chunk: int, layout: list[WideClause], schema: pa.Schema) -> None:  # noqa: B027
        """Chunk of clauses ``chunk`` starts; its compact rows have ``schema`` (nothing to do
        by default). Several chunks may be open at once."""

    @abstractmethod
    def write(self, chunk: int, batch: pa.RecordBatch, layout: list[WideClause]) -> None:
        """One batch of a chunk's compact rows."""

    def end(self, chunk: int) -> None:  # noqa: B027
        """The chunk is done (nothing to do by default)."""

    @abstractmethod
    def commit(self, enterprises: int) -> None:
        """Put the results in place, whole."""

    @abstractmethod
    def abort(self) -> None:
        """Leave nothing behind (the results before the run stay as they were)."""


class _LongSink(_Sink):
    """The long results in one Parquet file, through ``<out>.partial``."""

    def __init__(self, out: Path, keyed: Callable[[pa.Table, pa.Schema], pa.Table]) -> None:
        self.out = out
        self.tmp = out.with_suffix(out.suffix + ".partial")
        self.keyed = keyed
        self.writer = _Writer(self.tmp, WRITE_SCHEMA)

    def write(self, chunk: int, batch: pa.RecordBatch, layout: list[WideClause]) -> None:
        self.writer.write(self.keyed(to_long([(batch, layout)], dictionary=True), WRITE_SCHEMA))

    def commit(self, enterprises: int) -> None:
        self.writer.close()
        self.tmp.replace(self.out)

    def abort(self) -> None:
        with contextlib.suppress(BaseException):   # the first error is the one to report
            self.writer.close()
        self.tmp.unlink(missing_ok=True)


class _CompactSink(_Sink):
    """The compact rows, one Parquet file per chunk (named and listed in the chunks' order,
    whichever is written first), in a folder put in place at the end."""

    def __init__(self, folder: CompactWriter) -> None:
        self.folder = folder
        self.writers: dict[int, _Writer] = {}

    def begin(self, chunk: int, layout: list[WideClause], schema: pa.Schema) -> None:
        self.writers[chunk] = _Writer(self.folder.chunk(layout, chunk),
                                      compact_table(schema.empty_table(), layout).schema,
                                      **COMPACT_WRITE)

    def write(self, chunk: int, batch: pa.RecordBatch, layout: list[WideClause]) -> None:
        self.writers[chunk].write(compact_table(batch, layout))

    def end(self, chunk: int) -> None:
        self.writers.pop(chunk).close()

    def commit(self, enterprises: int) -> None:
        self.folder.commit(enterprises)

    def abort(self) -> None:
        for writer in self.writers.values():
            with contextlib.suppress(BaseException):
                writer.close()
        self.writers.clear()
        self.folder.abort()


def values_path(out: Path) -> Path:
    """Where match-all writes the values the pack reports: ``results.values.parquet``
    beside ``results.parquet``."""
    return out.with_name(f"{out.stem}.values{out.suffix}")


class _Writer:
    """A Parquet writer on a thread of its own: encoding one batch of results (the list
    columns cost most) overlaps computing the next one. At most ``depth`` batches wait;
    ``options`` go to :class:`pyarrow.parquet.ParquetWriter`."""

    def __init__(self, path: Path, schema: pa.Schema, depth: int = 2, **options: Any) -> None:
        self._file = pq.ParquetWriter(path, schema, **{"compression": "zstd",
                                                       "store_schema": False, **options})
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="huiqi-write", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            table = self._queue.get()
            if table is None:
                return
            if self._error is None:
                try:
                    self._file.write_table(table)
                except BaseException as exc:  # raised by the next write or by close
                    self._error = exc

    def write(self, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(table)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._file.close()
        if self._error is not None:
            raise self._error


def _drain(items: queue.Queue[Any], threads: list[threading.Thread]) -> None:
    """Wait for ``threads`` to end, taking what they put meanwhile (a thread blocked
    putting into the full queue gets unblocked and sees that it must stop)."""
    for t in threads:
        while t.is_alive():
            try:
                items.get_nowait()
            except queue.Empty:
                t.join(0.05)


def ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """The items, fetched ``depth`` ahead by a thread of their own: the database computes the
    next batch (it releases the GIL) while this one is turned into long results and written."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    end = object()
    stop = threading.Event()

    def fetch() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put(item)
            q.put(end)
        except BaseException as exc:  # handed to the consumer, which raises it
            q.put(exc)

    worker = threading.Thread(target=fetch, name="huiqi-fetch", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():   # unblock a fetcher waiting to put
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.05)


def to_duckdb_table(results: Path, database: Path, table: str = "match_results") -> None:
    """Load a results file (compact or long) into a DuckDB database table, in the long form
    (replacing the same pack and date)."""
    from .results import pack_version_and_date

    keys = pack_version_and_date(results)
    con = duckdb.connect(str(database))
    try:
        con.register("__empty", RESULT_SCHEMA.empty_table())
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM __empty")
        con.unregister("__empty")
        for version, day in keys:
            con.execute(f"DELETE FROM {table} WHERE pack_version = ? AND as_of = ?", [version, day])
        name = results_relation(con, results, "__results")
        con.execute(f"INSERT INTO {table} SELECT {', '.join(RESULT_SCHEMA.names)} FROM {name}")
    finally:
        con.close()
