"""The working-day calendar over the API: read by every role; an unknown year is a 409 that
says what to do; an administrator fills it in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service_fixtures import World, auth


def test_the_2026_spring_festival_over_the_api(api: tuple[World, TestClient]) -> None:
    world, client = api
    h = auth(world.tokens["enterprise"])
    r = client.get("/calendar/deadline", params={"start": "2026-02-13", "days": 3}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"start": "2026-02-13", "working_days": 3, "deadline": "2026-02-25"}
    year = client.get("/calendar/years/2026", headers=h).json()
    days = {d["day"]: d for d in year["days"]}
    assert year["known"] and days["2026-02-14"]["is_working_day"]
    assert days["2026-02-14"]["source"] == "package"
    assert days["2026-02-16"] == {"day": "2026-02-16", "is_working_day": False,
                                  "source": "package", "reason": "Spring Festival"}


def test_an_unknown_year_is_a_conflict_until_an_administrator_declares_it(
        api: tuple[World, TestClient]) -> None:
    world, client = api
    admin = auth(world.tokens["admin"])
    r = client.get("/calendar/deadline", params={"start": "2027-01-04", "days": 3,
                                                 "lang": "en"}, headers=admin)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "2027" in r.json()["detail"] and "declare-year" in r.json()["detail"]
    assert client.get("/calendar/years/2027", headers=admin).json() == {
        "year": 2027, "known": False, "declared_source": None, "days": []}
    assert client.put("/calendar/years/2027", json={"source": "通知"},
                      headers=admin).status_code == 409  # nothing entered yet
    for day, working, why in (("2027-01-01", False, "元旦"), ("2027-02-06", True, "春节调休上班")):
        r = client.put(f"/calendar/days/{day}", json={"is_working_day": working, "reason": why},
                       headers=admin)
        assert r.status_code == 200, r.text
    r = client.put("/calendar/years/2027", json={"source": "国务院办公厅通知"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["known"] and r.json()["declared_source"] == "国务院办公厅通知"
    assert [(d["day"], d["reason"]) for d in r.json()["days"]] == [
        ("2027-01-01", "元旦"), ("2027-02-06", "春节调休上班")]
    r = client.get("/calendar/deadline", params={"start": "2026-12-31", "days": 1},
                   headers=admin)
    assert r.json()["deadline"] == "2027-01-04"
    assert client.delete("/calendar/days/2027-02-06", headers=admin).status_code == 204


def test_only_an_administrator_edits_it(api: tuple[World, TestClient]) -> None:
    world, client = api
    r = client.put("/calendar/days/2027-01-01", json={"is_working_day": False, "reason": "元旦"},
                   headers=auth(world.tokens["policy_officer"]))
    assert r.status_code == 403
