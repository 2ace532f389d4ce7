"""The demo: 169 parks with Xiamen 11th, the chain with a leader, matches in every state."""

from __future__ import annotations

import datetime as dt

from huiqi import generator
from huiqi.analytics import chain, demo, market
from huiqi.facts.catalogue import default_catalogue
from huiqi.registry.imports import import_enterprises
from huiqi.service.context import Context


def test_demo_shows_every_feature_in_every_state(system: Context) -> None:
    day = dt.date(2026, 3, 1)
    cat = default_catalogue()
    import_enterprises(system.db, cat, generator.enterprises(600, 42, day, cat), by="t",
                       at=system.now(), source="generator", display="t")
    made = demo.populate(system, day)
    assert made.parks == 169 and made.home_rank == 11
    states = {m.state for m in market.matches(system)}
    assert states == set(demo.STATES)
    m = chain.chain_map(system, "battery", 2025, "厦门火炬高新区")
    assert sum(s.leaders for s in m.segments) == 1
    assert chain.targets(system, "battery", 2025, "厦门火炬高新区")
