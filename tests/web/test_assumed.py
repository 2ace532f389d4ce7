"""An amount the text does not give is marked assumed on every page, in the API, the PDF and
the Excel summary, the stored results and the dashboard; a text shows the source's own
words as 政策原文, a summary as 要点摘要(非原文), and where it comes from as a small note."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from huiqi.packs.files import read_folder
from huiqi.service import enterprises, matching
from huiqi.service.schemas import EnterpriseUpdate, FactSet, FactsUpdate
from huiqi.web import create_app
from service_fixtures import World, auth

from .conftest import Site

POLICY = """
id: grant
title: 测试补助办法
issuer: 测试区
dates: {effective: 2024-01-01}
source:
  text: "第一条 区内企业给予研发补助,金额取整到元。\\n\\n第二条 获得奖项的区内企业奖励5万元。"
  summary: summary.txt
  note: 原文据某转载录入,第三条未能核对。
parameters:
  prize: {type: money, label: 奖励, cite: {p: 2, quote: 奖励5万元}, values: {2024-01-01: 5万元}}
  share: {type: ratio, label: 补助比例, assumed: 原文未给比例，假定10%, values: {2024-01-01: 10%}}
clauses:
  - id: stated
    title: 获奖奖励
    conditions:
      - {id: in_zone, label: 区内企业, when: 'park == "测试区"', cite: {p: 2, quote: 区内企业}}
    benefit: {kind: fixed, amount: prize, rounding: {unit: yuan, mode: half_up}, cite: {p: 2, quote: 奖励5万元}}
  - id: guessed
    title: 研发补助
    conditions:
      - {id: in_zone, label: 区内企业, when: 'park == "测试区"', cite: {p: 1, quote: 区内企业}}
      - {id: rd, label: 有研发费用, when: 'rd_expense[-1] > 0', cite: {p: 3, quote: 有研发费用的企业}}
    benefit: {kind: share, amount: 'share * rd_expense[-1]', rounding: {unit: yuan, mode: half_up}, cite: 1}
"""
SUMMARY = "{#third} 第三条(要点):有研发费用的企业可申请补助。\n"
PACK = 'id: grant\ntitle: 测试补助\nversion: "1"\n'


@pytest.fixture
def site(world: World, tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "grant"
    folder.mkdir()
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "grant.yaml").write_text(POLICY, encoding="utf-8")
    (folder / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    ctx = world.ctx("admin")
    world.publish("grant", read_folder(folder))
    enterprises.update(ctx, world.own, EnterpriseUpdate(park="测试区"))
    enterprises.set_facts(ctx, world.own, FactsUpdate(items=[
        FactSet(fact="rd_expense", year=2024, value="800000")]))
    matching.run(ctx, "grant")
    app = create_app(world.platform.settings, platform=world.platform)
    with TestClient(app) as c:
        yield Site(world, c)


def _row(html: str, key: str) -> str:
    m = re.search(rf'data-clause="{key}">(.*?)</tr>', html, re.S)
    assert m is not None, key
    return m.group(1)


def test_the_matches_page_marks_the_assumed_amount_and_the_total(site: Site) -> None:
    site.sign_in("enterprise")
    r = site.client.get(f"/match/{site.world.own}")
    assert r.status_code == 200
    guessed, stated = _row(r.text, "grant/guessed"), _row(r.text, "grant/stated")
    assert "<strong>¥80,000</strong>" in guessed and "data-assumed" in guessed
    assert "原文未给比例，假定10%" in guessed  # the note, on the mark
    assert "<strong>¥50,000</strong>" in stated and "data-assumed" not in stated
    assert re.search(r"data-total>¥130,000</div><div class=\"muted\" data-assumed-total>"
                     r"含假定金额 ¥80,000<", r.text)
    ex = site.client.get(f"/match/{site.world.own}/grant/guessed")
    assert "data-assumed-notes" in ex.text and "原文未给比例，假定10%" in ex.text
    assert "data-assumed-notes" not in site.client.get(f"/match/{site.world.own}/grant/stated").text


def test_the_api_says_which_amounts_are_assumed(site: Site) -> None:
    h = auth(site.world.tokens["enterprise"])
    body = site.client.get(f"/enterprises/{site.world.own}/match", headers=h).json()
    [pm] = [p for p in body["packs"] if p["pack"] == "grant"]
    assert pm["total_eligible_amount"] == "130000" and pm["total_assumed_amount"] == "80000"
    assumed = {c["clause"]: c["amount_assumed"] for c in pm["clauses"]}
    assert assumed == {"stated": False, "guessed": True}
    notes = {e["key"]: e["amount_assumed"] for e in pm["explanations"]}
    assert notes == {"grant/stated": [], "grant/guessed": ["原文未给比例，假定10%"]}


def test_the_pdf_writes_the_mark_and_excel_keeps_the_amount_a_number(site: Site) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from pypdf import PdfReader

    site.sign_in("enterprise")
    pdf = site.client.get(f"/match/{site.world.own}/summary.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = "".join(text.split())
    assert "¥80,000(假定)" in text and "¥50,000(假定)" not in text
    assert "合计:¥130,000(含假定金额¥80,000)" in text
    xlsx = site.client.get(f"/match/{site.world.own}/summary.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r[0] == "条款")
    amount, mark = header.index("金额"), header.index("金额为假定")
    by_title = {r[0]: r for r in rows[rows.index(header) + 1:]}  # no clause ids: titles
    assert by_title["研发补助"][amount] == 80000 and by_title["研发补助"][mark] == "假定"
    assert by_title["获奖奖励"][amount] == 50000 and not by_title["获奖奖励"][mark]
    assert any("含假定金额 ¥80,000" in str(r[0]) for r in rows[:rows.index(header)])


def test_stored_results_exports_and_dashboard_carry_the_mark(site: Site) -> None:
    site.sign_in("policy_officer")
    res = site.client.get("/staff/results")
    assert "data-assumed" in _between(res.text, "/staff/results/grant/grant/guessed", "</tr>")
    assert "data-assumed" not in _between(res.text, "/staff/results/grant/grant/stated", "</tr>")
    one = site.client.get("/staff/results/grant/grant/guessed")
    assert one.text.count("data-assumed") >= 2  # the payable card and the enterprise's row
    text = site.client.get("/staff/results/grant/grant/guessed/export.csv").text
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[5:8] == ["amount", "potential_amount", "amount_assumed"]
    [own] = [r for r in rows if r[0] == site.world.own]
    assert own[5] == "80000.00" and own[7] == "True"
    site.sign_in("leadership")
    dash = site.client.get("/dashboard")
    assert re.search(r'data-kpi="amount">¥130,000</div><div class="muted" data-assumed-total>'
                     r"含假定金额 ¥80,000<", dash.text)


def test_a_text_shows_the_original_the_summary_and_where_it_comes_from(site: Site) -> None:
    site.sign_in("reviewer")
    r = site.client.get("/staff/policies/grant/1/text/grant")
    assert r.status_code == 200
    original = _between(r.text, "政策原文", "要点摘要(非原文)")
    assert "第一条" in original and "第三条" not in original
    summary = _between(r.text, "要点摘要(非原文)", "data-source-note")
    assert 'class="para summary' in summary and "第三条(要点)" in summary
    assert "来源说明:原文据某转载录入,第三条未能核对。" in r.text
    assert "¶3(要点摘要,非原文)" in r.text  # the rule citing the summary says so


def _between(text: str, start: str, end: str) -> str:
    a = text.index(start)
    return text[a:text.index(end, a + len(start))]
