"""Through the API: an enterprise user reaches only its own enterprise; everything is
audited; the audit log has no route that changes it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service_fixtures import World, auth


def test_enterprise_user_cannot_read_or_change_another(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["enterprise"])
    assert client.get(f"/enterprises/{world.own}", headers=h).status_code == 200
    for method, suffix, body in (("GET", "", None), ("GET", "/facts", None),
                                 ("GET", "/locations", None), ("GET", "/match", None),
                                 ("PATCH", "", {"name": "冒名"}),
                                 ("PATCH", "/facts", {"items": [{"fact": "revenue", "year": 2024,
                                                                 "value": "1"}]})):
        r = client.request(method, f"/enterprises/{world.other}{suffix}", headers=h, json=body)
        assert r.status_code == 403, (method, suffix, r.text)
        assert r.json()["code"] == "permission_denied"
    listed = client.get("/enterprises", headers=h).json()
    assert [e["credit_code"] for e in listed["items"]] == [world.own]
    admin = auth(world.tokens["admin"])
    assert client.get(f"/enterprises/{world.other}", headers=admin).json()["name"] == \
        "宁波甬新材料科技有限公司"
    assert client.get(f"/enterprises/{world.other}/facts", headers=admin).json() == []


def test_own_facts_are_self_reported(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["enterprise"])
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={"items": [
        {"fact": "revenue", "year": 2024, "value": "12000000.50"}]})
    assert r.status_code == 200 and r.json() == [
        {"fact": "revenue", "year": 2024, "before": None, "after": "12000000.5"}]
    [f] = client.get(f"/enterprises/{world.own}/facts", headers=h).json()
    assert (f["source"], f["recorded_by"], f["value"]) == ("self_reported", "u_enterprise",
                                                           "12000000.5")


def test_audit_entries_for_writes_logins_and_refusals(api: tuple[World, TestClient]) -> None:
    world, client = api
    client.post("/auth/login", json={"username": "u_reviewer", "password": "wrong"})
    client.get(f"/enterprises/{world.other}", headers=auth(world.tokens["enterprise"]))
    client.patch(f"/enterprises/{world.own}", headers=auth(world.tokens["case_officer"]),
                 json={"name": "新名字"})
    h = auth(world.tokens["admin"])
    entries = client.get("/audit", headers=h, params={"limit": 500}).json()["items"]
    seen = {(e["actor"], e["action"], e["outcome"]) for e in entries}
    assert ("u_reviewer", "login", "ok") in seen          # from the fixture's sign-ins
    assert ("u_reviewer", "login", "failed") in seen
    assert ("u_enterprise", "enterprise.read", "denied") in seen
    assert ("u_case_officer", "enterprise.update", "ok") in seen
    update = next(e for e in entries if e["action"] == "enterprise.update")
    assert update["before"]["name"] == "青岛海纳微电子有限公司" and update["after"]["name"] == "新名字"
    assert client.get("/audit", headers=auth(world.tokens["leadership"])).status_code == 403


def test_the_api_offers_no_way_to_change_the_audit_log(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert client.request(method, "/audit", headers=h).status_code == 405
    spec = client.get("/openapi.json").json()
    audit_paths = {p: set(ops) for p, ops in spec["paths"].items() if p.startswith("/audit")}
    assert audit_paths == {"/audit": {"get"}}


def test_a_move_through_the_api(api: tuple[World, TestClient]) -> None:
    """An administrator corrects a location directly (a move is a case: huiqi.cases.moves)."""
    world, client = api
    h = auth(world.tokens["admin"])
    r = client.patch(f"/enterprises/{world.own}", headers=h,
                     json={"district": "即墨区", "moved_on": "2025-03-01"})
    assert r.status_code == 200 and r.json()["district"] == "即墨区"
    hist = client.get(f"/enterprises/{world.own}/locations", headers=h).json()
    assert [(x["district"], x["valid_from"], x["valid_to"]) for x in hist] == [
        ("崂山区", "2019-05-01", "2025-02-28"), ("即墨区", "2025-03-01", None)]


def test_an_enterprise_user_cannot_choose_the_source_of_its_facts(
        api: tuple[World, TestClient]) -> None:
    """Issue 10, item 8: the server decides the source from who writes."""
    world, client = api
    h = auth(world.tokens["enterprise"])
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={
        "source": "tax", "items": [{"fact": "revenue", "year": 2024, "value": "99000000"}]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["problems"][0]["path"] == ["source"]
    assert "企业自报" in body["messages"]["zh"]["detail"] and "“tax”" in body["detail"]
    assert client.get(f"/enterprises/{world.own}/facts", headers=h).json() == []  # nothing written
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={
        "source": "self_reported", "items": [{"fact": "revenue", "year": 2024, "value": "1"}]})
    assert r.status_code == 200
    # staff may name the record they transcribe
    officer = auth(world.tokens["case_officer"])
    r = client.patch(f"/enterprises/{world.other}/facts", headers=officer, json={
        "source": "tax", "items": [{"fact": "revenue", "year": 2024, "value": "5"}]})
    assert r.status_code == 200
    [f] = client.get(f"/enterprises/{world.other}/facts", headers=officer).json()
    assert f["source"] == "tax"


def test_only_staff_move_an_enterprise(api: tuple[World, TestClient]) -> None:
    """Issue 10, item 21: an enterprise user renames its own firm but cannot move it."""
    world, client = api
    h = auth(world.tokens["enterprise"])
    for body in ({"district": "黄岛区", "moved_on": "2025-03-01"}, {"park": "别的园区"},
                 {"name": "新名字", "district": "黄岛区"}):
        r = client.patch(f"/enterprises/{world.own}", headers=h, json=body)
        assert r.status_code == 403, (body, r.text)
        assert "enterprise.move" in r.json()["detail"]
    admin = auth(world.tokens["admin"])
    e = client.get(f"/enterprises/{world.own}", headers=admin).json()
    assert (e["name"], e["district"], e["park"]) == ("青岛海纳微电子有限公司", "崂山区", "青岛高新区")
    assert len(client.get(f"/enterprises/{world.own}/locations", headers=admin).json()) == 1
    denied = client.get("/audit", headers=admin, params={
        "actor": "u_enterprise", "outcome": "denied"}).json()["items"]
    assert [(d["action"], d["target"]) for d in denied] == [("enterprise.move", world.own)] * 3
    assert client.patch(f"/enterprises/{world.own}", headers=h,
                        json={"name": "新名字"}).status_code == 200
    r = client.patch(f"/enterprises/{world.own}", headers=auth(world.tokens["case_officer"]),
                     json={"district": "黄岛区", "moved_on": "2025-03-01"})
    assert r.status_code == 403  # case officers move an enterprise through a move case
    r = client.patch(f"/enterprises/{world.own}", headers=admin,
                     json={"district": "黄岛区", "moved_on": "2025-03-01"})
    assert r.status_code == 200 and r.json()["district"] == "黄岛区"


def test_a_remembered_match_is_not_served_to_another_enterprise(
        api: tuple[World, TestClient]) -> None:
    """A match staff asked for is remembered; an enterprise user asking for it is refused
    all the same (the remembered answer goes through the same permission as a computed one)."""
    world, client = api
    admin, own = auth(world.tokens["admin"]), auth(world.tokens["enterprise"])
    for explain in ("false", "true"):
        url = f"/enterprises/{world.other}/match?explain={explain}"
        assert client.get(url, headers=admin).status_code == 200
        assert client.get(url, headers=admin).status_code == 200   # now from memory
        r = client.get(url, headers=own)
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "permission_denied"
