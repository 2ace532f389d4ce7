"""The pages in-process: a TestClient on the app built by huiqi.web.create_app over the test
database (SQLite and PostgreSQL), with the language test pack published and matched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from huiqi.packs.files import read_folder
from huiqi.service import enterprises, matching
from huiqi.service.context import Platform
from huiqi.service.schemas import EnterpriseUpdate, FactSet, FactsUpdate
from huiqi.web.pages import SESSION_COOKIE, csrf_token
from service_fixtures import ROOT, World, app_for

LANGUAGE = ROOT / "tests" / "packs" / "language"


@dataclass
class Site:
    """The world of service_fixtures, its pages, and a browser-like client."""

    world: World
    client: TestClient

    @property
    def platform(self) -> Platform:
        return self.world.platform

    def sign_in(self, role: str | None) -> None:
        """Act as ``role`` (the session cookie of its account), or as a visitor."""
        self.client.cookies.clear()
        if role is not None:
            self.client.cookies.set(SESSION_COOKIE, self.world.tokens[role])

    def csrf(self) -> str:
        token = self.client.cookies.get(SESSION_COOKIE)
        return csrf_token(self.platform, token) if token else ""


def publish_language(world: World) -> None:
    ctx = world.ctx("admin")
    world.publish("language", read_folder(LANGUAGE))
    enterprises.update(ctx, world.own, EnterpriseUpdate(park="测试区"))
    enterprises.set_facts(ctx, world.own, FactsUpdate(items=[
        FactSet(fact="registration_date", value="2019-05-01"),
        FactSet(fact="rd_expense", year=2024, value="800000"),
        FactSet(fact="revenue", year=2024, value="10000000")]))
    matching.run(ctx, "language")


@pytest.fixture
def site(world: World) -> Iterator[Site]:
    publish_language(world)
    with TestClient(app_for(world.platform, "web")) as c:
        yield Site(world, c)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]*)"', html)
    return m.group(1) if m else ""
