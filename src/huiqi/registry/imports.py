"""Import entities and their facts from a CSV or Excel file: all or nothing, streaming.

1. The header is mapped onto the fact catalogue (:mod:`huiqi.registry.columns`).
2. One pass reads the file once, inside one write transaction: every row is checked —
   credit code, type, unit, range, enum values, names of new entities, codes repeated in
   the file — and, while no row has failed, written in batches: an entity is found by its
   credit code (upsert) and a value is written only if it differs from the one in force,
   so importing the same file again changes nothing.
3. Any problem rejects the whole file with a report of each bad row, column and value
   (bilingual): the rows are still all checked, nothing more is written, and the
   transaction is rolled back, so that nothing of the file is kept.

Each column's cells are converted by a function made once for the file (a value seen
before in a column of few distinct values is not converted again); the rows are written
with the driver's many-row statements (``COPY`` on PostgreSQL), without ORM objects —
except for an entity that moves, which goes through :func:`entities.move`.

On both databases a chunk of a CSV file is checked a column at a time
(:func:`_check_block`: plain numbers by one match of the column's text, other kinds once
per distinct value) and written set by set in SQL (:mod:`.bulk`: a temporary table, filled
by ``COPY`` on PostgreSQL); only the existing entities that change something go through
the row-by-row writer. A chunk with anything to report is checked row by row
(:func:`_check_rows`), so that each problem keeps its line, column and place in the
report. The file is read and checked in a thread of its own, :data:`AHEAD` chunks ahead,
while the database writes the chunk before (SQLite and the PostgreSQL driver wait without
Python's lock).

On SQLite the import's transaction does not check foreign keys row by row (its rows refer
only to the entities it has just read or created and to its own batch: see
:meth:`Database.write`); the transactions after it check them again. PostgreSQL checks
each one, except in a large import when asked: after ``lock_after`` rows (the setting
``import_lock_after_rows``, 0 — never — by default) the import locks the entities and their facts' tables to its end
and checks the foreign keys once, before it commits; a first import also builds those
tables' secondary indexes once then, instead of row by row (:mod:`.bulk`).

Memory stays bounded: a few batches of rows at a time, plus 16 bytes per row to find codes
that appear twice (and, on SQLite, a page cache of :data:`SQLITE_CACHE_KIB` while writing).

The write lock (and the entities' lock) is held while the file is read: a file is read
once, not checked first and read again, so a good file holds it for less time than the
write pass alone used to; a bad one holds it until its last row is checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import String, bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.clock import china_date
from huiqi.errors import Conflict, CreditCodeError, DataError, Problem
from huiqi.facts.catalogue import Catalogue, Field
from huiqi.facts.credit_code import quick as quick_code
from huiqi.facts.credit_code import quick_all as quick_codes
from huiqi.facts.credit_code import validate as validate_code
from huiqi.facts.enterprise import Enterprise
from huiqi.messages import message
from huiqi.store.database import Database, is_unique_violation
from huiqi.store.models import Entity, EntityLocation, FactValue, ImportBatch, table
from huiqi.text import Text

from . import changes as C
from . import entities as E
from . import values as V
from .bulk import Bulk, bulk_writer
from .columns import Column, Mapping, cell_text, resolve
from .sheets import Limits, Row, Sheet, check, open_rows

Progress = Callable[[str, int, float], None]
T = TypeVar("T")
CENT = Decimal("0.01")
#: distinct values remembered per column (a district, an industry, a date: few distinct)
MEMO = 4096
#: chunks read and checked ahead of the one written
AHEAD = 2
#: SQLite's page cache while an import writes (KiB)
SQLITE_CACHE_KIB = 64 * 1024


@dataclass
class ImportReport:
    file: str
    format: str
    sha256: str
    rows: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    entities_unchanged: int = 0
    facts_written: int = 0
    locations_changed: int = 0
    batch_id: int | None = None
    source: str = "import"
    columns: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.entities_created or self.entities_updated)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "sha256": self.sha256,
                "rows": self.rows, "entities_created": self.entities_created,
                "entities_updated": self.entities_updated,
                "entities_unchanged": self.entities_unchanged,
                "facts_written": self.facts_written,
                "locations_changed": self.locations_changed, "batch_id": self.batch_id,
                "source": self.source, "columns": self.columns}


@dataclass(frozen=True)
class _Parsed:
    """One row, its values as stored (:func:`values.encode`)."""

    row: int
    code: str
    name: str | None
    location: dict[str, str]
    facts: list[tuple[str, int, V.Stored]]
    kind: str | None = None      # the entity_kind fact, if the row gives it
    industry: str | None = None  # the industry fact, if the row gives it


class _NothingChanged(Exception):
    """Raised inside the write transaction to roll it back when the file changes nothing."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_file(db: Database, cat: Catalogue, path: Path, *, by: str, at: dt.datetime,
                display: str | None = None, mapping: Mapping | None = None,
                batch_rows: int = 5000, max_problems: int = 1000,
                progress: Progress | None = None,
                audit: Callable[[Session, ImportReport], None] | None = None,
                limits: Limits | None = None, lock_after: int = 0) -> ImportReport:
    """Check and apply one file; raise :class:`DataError` (nothing written) on any problem.
    ``lock_after``: on PostgreSQL, after this many rows the tables are locked and the
    foreign keys checked once at the end (0: never; see :mod:`.bulk`)."""
    display = display or path.name
    limits = limits or Limits()
    sheet = check(path, display, limits)
    mapping = mapping or Mapping()
    report = ImportReport(file=display, format=sheet.format, sha256=sha256_of(path),
                          source=mapping.source)
    for attempt in (1, 2):
        try:
            return _apply(db, cat, sheet, mapping, report, by=by, at=at,
                          batch_rows=batch_rows, max_problems=max_problems,
                          progress=progress, audit=audit, cell_chars=limits.cell_chars,
                          lock_after=lock_after)
        except IntegrityError as exc:
            # entities are created one writer at a time (the lock), but another kind of
            # writer may still create the same code first: read again, once
            if not is_unique_violation(exc):
                raise
            if attempt == 2:
                raise Conflict("import.concurrent") from None
            for k in _COUNTS:
                setattr(report, k, 0)
            report.batch_id = None
    raise AssertionError("unreachable")


#: the counts of the write phase, started again if it is
_COUNTS = ("rows", "entities_created", "entities_updated", "entities_unchanged",
           "facts_written", "locations_changed")


def _apply(db: Database, cat: Catalogue, sheet: Sheet, mapping: Mapping, report: ImportReport,
           *, by: str, at: dt.datetime, batch_rows: int, max_problems: int,
           progress: Progress | None, audit: Callable[[Session, ImportReport], None] | None,
           cell_chars: int, lock_after: int = 0) -> ImportReport:
    """Check and write in one transaction, after any other that creates entities (so that
    two imports of the same new codes find each other's instead of colliding); rolled back
    whole if any row is bad, or if nothing changed."""
    display = sheet.display
    problems = _Problems(display, max_problems)
    bulk: Bulk | None = None
    try:
        with db.write(lock=E.LOCK, references_checked=False) as s:
            batch = ImportBatch(file_name=display[:255], sha256=report.sha256,
                                format=sheet.format, source=mapping.source, rows=0,
                                report={}, imported_at=at, imported_by=by)
            s.add(batch)
            s.flush()
            report.batch_id = batch.id
            prov = E.Provenance(source=mapping.source, by=by, at=at, batch_id=batch.id)
            with _Writer(s, cat, prov, report).cached() as writer, \
                    open_rows(sheet) as (header, rows, share):
                columns = _columns(cat, header, mapping, report, cell_chars, display)
                bulk = _bulk(s, writer, columns, lock_after)
                checked: Iterator[tuple[list[Row], list[tuple[Any, ...]] | None]] = (
                    (chunk, None if bulk is None else
                     _check_block(columns, header, chunk, cell_chars))
                    for chunk in _chunks(rows, batch_rows))
                ahead = _ReadAhead(checked) if bulk is not None else None
                try:
                    _each_chunk(s, ahead or checked, columns, header, writer, bulk, problems,
                                cell_chars, progress, share)
                finally:
                    if ahead is not None:
                        ahead.close()
            problems.duplicates(sheet, columns)
            if progress:
                progress("check", report.rows, 1.0)
            problems.raise_any()
            if bulk is not None:
                bulk.finish()  # (the foreign keys of a large import, checked once)
            if not report.changed:
                raise _NothingChanged
            batch = s.get_one(ImportBatch, report.batch_id)
            batch.rows = report.rows
            batch.report = report.as_dict()
            if audit is not None:
                audit(s, report)
    except _NothingChanged:
        report.batch_id = None
    return report


def _each_chunk(s: Session, chunks: Iterable[tuple[list[Row], list[tuple[Any, ...]] | None]],
                columns: Sequence[_Column], header: list[str], writer: _Writer,
                bulk: Bulk | None, problems: _Problems, cell_chars: int,
                progress: Progress | None, share: Callable[[], float]) -> None:
    """Check and (while no row has failed) write each chunk: as a block checked column by
    column when it can be (:mod:`.bulk`), else row by row."""
    report = writer.report
    for chunk, block in chunks:
        if block is not None and bulk is not None and not problems:
            problems.seen_block(block)
            report.rows += len(block)
            _write_block(bulk, writer, columns, block, problems)
        else:
            items = _check_rows(columns, header, chunk, cell_chars, problems, report)
            if problems:
                _check_names(s, items, problems)
            elif bulk is not None:
                _write_block(bulk, writer, columns, [_row_of(columns, p) for p in items],
                             problems)
            else:
                writer.write(items, problems)
        if progress:
            progress("check", report.rows, share())
            progress("write", report.rows, share())
    if bulk is not None:
        bulk.close()


def import_enterprises(db: Database, cat: Catalogue, items: Iterable[Enterprise], *, by: str,
                       at: dt.datetime, source: str, display: str, batch_rows: int = 5000,
                       progress: Progress | None = None,
                       audit: Callable[[Session, ImportReport], None] | None = None
                       ) -> ImportReport:
    """Store enterprises already typed (by a generator or a checked file), in one
    transaction, the same way as a file: upsert by credit code, changed values only."""
    report = ImportReport(file=display, format="objects", sha256="-", source=source)
    with db.write(lock=E.LOCK, references_checked=False) as s:
        batch = ImportBatch(file_name=display[:255], sha256="-", format="objects",
                            source=source, rows=0, report={}, imported_at=at, imported_by=by)
        s.add(batch)
        s.flush()
        report.batch_id = batch.id
        prov = E.Provenance(source=source, by=by, at=at, batch_id=batch.id)
        writer = _Writer(s, cat, prov, report)
        problems = _Problems(display, 1)
        done = 0
        for chunk in _chunks(iter(items), batch_rows):
            writer.write([_from_enterprise(cat, e) for e in chunk], problems)
            problems.raise_any()
            done += len(chunk)
            report.rows = done
            if progress:
                progress("write", done, 0.0)
        problems.raise_any()
        batch = s.get_one(ImportBatch, report.batch_id)
        batch.rows = report.rows
        batch.report = report.as_dict()
        if audit is not None:
            audit(s, report)
    return report


def _from_enterprise(cat: Catalogue, e: Enterprise) -> _Parsed:
    location = {k: str(e.facts[k]) for k in E.LOCATION_FACTS if e.facts.get(k) is not None}
    typed = [(k, E.STATIC, v) for k, v in e.facts.items()
             if v is not None and k not in E.LOCATION_FACTS]
    typed += [(k, y, v) for y, row in sorted(e.years.items()) for k, v in row.items()
              if v is not None]
    facts = [(k, y, V.encode(cat.facts[k], v)) for k, y, v in typed]
    kind = next((str(v) for k, _, v in typed if k == "entity_kind"), None)
    industry = next((str(v) for k, _, v in typed if k == "industry"), None)
    return _Parsed(0, e.id, e.name or e.id, location, facts, kind, industry)


# --------------------------------------------------------------------------- checking

class _Problems:
    """The problems found so far (at most ``limit`` kept, the others counted), and the
    64-bit hashes of the codes read, to find those that appear twice."""

    def __init__(self, display: str, limit: int) -> None:
        self.display = display
        self.limit = limit
        self.items: list[Problem] = []
        self.extra = 0
        self.hashes: array[int] = array("q")
        self.numbers: array[int] = array("L")
        #: a code twice in one batch (not written: the duplicates found at the end say where)
        self.repeated: str | None = None

    def __bool__(self) -> bool:
        return bool(self.items) or self.repeated is not None

    def add(self, p: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(p)
        else:
            self.extra += 1

    def seen(self, n: int, code: str) -> None:
        self.hashes.append(hash(code))  # (the same within a process: all this needs)
        self.numbers.append(n)

    def seen_block(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """:meth:`seen` of each row of a block (:func:`_check_block`)."""
        self.hashes.extend([hash(r[1]) for r in rows])
        self.numbers.extend([r[0] for r in rows])

    def duplicates(self, sheet: Sheet, columns: Sequence[_Column]) -> None:
        _check_duplicates(sheet, columns, self.hashes, self.numbers, self.add)

    def raise_any(self) -> None:
        if not self.items and self.repeated is not None:  # objects, not rows of a file
            self.add(Problem(code="import.duplicate_object", file=self.display,
                             snippet=self.repeated, message=message(
                                 "import.duplicate_object", value=self.repeated)))
        if not self.items:
            return
        problems = list(self.items)
        if self.extra:
            problems.append(Problem(code="import.more_problems", file=self.display,
                                    message=message("import.more_problems", count=self.extra)))
        raise ImportRejected(problems, self.display, len(self.items) + self.extra)


@dataclass(frozen=True)
class _Column:
    """A column read: where, what it holds, and (for a fact) how a cell becomes a value."""

    index: int
    header: str
    target: str
    key: str
    year: int
    convert: Callable[[Any], V.Stored] | None = None
    #: the industry or the entity's kind, which the entity row keeps too
    special: bool = False
    #: the cells a row must have for every column read (the first column says)
    row: range = range(0)
    #: a fact kept in ``value_number`` (else in ``value_text``)
    number: bool = False
    #: the stored text of each cell of a column at once (:func:`column_converter`)
    bulk: Callable[[list[str | None]], list[str | None]] | None = None


def _columns(cat: Catalogue, header: list[str], mapping: Mapping, report: ImportReport,
             cell_chars: int, display: str) -> list[_Column]:
    """The header's columns, each with its converter; :class:`DataError` if the header is
    bad (a cell too long, an unknown column, no id column)."""
    bad_head = _bad_cells(1, header, header, cell_chars, display) \
        if _suspect(header, cell_chars) else []
    if bad_head:
        raise DataError(bad_head, display)
    columns, head_problems = resolve(header, mapping, cat, display)
    report.columns = [c.header for c in columns if c.target != "ignore"]
    if head_problems:
        raise DataError(head_problems, display)
    read = [c for c in columns if c.target != "ignore"]
    width = range(max(c.index for c in read) + 1)
    return [_column(cat, c, width) for c in read]


def _column(cat: Catalogue, c: Column, width: range) -> _Column:
    if c.target != "fact":
        return _Column(c.index, c.header, c.target, c.fact or "", c.year, row=width)
    f = cat.facts[c.fact or ""]
    convert = converter(cat, f)
    return _Column(c.index, c.header, c.target, f.id, c.year, convert,
                   f.id in ("industry", "entity_kind"), width, f.kind in V.NUMBER_KINDS,
                   column_converter(cat, f, convert))


def converter(cat: Catalogue, f: Field) -> Callable[[Any], V.Stored]:
    """A function from a cell (stripped, not empty) to the stored value of fact ``f``, the
    same as ``values.encode(f, cat.coerce(f, cell))`` (a records cell is JSON text); it
    raises what they raise. Numbers written plainly are read without the general path,
    other kinds remember the values already seen."""
    def slow(raw: Any) -> V.Stored:
        value = json.loads(raw) if f.kind == "records" and isinstance(raw, str) else raw
        return V.encode(f, cat.coerce(f, value))

    if f.kind in V.NUMBER_KINDS:
        return _number(f, slow)
    if f.kind == "records":
        return slow
    memo: dict[Any, V.Stored] = {}

    def remembered(raw: Any) -> V.Stored:
        hit = memo.get(raw) if isinstance(raw, str) else None
        if hit is None:
            hit = slow(raw)
            if isinstance(raw, str) and len(memo) < MEMO:
                memo[raw] = hit
        return hit

    return remembered


#: distinct values remembered per column by :func:`column_converter` (forgotten when more)
MEMO_COLUMN = 1 << 16
#: a number as SQLite keeps its exact text (``format(Decimal(text), "f")`` is the text
#: itself): no sign, no leading zero, money to the fen, at most 18 digits before the point
_CANONICAL = {"integer": r"(?:0|[1-9][0-9]{0,17})",
              "money": r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,2})?",
              "decimal": r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?",
              "ratio": r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?"}


def stored_text(stored: V.Stored) -> str:
    """The one text a stored value is kept as on SQLite (a number's exact text)."""
    text, number = stored
    return format(number, "f") if number is not None else str(text)


def column_converter(cat: Catalogue, f: Field, convert: Callable[[Any], V.Stored]
                     ) -> Callable[[list[str | None]], list[str | None]]:
    """A function from a column of cells (stripped text, None for an empty cell) to the
    stored text of each (:func:`stored_text` of what ``convert`` gives, the same); it
    raises what ``convert`` raises. Plain non-negative numbers within the fact's range are
    checked all at once (one match of the column's text), other kinds convert each
    distinct value of a column once."""
    def each(cells: list[str | None]) -> list[str | None]:
        return [None if c is None else stored_text(convert(c)) for c in cells]

    if f.kind in V.NUMBER_KINDS:
        one = _CANONICAL[f.kind]
        whole = re.compile(f"(?:{one}\n)*{one}").fullmatch
        low, high = f.min, f.max
        if high is not None or (low is not None and low > 0):
            return each

        def numbers(cells: list[str | None]) -> list[str | None]:
            text = "\n".join([c for c in cells if c is not None])
            if not text or ("-" not in text and whole(text) is not None):
                return cells  # (each one its own stored text, ≥ 0 ≥ the minimum)
            return each(cells)

        return numbers
    if f.kind == "records":
        return each
    memo: dict[str | None, str | None] = {None: None}

    def remembered(cells: list[str | None]) -> list[str | None]:
        if len(memo) > MEMO_COLUMN:
            memo.clear()
            memo[None] = None
        for c in set(cells):
            if c not in memo:
                memo[c] = stored_text(convert(c))
        return list(map(memo.__getitem__, cells))

    return remembered


#: plain decimal text that :class:`Decimal` reads as the value the kind stores, as it is (an
#: integer without a sign on zero, money to the fen, at most 18 digits before the point)
_PLAIN = {"integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
          "money": re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,2})?"),
          "decimal": re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?"),
          "ratio": re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?")}


def _number(f: Field, slow: Callable[[Any], V.Stored]) -> Callable[[Any], V.Stored]:
    """Plain decimal text within the fact's range, read directly (one match of
    :data:`_PLAIN` and one :class:`Decimal`, the usual cell); other text that Decimal reads
    with the checks of the kind; anything else (grouping commas, percentages, a bad value:
    what has a message to give) by ``slow``."""
    kind, low, high = f.kind, f.min, f.max
    plain = _PLAIN[kind].fullmatch

    def number(raw: Any) -> V.Stored:
        if raw.__class__ is str and plain(raw) is not None:
            d = Decimal(raw)
            if (low is None or d >= low) and (high is None or d <= high):
                return None, d
            return slow(raw)  # out of range: its message
        return general(raw)

    def general(raw: Any) -> V.Stored:
        if raw.__class__ is not str or "," in raw or "_" in raw or "%" in raw:
            return slow(raw)
        try:
            d = Decimal(raw)
            if not d.is_finite() or (low is not None and d < low) or \
                    (high is not None and d > high):
                return slow(raw)
            if kind == "integer":
                if d != d.to_integral_value():
                    return slow(raw)
                return None, Decimal(int(d))
            if kind == "money" and d != d.quantize(CENT, rounding=ROUND_DOWN):
                return slow(raw)
        except ArithmeticError:  # not a number, or too long to quantize
            return slow(raw)
        return None, d

    return number


def _check_rows(columns: Sequence[_Column], header: list[str],
                chunk: Sequence[tuple[int, list[Any]]], cell_chars: int, problems: _Problems,
                report: ImportReport) -> list[_Parsed]:
    """The good rows of a chunk, parsed; a problem for each fault of the others."""
    out: list[_Parsed] = []
    display = problems.display
    width = len(header)
    at = next(c.index for c in columns if c.target == "id")
    codes = quick_codes([cells[at] if at < len(cells) else None for _n, cells in chunk])
    for (n, cells), code in zip(chunk, codes, strict=True):
        report.rows += 1
        if len(cells) > width and any(c not in (None, "") for c in cells[width:]):
            problems.add(Problem(code="import.too_long", file=display, line=n,
                                 message=message("import.too_long", row=n)))
        bad = _bad_cells(n, cells, header, cell_chars, display) \
            if _suspect(cells, cell_chars) else []
        if bad:  # a cell too long or with a NUL is not read further
            for p in bad:
                problems.add(p)
            continue
        parsed = _parse(columns, n, cells, problems, code)
        if parsed is not None:
            problems.seen(n, parsed.code)
            out.append(parsed)
    return out


def _check_block(columns: Sequence[_Column], header: list[str],
                 chunk: Sequence[tuple[int, list[Any]]], cell_chars: int
                 ) -> list[tuple[Any, ...]] | None:
    """A chunk of a CSV file checked column by column, as the rows :mod:`.bulk` writes —
    or None, if any row needs to be read by itself (:func:`_check_rows` then reports its
    problems, each with its line and column, in the order of the file): a row of another
    width, a cell too long or with a NUL, a bad or missing credit code, a value that
    cannot be stored."""
    width = len(header)
    cells = [c for _n, c in chunk]
    if not cells or any(len(c) != width for c in cells):
        return None
    flat = list(chain.from_iterable(cells))
    try:
        joined = "".join(flat)  # (text only: a CSV file's)
    except TypeError:
        return None
    if "\0" in joined or (len(joined) > cell_chars and max(map(len, flat)) > cell_chars):
        return None
    by_column = list(zip(*cells, strict=True))
    n = len(cells)
    lines = [line for line, _c in chunk]
    codes: list[str | None] = []
    name: list[str | None] = [None] * n
    place: dict[str, list[str | None]] = {"district": [None] * n, "park": [None] * n}
    special: dict[str, list[str | None]] = {"entity_kind": [None] * n, "industry": [None] * n}
    facts: list[list[str | None]] = []
    for c in columns:
        raw: list[str | None] = list(map(str.strip, by_column[c.index]))
        if "" in raw:
            raw = [v or None for v in raw]
        if c.target == "id":
            codes = quick_codes(raw)
            if None in codes:
                return None
        elif c.target == "name":
            name = [None if v is None else v[:200] for v in raw]
        elif c.target == "location":
            place[c.key] = [None if v is None else v[:100] for v in raw]
        elif c.bulk is not None:
            try:
                stored = c.bulk(raw)
            except ValueError:
                return None
            facts.append(stored)
            if c.special:
                special[c.key] = stored
    return list(zip(lines, codes, name, place["district"], place["park"],
                    special["entity_kind"], special["industry"], *facts, strict=True))


def _suspect(cells: Sequence[Any], cell_chars: int) -> bool:
    """Whether a row has a cell too long or with a NUL (quick when none has: the usual row)."""
    try:
        joined = "".join(cells)  # a row of a CSV file: all text
    except TypeError:
        texts = [c for c in cells if isinstance(c, str)]
        joined = "".join(texts)
        return "\0" in joined or (bool(texts) and max(map(len, texts)) > cell_chars)
    return "\0" in joined or (len(joined) > cell_chars and max(map(len, cells)) > cell_chars)


def _bad_cells(n: int, cells: Sequence[Any], header: Sequence[str], cell_chars: int,
               display: str) -> list[Problem]:
    """A cell longer than a cell may be, or with a NUL character (which no database stores
    alike): one problem each."""
    out = []
    for i, c in enumerate(cells):
        if not isinstance(c, str):
            continue
        column = header[i] if i < len(header) and len(header[i]) <= 100 else f"#{i + 1}"
        column = column.replace("\0", "\\0")
        if len(c) > cell_chars:
            out.append(Problem(code="import.cell_too_long", file=display, line=n, column=i + 1,
                               path=(column,), message=message(
                                   "import.cell_too_long", column=column, length=len(c),
                                   limit=cell_chars)))
        elif "\0" in c:
            out.append(Problem(code="import.nul", file=display, line=n, column=i + 1,
                               path=(column,), snippet=c[:60].replace("\0", "\\0"),
                               message=message("import.nul", column=column)))
    return out


class ImportRejected(DataError):
    """An import file failed checking; nothing was written."""

    summary_code = "import.rejected"

    def __init__(self, problems: list[Problem], subject: str, total: int) -> None:
        self.total = total
        super().__init__(problems, subject)
        self.text = message(self.summary_code, subject=subject, count=total)


def _bad_value(problems: _Problems, n: int, c: _Column, value: Any, reason: Text) -> None:
    problems.add(Problem(code="import.bad_value", file=problems.display, line=n,
                         column=c.index + 1, snippet=cell_text(value), path=(c.header,),
                         message=message("import.bad_value", column=c.header,
                                         value=cell_text(value), reason_zh=reason.zh,
                                         reason_en=reason.en)))


def _reason(exc: ValueError | CreditCodeError) -> Text:
    """What a converter's error says, for a person."""
    if isinstance(exc, json.JSONDecodeError):
        return Text(f"不是有效的 JSON:{exc.msg}", f"not valid JSON: {exc.msg}")
    if isinstance(exc, CreditCodeError):
        return Text(exc.reason.zh, exc.reason.en) if exc.position is None else \
            Text(f"第 {exc.position} 位:{exc.reason.zh}",
                 f"position {exc.position}: {exc.reason.en}")
    if exc.args and isinstance(exc.args[0], Text):
        return exc.args[0]
    return Text(str(exc), str(exc))


def _code(problems: _Problems, n: int, c: _Column, raw: Any) -> str | None:
    code = quick_code(str(raw))
    if code is not None:
        return code
    try:
        return validate_code(str(raw))
    except CreditCodeError as exc:
        _bad_value(problems, n, c, raw, _reason(exc))
        return None


def _parse(columns: Sequence[_Column], n: int, cells: list[Any], problems: _Problems,
           checked: str | None = None) -> _Parsed | None:
    """One row as stored values, or None after reporting each of its problems
    (``checked``: its credit code, if found valid already)."""
    ok = True
    code = name = kind = industry = None
    location: dict[str, str] = {}
    facts: list[tuple[str, int, V.Stored]] = []
    if len(cells) < len(columns[0].row):  # a short row: the cells it lacks are empty
        cells = cells + [None] * (len(columns[0].row) - len(cells))
    for c in columns:
        raw = cells[c.index]
        if raw.__class__ is str:
            raw = raw.strip()
            if not raw:
                raw = None
        if raw is None:
            if c.target == "id":
                problems.add(Problem(code="import.missing_id", file=problems.display, line=n,
                                     column=c.index + 1, path=(c.header,),
                                     message=message("import.missing_id")))
                ok = False
            continue
        if c.convert is not None:
            try:
                stored = c.convert(raw)
            except ValueError as exc:
                _bad_value(problems, n, c, raw, _reason(exc))
                ok = False
                continue
            facts.append((c.key, c.year, stored))
            if c.special:
                if c.key == "industry":
                    industry = stored[0]
                else:
                    kind = stored[0]
        elif c.target == "id":
            code = checked or _code(problems, n, c, raw)
            ok = ok and code is not None
        elif c.target == "name":
            name = str(raw)[:200]
        else:
            location[c.key] = str(raw)[:100]
    if not ok or code is None:
        return None
    return _Parsed(n, code, name, location, facts, kind, industry)


def _check_names(s: Session, items: Sequence[_Parsed], problems: _Problems) -> None:
    """A row without a name must be of an entity already known."""
    nameless = [p for p in items if p.name is None]
    if not nameless:
        return
    known = set(s.scalars(select(Entity.credit_code).where(
        Entity.credit_code.in_({p.code for p in nameless}))))
    _missing_names(nameless, known, problems)


def _missing_names(nameless: Sequence[_Parsed], known: set[str] | dict[str, Any],
                   problems: _Problems) -> None:
    for p in nameless:
        if p.code not in known:
            problems.add(Problem(code="import.missing_name", file=problems.display,
                                 line=p.row, path=("name",),
                                 message=message("import.missing_name")))


def _check_duplicates(sheet: Sheet, columns: Sequence[_Column], hashes: array[int],
                      numbers: array[int], add: Callable[[Problem], None]) -> None:
    """Report every code that appears on two rows (found by sorting 64-bit hashes)."""
    if len(hashes) < 2:
        return
    import numpy as np

    h = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(h, kind="stable")
    sh = h[order]
    dup = np.nonzero(sh[1:] == sh[:-1])[0]
    if len(dup) == 0:
        return
    rows = np.frombuffer(numbers, dtype=np.uint32 if numbers.itemsize == 4 else np.uint64)
    suspects = {int(rows[order[i]]) for i in dup} | {int(rows[order[i + 1]]) for i in dup}
    id_col = next(c for c in columns if c.target == "id")
    first: dict[str, int] = {}
    display = sheet.display
    with open_rows(sheet) as (_header, it, _share):
        for n, cells in it:  # a hash collision is told apart from a repeat by the code
            if n not in suspects:
                continue
            code = str(cells[id_col.index]).strip().upper()
            if code in first:
                add(Problem(code="import.duplicate_row", file=display, line=n,
                            column=id_col.index + 1, snippet=code, path=(id_col.header,),
                            message=message("import.duplicate_row", value=code,
                                            first=first[code])))
            else:
                first[code] = n


# --------------------------------------------------------------------------- writing

class _ReadAhead:
    """The items of an iterator made in a thread of its own, at most :data:`AHEAD` ahead:
    the file is read and checked while the database writes the chunk before (SQLite, and
    the PostgreSQL driver waiting for its server, without Python's lock). An error of the
    thread is raised where the items are taken; :meth:`close` stops the thread."""

    def __init__(self, items: Iterator[T]) -> None:
        self.items = items
        self.queue: queue.Queue[tuple[str, Any]] = queue.Queue(AHEAD)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="huiqi-import-read",
                                       daemon=True)
        self.thread.start()

    def _put(self, item: tuple[str, Any]) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self.items:
                if not self._put(("item", item)):
                    return
            self._put(("end", None))
        except BaseException as exc:  # raised again in the importing thread
            self._put(("error", exc))

    def __iter__(self) -> Iterator[Any]:
        while True:
            kind, value = self.queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _chunks(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


#: an existing entity as read for an import: id, name, kind, district, park
_Known = tuple[int, str, str, str | None, str | None]
_FACT_COLUMNS = ("entity_id", "fact", "year", "value_text", "value_number", "source",
                 "batch_id", "recorded_at", "recorded_by")
_ENTITY_COLUMNS = ("credit_code", "name", "kind", "district", "park", "industry", "revision",
                   "created_at", "updated_at")
_LOCATION_COLUMNS = ("entity_id", "district", "park", "valid_from", "valid_to", "batch_id",
                     "recorded_at", "recorded_by")


class _Writer:
    """Writes batches of parsed rows in the session's transaction with the driver's
    many-row statements (``COPY`` on PostgreSQL), counting what it does in the report."""

    def __init__(self, s: Session, cat: Catalogue, prov: E.Provenance,
                 report: ImportReport) -> None:
        self.s, self.cat, self.prov, self.report = s, cat, prov, report
        conn = s.connection()
        dialect = conn.dialect
        self.pg = dialect.name == "postgresql"
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        # bound as SQLAlchemy would bind them (SQLite keeps times and dates as text)
        self.at = _bound(conn, table(FactValue).c.recorded_at, prov.at)
        self.day = _bound(conn, table(EntityLocation).c.valid_from, china_date(prov.at))
        self.cache: int | None = None

    @contextmanager
    def cached(self) -> Iterator[_Writer]:
        """On SQLite, a page cache of :data:`SQLITE_CACHE_KIB` for the import (the indexes
        of a million entities do not fit SQLite's default 2 MB: each insert would read and
        write their pages again), set back when it ends."""
        conn = self.s.connection()
        if self.pg:
            yield self
            return
        self.cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            yield self
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(self.cache or -2000)}")

    def write(self, items: Sequence[_Parsed], problems: _Problems) -> None:
        """Write one batch: new entities, their locations and all changed facts each in one
        many-row statement; existing entities updated in one more."""
        codes = [p.code for p in items]
        if len(set(codes)) != len(codes):
            problems.repeated = next(c for c in codes if codes.count(c) > 1)
            return
        s = self.s
        known: dict[str, _Known] = {code: (eid, name, kind, district, park) for
                                    eid, code, name, kind, district, park in self._select(
            "id, credit_code, name, kind, district, park", "entity", "credit_code", codes)}
        fresh = [p for p in items if p.code not in known]
        _missing_names([p for p in fresh if p.name is None], known, problems)
        if problems:
            return
        rows: list[tuple[Any, ...]] = []
        created = self._create(fresh, rows)
        before = self._update([p for p in items if p.code in known], known, rows)
        if rows:
            self._insert("fact_value", _FACT_COLUMNS, rows)
            self._mark(rows, created, before)
        self.report.facts_written += len(rows)
        s.flush()
        s.expunge_all()

    def _mark(self, rows: Sequence[tuple[Any, ...]], created: Sequence[int],
              before: dict[tuple[int, str, int], V.Stored]) -> None:
        """The push worker's queue of changed enterprises (:mod:`.changes`), in this
        transaction: a new enterprise had nothing before (one row each, without looking at
        its facts); an existing one, the values in force before of what this batch wrote."""
        prov = self.prov
        new = set(created)
        if new:
            nothing, source, at = json.dumps(C.NOTHING), prov.source[:32], self.at
            self._insert("fact_change", ("entity_id", "before", "source", "at"),
                         [(eid, nothing, source, at) for eid in created])
        current: dict[int, dict[tuple[str, int], V.Stored]] = {}
        for (eid, fact, year), value in before.items():
            current.setdefault(eid, {})[(fact, year)] = value
        C.mark(self.s, ({"entity_id": r[0], "fact": r[1], "year": r[2], "source": prov.source,
                         "recorded_at": prov.at} for r in rows if r[0] not in new), current)

    def _fact_row(self, entity_id: int, fact: str, year: int, new: V.Stored) -> tuple[Any, ...]:
        number: Decimal | str | None = new[1]
        if number is not None and not self.pg:
            number = format(number, "f")  # what Exact binds on SQLite
        return (entity_id, fact, year, new[0], number, self.prov.source, self.prov.batch_id,
                self.at, self.prov.by)

    def _create(self, fresh: Sequence[_Parsed], rows: list[tuple[Any, ...]]) -> list[int]:
        """New entities, their locations and facts; the ids of those with facts."""
        if not fresh:
            return []
        at, prov = self.at, self.prov
        self._insert("entity", _ENTITY_COLUMNS, [
            (p.code, p.name or p.code, p.kind or "enterprise", p.location.get("district"),
             p.location.get("park"), p.industry, 1, at, at) for p in fresh])
        ids = {code: eid for code, eid in self._select(
            "credit_code, id", "entity", "credit_code", [p.code for p in fresh])}
        places = [(ids[p.code], p.location.get("district"), p.location.get("park"), self.day,
                   None, prov.batch_id, at, prov.by) for p in fresh if p.location]
        if places:
            self._insert("entity_location", _LOCATION_COLUMNS, places)
        src, batch_id, by = prov.source, prov.batch_id, prov.by
        for p in fresh:  # (what _fact_row does, without a call per value)
            eid = ids[p.code]
            if self.pg:
                rows.extend([(eid, f, y, t, n, src, batch_id, at, by)
                             for f, y, (t, n) in p.facts])
            else:
                rows.extend([(eid, f, y, t, None if n is None else format(n, "f"), src,
                              batch_id, at, by) for f, y, (t, n) in p.facts])
        self.report.entities_created += len(fresh)
        return [ids[p.code] for p in fresh if p.facts]

    def _update(self, items: Sequence[_Parsed], known: dict[str, _Known],
                rows: list[tuple[Any, ...]]) -> dict[tuple[int, str, int], V.Stored]:
        """Existing entities: changed facts only; name, kind and industry updated in one
        statement; an entity that moves goes through :func:`entities.move`. Returns the
        values in force before, by (entity, fact, year)."""
        if not items:
            return {}
        current = self._current([known[p.code][0] for p in items])
        touched: list[dict[str, Any]] = []
        fact_row = self._fact_row
        report = self.report
        for p in items:
            eid, name, kind, district, park = known[p.code]
            new_rows = [fact_row(eid, f, y, v) for f, y, v in p.facts
                        if current.get((eid, f, y)) != v]
            industry = next((r[3] for r in new_rows if r[1] == "industry"), None)
            rows.extend(new_rows)
            if p.location and (p.location.get("district", district),
                               p.location.get("park", park)) != (district, park):
                self._move(eid, p, industry)
                continue
            name_ = p.name if p.name is not None else name
            kind_ = p.kind if p.kind is not None else kind
            if new_rows or name_ != name or kind_ != kind:
                touched.append({"i": eid, "n": name_, "k": kind_, "in": industry})
                report.entities_updated += 1
            else:
                report.entities_unchanged += 1
        if touched:
            self._touch(touched)
        return current

    def _current(self, ids: list[int]) -> dict[tuple[int, str, int], V.Stored]:
        """The stored value in force of every (entity, fact, year) of these entities (read
        with the driver: SQLite gives an exact number as its text). In the order of the
        index (entity, fact, year, id), the last row of each key wins: ordered by id alone,
        SQLite scans the whole table for a long list of entities."""
        out: dict[tuple[int, str, int], V.Stored] = {}
        for eid, fact, year, text, number in self._select(
                "entity_id, fact, year, value_text, value_number", "fact_value", "entity_id",
                ids, "ORDER BY entity_id, fact, year, id"):
            out[(eid, fact, year)] = (text, None if number is None else Decimal(number))
        return out

    def _select(self, columns: str, name: str, key: str, values: Sequence[Any],
                tail: str = "") -> Any:
        """The rows of a table whose ``key`` is one of ``values``, read with the driver
        (SQLAlchemy's expansion of thousands of parameters costs more than the query)."""
        if self.pg:
            where, params = "= ANY(%s)", (list(values),)
        else:
            where, params = f"IN ({', '.join(['?'] * len(values))})", tuple(values)
        return self.s.connection().exec_driver_sql(
            f"SELECT {columns} FROM {name} WHERE {key} {where} {tail}", params)

    def _touch(self, touched: list[dict[str, Any]]) -> None:
        """Name, kind, industry (if written) of changed entities; their revision is one more."""
        t = table(Entity)
        self.s.connection().execute(
            update(t).where(t.c.id == bindparam("i")).values(
                name=bindparam("n"), kind=bindparam("k"),
                industry=func.coalesce(bindparam("in", type_=String), t.c.industry),
                revision=t.c.revision + 1, updated_at=bindparam("at")),
            [{**row, "at": self.prov.at} for row in touched])

    def _move(self, eid: int, p: _Parsed, industry: str | None) -> None:
        """An entity registered somewhere else: its location history through the ORM."""
        e = self.s.get_one(Entity, eid)
        if p.name is not None:
            e.name = p.name
        if p.kind is not None:
            e.kind = p.kind
        if industry is not None:
            e.industry = industry
        E.move(self.s, e, p.location.get("district", e.district), p.location.get("park", e.park),
               china_date(self.prov.at), self.prov, correct_same_day=True)
        self.report.locations_changed += 1
        self.report.entities_updated += 1

    def _insert(self, name: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        conn: Connection = self.s.connection()
        if self.pg and name != "entity":
            # COPY: several times faster than inserts (entities are inserted, so that a
            # code created meanwhile by another writer is SQLAlchemy's IntegrityError)
            raw: Any = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(
                    f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            return
        marks = ", ".join([self.mark] * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",
                             rows)


def _bulk(s: Session, writer: _Writer, columns: Sequence[_Column],
          lock_after: int = 0) -> Bulk | None:
    """The bulk writer of the import (:mod:`.bulk`), on either database (None: rows one by
    one, as the tests compare them)."""
    prov = writer.prov
    return bulk_writer(s.connection(), [(c.key, c.year, c.number) for c in columns
                                       if c.convert is not None],
                      source=prov.source, batch_id=int(prov.batch_id or 0), at=writer.at,
                      day=writer.day, by=prov.by, lock_after=lock_after)


def _write_block(bulk: Bulk, writer: _Writer, columns: Sequence[_Column],
                 rows: list[tuple[Any, ...]], problems: _Problems) -> None:
    """Write checked rows (:mod:`.bulk`); the existing entities that change something go
    through :meth:`_Writer.write`."""
    codes = [r[1] for r in rows]
    if len(set(codes)) != len(codes):
        problems.repeated = next(c for c in codes if codes.count(c) > 1)
        return
    if not rows:
        return

    def nameless(lines: list[int]) -> None:
        for n in lines:
            problems.add(Problem(code="import.missing_name", file=problems.display, line=n,
                                 path=("name",), message=message("import.missing_name")))

    def careful(changed: list[tuple[Any, ...]]) -> None:
        writer.write([_parsed_of(columns, r) for r in changed], problems)

    report = writer.report
    created, unchanged, facts = bulk.write(rows, nameless, careful)
    report.entities_created += created
    report.entities_unchanged += unchanged
    report.facts_written += facts


def _fact_columns(columns: Sequence[_Column]) -> list[_Column]:
    return [c for c in columns if c.convert is not None]


def _row_of(columns: Sequence[_Column], p: _Parsed) -> tuple[Any, ...]:
    """A parsed row as :mod:`.bulk` takes it."""
    values = {(k, y): stored_text(v) for k, y, v in p.facts}
    return (p.row, p.code, p.name, p.location.get("district"), p.location.get("park"),
            p.kind, p.industry, *[values.get((c.key, c.year)) for c in _fact_columns(columns)])


def _parsed_of(columns: Sequence[_Column], row: tuple[Any, ...]) -> _Parsed:
    """A row of :mod:`.bulk` parsed again (the inverse of :func:`_row_of`)."""
    n, code, name, district, park, kind, industry = row[:7]
    location = {k: v for k, v in (("district", district), ("park", park)) if v is not None}
    facts: list[tuple[str, int, V.Stored]] = [
        (c.key, c.year, (None, Decimal(v)) if c.number else (v, None))
        for c, v in zip(_fact_columns(columns), row[7:], strict=True) if v is not None]
    return _Parsed(n, code, name, location, facts, kind, industry)


def _bound(conn: Connection, column: Any, value: Any) -> Any:
    """``value`` as SQLAlchemy binds it into ``column`` on this connection."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(value) if process is not None else value
