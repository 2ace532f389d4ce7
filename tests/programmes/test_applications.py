"""An application's life: pre-filled facts, materials checked, submission only in the
window and only when eligible, formal review with a return and a working-day deadline,
resubmission, 普惠 decision, 公示, grant, payment (never more than the grant), close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from huiqi.errors import Conflict, InputError, PermissionDenied
from huiqi.programmes import applications as A
from huiqi.programmes import calls, reviews
from huiqi.programmes.models import Application
from huiqi.programmes.schemas import FactsConfirm, ObjectionAnswer, ObjectionIn, PaymentIn
from huiqi.service import enterprises
from huiqi.store.models import AuditEntry
from huiqi.workflow.events import Subject, history

from .conftest import GUILIN_CITY, GUILIN_PARK, NINGBO, PDF, Park, universal


def test_the_whole_universal_journey(park: Park) -> None:
    universal(park, materials=True)
    code = park.add_firm(1, "宁波市", NINGBO, "宁波甲科技有限公司")
    me = park.firm(code)
    app = A.start(me, "nb-cert", code)
    assert app.state == "draft" and app.origin == "applied"
    assert "honours" in app.facts  # the clause's facts, pre-filled from the registry
    assert [a.name for a in app.actions] == ["submit", "withdraw"]
    with pytest.raises(Conflict, match="尚缺申报材料"):
        A.move(me, app.id, "submit")
    with pytest.raises(InputError, match="不是所要求的类型"):
        A.upload(me, app.id, "report", "report.pdf", b"MZ not a pdf")
    app = A.upload(me, app.id, "report", "自评报告.pdf", PDF)
    assert app.materials[0].size == len(PDF) and len(app.materials[0].sha256) == 64
    app = A.move(me, app.id, "submit")
    assert app.state == "submitted" and app.precheck["status"] == "eligible"
    assert app.due_on == dt.date(2025, 6, 10)  # 5 working days from Tue 3 June (no holiday)
    officer = park.staff()
    app = A.move(officer, app.id, "return", reason="自评报告缺少盖章页")
    assert app.state == "returned" and app.note == "自评报告缺少盖章页"
    assert app.due_on == dt.date(2025, 6, 10)
    assert [a.name for a in A.get(me, app.id).actions] == ["resubmit", "withdraw"]
    A.upload(me, app.id, "report", "自评报告-盖章.pdf", PDF + b"stamp")
    app = A.move(me, app.id, "resubmit")
    app = A.move(officer, app.id, "pass")
    assert app.state == "review"
    app = reviews.select_one(officer, app.id)
    assert (app.state, app.amount, app.version_key) == ("selected", "20000.00", app.version_key)
    assert app.version_key and app.explanation["version_key"] == app.version_key
    app = A.move(officer, app.id, "publicise")
    assert app.state == "publicised" and app.due_on == dt.date(2025, 6, 10)
    assert [n.enterprise for n in A.notice(park.platform.system())] == [code]
    with pytest.raises(Conflict, match="公示期至 2025-06-10"):
        A.move(officer, app.id, "grant")
    park.advance_days(8)
    app = A.move(officer, app.id, "grant")
    assert app.state == "granted" and app.amount == "20000.00"
    with pytest.raises(Conflict, match="超过立项金额"):
        A.pay(officer, app.id, PaymentIn(amount="20000.01", paid_on="2025-06-12", reference="X"))
    app = A.pay(officer, app.id, PaymentIn(amount="5000", paid_on="2025-06-12", reference="财拨-1"))
    assert (app.state, app.paid) == ("granted", "5000.00")
    app = A.pay(officer, app.id, PaymentIn(amount="15000", paid_on="2025-06-13", reference="财拨-2"))
    assert (app.state, app.paid) == ("paid", "20000.00")
    app = A.move(officer, app.id, "close")
    assert app.state == "closed"
    p = calls.get(officer, "nb-cert")
    assert (p.committed, p.paid, p.awarded) == ("20000.00", "20000.00", 1)
    with park.platform.db.read() as s:
        kinds = [e.kind for e in history(s, Subject("application", app.id))]
    assert kinds == ["application.submit", "application.return", "application.resubmit",
                     "application.pass", "application.select", "application.publicise",
                     "application.grant", "application.pay", "application.close"]


def test_facts_confirmed_become_self_reported_facts(park: Park) -> None:
    universal(park)
    code = park.add_firm(2, "宁波市", NINGBO, "宁波乙有限公司")
    me = park.firm(code)
    app = A.start(me, "nb-cert", code)
    A.confirm_facts(me, app.id, FactsConfirm(facts={"establishment_kind": "branch"}))
    facts = {f.fact: f for f in enterprises.facts(park.system(), code)}
    assert facts["establishment_kind"].source == "self_reported"
    assert A.get(me, app.id).facts["establishment_kind"] == "branch"


def test_an_ineligible_enterprise_cannot_submit_and_is_told_why(park: Park) -> None:
    universal(park)
    code = park.add_firm(3, "桂林市", GUILIN_PARK, "桂林丙有限公司")  # not in Ningbo's zone
    me = park.firm(code)
    app = A.start(me, "nb-cert", code)
    with pytest.raises(Conflict, match="不符合条件"):
        A.move(me, app.id, "submit")
    assert A.get(me, app.id).state == "draft"


def test_outside_the_window_nothing_is_submitted(park: Park) -> None:
    universal(park)
    code = park.add_firm(4, "宁波市", NINGBO, "宁波丁有限公司")
    me = park.firm(code)
    app = A.start(me, "nb-cert", code)
    park.advance_days(40)
    with pytest.raises(Conflict, match="不在其中"):
        A.move(me, app.id, "submit")


def test_roles_and_states_are_enforced(park: Park) -> None:
    universal(park)
    code = park.add_firm(5, "宁波市", NINGBO, "宁波戊有限公司")
    other = park.add_firm(6, "宁波市", NINGBO, "宁波己有限公司")
    me = park.firm(code)
    app = A.start(me, "nb-cert", code)
    with pytest.raises(PermissionDenied):
        A.start(me, "nb-cert", other)            # not its own enterprise
    with pytest.raises(PermissionDenied):
        A.get(park.firm(other), app.id)          # another enterprise's application
    with pytest.raises(PermissionDenied):
        A.move(me, app.id, "pass")               # the officer's transition
    with pytest.raises(Conflict) as err:
        A.move(park.staff(), app.id, "pass")     # not submitted yet
    assert err.value.reason == "workflow.illegal"
    with pytest.raises(InputError, match="须写明理由"):
        A.move(me, app.id, "submit")
        A.move(park.staff(), app.id, "return", reason=" ")
    with pytest.raises(PermissionDenied):
        A.material(park.firm(other), app.id, 1)
    with park.platform.db.read() as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert len(denied) >= 4


def test_objection_upheld_revokes_and_gives_the_money_back(park: Park) -> None:
    universal(park)
    code = park.add_firm(7, "宁波市", NINGBO, "宁波庚有限公司")
    me, officer = park.firm(code), park.staff()
    app = A.start(me, "nb-cert", code)
    A.move(me, app.id, "submit")
    A.move(officer, app.id, "pass")
    reviews.select_one(officer, app.id)
    A.move(officer, app.id, "publicise")
    n = A.object_to(park.platform.system(), app.id, ObjectionIn(text="该企业认证证书系伪造"))
    park.advance_days(10)
    with pytest.raises(Conflict, match="尚未答复"):
        A.move(officer, app.id, "grant")
    app = A.answer(officer, app.id, n, ObjectionAnswer(answer="经核查属实", upheld=True))
    assert app.state == "revoked"
    assert calls.get(officer, "nb-cert").committed == "0.00"


def test_withdrawal_by_the_enterprise(park: Park) -> None:
    universal(park)
    code = park.add_firm(8, "宁波市", NINGBO, "宁波辛有限公司")
    me = park.firm(code)
    app = A.start(me, "nb-cert", code)
    A.move(me, app.id, "submit")
    assert A.move(me, app.id, "withdraw").state == "withdrawn"
    with park.platform.db.read() as s:
        assert s.get_one(Application, app.id).state == "withdrawn"


def test_a_programme_may_not_promise_more_than_its_clause(park: Park) -> None:
    from .conftest import guilin

    with pytest.raises(InputError, match="超过条款"):
        guilin(park, quota=3)
    p = guilin(park)
    assert (p.quota, p.may_be_vacant, p.honour and p.honour.validity_months) == (2, True, 48)
    assert p.rubric is not None and all(c.assumed for c in p.rubric.criteria)
    assert Decimal(p.budget) == Decimal(1000000)
    _ = GUILIN_CITY
