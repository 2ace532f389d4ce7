"""The bulk writer of imports (registry.bulk): used on SQLite and PostgreSQL alike, and the
same file leaves the same rows on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from huiqi.errors import Conflict, DataError
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.credit_code import make
from huiqi.registry import bulk as B
from huiqi.registry.imports import import_file
from huiqi.service import imports
from huiqi.service.context import Platform
from huiqi.store.database import Database
from huiqi.store.models import Entity, EntityLocation, FactValue, ImportBatch
from service_fixtures import BACKENDS, Backend, Clock, make_settings, new_backend

HEADER = "id,name,district,park,industry,registration_date,revenue@2024,rd_expense@2024," \
    "staff_total@2024"


def _code(i: int) -> str:
    return make("9", "1", "370212", f"MK{i:06d}")


#: numbers written in several ways (their exact text is kept), empty cells, 120 rows
_NUMBERS = ["12000000.50", "0.10", "7", "1e3", "\"12,000,000.5\"", "3000000.00", "0"]


def _rows(n: int = 120) -> list[str]:
    return [f"{_code(i)},公司{i},{'崂山区' if i % 3 else ''},{'青岛高新区' if i % 4 else ''},"
            f"{'集成电路' if i % 2 else 'other'},{'2019-05-01' if i % 5 else ''},"
            f"{_NUMBERS[i % len(_NUMBERS)]},{'' if i % 5 == 0 else i * 10},"
            f"{'35.0' if i % 7 == 0 else ('007' if i % 7 == 1 else '')}"
            for i in range(n)]


def _changed(rows: list[str]) -> list[str]:
    """A re-import: some rows change a number, a name, a place; one written as before
    differently (1.0 for 1); a new entity; the rest the same."""
    out = list(rows)
    out[3] = out[3].replace("公司3", "公司3(更名)")
    out[14] = out[14].replace(",12000000.50,", ",12500000,")
    out[4] = out[4].replace("崂山区", "黄岛区")
    out[22] = out[22].replace(",0.10,", ",0.1,")
    out[51] = out[51].replace(",510,", ",,")   # an empty cell: the value in force stays
    out.append(f"{_code(999)},新公司,崂山区,,other,,7,,")
    return out


def _write(tmp: Path, rows: list[str], name: str) -> Path:
    p = tmp / name
    p.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def _plain(v: Any) -> Any:
    """A cell as both databases' drivers give it (SQLite: exact numbers and dates as text)."""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _tables(db: Database) -> list[list[tuple[Any, ...]]]:
    with db.read() as s:
        run = s.connection().exec_driver_sql
        return [[tuple(map(_plain, r)) for r in run(q)] for q in (
            "SELECT credit_code, name, kind, district, park, industry, revision FROM entity "
            "ORDER BY id",
            "SELECT e.credit_code, f.fact, f.year, f.value_text, f.value_number, f.source, "
            "f.recorded_by FROM fact_value f JOIN entity e ON e.id = f.entity_id ORDER BY f.id",
            "SELECT e.credit_code, l.district, l.park, l.valid_from, l.valid_to, l.recorded_by "
            "FROM entity_location l JOIN entity e ON e.id = l.entity_id ORDER BY l.id",
            "SELECT e.credit_code, c.before, c.source FROM fact_change c "
            "JOIN entity e ON e.id = c.entity_id ORDER BY c.id")]


def _import_twice(db: Database, tmp: Path) -> tuple[list[dict[str, Any]],
                                                    list[list[tuple[Any, ...]]]]:
    clock = Clock()
    ctx = Platform(db, make_settings(import_batch_rows=25), clock).system()
    rows = _rows()
    reports = [imports.run(ctx, _write(tmp, rows, "first.csv"))]
    clock.advance(days=1)
    reports.append(imports.run(ctx, _write(tmp, _changed(rows), "again.csv")))
    return [r.model_dump(exclude={"id", "imported_at"}) for r in reports], _tables(db)


@pytest.fixture
def both(backends: dict[str, Backend], tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, Database]]:
    """The session's SQLite and PostgreSQL databases, each inside a transaction rolled back
    after the test (PostgreSQL missing: skipped, as the usual fixture does)."""
    opened: list[tuple[Connection, Any]] = []
    out: dict[str, Database] = {}
    try:
        for name in BACKENDS:
            if name not in backends:
                b = new_backend(name, tmp_path_factory.mktemp("db"), "test")
                Database(b.engine).upgrade()
                backends[name] = b
            conn = backends[name].engine.connect()
            opened.append((conn, conn.begin()))
            out[name] = Database(conn)
        yield out
    finally:
        for conn, trans in opened:
            trans.rollback()
            conn.close()


def test_the_same_files_leave_the_same_rows_on_sqlite_and_postgresql(
        both: dict[str, Database], tmp_path: Path) -> None:
    """A first import and a re-import that changes some rows, on each database: the same
    reports and the same entities, facts (numbers to their exact text), places and
    ``fact_change`` rows, in the same order."""
    sqlite = _import_twice(both["sqlite"], tmp_path)
    postgresql = _import_twice(both["postgresql"], tmp_path)
    assert sqlite[0] == postgresql[0]
    assert [(r["entities_created"], r["entities_updated"], r["entities_unchanged"],
             r["locations_changed"]) for r in sqlite[0]] == [(120, 0, 0, 0), (1, 3, 117, 1)]
    for table, (a, b) in enumerate(zip(sqlite[1], postgresql[1], strict=True)):
        assert (table, a) == (table, b)
    revenue = {r[4] for r in sqlite[1][1] if r[1] == "revenue"}
    assert {"12000000.50", "0.10", "1000", "12000000.5", "3000000.00", "0"} <= revenue


@pytest.mark.parametrize("again", [False, True], ids=["first import", "re-import"])
def test_an_import_is_written_by_the_bulk_writer_of_its_database(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, again: bool) -> None:
    """On PostgreSQL as on SQLite the checked blocks go through registry.bulk (not the
    row-by-row writer): every batch of a first import, and of an unchanged re-import."""
    assert isinstance(db.bind, Connection)
    expected = B.PostgresBulk if db.bind.dialect.name == "postgresql" else B.SqliteBulk
    path = _write(tmp_path, _rows(), "firms.csv")
    if again:
        import_file(db, default_catalogue(), path, by="t", at=Clock().now, batch_rows=25)
    calls: list[tuple[type, int]] = []
    write = B.Bulk.write

    def spy(self: B.Bulk, rows: Any, *args: Any) -> tuple[int, int, int]:
        calls.append((type(self), len(rows)))
        return write(self, rows, *args)

    monkeypatch.setattr(B.Bulk, "write", spy)
    report = import_file(db, default_catalogue(), path, by="t", at=Clock().now, batch_rows=25)
    assert calls == [(expected, 25)] * 4 + [(expected, 20)]
    assert (report.entities_created, report.entities_unchanged) == ((0, 120) if again
                                                                     else (120, 0))


def _counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0
                     for t in (Entity, FactValue, EntityLocation, ImportBatch))


def test_a_new_code_without_a_name_in_a_late_batch_changes_nothing(db: Database,
                                                                   tmp_path: Path) -> None:
    """The bulk writer finds a new code without a name in the fifth batch, after four were
    written: the problem keeps its line, and nothing of the file is kept."""
    import_file(db, default_catalogue(), _write(tmp_path, _rows(10), "first.csv"), by="t",
                at=Clock().now)
    before = _counts(db)
    rows = _rows()
    rows[110] = f"{make('9', '1', '370212', 'MF000001')},,,,,,,,"
    with pytest.raises(DataError) as exc:
        import_file(db, default_catalogue(), _write(tmp_path, rows, "late.csv"), by="t",
                    at=Clock().now, batch_rows=25)
    assert [(p.code, p.line) for p in exc.value.problems] == [("import.missing_name", 112)]
    assert _counts(db) == before


def test_numbers_keep_their_exact_text_and_empty_cells_write_nothing(db: Database,
                                                                     tmp_path: Path) -> None:
    report = import_file(db, default_catalogue(), _write(tmp_path, _rows(14), "n.csv"),
                         by="t", at=Clock().now)
    with db.read() as s:
        got = {(code, fact): number for code, fact, number in s.execute(
            select(Entity.credit_code, FactValue.fact, FactValue.value_number).join(
                Entity, Entity.id == FactValue.entity_id))}
    assert [format(got[(_code(i), "revenue")], "f") for i in range(7)] == [
        "12000000.50", "0.10", "7", "1000", "12000000.5", "3000000.00", "0"]
    assert [got.get((_code(i), "staff_total")) for i in (0, 1, 2, 7, 8)] == [
        Decimal(35), Decimal(7), None, Decimal(35), Decimal(7)]
    assert (_code(0), "rd_expense") not in got and (_code(0), "registration_date") not in got
    assert report.facts_written == len(got)


def test_cells_with_tabs_quotes_and_backslashes_and_a_file_of_names_only(
        db: Database, tmp_path: Path) -> None:
    """What COPY would read differently (a tab, a backslash, a quote, ``\\N``) is stored as
    written; a file with no fact column creates its entities all the same."""
    p = tmp_path / "names.csv"
    names = ['甲\t乙', 'C:\\temp\\公司', '"引号"公司', '\\N', '公司 , 逗号']
    p.write_text("id,name\n" + "".join(
        f'{_code(i)},"{n.replace(chr(34), chr(34) * 2)}"\n' for i, n in enumerate(names)),
        encoding="utf-8")
    report = import_file(db, default_catalogue(), p, by="t", at=Clock().now)
    assert (report.entities_created, report.facts_written) == (5, 0)
    with db.read() as s:
        got = {code: name for code, name in s.execute(select(Entity.credit_code, Entity.name))}
    assert [got[_code(i)] for i in range(len(names))] == names
    again = import_file(db, default_catalogue(), p, by="t", at=Clock().now)
    assert (again.changed, again.entities_unchanged) == (False, 5)


# ---- a large import on PostgreSQL: the foreign keys checked once, at the end

def _keys(db: Database) -> list[tuple[Any, ...]]:
    """The foreign keys of every table as SQLAlchemy (and so Alembic) reflects them, with
    whether PostgreSQL holds each as checked; and their identities (an ``oid`` is new when a
    key was dropped and added back)."""
    from sqlalchemy import inspect

    with db.read() as s:
        conn = s.connection()
        insp = inspect(conn)
        reflected = [(t, sorted((k["name"], tuple(k["constrained_columns"]), k["referred_table"],
                                 tuple(k["referred_columns"]), tuple(sorted(k["options"].items())))
                                for k in insp.get_foreign_keys(t)))
                     for t in sorted(insp.get_table_names())]
        checked = sorted(conn.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated, "
            "oid FROM pg_constraint WHERE contype = 'f' AND connamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())").all())
    return [*reflected, *checked]


def _oids(keys: list[tuple[Any, ...]]) -> dict[str, int]:
    return {k[1]: k[4] for k in keys if len(k) == 5}


def _without_oids(keys: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [k[:4] if len(k) == 5 else k for k in keys]


#: the secondary indexes a large first import builds at its end
_SECONDARY = {"ix_entity_district", "ix_entity_industry", "ix_entity_kind",
              "ix_entity_location_entity_id", "ix_fact_change_entity_id", "ix_fact_value_key"}


def _indexes(db: Database) -> dict[str, tuple[str, int, bool]]:
    """The indexes of the entities and their facts' tables: name → (definition, identity,
    valid)."""
    with db.read() as s:
        return {str(n): (str(d), int(oid), bool(ok)) for n, d, oid, ok in
                s.connection().exec_driver_sql(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indexrelid, x.indisvalid "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = ANY "
            "(CAST(%s AS regclass[]))", (["entity", *B.REFERENCING],))}


def _import_twice_at(db: Database, tmp: Path, lock_after: int) -> tuple[
        list[dict[str, Any]], list[list[tuple[Any, ...]]]]:
    clock = Clock()
    ctx = Platform(db, make_settings(import_batch_rows=25, import_lock_after_rows=lock_after),
                   clock).system()
    rows = _rows()
    reports = [imports.run(ctx, _write(tmp, rows, "first.csv"))]
    clock.advance(days=1)
    reports.append(imports.run(ctx, _write(tmp, _changed(rows), "again.csv")))
    return [r.model_dump(exclude={"id", "imported_at"}) for r in reports], _tables(db)


def test_a_large_import_on_postgresql_leaves_the_rows_and_keys_of_a_checked_one(
        both: dict[str, Database], tmp_path: Path) -> None:
    """The same two files imported with the foreign keys checked row by row, and with them
    dropped after the first batch and added back at the end: the same reports and rows; the
    keys are new ones (dropped and added back) with the same names, definitions and columns
    as reflected, all checked."""
    db = both["postgresql"]
    assert isinstance(db.bind, Connection)
    before, indexes = _keys(db), _indexes(db)
    assert set(indexes) > _SECONDARY
    with db.read() as s:  # (a first import: its secondary indexes are built at its end)
        assert not s.scalar(select(func.count()).select_from(FactValue))
    plain = db.bind.begin_nested()
    checked = _import_twice_at(db, tmp_path, 0)
    assert _keys(db) == before  # (untouched)
    assert _indexes(db) == indexes
    plain.rollback()
    fast = _import_twice_at(db, tmp_path, 30)
    assert fast == checked
    # the same indexes, valid; the secondary ones built again, the others untouched
    after = _indexes(db)
    assert {n: v[::2] for n, v in after.items()} == {n: v[::2] for n, v in indexes.items()}
    assert {n for n in after if after[n][1] != indexes[n][1]} == _SECONDARY
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from huiqi.store.models import Base

    # Alembic's comparison with the models finds no foreign key to add or remove
    diff = compare_metadata(MigrationContext.configure(db.bind), Base.metadata)
    assert [d for d in diff if "fk" in str(d[0])] == [], [d[0] for d in diff]
    after = _keys(db)
    assert _without_oids(after) == _without_oids(before)
    moved = {n for n, oid in _oids(after).items() if _oids(before)[n] != oid}
    assert moved == {"fk_fact_value_entity_id_entity", "fk_fact_value_batch_id_import_batch",
                     "fk_entity_location_entity_id_entity",
                     "fk_entity_location_batch_id_import_batch",
                     "fk_fact_change_entity_id_entity"}


def test_a_bad_row_after_the_keys_are_dropped_leaves_nothing_and_the_keys(
        both: dict[str, Database], tmp_path: Path) -> None:
    """A bad value in the fifth batch, after four were written without row-by-row checks:
    the problem keeps its line, nothing of the file is kept, and the foreign keys are the
    ones before (the same identities: the drop was rolled back)."""
    db = both["postgresql"]
    import_file(db, default_catalogue(), _write(tmp_path, _rows(10), "first.csv"), by="t",
                at=Clock().now)
    before, counts = _keys(db), _counts(db)
    rows = _rows()
    rows[110] = f"{_code(110)},公司110,崂山区,,other,,abc,,"
    with pytest.raises(DataError) as exc:
        import_file(db, default_catalogue(), _write(tmp_path, rows, "late.csv"), by="t",
                    at=Clock().now, batch_rows=25, lock_after=1)
    assert [(p.code, p.line) for p in exc.value.problems] == [("import.bad_value", 112)]
    assert _counts(db) == counts
    assert _keys(db) == before


def test_a_row_that_refers_to_nothing_is_named_and_nothing_is_kept(
        both: dict[str, Database]) -> None:
    """The keys dropped, a fact of no entity written meanwhile: adding the keys back refuses
    it with a bilingual message naming the table, column and value; rolled back, the keys
    are the ones before."""
    db = both["postgresql"]
    before = _keys(db)
    with pytest.raises(Conflict) as exc, db.write() as s:
        conn = s.connection()
        batch = ImportBatch(file_name="f.csv", sha256="0" * 64, format="csv", source="import",
                            rows=0, report={}, imported_at=Clock().now, imported_by="t")
        s.add(batch)
        s.flush()
        bulk = B.bulk_writer(conn, [("revenue", 2024, True)], source="import",
                             batch_id=batch.id, at=Clock().now, day=dt.date(2025, 6, 1),
                             by="t", lock_after=1)
        created = bulk.write([(2, _code(1), "公司", None, None, None, None, "10")],
                             pytest.fail, pytest.fail)
        assert created == (1, 0, 1)
        conn.exec_driver_sql(
            "INSERT INTO fact_value (entity_id, fact, year, value_number, source, batch_id, "
            "recorded_at, recorded_by) VALUES (-7, 'revenue', 2024, 1, 'import', %s, now(), "
            "'t')", (batch.id,))
        bulk.close()
        bulk.finish()
    assert exc.value.reason == "import.reference"
    assert "fact_value" in exc.value.message("zh") and "entity_id = -7" in exc.value.message("zh")
    assert "refers to no row of entity (entity_id = -7)" in exc.value.message("en")
    assert _keys(db) == before
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Entity).where(
            Entity.credit_code == _code(1))) == 0


def test_a_large_import_that_cannot_lock_in_time_checks_row_by_row(
        both: dict[str, Database], backends: dict[str, Backend], tmp_path: Path) -> None:
    """Another transaction reads the entities: the import does not wait for it more than the
    lock timeout, and writes its rows checked row by row (its keys never dropped)."""
    import time

    db = both["postgresql"]
    before = _keys(db)
    with backends["postgresql"].engine.connect() as reader:
        reader.exec_driver_sql("SELECT count(*) FROM entity").scalar_one()  # (holds its lock)
        t = time.perf_counter()
        report = import_file(db, default_catalogue(), _write(tmp_path, _rows(), "f.csv"),
                             by="t", at=Clock().now, batch_rows=25, lock_after=1)
        waited = time.perf_counter() - t
        reader.rollback()
    assert (report.entities_created, report.facts_written) == (120, 467)
    assert _counts(db)[:2] == (120, 467)
    assert _keys(db) == before
    assert waited >= 2.0


def test_a_large_import_into_tables_with_rows_keeps_their_indexes(
        both: dict[str, Database], tmp_path: Path) -> None:
    """Tables that held rows when the import began keep their secondary indexes (building
    them again would read every earlier row); the foreign keys are still checked at the
    end."""
    db = both["postgresql"]
    import_file(db, default_catalogue(), _write(tmp_path, _rows(10), "first.csv"), by="t",
                at=Clock().now)
    indexes, keys = _indexes(db), _keys(db)
    rows = [r.replace(",公司", ",企业") for r in _rows(120)[10:]]
    report = import_file(db, default_catalogue(), _write(tmp_path, rows, "more.csv"),
                         by="t", at=Clock().now, batch_rows=25, lock_after=1)
    assert report.entities_created == 110
    assert _indexes(db) == indexes
    assert _oids(_keys(db)) != _oids(keys)  # (dropped and added back)


def test_a_code_repeated_in_a_later_batch_after_the_indexes_are_dropped(
        both: dict[str, Database], tmp_path: Path) -> None:
    """A first import whose indexes are dropped meets, in a later batch, a code it has
    already written: the indexes are built again before its facts are compared, the file is
    refused for the repeated code, and nothing is kept (the indexes as they were)."""
    db = both["postgresql"]
    indexes, keys, counts = _indexes(db), _keys(db), _counts(db)
    rows = _rows()
    rows[100] = rows[3]
    built: list[int] = []
    real = B.PostgresBulk._build_indexes

    def build(self: B.PostgresBulk) -> None:
        built.append(len(self.indexes or ()))
        real(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(B.PostgresBulk, "_build_indexes", build)
        with pytest.raises(DataError) as exc:
            import_file(db, default_catalogue(), _write(tmp_path, rows, "twice.csv"), by="t",
                        at=Clock().now, batch_rows=25, lock_after=1)
    assert built[0] == len(_SECONDARY)  # (before the comparison, in the fifth batch)
    assert {p.code for p in exc.value.problems} == {"import.duplicate_row"}
    assert (_indexes(db), _keys(db), _counts(db)) == (indexes, keys, counts)
