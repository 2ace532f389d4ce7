"""The audit log in Chinese (issue 16, item 7): actions, outcomes and roles in words, a date
range and filters, and an export (CSV and Excel) with the same filters, formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook  # type: ignore[import-untyped]

from huiqi.service import audit
from huiqi.service.audit import record
from huiqi.web.audit_words import action_text

from .conftest import Site


def test_the_log_reads_in_chinese_with_dates_filters_and_export(site: Site) -> None:
    site.sign_in("reviewer")
    site.client.get("/staff/accounts")  # refused: an entry "denied"
    with site.platform.db.write() as s:
        record(s, site.world.ctx("admin"), "enterprise.update", target="=HYPERLINK(\"x\")",
               after={"name": "x"})
    site.sign_in("admin")
    page = site.client.get("/staff/audit")
    assert page.status_code == 200
    for words in ("发布政策版本", "成功", "无权限,已拒绝", "评审专家", "修改企业信息"):
        assert words in page.text, words
    assert ">denied<" not in page.text and ">ok<" not in page.text
    today = site.platform.today()
    later = site.client.get(f"/staff/audit?since={today + dt.timedelta(days=1)}")
    assert "共 0 条" in later.text
    within = site.client.get(f"/staff/audit?since={today}&until={today}&outcome=denied")
    assert "共 0 条" not in within.text and "发布政策版本" not in within.text
    total, _rows = audit.entries(site.world.ctx("admin"), audit.AuditQuery(outcome="denied"))
    x = site.client.get(f"/staff/audit/export?since={today}&outcome=denied&format=xlsx")
    assert x.status_code == 200 and "huiqi-audit-" in x.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(x.content)).active
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert len(values) == total and all(r[6] == "无权限,已拒绝" for r in values)
    c = site.client.get("/staff/audit/export?action=enterprise&format=csv")
    rows = list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["#", "时间(北京时间)", "操作人", "角色", "操作"]
    assert any(r[8] == "'=HYPERLINK(\"x\")" for r in rows[1:])  # never a formula
    en = site.client.get("/staff/audit?lang=en")
    assert "policy version published" in en.text


def test_every_action_recorded_by_the_code_has_words() -> None:
    import re
    from pathlib import Path

    src = Path(__file__).parents[2] / "src" / "huiqi"
    used = set()
    for path in src.rglob("*.py"):
        used |= set(re.findall(r'record\(\w+, \w+, "([a-z_.]+)"', path.read_text("utf-8")))
    # listed, or at least shown with its area's name (a new area's actions, until listed)
    bare = sorted(a for a in used if action_text(a, "zh") == a)
    assert used and not bare, bare
    assert action_text("programme.submit", "zh") == "申报项目:programme.submit"


def test_empty_date_fields_are_no_filter(site: Site) -> None:
    site.sign_in("admin")
    r = site.client.get("/staff/audit?actor=&action=account&outcome=&target=&since=&until=")
    assert r.status_code == 200
    assert site.client.get("/staff/audit?since=2026-13-01").status_code == 422
