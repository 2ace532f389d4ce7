"""The park's indicators from the registry: computed over the facts in force, missing data
stated (never 0), each with its definition, unit, source and year."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from huiqi.analytics import indicators
from huiqi.store.database import Database
from huiqi.store.models import Entity, FactValue

AT = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _firm(s, code: str, park: str, facts: list[tuple[str, int, object]]) -> None:  # type: ignore[no-untyped-def]
    e = Entity(credit_code=code, kind="enterprise", name=code, park=park, revision=1,
               created_at=AT, updated_at=AT)
    s.add(e)
    s.flush()
    for fact, year, v in facts:
        num = Decimal(str(v)) if isinstance(v, int | float) else None
        txt = json.dumps(v) if isinstance(v, list) else None
        s.add(FactValue(entity_id=e.id, fact=fact, year=year, value_number=num, value_text=txt,
                        source="test", recorded_at=AT, recorded_by="t"))


def test_indicators_from_the_registry(db: Database) -> None:
    hnte = [{"kind": "hnte", "level": "national", "date": "2024-03-01", "expiry": "2027-02-28"}]
    with db.write() as s:
        _firm(s, "A1", "厦门火炬高新区", [("revenue", 2024, 1000), ("revenue", 2023, 800),
                                       ("rd_expense", 2024, 50), ("staff_total", 2024, 100),
                                       ("rd_staff", 2024, 30), ("ip_class1", 2024, 4),
                                       ("honours", 0, hnte)])
        _firm(s, "A2", "厦门火炬高新区", [("revenue", 2024, 3000), ("rd_expense", 2024, 150),
                                       ("staff_total", 2024, 300), ("honours", 0, [])])
        _firm(s, "B1", "宁波高新区", [("revenue", 2024, 99999), ("rd_expense", 2024, 1)])
        # a later value of the same fact and year is the one in force
        e = s.query(Entity).filter_by(credit_code="A2").one()
        s.add(FactValue(entity_id=e.id, fact="rd_expense", year=2024,
                        value_number=Decimal(90), source="test", recorded_at=AT, recorded_by="t"))
    with db.read() as s:
        values = {v.key: v for v in indicators.compute(s, "厦门火炬高新区", [2024])}
    rd = values["rd_intensity"]
    assert rd.value is not None and abs(rd.value - 100 * 140 / 4000) < 1e-9
    assert rd.enterprises == 2 and rd.unit == "%" and rd.year == 2024
    assert rd.definition.zh and rd.source.zh
    growth = values["revenue_growth"]  # only A1 reports both years
    assert growth.value is not None and abs(growth.value - 25.0) < 1e-9
    assert growth.enterprises == 1
    assert values["hnte_count"].value == 1 and values["new_hnte"].value == 1
    assert values["hnte_share"].value == 50.0
    assert abs((values["patents_per_10k"].value or 0) - 4 / 100 * 10000) < 1e-9
    # net profit: nobody reports it — missing, stated, not 0
    profit = values["profit_per_capita"]
    assert profit.value is None and profit.missing is not None and profit.enterprises == 0


def test_a_park_with_no_enterprises_has_only_missing_values(db: Database) -> None:
    with db.read() as s:
        values = indicators.compute(s, "无此园区", [2024])
    assert values and all(v.value is None and v.missing for v in values)
