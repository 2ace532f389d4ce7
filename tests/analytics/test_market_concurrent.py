"""Both sides of a match say yes at the same moment, with real concurrent writers (SQLite
and PostgreSQL): the match ends connected with both consents, never half-way, and the
database never holds a connected match without both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from huiqi.analytics import market as M
from huiqi.analytics.schemas import ListingCreate, MatchPublic
from huiqi.facts.credit_code import make
from huiqi.service import enterprises
from huiqi.service.context import Actor, Platform
from huiqi.service.permissions import Role
from huiqi.service.schemas import EnterpriseCreate
from huiqi.store.database import Database
from huiqi.store.models import Entity
from service_fixtures import BACKENDS, Backend, drop_backend, make_settings, new_backend

A, B = make("9", "1", "350206", "MA3CD001"), make("9", "1", "350206", "MA3CD002")


@pytest.fixture(params=BACKENDS)
def platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    b: Backend = new_backend(request.param, tmp_path, "market")
    db = Database(b.engine)
    db.upgrade()
    yield Platform(db, make_settings())
    drop_backend(b)


def test_both_sides_say_yes_at_once(platform: Platform) -> None:
    system = platform.system()
    ids = {}
    for code, name in ((A, "甲车企"), (B, "乙芯片")):
        enterprises.create(system, EnterpriseCreate(credit_code=code, name=name))
        with platform.db.read() as s:
            ids[code] = s.scalar(select(Entity.id).where(Entity.credit_code == code))
    M.create_listing(system, ListingCreate(side="demand", credit_code=A, category="mcu",
                                           title="MCU", specs={"flash_kb": 512}, contact="a"))
    M.create_listing(system, ListingCreate(side="offer", credit_code=B, category="mcu",
                                           title="M4", specs={"flash_kb": 1024}, contact="b"))
    for round_ in range(5):
        if round_:
            M.create_listing(system, ListingCreate(
                side="offer", credit_code=B, category="mcu", title=f"M4-{round_}",
                specs={"flash_kb": 1024}, contact="b"))
        match = next(m for m in M.matches(system) if m.state == "proposed")
        barrier = threading.Barrier(2)
        results: dict[str, MatchPublic | BaseException] = {}

        def say_yes(code: str, match: MatchPublic = match, barrier: threading.Barrier = barrier,
                    results: dict[str, MatchPublic | BaseException] = results) -> None:
            ctx = platform.as_actor(Actor(f"u{code[-3:]}", Role.ENTERPRISE, None, ids[code],
                                          code))
            barrier.wait(10)
            try:
                results[code] = M.interest(ctx, match.id)
            except BaseException as exc:  # reported below
                results[code] = exc

        threads = [threading.Thread(target=say_yes, args=(c,)) for c in (A, B)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not [r for r in results.values() if isinstance(r, BaseException)], results
        final = M.match(system, match.id)
        assert final.state == "connected"
        assert final.demand_consented and final.offer_consented and final.contacts
