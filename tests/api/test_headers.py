"""The security headers on every response: API, pages, errors, static files, the
documentation pages (with their own policy); HSTS only in production over https."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from huiqi.store.database import Database
from huiqi.web import create_app
from service_fixtures import make_settings

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
          "referrer-policy": "same-origin"}


def _client(https: bool = False, **settings: object) -> TestClient:
    db = Database.connect("sqlite://")
    db.upgrade()
    app = create_app(make_settings(**settings), database=db)
    return TestClient(app, base_url="https://testserver" if https else "http://testserver",
                      raise_server_exceptions=False)


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/health", 200), ("GET", "/calculator", 200), ("GET", "/login", 200),
    ("GET", "/static/huiqi.js", 200), ("GET", "/openapi.json", 200),
    ("GET", "/enterprises", 401), ("GET", "/nowhere", 404), ("DELETE", "/health", 405),
    ("POST", "/auth/login", 422)])
def test_every_response_carries_the_security_headers(method: str, path: str,
                                                     status: int) -> None:
    r = _client().request(method, path)
    assert r.status_code == status
    for name, value in COMMON.items():
        assert r.headers[name] == value, name
    csp = _directives(r.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "strict-transport-security" not in r.headers


def test_the_documentation_pages_allow_only_their_own_inline_script() -> None:
    client = _client()
    for path in ("/docs", "/docs/oauth2-redirect", "/redoc"):
        r = client.get(path)
        assert r.status_code == 200, path
        scripts = re.findall(rb"<script>(.*?)</script>", r.content, re.S)
        csp = _directives(r.headers["content-security-policy"])
        hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                  for s in scripts}
        assert set(csp["script-src"]) == {"'self'"} | hashes, path
        assert "'unsafe-inline'" not in csp["script-src"] and csp["frame-ancestors"] == ["'none'"]
        assert b"http" not in r.content.replace(b"http-equiv", b""), path  # no CDN, no fonts


def test_swagger_ui_and_redoc_come_from_the_package() -> None:
    """Issue 16, item 9: /docs and /redoc work on an intranet without the internet."""
    client = _client()
    for path in ("/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css",
                 "/docs/static/redoc.standalone.js"):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 100_000, path
    assert "/docs/static/swagger-ui-bundle.js" in client.get("/docs").text
    assert "/docs/static/redoc.standalone.js" in client.get("/redoc").text


def test_hsts_in_production_over_https_only() -> None:
    assert "strict-transport-security" not in _client(https=True).get("/health").headers
    assert "strict-transport-security" not in _client(env="production").get("/health").headers
    r = _client(https=True, env="production").get("/health")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
