"""The demo's competition at the seed's size (215 universities, 1,900 and more entrants),
generated once: problems in every stage, every university with entrants, prizes and
certificates on the awarded problems, the counts adding up."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from huiqi.programmes.demo import Demo
from huiqi.vouchers import competitions as K
from huiqi.vouchers import competitions_demo
from huiqi.vouchers.models import CompetitionProblem, CompetitionTeam
from programmes.conftest import REVIEWERS, Park
from service_fixtures import Backend

from .conftest import XM


def test_the_seed_sized_competition_has_every_stage(park: Park, backend: Backend) -> None:
    if backend.name != "sqlite":   # generated once: the services it calls are tested on both
        pytest.skip("the seed-sized demo is generated once, on SQLite")
    firms = []
    for i in range(6):
        code = park.add_firm(950 + i, "厦门市", XM, f"厦门出题企业{i}号有限公司")
        firms.append((code, park.ids[code]))
    said: list[str] = []
    day = dt.date(2025, 6, 20)
    competitions_demo.create(Demo(park.platform, list(REVIEWERS), said.append), day, firms,
                             said.append)
    assert said and said[-1].startswith("✓ 炬火种"), said
    n = K.counts(park.staff(), "jhz-2025")
    assert len(n.universities) >= 215 and n.entrants >= 1900
    assert sum(u["entrants"] for u in n.universities) == n.entrants
    assert sum(p["teams"] for p in n.problems) == n.teams
    with park.platform.db.read() as s:
        states = set(s.scalars(select(CompetitionProblem.state)))
        teams = dict(s.execute(select(CompetitionTeam.state, func.count()).group_by(
            CompetitionTeam.state)).all())
        certificates = s.scalar(select(func.count()).select_from(CompetitionTeam).where(
            CompetitionTeam.certificate.is_not(None)))
    assert states == {"posted", "open", "preliminary", "final", "awarded", "withdrawn"}
    assert set(teams) == {"registered", "finalist", "eliminated", "placed", "unplaced"}
    assert certificates == teams["placed"] and 0 < teams["placed"] <= 12 * 3
    assert len(competitions_demo.universities()) == 215
