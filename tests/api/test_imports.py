"""Imports through the API: upload, report, all or nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huiqi.facts.credit_code import make
from service_fixtures import World, auth

C1 = make("9", "1", "370212", "MA3LMP01")
C2 = make("9", "1", "370212", "MA3LMP02")


def test_upload_and_report(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["case_officer"])
    csv = f"企业代码,企业名称,revenue@2024\n{C1},一号公司,100\n{C2},二号公司,200\n"
    mapping = "columns: {企业代码: id, 企业名称: name}\nsource: tax\n"
    r = client.post("/imports", headers=h, files={"file": ("一批.csv", csv.encode()),
                                                  "mapping": ("m.yaml", mapping.encode())})
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["entities_created"], report["facts_written"], report["source"]) == (2, 2, "tax")
    again = client.post("/imports", headers=h, files={"file": ("一批.csv", csv.encode()),
                                                      "mapping": ("m.yaml", mapping.encode())})
    assert again.status_code == 200 and again.json()["changed"] is False
    listed = client.get("/imports", headers=h).json()
    assert listed["total"] == 1
    shown = client.get(f"/imports/{report['id']}", headers=h).json()
    assert shown["file"] == "一批.csv" and shown["imported_by"] == "u_case_officer"


def test_a_bad_file_is_reported_and_changes_nothing(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["case_officer"])
    csv = f"id,name,revenue@2024,industry\n{C1},一号公司,100,other\n{C2},二号公司,abc,造船\n"
    r = client.post("/imports", headers={**h, "Accept-Language": "en"},
                    files={"file": ("bad.csv", csv.encode())})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "data" and "nothing was imported" in body["detail"]
    assert [(p["line"], p["column"], p["snippet"]) for p in body["problems"]] == [
        (3, 3, "abc"), (3, 4, "造船")]
    assert body["problems"][0]["message"]["zh"].startswith("“revenue@2024”的值“abc”有误")
    assert client.get(f"/enterprises/{C1}", headers=h).status_code == 404
