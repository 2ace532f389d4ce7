"""Money and other numbers come back exactly as they went in, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from huiqi.clock import CHINA
from huiqi.store.database import Database
from huiqi.store.models import Entity, FactValue, MatchResult, MatchRun, PackVersion, PolicyPack

NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _entity(s: object) -> Entity:
    e = Entity(credit_code="91370212MA3C4X5Y0X", kind="enterprise", name="x", revision=1,
               created_at=NOW, updated_at=NOW)
    s.add(e)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    return e


@pytest.mark.parametrize("value", ["20000001.00", "0.01", "9999999999999999.99", "-5.10"])
def test_money_is_exact(db: Database, value: str) -> None:
    with db.write() as s:
        e = _entity(s)
        pack = PolicyPack(key="p", created_at=NOW)
        s.add(pack)
        s.flush()
        v = PackVersion(pack_id=pack.id, number=1, status="published", created_at=NOW,
                        created_by="t")
        s.add(v)
        s.flush()
        run = MatchRun(pack_version_id=v.id, version_key="p@1", as_of=NOW.date(), entities=1,
                       results=1, started_at=NOW, finished_at=NOW, run_by="t")
        s.add(run)
        s.flush()
        s.add(MatchResult(entity_id=e.id, pack_version_id=v.id, version_key="p@1",
                          as_of=NOW.date(), clause_key="a/b", status="eligible",
                          amount=Decimal(value), potential_amount=None, detail={},
                          run_id=run.id, computed_at=NOW))
    with db.read() as s:
        got = s.scalar(select(MatchResult.amount))
    assert got == Decimal(value)
    assert str(got) == value


def test_money_refuses_fractions_of_a_fen_and_absurd_sums(db: Database) -> None:
    from huiqi.store.types import Money

    with pytest.raises(ValueError, match="two decimals"):
        Money().process_bind_param(Decimal("1.005"), db.bind.dialect)
    with pytest.raises(ValueError, match="below"):
        Money().process_bind_param(Decimal("1E16"), db.bind.dialect)


@pytest.mark.parametrize("value", ["0.070000000000000000001", "1E+3", "-12345678901234567890.5"])
def test_exact_numbers_keep_every_digit(db: Database, value: str) -> None:
    with db.write() as s:
        e = _entity(s)
        s.add(FactValue(entity_id=e.id, fact="revenue", year=2024, value_number=Decimal(value),
                        source="t", recorded_at=NOW, recorded_by="t"))
    with db.read() as s:
        got = s.scalar(select(FactValue.value_number))
    assert got == Decimal(value)


def test_times_come_back_in_utc(db: Database) -> None:
    local = NOW.astimezone(CHINA)
    with db.write() as s:
        e = _entity(s)
        e.updated_at = local
    with db.read() as s:
        got = s.scalar(select(Entity.updated_at))
    assert got == NOW and got.tzinfo is not None
