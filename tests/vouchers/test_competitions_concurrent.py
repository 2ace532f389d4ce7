"""Competitions under concurrent writers (PostgreSQL and SQLite, real transactions on a
pool of connections): one team name registered by eight at once is taken once; a final
awarded by two officers at once is awarded once (the prizes paid once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.facts.credit_code import make
from huiqi.service.context import Platform
from huiqi.store.database import Database
from huiqi.vouchers import competitions as K
from huiqi.vouchers.models import CompetitionTeam
from huiqi.vouchers.schemas import ProblemPost, StageScores
from programmes.conftest import Park, make_park
from service_fixtures import BACKENDS, Backend, Clock, drop_backend, make_settings, new_backend

from .test_competitions import make_competition, public, sheet, team
from .test_concurrent import _at_once


@pytest.fixture(params=BACKENDS)
def concurrent_park(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Park]:
    b: Backend = new_backend(request.param, tmp_path, "contest")
    db = Database(b.engine)
    db.upgrade()
    clock = Clock()
    clock.now = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)
    yield make_park(Platform(db, make_settings(as_of=None), clock), clock)
    drop_backend(b)


def _open(park: Park) -> int:
    firm = make_competition(park)
    code = firm.actor.entity_code
    assert code == make("9", "1", "330201", "MA000801")  # the firm the competition's enterprise user belongs to
    p = K.post(firm, "jhz-2025", ProblemPost(code="P1", enterprise=code, title_zh="视觉检测",
                                             title_en="Vision", description="x", prize="100000"))
    K.move(park.staff(), p.id, "open")
    return p.id


def test_one_team_name_registered_at_once_is_taken_once(concurrent_park: Park) -> None:
    park = concurrent_park
    pid = _open(park)
    n, refused = _at_once([lambda: K.register(public(park), pid, team(1, "厦门大学"))
                           for _ in range(8)])
    assert n == 1 and {e.reason for e in refused} == {"competition.team_exists"}
    with park.platform.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CompetitionTeam)) == 1


def test_a_final_awarded_twice_at_once_is_awarded_once(concurrent_park: Park) -> None:
    park = concurrent_park
    pid = _open(park)
    ids = [K.register(public(park), pid, team(n, "厦门大学")).id for n in (1, 2)]
    officer = park.staff()
    K.move(officer, pid, "review")
    K.advance(officer, pid, StageScores(reviews={str(i): [sheet("preliminary", "80")]
                                                 for i in ids}))
    final = StageScores(reviews={str(ids[0]): [sheet("final", "90")],
                                 str(ids[1]): [sheet("final", "70")]})
    n, refused = _at_once([lambda: K.award(park.staff(), pid, final) for _ in range(2)])
    assert n == 1 and len(refused) == 1
    with park.platform.db.read() as s:
        prizes = list(s.scalars(select(CompetitionTeam.prize).where(
            CompetitionTeam.prize.is_not(None)).order_by(CompetitionTeam.rank)))
    assert [str(p) for p in prizes] == ["50000.00", "30000.00"]
