"""Import entities and their facts from a CSV or Excel file: all or nothing, streaming.

1. The header is mapped onto the fact catalogue (:mod:`huiqi.registry.columns`).
2. First pass: every row is checked — credit code, type, unit, range, enum values, names
   of new entities, codes repeated in the file — without writing anything. Any problem
   rejects the whole file with a report of each bad row, column and value (bilingual).
3. Second pass: the rows are read again and written in batches inside one transaction;
   an entity is found by its credit code (upsert) and a value is written only if it
   differs from the one in force, so importing the same file again changes nothing.

Memory stays bounded: one batch of rows at a time, plus 12 bytes per row to find codes
that appear twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, CreditCodeError, DataError, Problem
from huiqi.facts.catalogue import Catalogue
from huiqi.facts.credit_code import validate as validate_code
from huiqi.facts.enterprise import Enterprise
from huiqi.messages import message
from huiqi.store.database import Database, is_unique_violation
from huiqi.store.models import Entity, EntityLocation, FactValue, ImportBatch, table
from huiqi.text import Text

from . import changes as C
from . import entities as E
from .columns import Column, Mapping, cell_text, resolve
from .sheets import Limits, Sheet, check, open_rows

Progress = Callable[[str, int, float], None]
T = TypeVar("T")


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
    row: int
    code: str
    name: str | None
    location: dict[str, str]
    facts: list[tuple[str, int, Any]]


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
                limits: Limits | None = None) -> ImportReport:
    """Check then apply one file; raise :class:`DataError` (nothing written) on any problem."""
    display = display or path.name
    limits = limits or Limits()
    sheet = check(path, display, limits)
    mapping = mapping or Mapping()
    report = ImportReport(file=display, format=sheet.format, sha256=sha256_of(path),
                          source=mapping.source)
    columns = _check(db, cat, sheet, mapping, report, batch_rows, max_problems, progress,
                     limits.cell_chars)
    for attempt in (1, 2):
        try:
            return _apply(db, cat, sheet, columns, mapping, report, by=by, at=at,
                          batch_rows=batch_rows, progress=progress, audit=audit)
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
_COUNTS = ("entities_created", "entities_updated", "entities_unchanged", "facts_written",
           "locations_changed")


def _apply(db: Database, cat: Catalogue, sheet: Sheet, columns: list[Column], mapping: Mapping,
           report: ImportReport, *, by: str, at: dt.datetime, batch_rows: int,
           progress: Progress | None,
           audit: Callable[[Session, ImportReport], None] | None) -> ImportReport:
    """The write phase: one transaction, after any other that creates entities (so that
    two imports of the same new codes find each other's instead of colliding)."""
    try:
        with db.write(lock=E.LOCK) as s:
            batch = ImportBatch(file_name=sheet.display[:255], sha256=report.sha256,
                                format=sheet.format, source=mapping.source, rows=report.rows,
                                report={}, imported_at=at, imported_by=by)
            s.add(batch)
            s.flush()
            report.batch_id = batch.id
            prov = E.Provenance(source=mapping.source, by=by, at=at, batch_id=batch.id)
            done = 0
            with open_rows(sheet) as (_header, rows, share):
                for chunk in _chunks(rows, batch_rows):
                    _write(s, cat, [_parse(cat, columns, n, cells, None) for n, cells in chunk],
                           prov, report)
                    done += len(chunk)
                    s.flush()
                    s.expunge_all()
                    if progress:
                        progress("write", done, share())
            if not report.changed:
                raise _NothingChanged
            batch = s.get_one(ImportBatch, report.batch_id)
            batch.report = report.as_dict()
            if audit is not None:
                audit(s, report)
    except _NothingChanged:
        report.batch_id = None
    return report


def import_enterprises(db: Database, cat: Catalogue, items: Iterable[Enterprise], *, by: str,
                       at: dt.datetime, source: str, display: str, batch_rows: int = 5000,
                       progress: Progress | None = None,
                       audit: Callable[[Session, ImportReport], None] | None = None
                       ) -> ImportReport:
    """Store enterprises already typed (by a generator or a checked file), in one
    transaction, the same way as a file: upsert by credit code, changed values only."""
    report = ImportReport(file=display, format="objects", sha256="-", source=source)
    with db.write(lock=E.LOCK) as s:
        batch = ImportBatch(file_name=display[:255], sha256="-", format="objects",
                            source=source, rows=0, report={}, imported_at=at, imported_by=by)
        s.add(batch)
        s.flush()
        report.batch_id = batch.id
        prov = E.Provenance(source=source, by=by, at=at, batch_id=batch.id)
        done = 0
        for chunk in _chunks(iter(items), batch_rows):
            _write(s, cat, [_from_enterprise(e) for e in chunk], prov, report)
            done += len(chunk)
            report.rows = done
            s.flush()
            s.expunge_all()
            if progress:
                progress("write", done, 0.0)
        batch = s.get_one(ImportBatch, report.batch_id)
        batch.rows = report.rows
        batch.report = report.as_dict()
        if audit is not None:
            audit(s, report)
    return report


def _from_enterprise(e: Enterprise) -> _Parsed:
    location = {k: str(e.facts[k]) for k in E.LOCATION_FACTS if e.facts.get(k) is not None}
    facts = [(k, E.STATIC, v) for k, v in e.facts.items()
             if v is not None and k not in E.LOCATION_FACTS]
    facts += [(k, y, v) for y, row in sorted(e.years.items()) for k, v in row.items()
              if v is not None]
    return _Parsed(0, e.id, e.name or e.id, location, facts)


# --------------------------------------------------------------------------- checking

def _check(db: Database, cat: Catalogue, sheet: Sheet, mapping: Mapping, report: ImportReport,
           batch_rows: int, max_problems: int, progress: Progress | None,
           cell_chars: int) -> list[Column]:
    display = sheet.display
    problems: list[Problem] = []
    extra = [0]

    def add(p: Problem) -> None:
        if len(problems) < max_problems:
            problems.append(p)
        else:
            extra[0] += 1

    hashes: array[int] = array("Q")
    numbers: array[int] = array("L")
    nameless: list[tuple[int, str]] = []
    with open_rows(sheet) as (header, rows, share):
        bad_head = _bad_cells(1, header, header, cell_chars, display)
        if bad_head:
            raise DataError(bad_head, display)
        columns, head_problems = resolve(header, mapping, cat, display)
        report.columns = [c.header for c in columns if c.target != "ignore"]
        if head_problems:
            raise DataError(head_problems, display)
        width = len(header)
        for n, cells in rows:
            report.rows += 1
            if len(cells) > width and any(c not in (None, "") for c in cells[width:]):
                add(Problem(code="import.too_long", file=display, line=n,
                            message=message("import.too_long", row=n)))
            bad = _bad_cells(n, cells, header, cell_chars, display)
            if bad:  # a cell too long or with a NUL is not read further
                for p in bad:
                    add(p)
                continue
            parsed = _parse(cat, columns, n, cells, (add, display))
            if parsed is not None:
                hashes.append(int.from_bytes(hashlib.blake2b(
                    parsed.code.encode(), digest_size=8).digest(), "little"))
                numbers.append(n)
                if parsed.name is None:
                    nameless.append((n, parsed.code))
                    if len(nameless) >= batch_rows:
                        _check_names(db, nameless, add, display)
                        nameless = []
            if progress and report.rows % 10000 == 0:
                progress("check", report.rows, share())
    _check_names(db, nameless, add, display)
    _check_duplicates(sheet, columns, hashes, numbers, add)
    if progress:
        progress("check", report.rows, 1.0)
    if problems:
        if extra[0]:
            problems.append(Problem(code="import.more_problems", file=display,
                                    message=message("import.more_problems", count=extra[0])))
        raise ImportRejected(problems, display, len(problems) - (1 if extra[0] else 0) + extra[0])
    return columns


def _bad_cells(n: int, cells: Sequence[Any], header: Sequence[str], cell_chars: int,
               display: str) -> list[Problem]:
    """A cell longer than a cell may be, or with a NUL character (which no database stores
    alike): one problem each. Quick when there is none (the usual row)."""
    texts = [c for c in cells if isinstance(c, str)]
    if not texts or (max(map(len, texts)) <= cell_chars and "\0" not in "".join(texts)):
        return []
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


def _parse(cat: Catalogue, columns: list[Column], n: int, cells: list[Any],
           check: tuple[Callable[[Problem], None], str] | None) -> _Parsed | None:
    """One row as typed values; with ``check``, report each problem instead of raising."""
    def cell(c: Column) -> Any:
        return cells[c.index] if c.index < len(cells) else None

    def bad(c: Column, value: Any, reason: Text, code: str = "import.bad_value") -> None:
        assert check is not None
        add, display = check
        add(Problem(code=code, file=display, line=n, column=c.index + 1,
                    snippet=cell_text(value), path=(c.header,),
                    message=message(code, column=c.header, value=cell_text(value),
                                    reason_zh=reason.zh, reason_en=reason.en)))

    ok = True
    code: str | None = None
    name: str | None = None
    location: dict[str, str] = {}
    facts: list[tuple[str, int, Any]] = []
    for c in columns:
        raw = cell(c)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, ""):
            if c.target == "id" and check is not None:
                assert check is not None
                check[0](Problem(code="import.missing_id", file=check[1], line=n,
                                 column=c.index + 1, path=(c.header,),
                                 message=message("import.missing_id")))
                ok = False
            continue
        if c.target == "id":
            try:
                code = validate_code(str(raw))
            except CreditCodeError as exc:
                if check is None:
                    raise
                bad(c, raw, Text(exc.reason.zh, exc.reason.en) if exc.position is None else
                    Text(f"第 {exc.position} 位:{exc.reason.zh}",
                         f"position {exc.position}: {exc.reason.en}"))
                ok = False
        elif c.target == "name":
            name = str(raw)[:200]
        elif c.target == "location":
            location[c.fact or ""] = str(raw)[:100]
        elif c.target == "fact":
            f = cat.facts[c.fact or ""]
            try:
                value = json.loads(raw) if f.kind == "records" and isinstance(raw, str) else raw
                facts.append((f.id, c.year, cat.coerce(f, value)))
            except json.JSONDecodeError as exc:
                if check is None:
                    raise
                bad(c, raw, Text(f"不是有效的 JSON:{exc.msg}", f"not valid JSON: {exc.msg}"))
                ok = False
            except ValueError as exc:
                if check is None:
                    raise
                reason = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else \
                    Text(str(exc), str(exc))
                bad(c, raw, reason)
                ok = False
    if not ok or code is None:
        return None
    return _Parsed(n, code, name, location, facts)


def _check_names(db: Database, nameless: list[tuple[int, str]],
                 add: Callable[[Problem], None], display: str) -> None:
    if not nameless:
        return
    with db.read() as s:
        known = set(s.scalars(select(Entity.credit_code).where(
            Entity.credit_code.in_({c for _, c in nameless}))))
    for n, code in nameless:
        if code not in known:
            add(Problem(code="import.missing_name", file=display, line=n, path=("name",),
                        message=message("import.missing_name")))


def _check_duplicates(sheet: Sheet, columns: list[Column], hashes: array[int],
                      numbers: array[int], add: Callable[[Problem], None]) -> None:
    """Report every code that appears on two rows (found by sorting 64-bit hashes)."""
    if len(hashes) < 2:
        return
    import numpy as np

    h = np.frombuffer(hashes, dtype=np.uint64)
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

def _chunks(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(s: Session, cat: Catalogue, parsed: Sequence[_Parsed | None], prov: E.Provenance,
           report: ImportReport) -> None:
    """Write one batch: new entities, their locations and all changed facts each in one
    multi-row statement; existing entities updated in place."""
    items = [p for p in parsed if p is not None]
    existing = {e.credit_code: e for e in s.scalars(
        select(Entity).where(Entity.credit_code.in_([p.code for p in items])))}
    current = E.latest_values(s, [e.id for e in existing.values()])
    fresh = [p for p in items if p.code not in existing]
    ids: dict[str, int] = {}
    if fresh:
        rows = [{"credit_code": p.code, "name": p.name or p.code, "kind": _kind(p),
                 "district": p.location.get("district"), "park": p.location.get("park"),
                 "industry": next((str(v) for f, _, v in p.facts if f == "industry"), None),
                 "revision": 1, "created_at": prov.at, "updated_at": prov.at} for p in fresh]
        ids = {code: eid for eid, code in s.execute(
            insert(Entity).returning(Entity.id, Entity.credit_code), rows)}
        places = [{"entity_id": ids[p.code], "district": p.location.get("district"),
                   "park": p.location.get("park"), "valid_from": prov.at.date(),
                   "valid_to": None, "batch_id": prov.batch_id, "recorded_at": prov.at,
                   "recorded_by": prov.by} for p in fresh if p.location]
        if places:
            s.execute(table(EntityLocation).insert(), places)
    fact_rows: list[dict[str, Any]] = []
    for p in fresh:
        rows_, _, _ = E.fact_rows(cat, ids[p.code], p.facts, prov, {})
        fact_rows.extend(rows_)
        report.entities_created += 1
    for p in items:
        e = existing.get(p.code)
        if e is None:
            continue
        changed = False
        if p.name is not None and p.name != e.name:
            e.name = p.name
            changed = True
        kind = _kind(p)
        if kind != e.kind and any(f == "entity_kind" for f, _, _ in p.facts):
            e.kind = kind
            changed = True
        if p.location:
            district = p.location.get("district", e.district)
            park = p.location.get("park", e.park)
            if E.move(s, e, district, park, prov.at.date(), prov, correct_same_day=True):
                report.locations_changed += 1
                changed = True
        rows_, _, industry = E.fact_rows(cat, e.id, p.facts, prov, current[e.id])
        if industry is not None:
            e.industry = industry
        fact_rows.extend(rows_)
        if changed or rows_:
            E.touch(e, prov.at)
            report.entities_updated += 1
        else:
            report.entities_unchanged += 1
    if fact_rows:
        s.execute(table(FactValue).insert(), fact_rows)
        C.mark(s, fact_rows, current, new=ids.values())
    report.facts_written += len(fact_rows)


def _kind(p: _Parsed) -> str:
    for fact, _year, value in p.facts:
        if fact == "entity_kind":
            return str(value)
    return "enterprise"
