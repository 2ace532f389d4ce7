"""Rate limits (issue 10, item 7): per client address for anonymous requests, the
calculator and signing in, per account for failed sign-ins; counted in memory or in Redis
(shared by several server processes); refused with 429, ``Retry-After`` and a message in
Chinese first; repeated anonymous refusals audited in counted entries, not one each."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huiqi.api import create_app
from huiqi.service import limiter, refusals
from huiqi.service.audit import AuditQuery, entries
from huiqi.service.context import Platform
from huiqi.web import create_app as site_app
from service_fixtures import PASSWORD, REDIS_URL, Clock, World, auth, clear_of_minute_turn, make_settings, redis_or_skip

REDIS = REDIS_URL

LIMITS = {"rate_limit_anonymous_per_minute": 3, "rate_limit_calculator_per_minute": 2,
          "rate_limit_login_per_minute": 4, "rate_limit_login_account_per_minute": 2}


@pytest.fixture(autouse=True)
def _clear_of_minute_turn() -> None:
    clear_of_minute_turn()


def _platform(world: World, storage: str = "memory://", prefix: str = "huiqi",
              **limits: int) -> Platform:
    settings = make_settings(rate_limit_storage=storage, **{**LIMITS, **limits})
    p = Platform(world.platform.db, settings, world.platform.clock)
    limiter.use(p, limiter.Limiter(settings, prefix=prefix))
    return p


def _client(app: FastAPI, ip: str = "203.0.113.7") -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(ip, 40000))


def _access(platform: Platform) -> list[tuple[str, str | None, str, int, str | None]]:
    _, rows = entries(platform.system(), AuditQuery(action="access", limit=500))
    return [(e.outcome, e.target, e.actor, e.count, e.detail) for e in reversed(rows)]


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    if request.param == "memory":
        yield "memory://", "huiqi"
        return
    redis_or_skip()
    prefix = f"huiqi-test-{secrets.token_hex(4)}"
    yield REDIS, prefix
    import redis

    r = redis.Redis.from_url(REDIS)
    keys = list(r.scan_iter(f"{prefix}*"))
    if keys:
        r.delete(*keys)


def test_anonymous_requests_are_limited_per_address(world: World,
                                                    storage: tuple[str, str]) -> None:
    platform = _platform(world, *storage)
    app = create_app(platform.settings, platform=platform)
    with _client(app) as client, _client(app, "198.51.100.9") as neighbour:
        for _ in range(3):
            assert client.get(f"/enterprises/{world.own}").status_code == 401
        r = client.get(f"/enterprises/{world.own}")
        assert r.status_code == 429, r.text
        assert 1 <= int(r.headers["retry-after"]) <= 60
        body = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert body["code"] == "rate_limited" and body["title"] == "请求过于频繁"
        assert body["detail"].startswith("请求过于频繁,请") and "秒后再试" in body["detail"]
        assert body["messages"]["en"]["detail"].startswith("Too many requests; try again in")
        # a wrong token is no way around it: refused sign-ins count as anonymous
        r = client.get(f"/enterprises/{world.own}", headers=auth("forged"))
        assert r.status_code == 429 and "retry-after" in r.headers
        # signed in, the same address is served; another address has its own count
        assert client.get(f"/enterprises/{world.own}",
                          headers=auth(world.tokens["admin"])).status_code == 200
        assert neighbour.get(f"/enterprises/{world.own}").status_code == 401


def test_several_server_processes_share_the_limits_in_redis(world: World) -> None:
    """Two apps (as two workers would be), one Redis: the limit holds across them."""
    redis_or_skip()
    prefix = f"huiqi-test-{secrets.token_hex(4)}"
    one = create_app(make_settings(), platform=_platform(world, REDIS, prefix))
    two = create_app(make_settings(), platform=_platform(world, REDIS, prefix))
    try:
        with _client(one) as a, _client(two) as b:
            assert [c.get("/enterprises").status_code for c in (a, b, a)] == [401, 401, 401]
            assert b.get("/enterprises").status_code == 429
            assert a.get("/enterprises").status_code == 429
    finally:
        import redis

        r = redis.Redis.from_url(REDIS)
        keys = list(r.scan_iter(f"{prefix}*"))
        assert keys  # the counts were in Redis
        r.delete(*keys)


def test_in_process_limits_are_per_process(world: World) -> None:
    """The embedded default counts in each process on its own (what Redis is for)."""
    one = create_app(make_settings(), platform=_platform(world))
    two = create_app(make_settings(), platform=_platform(world))
    with _client(one) as a, _client(two) as b:
        assert [c.get("/enterprises").status_code for c in (a, a, a, b)] == [401] * 4
        assert a.get("/enterprises").status_code == 429


def test_an_unreachable_redis_leaves_the_limits_in_place(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    platform = _platform(world, "redis://127.0.0.1:9/0")  # nothing listens on port 9
    app = create_app(platform.settings, platform=platform)
    with caplog.at_level(logging.WARNING, "huiqi.limits"), _client(app) as client:
        assert [client.get("/enterprises").status_code for _ in range(4)] == [401] * 3 + [429]
    assert "counted in this process only" in caplog.text
    assert "127.0.0.1:9/0" in caplog.text


def test_the_calculator_is_limited_per_address(world: World, storage: tuple[str, str]) -> None:
    """Signed in or not: it is the costliest page."""
    platform = _platform(world, *storage, rate_limit_anonymous_per_minute=0)
    with _client(site_app(platform.settings, platform=platform)) as client:
        client.cookies.set("huiqi_session", world.tokens["enterprise"])
        assert client.get("/calculator").status_code == 200
        assert client.post("/calculator", data={"q": "", "action": "answer"}).status_code == 200
        r = client.get("/calculator")
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("text/html")
        assert "请求过于频繁" in r.text and int(r.headers["retry-after"]) >= 1
        assert client.get(f"/match/{world.own}").status_code == 200  # the rest is served


def test_signing_in_is_limited_per_address_and_per_account(world: World,
                                                           storage: tuple[str, str]) -> None:
    platform = _platform(world, *storage, rate_limit_anonymous_per_minute=0)
    app = site_app(platform.settings, platform=platform)
    wrong = {"username": "u_reviewer", "password": "wrong"}
    with _client(app, "192.0.2.1") as a, _client(app, "192.0.2.2") as b, \
            _client(app, "192.0.2.3") as c:
        # per account: its failures, from any address
        assert a.post("/auth/login", json=wrong).status_code == 401
        assert b.post("/login", data=wrong).status_code == 401
        r = c.post("/auth/login", json={**wrong, "password": PASSWORD})
        assert r.status_code == 429 and r.json()["code"] == "rate_limited", r.text
        assert "retry-after" in r.headers
        # other accounts are not held up; successes do not count
        ok = {"username": "u_admin", "password": PASSWORD}
        assert c.post("/auth/login", json=ok).status_code == 200
        assert c.post("/auth/login", json=ok).status_code == 200
        # per address: every attempt counts
        assert c.post("/auth/login", json=ok).status_code == 200
        assert c.post("/auth/login", json=ok).status_code == 429


def test_repeated_refusals_are_counted_not_written_one_by_one(world: World) -> None:
    """Issue 10, item 7: a client refused 50 times in a minute adds one entry for the first
    401, one for the first 429, then one entry each with the count of the rest."""
    platform = _platform(world)
    clock = platform.clock
    assert isinstance(clock, Clock)
    before = len(_access(platform))
    app = create_app(platform.settings, platform=platform)
    with _client(app) as client:
        codes = [client.get(f"/enterprises/{world.own}/match").status_code for _ in range(50)]
        assert codes == [401] * 3 + [429] * 47
        # the server's writer writes the first of each kind within a second, in its thread
        refusals.flush(platform, clock.now.replace(second=0))  # (or this, now)
        got = _access(platform)[before:]
        route, coarse = "GET /enterprises/{code}/match", "GET /enterprises/…"
        # 429s are answered before routing, under a coarse route (varied paths add nothing)
        assert sorted((o, t, a, n, d) for o, t, a, n, d in got) == [
            ("rate_limited", coarse, "anonymous", 1, "rate.limited; ip 203.0.113.7"),
            ("unauthenticated", route, "anonymous", 1, "auth.required; ip 203.0.113.7")]
        clock.advance(minutes=1)
        assert refusals.flush(platform, clock.now.replace(second=0)) == 2
    got = _access(platform)[before:]
    assert sorted((o, n) for o, _t, _a, n, _d in got) == [
        ("rate_limited", 1), ("rate_limited", 46), ("unauthenticated", 1), ("unauthenticated", 2)]
    assert any("46 more in the minute from 2025-06-01 09:00 UTC" in (d or "") for *_x, d in got)
    assert sum(n for *_x, n, _d in got) == 50
    # the server writes what is left when it stops
    with _client(app) as client:
        for _ in range(5):
            client.get("/audit")
    assert sum(n for *_x, n, _d in _access(platform)[before:]) == 55


def test_an_address_already_refused_is_answered_before_routing(world: World) -> None:
    """Once refused, an address is answered 429 by the early middleware (no routing, no
    body, no dependencies): a page for a browser, problem+json for the API, even at an
    address the app does not have; audited under a coarse route."""
    platform = _platform(world)
    app = site_app(platform.settings, platform=platform)
    before = len(_access(platform))
    with _client(app) as client:
        for _ in range(3):
            client.get("/enterprises")
        assert client.get("/enterprises").status_code == 429
        api = client.get("/enterprises/91370212MA3C4X5Y0X/match")
        page = client.get("/staff/policies", headers={"accept": "text/html"})
        nowhere = client.post("/no/such/place", content=b"x" * 10_000)
        assert [r.status_code for r in (api, page, nowhere)] == [429] * 3
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["messages"]["zh"]["detail"].startswith("请求过于频繁")
        assert page.headers["content-type"].startswith("text/html") and "请求过于频繁" in page.text
        assert all(int(r.headers["retry-after"]) >= 1 for r in (api, page, nowhere))
        # a signed-in request from the same address goes through
        assert client.get("/enterprises", headers=auth(world.tokens["admin"])).status_code == 200
    targets = {t for _o, t, *_x in _access(platform)[before:]}
    assert {"GET /enterprises/…", "GET /staff/…", "POST /*/…"} <= targets, targets


@pytest.mark.parametrize("name", ["sqlite", "postgresql"])
def test_a_running_server_writes_refusals_in_its_writer_thread(name: str, tmp_path: Path) -> None:
    """On a real engine (not the tests' one connection) the server's writer thread writes
    the refusals: the first of each kind within a second, the rest counted at the end."""
    from huiqi.store.database import Database
    from service_fixtures import drop_backend, new_backend

    b = new_backend(name, tmp_path, "writer")
    try:
        db = Database(b.engine)
        db.upgrade()
        settings = make_settings(**LIMITS)
        platform = Platform(db, settings)
        app = create_app(settings, platform=platform)
        with _client(app) as client:
            assert refusals.tally_of(platform).writers == 1
            codes = [client.get("/enterprises").status_code for _ in range(20)]
            assert codes == [401] * 3 + [429] * 17
            deadline = time.monotonic() + 10
            while len(_access(platform)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert sorted((o, t, n) for o, t, _a, n, _d in _access(platform)) == [
                ("rate_limited", "GET /enterprises", 1), ("unauthenticated", "GET /enterprises", 1)]
        got = _access(platform)  # the rest, counted, written when the server stopped
        assert sorted((o, n) for o, _t, _a, n, _d in got) == [
            ("rate_limited", 1), ("rate_limited", 16), ("unauthenticated", 1),
            ("unauthenticated", 2)]
        assert chain_ok(db)
    finally:
        drop_backend(b)


def chain_ok(db: Any) -> bool:
    from huiqi.service.audit import chain_rows
    from huiqi.store import chain

    return chain.verify_rows(chain_rows(db)).ok


def test_a_token_no_good_from_a_refused_address_is_refused_before_routing(world: World) -> None:
    """From an address over its limit of anonymous requests, a forged or signed-out token is
    refused before routing (audited under the coarse route, as an anonymous request is),
    while a good token from the same address goes through."""
    from huiqi.service import sessions

    platform = _platform(world)
    app = site_app(platform.settings, platform=platform)
    gone = sessions.login(platform, "u_admin", PASSWORD).token
    sessions.logout(platform.as_actor(sessions.authenticate(platform, gone)), gone)
    with _client(app) as client:
        before = len(_access(platform))
        forged = client.get("/enterprises/91370212MA3C4X5Y0X/match", headers=auth("forged"))
        assert forged.status_code == 401   # not yet over the limit: refused where tokens are checked
        while client.get("/enterprises").status_code != 429:
            pass
        for token in ("forged", gone, "forged"):
            r = client.get("/enterprises/91370212MA3C4X5Y0X/match", headers=auth(token))
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1, r.text
        cookie = client.get("/staff/policies", headers={"accept": "text/html",
                                                        "cookie": f"huiqi_session={gone}"})
        assert cookie.status_code == 429 and "请求过于频繁" in cookie.text
        good = world.tokens["admin"]
        assert client.get("/enterprises", headers=auth(good)).status_code == 200
        assert sessions.valid(platform, good) and not sessions.valid(platform, "forged")
    after = _access(platform)[before:]
    late = [t for o, t, *_x in after if o == "rate_limited" and "{" in (t or "")]
    assert late == [], after   # none went as far as a route's dependencies
    assert ("rate_limited", "GET /enterprises/…") in {(o, t) for o, t, *_x in after}


def test_a_refusal_is_prepared_once_and_sent_as_made(world: World) -> None:
    """The same refusal twice is the same bytes; what it depends on (the path, the
    language) makes another; every refusal carries the security headers."""
    platform = _platform(world)
    app = site_app(platform.settings, platform=platform)
    with _client(app) as client:
        while client.get("/enterprises").status_code != 429:
            pass
        one = client.get("/enterprises/91370212MA3C4X5Y0X/match")
        two = client.get("/enterprises/91370212MA3C4X5Y0X/match")
        other = client.get("/enterprises/91350200MA0000001X/match")
        english = client.get("/enterprises/91370212MA3C4X5Y0X/match?lang=en")
        page = client.get("/calculator", headers={"accept": "text/html"})
    if one.headers["retry-after"] == two.headers["retry-after"]:   # not a second apart
        assert one.content == two.content
    assert one.json()["instance"] == "/enterprises/91370212MA3C4X5Y0X/match"
    assert other.json()["instance"] == "/enterprises/91350200MA0000001X/match"
    assert one.json()["lang"] == "zh" and english.json()["lang"] == "en"
    assert english.json()["detail"].startswith("Too many")
    for r in (one, other, english, page):
        assert r.status_code == 429
        assert "default-src" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    assert page.headers["content-type"].startswith("text/html") and "<h1>" in page.text
