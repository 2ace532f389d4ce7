"""A NUL character in any text a request carries (a JSON string or key, a form field's
name or value, an uploaded file's name) is refused with 422 and the field named, on SQLite and PostgreSQL alike —
before, PostgreSQL answered 500 and SQLite stored it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huiqi.service import enterprises
from service_fixtures import World, auth


def test_a_nul_in_a_json_string_or_key_is_refused(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={
        "items": [{"fact": "city", "value": "青岛\x00市"}]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid_request"
    [p] = body["problems"]
    assert p["code"] == "request.nul" and p["path"] == ["body", "items", 0, "value"]
    assert "“body.items.0.value”中含有不允许的空字符" in p["message"]["zh"]
    assert "NUL" in p["message"]["en"]
    facts = enterprises.facts(world.ctx("admin"), world.own)
    assert "city" not in {f.fact for f in facts}  # nothing written
    r = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={
        "items": [{"fact": "city", "value": {"a\x00": 1}}]})
    assert r.status_code == 422 and r.json()["problems"][0]["path"][-1] == "a\\0"
    ok = client.patch(f"/enterprises/{world.own}/facts", headers=h, json={
        "items": [{"fact": "city", "value": "青岛市"}]})
    assert ok.status_code == 200, ok.text


def test_a_nul_in_a_form_field_is_refused(api: tuple[World, TestClient]
                                                         ) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    r = client.post("/imports", headers=h, data={"note": "一批\x00"},
                    files={"file": ("firms.csv", b"id,name\n")})
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == ["body", "note"]
    r = client.post("/auth/login", data={"username": "u_admin\x00"})
    assert r.status_code == 422
