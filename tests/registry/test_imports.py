"""Imports from CSV and Excel: every bad row reported, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from huiqi.errors import DataError
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.credit_code import make
from huiqi.registry.columns import read_mapping
from huiqi.registry.imports import column_converter, converter, import_file, stored_text
from huiqi.registry.values import encode
from huiqi.service import enterprises, imports
from huiqi.service.context import Context
from huiqi.store.database import Database
from huiqi.store.models import AuditEntry, Entity, EntityLocation, FactValue, ImportBatch
from service_fixtures import Clock

C1 = make("9", "1", "370212", "MA3C4X51")
C2 = make("9", "1", "370212", "MA3C4X52")
C3 = make("9", "2", "370212", "MA3C4X53")  # an individual business (个体工商户)
HEADER = "id,name,district,park,industry,registration_date,revenue@2024,rd_expense@2024,staff_total@2024"
GOOD = f"""{HEADER}
{C1},青岛海纳微电子有限公司,崂山区,青岛高新区,集成电路,2019-05-01,12000000.50,900000,120
{C2},青岛蓝谷新材料有限公司,即墨区,青岛蓝谷,new_materials,2021-03-15,3000000,,35
{C3},李记电子维修部,城阳区,,other,2022-11-01,,,
"""


def write(tmp: Path, text: str, name: str = "firms.csv") -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0 for t in (
            Entity, FactValue, EntityLocation, ImportBatch, AuditEntry))


def test_a_good_csv_file(tmp_path: Path, system: Context, db: Database) -> None:
    report = imports.run(system, write(tmp_path, GOOD))
    assert (report.rows, report.entities_created, report.facts_written) == (3, 3, 11)
    assert report.changed and report.id is not None
    e = enterprises.get(system, C1)
    assert (e.name, e.district, e.park, e.industry) == ("青岛海纳微电子有限公司", "崂山区", "青岛高新区",
                                                        "integrated_circuits")
    facts = {(f.fact, f.year): f for f in enterprises.facts(system, C1)}
    assert facts[("revenue", 2024)].value == "12000000.5"
    assert facts[("staff_total", 2024)].value == "120"
    assert {f.batch_id for f in facts.values()} == {report.id}  # provenance: the file, by whom
    assert imports.get(system, report.id).file == "firms.csv"
    assert imports.get(system, report.id).imported_by == "system"
    # an empty cell is missing, never 0
    assert ("rd_expense", 2024) not in {(f.fact, f.year) for f in enterprises.facts(system, C2)}


def test_a_good_xlsx_file(tmp_path: Path, system: Context) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "registration_date", "revenue@2024", "national_market_share",
               "resident_enterprise"])
    ws.append([C1, "青岛海纳微电子有限公司", dt.datetime(2019, 5, 1), 12000000.5, 0.125, "是"])
    ws.append([C2, "青岛蓝谷新材料有限公司", dt.date(2021, 3, 15), 3000000, None, False])
    path = tmp_path / "firms.xlsx"
    wb.save(path)
    report = imports.run(system, path)
    assert (report.format, report.entities_created, report.facts_written) == ("xlsx", 2, 7)
    facts = {(f.fact, f.year): f.value for f in enterprises.facts(system, C1)}
    assert facts[("revenue", 2024)] == "12000000.5"  # exact, not 12000000.499999…
    assert facts[("national_market_share", None)] == "0.125"
    assert facts[("registration_date", None)] == "2019-05-01"
    assert facts[("resident_enterprise", None)] is True


BAD_ROWS = [
    # (what, a line, row, column, the value shown, words of the reason)
    ("bad credit code", f"{C1[:-1]}0,某公司,,,,,,,", "id", f"{C1[:-1]}0", "校验位"),
    ("bad type", f"{C1},某公司,,,,,一千万,,", "revenue@2024", "一千万", "不是数字"),
    ("out of range", f"{C1},某公司,,,,,-5,,", "revenue@2024", "-5", "小于下限"),
    ("money too large", f"{C1},某公司,,,,,1e30,,", "revenue@2024", "1e30", "过大"),
    ("not whole", f"{C1},某公司,,,,,,,3.5", "staff_total@2024", "3.5", "须为整数"),
    ("bad enum value", f"{C1},某公司,,,造船,,,,", "industry", "造船", "不是允许的取值"),
    ("bad date", f"{C1},某公司,,,,2019-13-01,,,", "registration_date", "2019-13-01", "不是日期"),
    ("missing id", ",某公司,,,,,,,", "id", "", "缺少统一社会信用代码"),
    ("new entity without a name", f"{C1},,,,,,,,", "name", "", "新主体须有名称"),
]


@pytest.mark.parametrize(("what", "line", "column", "value", "words"), BAD_ROWS,
                         ids=[b[0] for b in BAD_ROWS])
def test_each_kind_of_bad_row(tmp_path: Path, system: Context, db: Database, what: str,
                              line: str, column: str, value: str, words: str) -> None:
    before = counts(db)
    with pytest.raises(DataError) as exc:
        imports.run(system, write(tmp_path, f"{HEADER}\n{line}\n"))
    [p] = exc.value.problems
    assert p.line == 2
    assert p.file == "firms.csv"
    if column != "name":
        assert p.column == HEADER.split(",").index(column) + 1
        assert (p.snippet or "") == value
    assert words in p.message.zh, p.message.zh
    assert p.message.en and p.message.en != p.message.zh
    assert "未导入任何数据" in exc.value.message("zh") and "nothing was imported" in \
        exc.value.message("en")
    assert counts(db) == before


def test_an_unknown_column_is_reported_with_a_suggestion(tmp_path: Path, system: Context) -> None:
    with pytest.raises(DataError) as exc:
        imports.run(system, write(tmp_path, f"id,name,revenu@2024,revenue,备注\n{C1},x,1,1,y\n"))
    probs = exc.value.problems
    assert [(p.code, p.column, p.snippet) for p in probs] == [
        ("import.unknown_column", 3, "revenu@2024"), ("import.unknown_column", 4, "revenue"),
        ("import.unknown_column", 5, "备注")]
    assert probs[0].hint is not None and "revenue" in probs[0].hint.zh


def test_a_mapping_file_renames_and_ignores_columns(tmp_path: Path, system: Context) -> None:
    mapping = read_mapping(write(tmp_path, """
source: tax
columns:
  统一社会信用代码: id
  企业名称: name
  2024年营业收入(元): revenue@2024
  备注: ~
""", "mapping.yaml"))
    report = imports.run(system, write(tmp_path, "统一社会信用代码,企业名称,2024年营业收入(元),备注\n"
                                       f"{C1},青岛海纳,5000000,随便写\n"), mapping=mapping)
    assert report.source == "tax" and report.columns == ["统一社会信用代码", "企业名称",
                                                         "2024年营业收入(元)"]
    [f] = enterprises.facts(system, C1)
    assert (f.fact, f.year, f.value, f.source) == ("revenue", 2024, "5000000", "tax")


def test_every_bad_row_is_listed(tmp_path: Path, system: Context) -> None:
    text = HEADER + "\n" + "\n".join(f"{line}" for _, line, *_ in BAD_ROWS) + "\n"
    with pytest.raises(DataError) as exc:
        imports.run(system, write(tmp_path, text))
    assert [p.line for p in exc.value.problems] == list(range(2, 2 + len(BAD_ROWS)))


def test_a_code_twice_in_one_file(tmp_path: Path, system: Context) -> None:
    rows = "\n".join(f"{make('9', '1', '370212', f'MA3C{i:04d}')},公司{i},,,,,,," for i in range(50))
    with pytest.raises(DataError) as exc:
        imports.run(system, write(tmp_path, f"{HEADER}\n{rows}\n{C1},甲,,,,,,,\n"
                                            f"{C1.lower()},乙,,,,,,,\n"))
    [p] = exc.value.problems
    assert (p.code, p.line) == ("import.duplicate_row", 53)
    assert "第 52 行已出现" in p.message.zh


def test_a_file_that_fails_on_its_last_row_changes_nothing(tmp_path: Path, system: Context,
                                                           db: Database) -> None:
    imports.run(system, write(tmp_path, GOOD, "first.csv"))
    before = counts(db)
    rows = [f"{make('9', '1', '370212', f'MB{i:06d}')},公司{i},崂山区,,other,,{i},," for i in range(300)]
    rows[10] = f"{C1},青岛海纳微电子有限公司,黄岛区,,,,99999999,,"  # would move and change C1
    rows.append(f"{C2},青岛蓝谷新材料有限公司,,,,,不是数字,,")
    with pytest.raises(DataError) as exc:
        imports.run(system, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    assert [p.line for p in exc.value.problems] == [302]
    assert counts(db) == before
    assert enterprises.get(system, C1).district == "崂山区"


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path, system: Context,
                                                   db: Database) -> None:
    path = write(tmp_path, GOOD)
    first = imports.run(system, path)
    before = counts(db)
    again = imports.run(system, path)
    assert not again.changed and again.id is None
    assert (again.entities_created, again.entities_updated, again.entities_unchanged,
            again.facts_written) == (0, 0, 3, 0)
    assert counts(db) == before  # no new facts, no new provenance, no audit entry
    assert imports.list_imports(system).total == 1 and first.id is not None


def test_a_changed_file_writes_only_what_changed(tmp_path: Path, system: Context,
                                                 clock: Clock) -> None:
    imports.run(system, write(tmp_path, GOOD))
    clock.advance(days=30)
    changed = GOOD.replace("12000000.50", "12500000").replace("即墨区,青岛蓝谷", "黄岛区,青岛西海岸新区")
    report = imports.run(system, write(tmp_path, changed, "firms-2.csv"))
    assert (report.entities_updated, report.entities_unchanged, report.facts_written,
            report.locations_changed) == (2, 1, 1, 1)
    hist = [f.value for f in enterprises.facts(system, C1, history=True) if f.fact == "revenue"]
    assert hist == ["12000000.5", "12500000"]
    assert [x.district for x in enterprises.locations(system, C2)] == ["即墨区", "黄岛区"]


def test_large_files_are_written_in_batches(tmp_path: Path, system: Context, db: Database,
                                            settings: object) -> None:
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.registry.imports import import_file

    rows = [f"{make('9', '1', '370212', f'MC{i:06d}')},公司{i},,,,,{i}.25,,{i}" for i in range(120)]
    seen: list[tuple[str, int]] = []
    report = import_file(db, default_catalogue(), write(tmp_path, HEADER + "\n" + "\n".join(rows)),
                         by="t", at=system.now(), batch_rows=25,
                         progress=lambda phase, n, share: seen.append((phase, n)))
    assert report.entities_created == 120 and report.facts_written == 240
    assert [n for phase, n in seen if phase == "write"] == [25, 50, 75, 100, 120]
    with db.read() as s:
        assert s.scalar(select(func.sum(FactValue.value_number)).where(
            FactValue.fact == "revenue")) == Decimal(sum(range(120))) + Decimal("0.25") * 120


def test_problems_beyond_the_limit_are_counted(tmp_path: Path, system: Context,
                                               db: Database) -> None:
    from huiqi.facts.catalogue import default_catalogue
    from huiqi.registry.imports import import_file

    rows = [f"{make('9', '1', '370212', f'MD{i:06d}')},公司{i},,,,,bad,," for i in range(30)]
    with pytest.raises(DataError) as exc:
        import_file(db, default_catalogue(), write(tmp_path, HEADER + "\n" + "\n".join(rows)),
                    by="t", at=system.now(), max_problems=10)
    assert len(exc.value.problems) == 11
    assert exc.value.problems[-1].code == "import.more_problems"
    assert "另有 20 处问题" in exc.value.problems[-1].message.zh
    assert "30 处问题" in exc.value.message("zh")


@pytest.mark.parametrize(("name", "content", "code"), [
    ("firms.txt", b"id\n", "file.format"),
    ("firms.csv", b"", "import.empty"),
    ("firms.csv", b"id,name\nx\x80y,z\n", "import.encoding"),
    ("firms.csv", b"name,revenue@2024\nx,1\n", "import.no_id_column"),
    ("firms.xlsx", b"not a zip", "file.unreadable"),
])
def test_unreadable_files(tmp_path: Path, system: Context, name: str, content: bytes,
                          code: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(DataError) as exc:
        imports.run(system, p)
    assert exc.value.problems[0].code == code


# --------------------------------------------------------------------------- the fast paths

def _outcome(f: Any, call: Any, raw: Any) -> Any:
    try:
        return ("ok", call(raw))
    except ValueError as exc:
        return ("error", type(exc).__name__, exc.args[0])


_CAT = default_catalogue()
_FIELDS = sorted((f for f in _CAT.facts.values() if f.kind != "records"), key=lambda f: f.id)
_NUMBERS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"-?[0-9,_]{0,9}(\.[0-9]{0,4})?%?", fullmatch=True),
    st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["1e30", "1E+40", "9" * 40, "0.001", "-0", "１２", "0.5", "1.000", "NaN",
                     "是", "2024-01-31", "new_materials", "集成电路", "a|b", "其他", "007",
                     "1.50", "-0.00", "0.10", "-7", "123456789012345678", "1" * 19 + ".5"]),
    st.text(max_size=8))


@given(data=st.data())
def test_a_column_converts_as_coerce_then_encode(data: st.DataObject) -> None:
    """The converter made once per column gives what the catalogue's coerce and the
    stored encoding give, value for value and error for error (numbers read directly,
    other kinds remembered: asked twice, the second answer is the same)."""
    f = data.draw(st.sampled_from(_FIELDS))
    convert = converter(_CAT, f)
    raw = data.draw(_NUMBERS).strip()
    if not raw:
        return
    expected = _outcome(f, lambda r: encode(f, _CAT.coerce(f, r)), raw)
    assert _outcome(f, convert, raw) == expected
    assert _outcome(f, convert, raw) == expected


def test_reimporting_written_differently_changes_nothing(tmp_path: Path, system: Context,
                                                        db: Database) -> None:
    """Values are compared as numbers, not text: 12000000.50 is 12000000.5."""
    imports.run(system, write(tmp_path, GOOD))
    before = counts(db)
    again = GOOD.replace("12000000.50", "\"12,000,000.500\"").replace(",120\n", ",120.0\n") \
        .replace("集成电路", "integrated_circuits")
    report = imports.run(system, write(tmp_path, again, "again.csv"))
    assert (report.changed, report.facts_written, report.entities_unchanged) == (False, 0, 3)
    assert counts(db) == before


def _rows(prefix: str, n: int) -> list[str]:
    return [f"{make('9', '1', '370212', f'{prefix}{i:06d}')},公司{i},崂山区,,other,,{i},,"
            for i in range(n)]


def test_a_bad_row_after_batches_were_written_changes_nothing(tmp_path: Path, system: Context,
                                                              db: Database) -> None:
    """Rows are written batch by batch while none has failed; a later bad row rolls them
    all back, and the rows after it are still checked."""
    imports.run(system, write(tmp_path, GOOD, "first.csv"))
    before = counts(db)
    rows = _rows("ME", 120)
    rows[100] = rows[100].replace(",100,,", ",一百,,")
    rows[110] = f"{make('9', '1', '370212', 'MF000001')},,,,,,,,"  # new, without a name
    with pytest.raises(DataError) as exc:
        import_file(db, default_catalogue(), write(tmp_path, HEADER + "\n" + "\n".join(rows)),
                    by="t", at=system.now(), batch_rows=25)
    assert [(p.code, p.line) for p in exc.value.problems] == [
        ("import.bad_value", 102), ("import.missing_name", 112)]
    assert counts(db) == before


@pytest.mark.parametrize("where", [(3, 7), (3, 60)], ids=["same batch", "later batch"])
def test_a_code_twice_is_found_within_and_across_batches(tmp_path: Path, system: Context,
                                                         db: Database, where: tuple[int, int]
                                                         ) -> None:
    before = counts(db)
    rows = _rows("MG", 80)
    first, second = where
    rows[second] = rows[first].replace("公司", "又一公司")
    with pytest.raises(DataError) as exc:
        import_file(db, default_catalogue(), write(tmp_path, HEADER + "\n" + "\n".join(rows)),
                    by="t", at=system.now(), batch_rows=25)
    [p] = exc.value.problems
    assert (p.code, p.line) == ("import.duplicate_row", second + 2)
    assert f"第 {first + 2} 行已出现" in p.message.zh
    assert counts(db) == before


def test_an_unchanged_reimport_of_many_batches_writes_nothing(tmp_path: Path, system: Context,
                                                              db: Database, clock: Clock
                                                              ) -> None:
    path = write(tmp_path, HEADER + "\n" + "\n".join(_rows("MH", 130)))
    first = import_file(db, default_catalogue(), path, by="t", at=system.now(), batch_rows=40)
    assert (first.entities_created, first.facts_written) == (130, 260)
    with db.read() as s:
        revisions = sorted(s.scalars(select(Entity.revision)))
    before = counts(db)
    clock.advance(days=1)
    again = import_file(db, default_catalogue(), path, by="t", at=system.now(), batch_rows=40)
    assert (again.changed, again.entities_unchanged, again.facts_written, again.batch_id) == (
        False, 130, 0, None)
    assert counts(db) == before
    with db.read() as s:
        assert sorted(s.scalars(select(Entity.revision))) == revisions


def test_values_are_stored_as_the_orm_stores_them(tmp_path: Path, system: Context,
                                                  db: Database) -> None:
    """The many-row statements bind times, dates and exact numbers as SQLAlchemy does."""
    report = imports.run(system, write(tmp_path, GOOD))
    with db.read() as s:
        batch = s.get_one(ImportBatch, report.id)
        facts = s.scalars(select(FactValue).where(FactValue.batch_id == report.id)).all()
        assert {f.recorded_at for f in facts} == {batch.imported_at}
        assert {f.recorded_by for f in facts} == {"system"}
        [loc] = s.scalars(select(EntityLocation).join(Entity).where(
            Entity.credit_code == C1)).all()
        assert loc.valid_from == batch.imported_at.date() and loc.batch_id == report.id
        e = s.scalars(select(Entity).where(Entity.credit_code == C1)).one()
        assert (e.created_at, e.updated_at, e.revision) == (batch.imported_at,) * 2 + (1,)
        raw = s.connection().exec_driver_sql(
            "SELECT f.recorded_at, b.imported_at FROM fact_value f JOIN import_batch b "
            "ON b.id = f.batch_id").all()
        assert {a == b for a, b in raw} == {True}  # the same text (SQLite) or time
        numbers = {f.value_number for f in facts if f.fact == "revenue"}
        assert numbers == {Decimal("12000000.50"), Decimal("3000000")}


def test_a_moved_entity_updates_its_name_and_facts_too(tmp_path: Path, system: Context,
                                                       clock: Clock) -> None:
    imports.run(system, write(tmp_path, GOOD))
    clock.advance(days=3)
    moved = GOOD.replace("青岛海纳微电子有限公司,崂山区", "青岛海纳微电子股份有限公司,黄岛区") \
        .replace("集成电路", "software_it")
    report = imports.run(system, write(tmp_path, moved, "moved.csv"))
    assert (report.entities_updated, report.locations_changed, report.facts_written) == (1, 1, 1)
    e = enterprises.get(system, C1)
    assert (e.name, e.district, e.industry) == ("青岛海纳微电子股份有限公司", "黄岛区", "software_it")
    assert [x.district for x in enterprises.locations(system, C1)] == ["崂山区", "黄岛区"]


def test_enterprises_given_twice_are_refused(system: Context, db: Database) -> None:
    from huiqi.facts.enterprise import Enterprise
    from huiqi.registry.imports import import_enterprises

    before = counts(db)
    twice = [Enterprise(id=C1, name="甲"), Enterprise(id=C1, name="乙")]
    with pytest.raises(DataError) as exc:
        import_enterprises(db, default_catalogue(), twice, by="t", at=system.now(),
                           source="generator", display="twice")
    assert exc.value.problems[0].code == "import.duplicate_object"
    assert counts(db) == before


def test_a_place_begins_on_the_day_in_china(tmp_path: Path, system: Context,
                                            clock: Clock) -> None:
    """An import at 20:00 UTC (04:00 the next day in China) places the firms from the China
    date, as a move's date is counted: a move approved that day then follows it."""
    clock.now = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)
    imports.run(system, write(tmp_path, GOOD))
    assert [x.valid_from for x in enterprises.locations(system, C2)] == [dt.date(2026, 12, 7)]
    clock.advance(days=1)
    moved = GOOD.replace("即墨区,青岛蓝谷", "黄岛区,青岛西海岸新区")
    imports.run(system, write(tmp_path, moved, "firms-2.csv"))
    assert [(x.district, x.valid_from, x.valid_to) for x in enterprises.locations(system, C2)] \
        == [("即墨区", dt.date(2026, 12, 7), dt.date(2026, 12, 7)),
            ("黄岛区", dt.date(2026, 12, 8), None)]


@given(data=st.data())
def test_a_whole_column_converts_as_each_of_its_cells(data: st.DataObject) -> None:
    """The converter of a column at once (the bulk import's) gives, for each cell, the
    text SQLite keeps of what the cell's converter gives — or raises when a cell does."""
    f = data.draw(st.sampled_from(_FIELDS))
    convert = converter(_CAT, f)
    column = column_converter(_CAT, f, convert)
    cells = data.draw(st.lists(st.one_of(st.none(), _NUMBERS.map(str.strip).filter(bool)),
                               max_size=6))
    each = [None if c is None else _outcome(f, convert, c) for c in cells]
    if any(o is not None and o[0] == "error" for o in each):
        with pytest.raises(ValueError):
            column(list(cells))
        return
    expected = [None if o is None else stored_text(o[1]) for o in each]
    assert column(list(cells)) == expected
    assert column(list(cells)) == expected  # (remembered: the same again)


def _tables(db: Database) -> list[list[tuple[Any, ...]]]:
    with db.read() as s:
        run = s.connection().exec_driver_sql
        return [list(run(q)) for q in (
            "SELECT credit_code, name, kind, district, park, industry, revision FROM entity "
            "ORDER BY id",
            "SELECT e.credit_code, f.fact, f.year, f.value_text, f.value_number, f.source "
            "FROM fact_value f JOIN entity e ON e.id = f.entity_id ORDER BY f.id",
            "SELECT e.credit_code, l.district, l.park, l.valid_from, l.valid_to "
            "FROM entity_location l JOIN entity e ON e.id = l.entity_id ORDER BY l.id",
            "SELECT e.credit_code, c.before, c.source FROM fact_change c "
            "JOIN entity e ON e.id = c.entity_id ORDER BY c.id")]


def test_the_bulk_writer_writes_what_the_row_by_row_writer_writes(
        tmp_path: Path, system: Context, db: Database, clock: Clock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows checked column by column and written set by set (registry.bulk, on SQLite and
    on PostgreSQL) leave the same rows as rows checked and written one by one: new entities, a re-import
    that moves one, renames one, changes a number, writes another as before (1.0 for 1)
    and adds a new one; and the same reports."""
    changed = GOOD.replace("青岛海纳微电子有限公司,崂山区", "青岛海纳微电子股份有限公司,黄岛区") \
        .replace("3000000,,35", "3000001,,35.0").replace("李记电子维修部", "李记电子维修店") \
        + f"{make('9', '1', '370212', 'MA3C4X54')},新公司,崂山区,,other,,7,,\n"
    first, again = write(tmp_path, GOOD), write(tmp_path, changed, "again.csv")

    def run_all() -> tuple[list[Any], list[list[tuple[Any, ...]]]]:
        reports = [imports.run(system, first).model_dump(exclude={"id", "imported_at"})]
        clock.advance(days=1)
        reports.append(imports.run(system, again).model_dump(exclude={"id", "imported_at"}))
        return reports, _tables(db)

    assert isinstance(db.bind, Connection)
    start = clock.now
    nested = db.bind.begin_nested()
    bulk = run_all()
    nested.rollback()  # (the database as it was)
    clock.now = start
    from huiqi.registry import imports as module

    monkeypatch.setattr(module, "_check_block", lambda *a: None)
    monkeypatch.setattr(module, "_bulk", lambda *a: None)
    one_by_one = run_all()
    assert bulk[0] == one_by_one[0]
    for table, (a, b) in enumerate(zip(bulk[1], one_by_one[1], strict=True)):
        assert (table, a) == (table, b)
    assert bulk[0][1]["entities_updated"] == 3 and bulk[0][1]["locations_changed"] == 1


def test_a_file_unreadable_after_batches_were_written_changes_nothing(
        tmp_path: Path, system: Context, db: Database) -> None:
    """The file is read in a thread of its own on SQLite: what it finds wrong while reading
    (here a line longer than a line may be, in the fifth batch) is raised all the same,
    nothing is kept, and the thread has ended."""
    import threading

    from huiqi.registry.sheets import LINE_MAX

    rows = [f"{make('9', '1', '370212', f'MD{i:06d}')},公司{i},,,,,{i},," for i in range(120)]
    rows.insert(110, "," * (LINE_MAX + 1))
    p = write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n", "long.csv")
    before = counts(db)
    with pytest.raises(DataError) as exc:
        import_file(db, default_catalogue(), p, by="t", at=system.now(), batch_rows=25)
    assert [x.code for x in exc.value.problems] == ["import.line_too_long"]
    assert exc.value.problems[0].line == 112
    assert counts(db) == before
    assert not [t for t in threading.enumerate() if t.name == "huiqi-import-read"]
