"""A reform simulated over the park's stored entities (the simulation page) gives exactly
what ``huiqi simulate`` gives over the same enterprises as a file: two computations, one
in memory and one in DuckDB over result files, of one comparison."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from huiqi.facts.catalogue import default_catalogue
from huiqi.generator import enterprises as generate
from huiqi.packs.files import read_folder
from huiqi.population.reform import load_reform
from huiqi.population.simulate import simulate
from huiqi.registry.imports import import_enterprises
from huiqi.rules.loader import load_pack
from huiqi.service import policies, simulation
from huiqi.service.context import Context, Platform
from huiqi.service.population import _table
from service_fixtures import ROOT

LANGUAGE = ROOT / "tests" / "packs" / "language"
REFORMS = ROOT / "tests" / "population" / "reforms"
DAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(("name", "changes_statuses"), [
    ("rd-share", False),    # parameters: amounts change
    ("replace", True),      # a clause replaced, another removed: statuses change
])
def test_the_stored_park_and_its_file_give_the_same_comparison(
        platform: Platform, system: Context, tmp_path: Path, name: str,
        changes_statuses: bool) -> None:
    reform = REFORMS / f"{name}.yaml"
    policies.upload(system, "language", read_folder(LANGUAGE))
    policies.publish(system, "language", 1)
    cat = default_catalogue()
    firms = generate(150, 5, DAY, cat)
    for e in firms[::3]:  # in the test policy's zone, so that its clauses pay
        e.facts["park"] = "测试区"
    import_enterprises(platform.db, cat, firms, by="system", at=platform.now(),
                       source="generator", display="simulation test")

    stored = simulation.compare(system, "language", reform=reform.read_text(encoding="utf-8"),
                                as_of=DAY)
    table, _ = _table(system, DAY)
    pq.write_table(table, tmp_path / "park.parquet")
    filed = simulate(load_reform(reform, load_pack(LANGUAGE)), tmp_path / "park.parquet", DAY,
                     tmp_path / "work")

    assert stored.gainers + stored.losers > 0 and stored.largest  # something to compare
    assert bool(stored.transitions) is changes_statuses
    assert filed.by.pop("size_band")  # the files' enterprises carry their size band too
    assert dataclasses.replace(stored, reform="") == dataclasses.replace(filed, reform="")
    assert (stored.reform, filed.reform) == ("language", name)
