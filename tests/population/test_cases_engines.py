"""Every YAML case under tests/cases on every engine: the one-enterprise engine (pytest runs
each case there too), DuckDB and, where Java is present, Spark — so that ``huiqi match`` and
``huiqi match-all`` give one answer for each of them (issue 11, item 5: a case of
tests/cases/language/engines.yaml once had two)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from huiqi.packs import testrun as T

CASES = Path(__file__).parents[1] / "cases"


def _failures(report: T.Report) -> list[str]:
    return [f"{f.case.file}:{f.case.line} {f.case.name} · {f.key} · {f.engine}: "
            f"{f.mismatches or f.error}" for f in report.failures]


@pytest.mark.parametrize("folder", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_every_case_on_the_engine_and_duckdb(folder: str) -> None:
    report = T.run(T.case_files([CASES / folder]), [T.ENGINE, T.DUCKDB])
    assert report.cases > 0
    assert report.ok, "\n".join(_failures(report))


@pytest.mark.slow
def test_every_case_on_spark() -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java for Spark")
    from huiqi.population import spark as S

    report = T.run(T.case_files([CASES]), [T.SPARK], spark=S.session)
    assert report.ok, "\n".join(_failures(report))
