"""The analytics and market API: the evaluation, the chain map, a market match from posting
to contacts shared."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huiqi.analytics import evaluation as E
from huiqi.analytics import framework as F
from huiqi.analytics import sample
from service_fixtures import CODE_A, CODE_B, World, auth


def test_evaluation_over_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    fw = F.get("gxq-2021")
    p = sample.generate(fw, n=20, years=(2025,), seed=2, home_rank=3)
    E.store_generated(world.platform.system(), p.codes, p.names, p.values, fw, sample.HOME, "t")
    h = auth(world.tokens["leadership"])
    assert client.get("/analytics/years", headers=h).json() == [2025]
    ev = client.get("/analytics/evaluation/2025", headers=h).json()
    home = next(r for r in ev["parks"] if r["home"])
    assert home["rank"] == 3 and home["interval"][0] <= 3 <= home["interval"][1]
    d = client.get(f"/analytics/evaluation/2025/parks/{home['code']}", headers=h).json()
    assert d["park"]["name"] == sample.HOME and len(d["groups"]) == 5
    assert client.get("/analytics/evaluation/2025", headers=auth(world.tokens["enterprise"])
                      ).status_code == 403
    fws = {f["key"]: f for f in client.get("/analytics/frameworks", headers=h).json()}
    assert set(fws) == {"gxq-2021", "gxq-2024"}
    assert fws["gxq-2024"]["published"] == [6, 43] and fws["gxq-2024"]["known"] == [1, 4]
    assert fws["gxq-2021"]["known"] == [5, 40] and fws["gxq-2021"]["complete"]


def test_chain_map_over_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["leadership"])
    m = client.get("/analytics/chains/battery/2025", headers=h).json()
    assert [s["key"] for s in m["segments"]] == ["materials", "cells", "storage", "applications"]
    assert ["cells", "storage"] in m["links"]
    assert all(s["revenue"] is None or isinstance(s["revenue"], str) for s in m["segments"])
    t = client.get("/analytics/chains/battery/2025/targets", headers=h).json()
    assert {x["segment"] for x in t} == {"materials", "cells", "storage", "applications"}
    assert client.get("/analytics/chains/battery/2025", headers=auth(world.tokens["enterprise"])
                      ).status_code == 403


def test_market_over_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    ent, staff = auth(world.tokens["enterprise"]), auth(world.tokens["case_officer"])
    r = client.post("/market/listings", headers=ent, json={
        "side": "demand", "credit_code": CODE_A, "category": "power", "title": "SiC MOSFET",
        "specs": {"material": "SiC", "voltage_v": 1200}, "qualifications": ["AEC-Q101"],
        "contact": "王工"})
    assert r.status_code == 201, r.text
    # an enterprise cannot post for another
    r = client.post("/market/listings", headers=ent, json={
        "side": "offer", "credit_code": CODE_B, "category": "power", "title": "x",
        "contact": "y"})
    assert r.status_code == 403
    r = client.post("/market/listings", headers=staff, json={
        "side": "offer", "credit_code": CODE_B, "category": "power", "title": "1200V SiC",
        "specs": {"material": "SiC", "voltage_v": 1200, "current_a": 40},
        "qualifications": ["AEC-Q101"], "contact": "李经理"})
    assert r.status_code == 201
    (m,) = client.get("/market/matches", headers=ent).json()
    assert m["score"] == 100 and m["contacts"] is None and m["actions"] == [
        "demand_interest", "decline"]
    r = client.post(f"/market/matches/{m['id']}/interest", headers=ent)
    assert r.json()["state"] == "demand_yes" and r.json()["contacts"] is None
    assert client.post(f"/market/matches/{m['id']}/interest", headers=staff).status_code == 403
