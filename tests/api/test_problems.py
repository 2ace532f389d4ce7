"""One error shape everywhere: RFC 9457 problem+json, in the request's language, with both
languages under ``messages``."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from huiqi.service.context import Platform
from service_fixtures import World, auth


def _is_problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "instance", "code", "messages"} <= set(body)
    assert body["status"] == status
    assert set(body["messages"]) == {"zh", "en"}
    return body  # type: ignore[no-any-return]


def test_not_found_in_chinese_by_default(api: tuple[World, TestClient]) -> None:
    world, client = api
    r = client.get("/enterprises/91370212MA3C4X5Y00", headers=auth(world.tokens["admin"]))
    body = _is_problem(r, 404)
    assert body["title"] == "未找到" and "找不到企业" in str(body["detail"])
    assert body["lang"] == "zh" and body["type"] == "/problems/not_found"
    assert body["messages"]["en"]["detail"].startswith("No enterprise")  # type: ignore[index]


def test_language_from_accept_language_and_query(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    r = client.get("/enterprises/91370212MA3C4X5Y00",
                   headers={**h, "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert _is_problem(r, 404)["title"] == "Not found"
    r = client.get("/enterprises/91370212MA3C4X5Y00?lang=zh", headers={
        **h, "Accept-Language": "en"})
    assert _is_problem(r, 404)["title"] == "未找到"


def test_validation_errors_list_each_problem(api: tuple[World, TestClient]) -> None:
    world, client = api
    r = client.post("/enterprises", headers=auth(world.tokens["admin"]),
                    json={"credit_code": "123", "kind": "spaceship"})
    body = _is_problem(r, 422)
    paths = sorted(tuple(p["path"]) for p in body["problems"])  # type: ignore[union-attr]
    assert paths == [("body", "credit_code"), ("body", "kind"), ("body", "name")]
    assert "格式不对" in str(body["detail"]) and "缺少必填项" in str(body["detail"])


def test_unknown_address_and_method(client: TestClient) -> None:
    assert _is_problem(client.get("/nowhere"), 404)["code"] == "not_found"
    assert _is_problem(client.delete("/health"), 405)["code"] == "usage"


def test_not_signed_in(client: TestClient) -> None:
    r = client.get("/enterprises", params={"lang": "en"})
    body = _is_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert body["detail"] == "Sign in first (no valid token was given)"


def test_a_nul_character_is_refused(api: tuple[World, TestClient]) -> None:
    world, client = api
    r = client.get("/enterprises?q=%00", headers=auth(world.tokens["admin"]))
    assert _is_problem(r, 422)["code"] == "input"


def test_a_rejected_pack_returns_every_problem(api: tuple[World, TestClient]) -> None:
    from huiqi.packs.files import read_folder
    from service_fixtures import ROOT

    world, client = api
    h = auth(world.tokens["policy_officer"])
    files = [{"path": p, "content": c.decode().replace("rd_expense[-1]", "rd_expens[-1]", 1)}
             for p, c in read_folder(ROOT / "tests" / "packs" / "language")]
    assert client.post("/policies/language/versions", headers=h,
                       json={"files": files}).status_code == 201
    admin = auth(world.tokens["admin"])  # four eyes: another person reviews and publishes
    digest = client.get("/policies/language/versions/1/diff", headers=admin).json()["digest"]
    body = _is_problem(client.post(f"/policies/language/versions/1/publish?reviewed={digest}",
                                   headers=admin), 422)
    assert body["code"] == "pack"
    [p] = body["problems"]  # type: ignore[misc]
    assert p["file"].endswith("lang.yaml") and p["line"] and "rd_expens" in p["message"]["zh"]
    assert client.get("/policies/language/versions/1", headers=h).json()["status"] == "draft"


def test_an_unexpected_database_error_is_a_500_and_logged_without_row_data(
        platform: Platform, caplog: pytest.LogCaptureFixture) -> None:
    import datetime as dt

    from huiqi.api import create_app
    from huiqi.api.access import PUBLIC, rule
    from huiqi.store.models import Entity

    app = create_app(platform.settings, platform=platform)

    @app.get("/boom", openapi_extra=rule(PUBLIC))
    def boom() -> None:  # a bug: writes the same credit code twice
        now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        row = {"credit_code": "91370212MA3C4X5Y0S", "kind": "enterprise",
               "name": "保密名称-ROWDATA", "revision": 1, "created_at": now, "updated_at": now}
        with platform.db.write() as s:
            s.add_all([Entity(**row), Entity(**row)])

    with caplog.at_level(logging.DEBUG), TestClient(app) as client:  # raises what escapes
        r = client.get("/boom")
    assert _is_problem(r, 500)["code"] == "error"
    logged = "\n".join(rec.getMessage() + (logging.Formatter().formatException(rec.exc_info)
                                           if rec.exc_info else "") for rec in caplog.records)
    assert "unexpected database error on GET /boom" in logged and "INSERT INTO entity" in logged
    assert "ROWDATA" not in logged and "91370212MA3C4X5Y0S" not in logged


def test_a_day_is_written_yyyy_mm_dd_within_its_bounds(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["admin"])
    for bad in ("0", "1700000000", "20250601", "1899-12-31", "2201-01-01"):
        body = _is_problem(client.get("/audit", params={"until": bad}, headers=h), 422)
        assert [p["path"] for p in body["problems"]] == [["query", "until"]], bad  # type: ignore[index, union-attr]
    assert client.get("/audit", params={"until": "2025-06-01"}, headers=h).status_code == 200
    r = client.post("/simulations", headers=h, json={"pack": "language", "as_of": 0})
    assert _is_problem(r, 422)["problems"][0]["path"] == ["body", "as_of"]  # type: ignore[index]
