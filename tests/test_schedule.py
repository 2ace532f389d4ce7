"""The processes share the suite by module, the slow modules first (tests/schedule.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import schedule


@dataclass
class Item:
    nodeid: str
    marks: tuple[str, ...] = field(default=())

    def get_closest_marker(self, name: str) -> Any:
        return name if name in self.marks else None


def test_a_modules_tests_are_one_unit_except_in_the_large_modules_of_independent_tests() -> None:
    assert schedule.scope("tests/engine/test_result.py::test_what_nearly_fits") \
        == "tests/engine/test_result.py"
    assert schedule.scope("tests/cases/seed/x.yaml::名称::含冒号") == "tests/cases/seed/x.yaml"
    spread = "tests/api/test_access.py::test_a_role_reads[admin-GET /api/policies]"
    assert spread.split("::", maxsplit=1)[0] in schedule.SPREAD
    assert schedule.scope(spread) == spread


def test_the_slow_modules_go_first_the_spread_tests_last_each_module_kept_together() -> None:
    items = [Item("tests/api/test_access.py::a"), Item("tests/engine/test_x.py::a"),
             Item("tests/engine/test_y.py::a"), Item("tests/engine/test_y.py::b"),
             Item("tests/population/test_z.py::a"),
             Item("tests/population/test_z.py::b", ("slow",)),
             Item("tests/web/test_browser_cases.py::a"), Item("tests/api/test_access.py::b"),
             Item("tests/web/test_browser.py::a"), Item("tests/engine/test_x.py::b")]
    schedule.order(items)
    assert [i.nodeid for i in items] == [
        "tests/web/test_browser.py::a", "tests/web/test_browser_cases.py::a",  # as in FIRST
        "tests/population/test_z.py::a", "tests/population/test_z.py::b",  # marked slow
        "tests/engine/test_x.py::a", "tests/engine/test_x.py::b",  # the rest, larger first
        "tests/engine/test_y.py::a", "tests/engine/test_y.py::b",
        "tests/api/test_access.py::a", "tests/api/test_access.py::b"]  # SPREAD, one by one
