"""Staff without YAML (issue 16, item 7): an import accepts the headers its own hint lists
(Chinese labels, and labels with their ids), and a template per set of facts round-trips."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.credit_code import make
from huiqi.registry.columns import default_target, fact_sets, template_header
from huiqi.service import enterprises

from .conftest import Site

CAT = default_catalogue()


@pytest.mark.parametrize(("header", "target"), [
    ("统一社会信用代码(id)", "id"), ("统一社会信用代码", "id"), ("名称(name)", "name"),
    ("企业名称", "name"), ("区县", "district"), ("行业", "industry"), ("所属行业", "industry"),
    ("2024年营业收入", "revenue@2024"), ("营业收入(2024)", "revenue@2024"),
    ("营业收入（2024年）", "revenue@2024"), ("营业收入@2024", "revenue@2024"),
    ("营业收入(销售收入)(revenue@2024)", "revenue@2024"), ("2024年度研发费用总额", "rd_expense@2024"),
    ("revenue@2024", "revenue@2024"), ("成立(注册)日期", "registration_date"),
    ("不存在的列", "不存在的列")])
def test_headers_people_write(header: str, target: str) -> None:
    assert default_target(header, CAT) == target


def _facts(site: Site, code: str) -> dict[str, str]:
    return {f"{f.fact}@{f.year}" if f.year else f.fact: str(f.value)
            for f in enterprises.facts(site.world.ctx("admin"), code)}


def test_the_hints_own_headers_are_imported(site: Site) -> None:
    site.sign_in("case_officer")
    page = site.client.get("/staff/imports").text
    assert "统一社会信用代码(id)、名称(name)、区县、行业" in page
    code = make("9", "1", "370212", "MA3HNT01")
    body = ("统一社会信用代码(id),名称(name),区县,行业,2024年营业收入\n"
            f"{code},提示公司,崂山区,集成电路,1200000\n").encode()
    r = site.client.post("/staff/imports", data={"csrf": site.csrf()},
                         files={"file": ("提示.csv", body)})
    assert r.status_code == 200 and "已导入" in r.text, r.text[:2000]
    got = _facts(site, code)
    assert got["industry"] == "integrated_circuits" and Decimal(got["revenue@2024"]) == 1200000


def test_every_template_round_trips(site: Site) -> None:
    site.sign_in("case_officer")
    page = site.client.get("/staff/imports").text
    sets = fact_sets(CAT)
    assert "tax" in sets and "business_registry" in sets
    for key in sets:
        assert f"/staff/imports/template/{key}?format=xlsx" in page
    r = site.client.get("/staff/imports/template/tax?format=xlsx&year=2024")
    assert r.status_code == 200 and "huiqi-tax-2024.xlsx" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    header = [c.value for c in next(wb.active.iter_rows(max_row=1))]
    assert header == template_header(CAT, "tax", 2024)
    assert "营业收入(销售收入)(revenue@2024)" in header
    # filled in as an officer would, and uploaded as it is
    code = make("9", "1", "370212", "MA3TPL01")
    values = {"统一社会信用代码(id)": code, "名称(name)": "模板公司",
              "营业收入(销售收入)(revenue@2024)": 3000000}
    filled = Workbook()
    filled.active.append(header)
    filled.active.append([values.get(h) for h in header])
    buf = io.BytesIO()
    filled.save(buf)
    up = site.client.post("/staff/imports", data={"csrf": site.csrf()},
                          files={"file": ("税务.xlsx", buf.getvalue())})
    assert up.status_code == 200 and "已导入" in up.text, up.text[:2000]
    assert Decimal(_facts(site, code)["revenue@2024"]) == 3000000
    # the CSV template: the same header, read back by the import
    c = site.client.get("/staff/imports/template/business_registry?format=csv&year=2024")
    rows = list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert rows == [template_header(CAT, "business_registry", 2024)]
    code2 = make("9", "1", "370212", "MA3TPL02")
    line = [code2 if h.endswith("(id)") else "工商公司" if h.endswith("(name)") else
            "崂山区" if h.endswith("(district)") else "" for h in rows[0]]
    text = ",".join(rows[0]) + "\n" + ",".join(line) + "\n"
    up = site.client.post("/staff/imports", data={"csrf": site.csrf()},
                          files={"file": ("工商.csv", text.encode())})
    assert up.status_code == 200 and "已导入" in up.text, up.text[:2000]
    assert site.client.get("/staff/imports/template/nope?format=csv").status_code == 404
    assert re.search(r"huiqi-business_registry-\d{4}\.csv",
                     site.client.get("/staff/imports/template/business_registry?format=csv")
                     .headers["content-disposition"])
