"""Request bodies have a limit on every address, uploads a larger one of their own; a body
past it is refused with 413 and a message naming the limit and its setting."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from huiqi.facts.credit_code import make
from huiqi.settings import Settings
from service_fixtures import PASSWORD, World, auth, make_settings


@pytest.fixture
def settings() -> Settings:
    return make_settings(request_max_kb=16, upload_max_mb=1)


def test_a_large_body_is_refused_on_an_ordinary_address(api: tuple[World, TestClient]) -> None:
    _world, client = api
    body = json.dumps({"username": "u_admin", "password": PASSWORD, "pad": "x" * 100_000})
    r = client.post("/auth/login", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text
    p = r.json()
    assert p["code"] == "too_large" and p["type"] == "/problems/too_large"
    assert "16 KB" in p["messages"]["zh"]["detail"] and "HUIQI_REQUEST_MAX_KB" in p["detail"]
    assert "too large" in p["messages"]["en"]["detail"]
    ok = client.post("/auth/login", json={"username": "u_admin", "password": PASSWORD})
    assert ok.status_code == 200


def test_a_body_without_a_length_is_counted_as_it_streams(api: tuple[World, TestClient]
                                                          ) -> None:
    _world, client = api
    sent = [0]

    def chunks() -> Iterator[bytes]:
        yield b'{"username": "u_admin", "password": "'
        for _ in range(64):
            sent[0] += 4096
            yield b"x" * 4096
        yield b'"}'

    r = client.post("/auth/login", content=chunks(),
                    headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_uploads_have_their_own_larger_limit(api: tuple[World, TestClient]) -> None:
    world, client = api
    token = world.tokens["admin"]
    rows = "".join(f"{make('9', '1', '370212', f'MA3UP{i:03d}')},公司{i}\n" for i in range(800))
    csv = ("id,name\n" + rows).encode()
    assert 16 * 1024 < len(csv) < 1024 * 1024  # past the ordinary limit, within the upload's
    ok = client.post("/imports", headers=auth(token), files={"file": ("firms.csv", csv)})
    assert ok.status_code == 201, ok.text
    big = b"id,name\n" + b"x" * (1024 * 1024 + 1)
    r = client.post("/imports", headers=auth(token), files={"file": ("big.csv", big)})
    assert r.status_code == 413
    assert "1 MB" in r.json()["detail"] and "HUIQI_UPLOAD_MAX_MB" in r.json()["detail"]
    # a version of a pack sent as JSON is an upload too
    files = [{"path": "pack.yaml", "content": "id: big\n" + "#" * 40_000}]
    r = client.post("/policies/big/versions", headers=auth(token), json={"files": files})
    assert r.status_code == 201, r.text
