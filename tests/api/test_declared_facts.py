"""Facts a published pack declares are facts of the platform: imported from CSV and XLSX
under their Chinese labels, read and written through the API's facts endpoints, matched,
asked by the calculator — and a pack whose facts clash with a published pack's is refused,
naming both files and lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from huiqi.errors import PackError
from huiqi.facts.catalogue import default_catalogue
from huiqi.packs.files import read_folder
from huiqi.service import calculator as C
from huiqi.service import imports, policies
from huiqi.service.catalogue import platform_catalogue
from huiqi.web.sheets import csv_bytes, xlsx
from service_fixtures import World, auth

EXAMPLE = Path(__file__).parents[2] / "examples" / "packs" / "declared-facts"
KEY = "declared-facts"
DAY = dt.date(2026, 6, 30)
HEADER = ["统一社会信用代码", "名称", "主导产品收入占比", "博士人数", "实验室面积", "实验室启用日期",
          "核心专利支撑主导产品", "专家组评级", "主导产品名称", "2025年主导产品线营业收入"]


def _files() -> list[tuple[str, bytes]]:
    return [(p, c) for p, c in read_folder(EXAMPLE) if p != "enterprises.yaml"]


def _publish(world: World) -> None:
    world.publish(KEY, _files())


def test_a_published_packs_facts_are_the_platforms(api: tuple[World, TestClient],
                                                    tmp_path: Path) -> None:
    world, client = api
    admin = world.ctx("admin")
    assert "panel_grade" not in platform_catalogue(admin).facts  # not before it is published
    _publish(world)
    cat = platform_catalogue(admin)
    assert cat.declared["panel_grade"][0] == f"{KEY}/facts.yaml"
    assert set(cat.declared) == set(policies.pack_of(admin, KEY).catalogue.declared)
    assert "panel_grade" not in default_catalogue().facts

    # an import under the Chinese labels: CSV for one enterprise, XLSX for the other
    rows = [[world.own, "青岛海纳微电子有限公司", "72%", "5", "350.5", "2022-09-01", "是", "优秀",
             "智能胰岛素泵", "8600000"]]
    csv_file = tmp_path / "facts.csv"
    csv_file.write_bytes(csv_bytes(HEADER, rows))
    report = imports.run(admin, csv_file, display="facts.csv")
    assert report.changed
    xlsx_file = tmp_path / "facts.xlsx"
    xlsx_file.write_bytes(xlsx("导入", HEADER, [[world.other, "宁波甬新材料科技有限公司", "45%", "2",
                                                "120", "2026-02-01", "否", "一般", "导管",
                                                "3000000"]]))
    assert imports.run(admin, xlsx_file, display="facts.xlsx").changed

    h = auth(world.tokens["admin"])
    facts = {f["fact"]: f for f in client.get(f"/enterprises/{world.own}/facts",
                                              headers=h).json()}
    assert facts["panel_grade"]["value"] == "A"
    assert facts["panel_grade"]["label"] == {"zh": "专家组评级", "en": "Review panel's grade"}
    assert Decimal(facts["product_line_share"]["value"]) == Decimal("0.72")
    assert facts["patent_supports_main_product"]["value"] is True
    assert facts["product_line_revenue"]["year"] == 2025
    other = {f["fact"]: f["value"] for f in client.get(f"/enterprises/{world.other}/facts",
                                                       headers=h).json()}
    assert other["panel_grade"] == "C" and Decimal(other["phd_staff"]) == 2

    # the records fact through the API's facts endpoint; a value out of range is refused
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={"items": [
        {"fact": "clinical_trials", "value": [{"phase": "III", "started": "2024-05-10",
                                               "multicentre": True, "sites": 12}]}]})
    assert r.status_code == 200, r.text
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={"items": [
        {"fact": "phd_staff", "value": "201"}]})
    assert r.status_code == 422 and "200" in r.text

    # matched through the API with the declared facts; explained with their labels
    m = client.get(f"/enterprises/{world.own}/match", headers=h,
                   params={"as_of": DAY.isoformat(), "pack": KEY}).json()
    [pack] = m["packs"]
    [clause] = pack["clauses"]
    assert (clause["status"], Decimal(clause["amount"])) == ("eligible", Decimal(430000))
    assert "专家组评级" in str(pack)
    m = client.get(f"/enterprises/{world.other}/match", headers=h,
                   params={"as_of": DAY.isoformat(), "pack": KEY}).json()
    [clause] = m["packs"][0]["clauses"]
    assert clause["status"] == "not_eligible"
    assert {"line_share", "phd", "lab", "lab_age", "patent", "grade"} <= set(clause["failed"])


def test_the_api_lists_the_facts_a_published_pack_declares(api: tuple[World, TestClient]
                                                           ) -> None:
    world, client = api
    _publish(world)
    h = auth(world.tokens["enterprise"])  # a published pack's facts are for everyone to read
    r = client.get(f"/policies/{KEY}/facts", headers=h)
    assert r.status_code == 200, r.text
    facts = {f["id"]: f for f in r.json()}
    assert list(facts) == ["product_line_revenue", "product_line_share", "phd_staff", "lab_area",
                           "lab_opened", "patent_supports_main_product", "panel_grade",
                           "main_product_name", "clinical_trials"]
    revenue = facts["product_line_revenue"]
    assert (revenue["type"], revenue["yearly"], revenue["source"], revenue["file"]) == (
        "money", True, "enterprise", f"{KEY}/facts.yaml")
    assert Decimal(str(revenue["max"])) == 100_000_000 and revenue["line"] == 3
    assert facts["panel_grade"]["options"]["B"] == {"zh": "良好", "en": "Good"}
    fields = {f["id"]: f for f in facts["clinical_trials"]["fields"]}
    assert fields["cost"]["optional"] and fields["sites"]["unit"] == "item"
    assert client.get("/policies/nothing/facts", headers=h).status_code == 404


def test_the_calculator_asks_for_declared_facts(api: tuple[World, TestClient]) -> None:
    world, _ = api
    _publish(world)
    answers = {"product_line_revenue@2025": "860万", "product_line_share": "72%",
               "phd_staff": "5人", "lab_area": "350.5", "lab_opened": "2022-09-01",
               "patent_supports_main_product": "是", "panel_grade": "优秀",
               "main_product_name": "智能胰岛素泵"}
    m = C.match(world.platform, answers, DAY)
    assert m.problems == {}
    q = C.next_question(m, set(answers))
    assert q is not None and "clinical_trials" in q.keys
    labels = {part.label.zh for part in q.parts} | {q.label.zh}
    assert "临床试验" in labels
    [(_, _, res)] = [x for x in m.results if x[0] == KEY]
    assert res.clauses[0].status.value == "undetermined"
    bad = C.match(world.platform, {**answers, "panel_grade": "D"}, DAY)
    assert "panel_grade" in bad.problems


def test_a_pack_whose_facts_clash_with_a_published_pack_is_not_published(
        api: tuple[World, TestClient]) -> None:
    world, _ = api
    _publish(world)
    files = [("pack.yaml", b"id: clash\ntitle: clash\nversion: '1'\n"),
             ("facts.yaml", "facts:\n  panel_grade: {type: text, label: 评级}\n".encode()),
             ("p.yaml", (EXAMPLE / "product-line.yaml").read_bytes().replace(
                 b"id: product-line", b"id: p")),
             ("texts/product-line.txt", (EXAMPLE / "texts" / "product-line.txt").read_bytes())]
    v = policies.upload(world.ctx("policy_officer"), "clash", files)
    checked = policies.check(world.ctx("policy_officer"), "clash", v.number)
    assert not checked.ok
    [p] = checked.problems
    assert (p.code, p.file, p.line) == ("facts.clash", "facts.yaml", 2)
    assert f"{KEY}/facts.yaml:" in p.message.zh
    admin = world.ctx("admin")
    with pytest.raises(PackError):
        policies.publish(admin, "clash", v.number, policies.diff(admin, "clash", v.number).digest)
    assert platform_catalogue(admin).facts["panel_grade"].kind == "enum"


def test_a_packs_facts_are_versioned_with_it(api: tuple[World, TestClient]) -> None:
    world, _ = api
    _publish(world)
    admin = world.ctx("admin")
    files = [(p, c.replace(b"max: 200\n", b"max: 500\n") if p == "facts.yaml" else c)
             for p, c in _files()]
    assert files != _files()
    world.publish(KEY, files)
    assert platform_catalogue(admin).facts["phd_staff"].max == 500
    assert policies.pack_of(admin, KEY, 1).catalogue.facts["phd_staff"].max == 200
    assert policies.pack_of(admin, KEY, 2).version_id != policies.pack_of(admin, KEY, 1).version_id
    policies.retire(admin, KEY, 2)
    assert "phd_staff" not in platform_catalogue(admin).facts


def test_a_retired_packs_facts_leave_the_platform(api: tuple[World, TestClient]) -> None:
    world, _ = api
    _publish(world)
    other = [("pack.yaml", b"id: other\ntitle: other\nversion: '1'\n"),
             ("facts.yaml", "facts:\n  pilot_line: {type: yes_no, label: 中试线}\n".encode()),
             ("p.yaml", (EXAMPLE / "product-line.yaml").read_bytes().replace(
                 b"id: product-line", b"id: p")),
             ("texts/product-line.txt", (EXAMPLE / "texts" / "product-line.txt").read_bytes())]
    world.publish("other", other)  # checked against (and so holding) declared-facts' facts
    admin = world.ctx("admin")
    assert {"pilot_line", "panel_grade"} <= set(platform_catalogue(admin).facts)
    policies.retire(admin, KEY, 1)
    cat = platform_catalogue(admin)
    assert "pilot_line" in cat.facts and "panel_grade" not in cat.facts
