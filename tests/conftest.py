"""Shared test set-up: YAML policy cases under tests/cases/ become pytest items."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import properties
import schedule
from huiqi.packs import testcases as C

pytest_plugins = ["service_fixtures",  # the platform service: databases, accounts, clock
                  "demo_fixtures"]  # one huiqi init-demo run the tests of its output share

ROOT = Path(__file__).resolve().parent.parent

# Property tests: the Hypothesis profile HUIQI_HYPOTHESIS_PROFILE names — "dev" (the default),
# "ci" (.ci/run: the same examples every run, half as many) or "many" (a search before a
# commit); tests/properties.py says how many each draws.
properties.load()

# The JVMs the tests start (Spark's driver; a standalone cluster's Master, Workers and
# executors) compile with HotSpot's first tier only (C1). The tests' queries run on a few
# hundred rows at most, on a JVM that lives a few minutes: their time is the planner's on
# cold code, and C2's optimising compilations of it cost more CPU than they save
# (test_every_case_on_spark: the JVM's CPU 71 s → 54 s). The code run, and its answers, are
# the same; a setting of the environment's own is kept.
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1")


@pytest.fixture
def spark() -> Any:
    """The local Spark session of this test process (made once, then reused: ``getOrCreate``);
    a failure where CI requires Spark (HUIQI_REQUIRE_SPARK=1), else skipped without Java."""
    from huiqi.population import spark as S

    missing = S.missing()
    if missing is not None:
        if os.environ.get("HUIQI_REQUIRE_SPARK") == "1":
            pytest.fail(missing.en)
        pytest.skip(missing.en)
    return S.session()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if schedule.applies(config):
        schedule.order(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: by module, the slow first (tests/schedule.py)."""
    return schedule.Modules(config, log) if schedule.applies(config) else None


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and "cases" in file_path.relative_to(ROOT).parts[:2]:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for case in C.read_cases(self.path):
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    def __init__(self, *, case: C.Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        diffs = C.run(self.case)
        if diffs:
            raise CaseFailure(diffs)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.case.file}:{self.case.line}: {self.case.name}\n" + "\n".join(
                excinfo.value.diffs)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.case.line or 1) - 1, f"case: {self.name}"


class CaseFailure(Exception):
    def __init__(self, diffs: list[str]) -> None:
        super().__init__("\n".join(diffs))
        self.diffs = diffs
