"""Entities keep their identity and history when they move; the engine's Enterprise is
built from the value in force of each fact and year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from huiqi.facts.catalogue import default_catalogue
from huiqi.registry import entities as E
from huiqi.registry.profile import enterprise_of
from huiqi.service import enterprises
from huiqi.service.schemas import EnterpriseUpdate, FactSet, FactsUpdate
from huiqi.store.database import Database
from service_fixtures import CODE_A, World


def test_a_move_between_districts_keeps_identity_and_history(world: World, db: Database) -> None:
    """The seed's Qingdao cross-district migration: 进一扇门,办两地事."""
    officer = world.ctx("case_officer")
    enterprises.set_facts(officer, CODE_A, FactsUpdate(items=[
        FactSet(fact="revenue", year=2024, value="8000000")]))
    before = enterprises.get(officer, CODE_A)
    after = enterprises.update(world.ctx("admin"), CODE_A, EnterpriseUpdate(
        district="即墨区", park="青岛蓝谷", moved_on=dt.date(2025, 3, 1)))
    assert after.credit_code == before.credit_code and after.district == "即墨区"
    history = enterprises.locations(officer, CODE_A)
    assert [(h.district, h.park, h.valid_to) for h in history] == [
        ("崂山区", "青岛高新区", dt.date(2025, 2, 28)), ("即墨区", "青岛蓝谷", None)]
    assert history[1].valid_from == dt.date(2025, 3, 1)
    # facts recorded before the move stay with the entity
    assert [f.value for f in enterprises.facts(officer, CODE_A)] == ["8000000"]
    cat = default_catalogue()
    with db.read() as s:
        e = E.find(s, CODE_A)
        assert e is not None and e.credit_code == CODE_A
        assert enterprise_of(s, cat, e, dt.date(2025, 2, 1)).facts["district"] == "崂山区"
        assert enterprise_of(s, cat, e, dt.date(2025, 6, 1)).facts["district"] == "即墨区"


def test_the_enterprise_object_takes_the_latest_value_per_fact_and_year(world: World,
                                                                        db: Database) -> None:
    officer = world.ctx("case_officer")
    for value in ("100.00", "250.50"):
        enterprises.set_facts(officer, CODE_A, FactsUpdate(items=[
            FactSet(fact="revenue", year=2024, value=value),
            FactSet(fact="revenue", year=2023, value="90"),
            FactSet(fact="registration_date", value="2019-05-01"),
            FactSet(fact="industry", value="集成电路"),
            FactSet(fact="staff_total", year=2024, value="42"),
            FactSet(fact="honours", value=[{"kind": "hnte", "level": "national",
                                            "date": "2023-12-01"}])]))
    with db.read() as s:
        e = E.find(s, CODE_A)
        assert e is not None and e.credit_code == CODE_A
        ent = enterprise_of(s, default_catalogue(), e)
    assert ent.id == CODE_A and ent.name == "青岛海纳微电子有限公司"
    assert ent.years[2024]["revenue"] == Decimal("250.50")
    assert ent.years[2023]["revenue"] == Decimal("90")
    assert ent.years[2024]["staff_total"] == 42
    assert ent.facts["registration_date"] == dt.date(2019, 5, 1)
    assert ent.facts["industry"] == "integrated_circuits"
    assert ent.facts["honours"][0]["kind"] == "hnte"
    assert ent.facts["entity_kind"] == "enterprise"
    # the history keeps both values, each with its provenance
    hist = [f for f in enterprises.facts(officer, CODE_A, history=True) if f.fact == "revenue"]
    assert [(f.year, f.value, f.recorded_by, f.source) for f in hist] == [
        (2023, "90", "u_case_officer", "manual"), (2024, "100", "u_case_officer", "manual"),
        (2024, "250.5", "u_case_officer", "manual")]


def test_universities_and_institutes_are_entities_too(world: World) -> None:
    page = enterprises.search(world.ctx("admin"), kind="university")
    assert [e.name for e in page.items] == ["厦门理工大学"]


def test_bad_facts_are_refused_whole(world: World) -> None:
    import pytest

    from huiqi.errors import DataError

    officer = world.ctx("case_officer")
    with pytest.raises(DataError) as exc:
        enterprises.set_facts(officer, CODE_A, FactsUpdate(items=[
            FactSet(fact="revenue", year=2024, value="12"),
            FactSet(fact="revenue", year=2024, value="-5"),
            FactSet(fact="industry", value="造船"),
            FactSet(fact="revenue", value="1"),
            FactSet(fact="revenu", year=2024, value="1")]))
    codes = [p.code for p in exc.value.problems]
    assert codes == ["data.bad_value", "data.bad_value", "data.yearly_as_static",
                     "data.unknown_fact"]
    assert enterprises.facts(officer, CODE_A) == []
