"""Import files checked before they are read: workbooks that unpack to too much, cells too
long or with NUL characters, and CSV files in the encodings Chinese Excel saves — each
answered with the import report's problem, nothing imported."""

from __future__ import annotations

import codecs
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bombs import MIB, repeated, workbook
from huiqi.errors import DataError
from huiqi.facts.credit_code import make
from huiqi.service import enterprises, imports
from huiqi.service.context import Context
from huiqi.settings import Settings
from huiqi.store.database import Database
from huiqi.store.models import Entity
from service_fixtures import make_settings

C1 = make("9", "1", "370212", "MA3XH001")
C2 = make("9", "1", "370212", "MA3XH002")


@pytest.fixture
def settings() -> Settings:
    return make_settings(xlsx_max_strings_mb=4, xlsx_max_unpacked_mb=16,
                         import_max_cell_chars=1000)


def entities(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count(Entity.id))) or 0


def refused(system: Context, path: Path, db: Database) -> DataError:
    """The import's refusal (nothing written), with the memory it took."""
    before = entities(db)
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as exc:
            imports.run(system, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MIB, f"{peak / MIB:.0f} MB held while refusing"
    assert entities(db) == before
    assert "未导入任何数据" in exc.value.message("zh")
    return exc.value


# ------------------------------------------------------------------------ workbooks


def test_a_workbook_with_one_huge_shared_string_is_refused_unopened(
        tmp_path: Path, system: Context, db: Database) -> None:
    # 12 MB in one shared string, 13 KB on disk (the was 200 MB in 0.21 MB)
    path = workbook(tmp_path / "bomb.xlsx", C1, shared=repeated(12 * MIB))
    assert path.stat().st_size < MIB
    [p] = refused(system, path, db).problems
    assert p.code == "import.xlsx_part_too_large"
    assert "xl/sharedStrings.xml" in p.message.zh and "4.0 MB" in p.message.zh
    assert p.hint is not None and "CSV" in p.hint.zh


def test_a_workbook_too_large_unpacked_and_a_part_too_large(tmp_path: Path, system: Context,
                                                            db: Database) -> None:
    rows = (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
            % (i, i, b"y" * 900) for i in range(3, 20_003))  # 18 MB of worksheet
    path = workbook(tmp_path / "wide.xlsx", C1, extra_rows=rows)
    [p] = refused(system, path, db).problems
    assert p.code == "import.xlsx_too_large" and "16.0 MB" in p.message.zh
    small = workbook(tmp_path / "ok.xlsx", C2, shared=[b"\xe9\x9d\x92\xe5\xb2\x9b"])  # 青岛
    assert imports.run(system, small).entities_created == 1
    assert enterprises.get(system, C2).name == "青岛"


def test_an_inline_cell_longer_than_a_cell_may_be_is_refused_before_opening(
        tmp_path: Path, system: Context, db: Database) -> None:
    path = workbook(tmp_path / "inline.xlsx", C1, name_cell=repeated(12 * MIB))
    [p] = refused(system, path, db).problems
    assert p.code == "import.xlsx_cell_too_long"
    assert "xl/worksheets/sheet1.xml" in p.message.zh and "1000" in p.message.zh


def test_a_worksheet_with_a_dtd_is_refused(tmp_path: Path, system: Context, db: Database
                                           ) -> None:
    path = workbook(tmp_path / "dtd.xlsx", C1, name_cell=[b"x"],
                    extra_rows=[b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>'])
    [p] = refused(system, path, db).problems
    assert p.code == "file.unreadable" and "DTD" in p.message.zh


def test_a_cell_past_the_limit_is_a_located_problem(tmp_path: Path, system: Context,
                                                    db: Database) -> None:
    xlsx = workbook(tmp_path / "long.xlsx", C1, name_cell=[b"z" * 1001])
    [p] = refused(system, xlsx, db).problems
    assert (p.code, p.line, p.column) == ("import.cell_too_long", 2, 2)
    assert "“name”的单元格有 1001 个字符,至多 1000 个" in p.message.zh
    csv = tmp_path / "long.csv"
    csv.write_text(f"id,name\n{C1},{'甲' * 1001}\n", "utf-8")
    [p] = refused(system, csv, db).problems
    assert (p.code, p.line, p.column) == ("import.cell_too_long", 2, 2)


def test_a_csv_line_of_millions_of_cells_is_refused_before_it_is_split(
        tmp_path: Path, system: Context, db: Database) -> None:
    path = tmp_path / "commas.csv"
    path.write_bytes(b"id,name\n" + b"," * (3 * MIB) + b"\n")
    [p] = refused(system, path, db).problems
    assert (p.code, p.line) == ("import.line_too_long", 2)


# ------------------------------------------------------------------------ NUL characters


def test_a_nul_in_a_cell_is_a_problem_on_both_databases(tmp_path: Path, system: Context,
                                                        db: Database) -> None:
    path = tmp_path / "nul.csv"
    path.write_text(f"id,name,district\n{C1},海纳\x00微电子,崂山区\n{C2},好公司,崂山区\n", "utf-8")
    [p] = refused(system, path, db).problems
    assert (p.code, p.line, p.column, p.path) == ("import.nul", 2, 2, ("name",))
    assert "空字符" in p.message.zh and "NUL" in p.message.en


# ------------------------------------------------------------------------ encodings


NAMES = ("青岛海纳微电子有限公司", "宁波甬新材料科技有限公司")


def _csv(delimiter: str = ",") -> str:
    return (f"id{delimiter}name\n" + "".join(f"{c}{delimiter}{n}\n"
                                             for c, n in zip((C1, C2), NAMES, strict=True)))


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("gb18030", ","),       # Excel on Chinese Windows: “CSV (逗号分隔)”
    ("gbk", ","),
    ("utf-16", "\t"),       # Excel's “Unicode 文本”: UTF-16 LE with a BOM, tab-separated
    ("utf-16", ","),
    ("utf-16-be-bom", ","),
    ("utf-8-sig", ","),     # Excel's “CSV UTF-8”
    ("utf-8", ","),
])
def test_csv_in_the_encodings_chinese_excel_saves(tmp_path: Path, system: Context,
                                                  encoding: str, delimiter: str) -> None:
    path = tmp_path / "firms.csv"
    text = _csv(delimiter)
    if encoding == "utf-16-be-bom":
        path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    else:
        path.write_bytes(text.encode(encoding))
    report = imports.run(system, path)
    assert report.entities_created == 2
    assert [enterprises.get(system, c).name for c in (C1, C2)] == list(NAMES)


def test_a_csv_in_no_known_encoding_says_how_to_save_it(tmp_path: Path, system: Context,
                                                        db: Database) -> None:
    path = tmp_path / "firms.csv"
    path.write_bytes(_csv().encode("utf-8") + b"\x80\x81\n")
    [p] = refused(system, path, db).problems
    assert p.code == "import.encoding" and "GB18030" in p.message.zh
    assert p.hint is not None and "CSV UTF-8(逗号分隔)" in p.hint.zh
    assert "UTF-8: byte" in p.message.zh
