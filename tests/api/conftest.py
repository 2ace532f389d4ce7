"""The API in-process: a TestClient on the app built by create_app over the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from huiqi.service.context import Platform
from service_fixtures import World, app_for


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(app_for(platform), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(world: World, client: TestClient) -> tuple[World, TestClient]:
    return world, client
