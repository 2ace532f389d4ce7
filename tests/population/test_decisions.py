"""Review decisions at park scale (issue 11, item 3): a Parquet table of decisions given to
``huiqi match-all`` / ``near-miss`` / ``simulate`` (``--reviews``), so that an enterprise
whose condition was reviewed gets the same status from ``huiqi match`` and ``match-all``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.engine.matcher import Matcher
from huiqi.errors import DataError
from huiqi.facts import decisions as D
from huiqi.facts.columnar import table_to_enterprises
from huiqi.facts.io import enterprise_to_mapping
from huiqi.generator import table as generate
from huiqi.population.compare import differences, engine_rows, table_rows
from huiqi.population.results import read
from huiqi.rules.loader import load_pack

ROOT = Path(__file__).parents[2]
PACK = ROOT / "tests" / "packs" / "reviews"
AS_OF = dt.date(2025, 6, 30)
LATER = dt.datetime(2025, 6, 2, 9, 30)


def _decisions(ids: list[str], version: str) -> list[D.Row]:
    """Every state of a decision, on the enterprises in turn."""
    rows: list[D.Row] = []
    for i, eid in enumerate(ids):
        meta = {"pack_version": version, "reviewer": "专家甲", "decided_at": LATER,
                "evidence": "评审会纪要"}
        kind = i % 7
        if kind == 0:  # exactly the strict mark: not met
            rows.append(D.Row(eid, "panel/project/panel", part="score", score=Decimal(70), **meta))
        elif kind == 1:
            rows.append(D.Row(eid, "panel/project/panel", part="score", score=Decimal("70.5"),
                              **meta))
        elif kind == 2:  # reviewed, score not given
            rows.append(D.Row(eid, "panel/project/panel", part="score", **meta))
        elif kind == 3:  # parts at exactly 36, verified
            rows += [D.Row(eid, "panel/key_project/panel", part="tech", score=Decimal(40), **meta),
                     D.Row(eid, "panel/key_project/panel", part="market", score=Decimal(30), **meta),
                     D.Row(eid, "panel/key_project/verified", verdict=True, **meta)]
        elif kind == 4:  # a part missing; an earlier verdict overridden by a later one
            rows += [D.Row(eid, "panel/key_project/panel", part="tech", score=Decimal(40), **meta),
                     D.Row(eid, "panel/key_project/verified", verdict=True,
                           **{**meta, "decided_at": LATER - dt.timedelta(days=1)}),
                     D.Row(eid, "panel/key_project/verified", verdict=False, **meta)]
        elif kind == 5:  # of another pack: left out
            rows.append(D.Row(eid, "panel/project/panel", part="score", score=Decimal(99),
                              **{**meta, "pack_version": "other@1"}))
    return rows


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("park")
    path = folder / "park.parquet"
    table = generate(60, 3, AS_OF)
    pq.write_table(table, path)
    pack = load_pack(PACK)
    reviews = folder / "reviews.parquet"
    D.write(reviews, _decisions(table.column("id").to_pylist(), pack.version_id))
    return path, reviews


def test_match_all_with_decisions_equals_the_engine(park: tuple[Path, Path], tmp_path: Path
                                                     ) -> None:
    source, reviews = park
    out = tmp_path / "r.parquet"
    r = CliRunner().invoke(app, ["match-all", "-p", str(PACK), "-d", str(source), "--as-of",
                                 AS_OF.isoformat(), "-o", str(out), "--reviews", str(reviews)])
    assert r.exit_code == 0, r.output
    pack = load_pack(PACK)
    decided = D.read(reviews, pack.id)
    m = Matcher(pack, AS_OF)
    exp: dict[tuple[str, str], dict[str, object]] = {}
    for e in table_to_enterprises(pq.read_table(source), pack.catalogue):
        exp.update(engine_rows(m.match(D.merged(e, decided))))
    got = read(out).to_pylist()
    assert not differences(exp, table_rows(got))
    statuses = {(row["clause"], row["status"]) for row in got}
    assert statuses >= {("panel/project", s) for s in
                        ("needs_review", "undetermined", "eligible", "not_eligible")}
    assert ("panel/key_project", "eligible") in statuses


def test_the_same_enterprise_under_match_and_match_all(park: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    """Its decisions in its own file for ``huiqi match``, in the table for ``match-all``."""
    source, reviews = park
    pack = load_pack(PACK)
    decided = D.read(reviews, pack.id)
    firms = table_to_enterprises(pq.read_table(source), pack.catalogue)
    out = tmp_path / "r.parquet"
    r = CliRunner().invoke(app, ["match-all", "-p", str(PACK), "-d", str(source), "--as-of",
                                 AS_OF.isoformat(), "-o", str(out), "--reviews", str(reviews)])
    assert r.exit_code == 0, r.output
    by_firm: dict[str, dict[str, str]] = {}
    for row in read(out).to_pylist():
        by_firm.setdefault(row["enterprise_id"], {})[row["clause"]] = row["status"]
    for firm in firms[:8]:
        e = D.merged(firm, decided)
        f = tmp_path / f"{e.id}.json"
        f.write_text(json.dumps([enterprise_to_mapping(e)], ensure_ascii=False, default=str),
                     encoding="utf-8")
        r = CliRunner().invoke(app, ["match", e.id, "-p", str(PACK), "-d", str(f), "--as-of",
                                     AS_OF.isoformat(), "--all", "--json"])
        assert r.exit_code == 0, r.output
        one = {c["key"]: c["status"] for c in json.loads(r.output)["clauses"]}
        assert one == by_firm[e.id], e.reviews


def test_near_miss_and_simulate_take_the_decisions(park: tuple[Path, Path]) -> None:
    source, reviews = park
    r = CliRunner().invoke(app, ["near-miss", "panel/project", "-p", str(PACK), "-d", str(source),
                                 "--as-of", AS_OF.isoformat(), "--reviews", str(reviews),
                                 "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output[r.output.index("{"):])
    # the enterprises scored exactly 70 fail "高于70分" and nothing else
    assert data["failing_by_count"].get("1") or data["failing_by_count"].get(1)
    assert all(item["failed"] == ["panel"] for item in data["near_misses"])


def test_simulate_takes_the_decisions(park: tuple[Path, Path], tmp_path: Path) -> None:
    """Raising the mark of 重点支持 from 36 to 37: with the decisions, the enterprises whose
    parts weigh exactly 36 drop out; without them nobody changes (the condition needs review)."""
    import re

    source, reviews = park
    reform = tmp_path / "reform.yaml"
    reform.write_text("id: raise\ntitle: 提高及格线\nchanges:\n  - parameter: panel/key_mark\n"
                      "    values: {2020-01-01: 37}\n", encoding="utf-8")
    dropped = {}
    for with_reviews in (True, False):
        out = tmp_path / f"sim-{with_reviews}"
        args = ["simulate", "--reform", str(reform), "-p", str(PACK), "-d", str(source),
                "--as-of", AS_OF.isoformat(), "-o", str(out)]
        r = CliRunner().invoke(app, args + (["--reviews", str(reviews)] if with_reviews else []))
        assert r.exit_code == 0, r.output
        found = re.search(r"不再符合\s*│\s*([\d,]+)", r.output)
        assert found, r.output
        dropped[with_reviews] = int(found.group(1).replace(",", ""))
    assert dropped == {True: len(range(3, 60, 7)), False: 0}


def test_a_table_without_its_columns_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa

    f = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"enterprise_id": ["a"], "verdict": [True]}), f)
    with pytest.raises(DataError) as info:
        D.read(f)
    assert "condition" in info.value.problems[0].message.en
