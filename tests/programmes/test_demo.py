"""The demo's programmes (init-demo) on a small park: Guilin's award (a vacant round, a
decided and paid round, an open one with a panel at work), Ningbo's subsidy in every state
it can reach, Xiamen's 免申即享 — every page has something to show."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from huiqi.programmes import demo
from huiqi.programmes.models import Application, Programme
from huiqi.service import enterprises, matching
from huiqi.service.schemas import FactSet, FactsUpdate

from .conftest import GUILIN_CITY, GUILIN_PARK, NINGBO, REVIEWERS, Park


def test_the_demo_has_every_stage(park: Park) -> None:
    for i in range(12):
        code = park.add_firm(900 + i, GUILIN_CITY, GUILIN_PARK, f"桂林演示{i}号有限公司")
        enterprises.set_facts(park.system(), code, FactsUpdate(items=[FactSet(fact="awards", value=[])]))
    for i in range(11):
        park.add_firm(950 + i, "宁波市", NINGBO, f"宁波演示{i}号有限公司")
    for i in range(3):
        code = park.add_firm(980 + i, "厦门市", "厦门火炬高新区", f"厦门平台演示{i}号")
        enterprises.set_facts(park.system(), code, FactsUpdate(items=[
            FactSet(fact="honours", value=[{"kind": "innovation_platform", "level": "district",
                                            "date": "2023-01-01"}]),
            FactSet(fact="voucher_redeemed_period", value="50000")]))
    day = dt.date(2025, 6, 20)
    matching.run(park.system(), "seed", day)
    said: list[str] = []
    demo.create(park.platform, day, list(REVIEWERS), None, said.append)
    assert not [line for line in said if line.startswith("✗")], said
    with park.platform.db.read() as s:
        states = {(k, st) for k, st, _n in s.execute(
            select(Programme.key, Application.state, func.count()).join(Programme)
            .group_by(Programme.key, Application.state))}
        vacant = s.scalar(select(Programme.decision).where(Programme.key == "gl-quality-2023"))
    assert vacant["vacant"] is True
    assert {("gl-quality-2024", "paid"), ("gl-quality-2024", "granted"),
            ("gl-quality-2024", "not_selected"), ("gl-quality-2025", "review"),
            ("gl-quality-2025", "returned"), ("gl-quality-2025", "draft")} <= states
    ningbo = {st for k, st in states if k == "nb-ip-cert-2025"}
    assert ningbo == {"paid", "review", "returned", "publicised", "submitted", "granted", "closed",
                      "selected", "rejected", "withdrawn", "draft"}
    assert {st for k, st in states if k == "xm-platform-bonus-2025"} >= {"granted", "paid"}
