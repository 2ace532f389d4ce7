"""Competitions through the API: the organisers set one up, the enterprise posts its problem
(and not another's), the organisers open it, a team registers, the preliminary and the final
are scored, the counts follow; an error says why in problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huiqi.vouchers import competitions as K
from service_fixtures import CODE_A, CODE_B, World, auth


def test_a_problem_through_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    staff, firm = auth(world.tokens["case_officer"]), auth(world.tokens["enterprise"])
    r = client.post("/competitions", headers=staff, json={
        "key": "jhz-2025", "title_zh": "炬火种", "title_en": "Torch seeds", "organiser": "管委会",
        "year": 2025, "finalists": 1, "prizes": K.PRIZES,
        "preliminary": {"criteria": K.PRELIMINARY}, "final": {"criteria": K.FINAL}})
    assert r.status_code == 201, r.text
    problem = {"code": "P1", "title_zh": "视觉检测", "title_en": "Vision",
               "description": "焊点缺陷", "prize": "100000"}
    r = client.post("/competitions/jhz-2025/problems", headers=firm,
                    json={**problem, "enterprise": CODE_B})
    assert r.status_code == 403
    r = client.post("/competitions/jhz-2025/problems", headers=firm,
                    json={**problem, "enterprise": CODE_A})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert client.post(f"/competitions/problems/{pid}/moves", headers=firm,
                       json={"name": "open"}).status_code == 403
    assert client.post(f"/competitions/problems/{pid}/moves", headers=staff,
                       json={"name": "open"}).json()["state"] == "open"
    team = {"name": "鹭岛队", "university": "厦门大学", "mentor": "王老师", "contact": "138",
            "members": [{"name": "张三", "university": "厦门大学", "role": "队长"},
                        {"name": "李四", "university": "集美大学"}]}
    r = client.post(f"/competitions/problems/{pid}/teams", headers=staff, json=team)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    r = client.post(f"/competitions/problems/{pid}/teams", headers=staff, json=team)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert "鹭岛队" in r.json()["detail"]
    client.post(f"/competitions/problems/{pid}/moves", headers=staff, json={"name": "review"})
    r = client.post(f"/competitions/problems/{pid}/preliminary", headers=staff, json={
        "reviews": {str(tid): [{c["id"]: "80" for c in K.PRELIMINARY}]}})
    assert r.status_code == 200 and r.json()["state"] == "final", r.text
    r = client.post(f"/competitions/problems/{pid}/final", headers=staff, json={
        "reviews": {str(tid): [{c["id"]: "90" for c in K.FINAL}]}})
    (winner,) = r.json()["roster"]
    assert (winner["state"], winner["prize"], winner["award"]["zh"]) == ("placed", "50000.00", "一等奖")
    counts = client.get("/competitions/jhz-2025/counts", headers=staff).json()
    assert (counts["teams"], counts["entrants"]) == (1, 2)
    assert {u["university"] for u in counts["universities"]} == {"厦门大学", "集美大学"}
    mine = client.get("/competitions/jhz-2025", headers=firm).json()
    assert [p["code"] for p in mine["problems"]] == ["P1"]
