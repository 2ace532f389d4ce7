"""The commands with a pack that declares its own facts: ``facts``, ``match`` and
``explain`` on an enterprise file, ``generate --policies`` and ``match-all`` on the park it
writes, and packs in play together whose declarations clash."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from huiqi.cli.app import app
from huiqi.population.results import read

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "packs" / "declared-facts"
FIRMS = str(EXAMPLE / "enterprises.yaml")
DAY = "2026-06-30"


def _ok(*args: str) -> str:
    r = CliRunner().invoke(app, list(args), env={"HUIQI_LANG": "zh", "COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    return r.output


def test_facts_lists_a_packs_own_facts() -> None:
    out = _ok("facts", "--policies", str(EXAMPLE))
    assert "panel_grade" in out and "专家组评级" in out and "评审专家组" in out
    assert "panel_grade" not in _ok("facts")
    assert "9 个自定义事实" in _ok("check", str(EXAMPLE))


def test_match_and_explain_an_enterprise_file_with_declared_facts() -> None:
    want = {"9133020170000001X7": ("eligible", Decimal(430000)),
            "913302017000000287": ("not_eligible", None),
            "913302017000000362": ("not_eligible", None),  # no main product named
            "91330201700000044W": ("eligible", Decimal(250000))}
    for code, (status, amount) in want.items():
        out = json.loads(_ok("match", code, "--data", FIRMS, "--policies", str(EXAMPLE),
                             "--as-of", DAY, "--json", "--all"))
        [c] = [c for p in [out] for c in p["clauses"]]
        assert c["status"] == status, code
        if amount is not None:
            assert Decimal(c["amount"]) == amount
    out = _ok("explain", "913302017000000287", "product-line/award", "--data", FIRMS,
              "--policies", str(EXAMPLE), "--as-of", DAY)
    for shown in ("主导产品线营业收入(2025年度) product_line_revenue[-1] = ¥3,000,000",
                  "主导产品收入占比 product_line_share = 45%", "博士人数 phd_staff = 2 人",
                  "实验室面积 lab_area = 120 平方米", "实验室启用日期 lab_opened = 2026-02-01",
                  "核心专利支撑主导产品 patent_supports_main_product = 否",
                  "专家组评级 panel_grade = 一般"):
        assert shown in out, shown


def test_generate_and_match_all_with_declared_facts(tmp_path: Path) -> None:
    park = tmp_path / "park.parquet"
    _ok("generate", "-n", "300", "-o", str(park), "--as-of", DAY, "--policies", str(EXAMPLE))
    table = pq.read_table(park)
    assert {"panel_grade", "clinical_trials", "product_line_revenue@2025"} <= set(
        table.column_names)
    results = tmp_path / "results.parquet"
    out = _ok("match-all", "--data", str(park), "--policies", str(EXAMPLE), "--as-of", DAY,
              "--out", str(results))
    assert "主导产品线奖励" in out
    assert read(results).num_rows == 300


def test_packs_in_play_together_must_agree_on_their_facts(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "a")
    (tmp_path / "a" / "enterprises.yaml").unlink()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    (tmp_path / "b" / "pack.yaml").write_text(
        (tmp_path / "a" / "pack.yaml").read_text(encoding="utf-8").replace(
            "id: declared-facts", "id: other").replace("product-line.yaml", "other.yaml"),
        encoding="utf-8")
    (tmp_path / "b" / "product-line.yaml").rename(tmp_path / "b" / "other.yaml")
    other = tmp_path / "b" / "other.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("id: product-line", "id: other"),
                     encoding="utf-8")
    _ok("check", str(tmp_path))  # the same declarations twice: one fact each
    facts = tmp_path / "b" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("max: 200", "max: 300"),
                     encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(tmp_path), "--lang", "en"])
    assert r.exit_code == 2 and "facts.clash" in r.output and "phd_staff" in r.output
    assert r.output.count("✓") == 2  # each pack alone is fine: together they are not
    r = CliRunner().invoke(app, ["match", FIRMS, "--policies", str(tmp_path), "--lang", "en"])
    assert r.exit_code != 0
    assert "phd_staff" in r.output and "facts.yaml:" in r.output
    assert "max: 200 ≠ 300" in r.output or "max: 300 ≠ 200" in r.output


def _published_in(url: str, root: Path) -> None:
    """``root`` uploaded and published in a new database at ``url`` (by an administrator)."""
    from huiqi.packs.files import read_folder
    from huiqi.service import policies
    from huiqi.service.context import Actor, Platform
    from huiqi.service.permissions import Role
    from huiqi.settings import get_settings
    from huiqi.store.database import Database

    db = Database.connect(url)
    try:
        db.upgrade()
        ctx = Platform(db, get_settings().model_copy(update={"database_url": url})).as_actor(
            Actor(username="officer", role=Role.ADMIN))
        v = policies.upload(ctx, "declared-facts", [(p, c) for p, c in read_folder(root)
                                                    if p != "enterprises.yaml"])
        policies.publish(ctx, "declared-facts", v.number)
    finally:
        db.dispose()


def test_check_refuses_facts_that_clash_with_the_packs_published_in_the_database(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _published_in(url, EXAMPLE)
    other = tmp_path / "other"
    shutil.copytree(EXAMPLE, other)
    (other / "enterprises.yaml").unlink()
    (other / "pack.yaml").write_text((other / "pack.yaml").read_text(encoding="utf-8").replace(
        "id: declared-facts", "id: other"), encoding="utf-8")
    _ok("check", str(other), "--database", url)  # the same declarations: they agree
    facts = other / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("max: 200", "max: 300"),
                     encoding="utf-8")
    line = next(i for i, t in enumerate(facts.read_text(encoding="utf-8").splitlines(), 1)
                if t.startswith("  phd_staff:"))
    _ok("check", str(other))  # alone (no database configured) it is a good pack
    r = CliRunner().invoke(app, ["check", str(other), "--database", url, "--lang", "en"],
                           env={"COLUMNS": "200"})
    assert r.exit_code == 2, r.output
    assert "facts.clash" in r.output and "phd_staff" in r.output
    assert f"facts.yaml:{line}" in r.output.replace("\n", "")  # this file and line
    assert "declared-facts/facts.yaml:" in r.output.replace("\n", "")  # the published one
    assert "max: 300 ≠ 200" in r.output
    # a new version of the published pack itself is checked against the others only
    (other / "pack.yaml").write_text((other / "pack.yaml").read_text(encoding="utf-8").replace(
        "id: other", "id: declared-facts"), encoding="utf-8")
    _ok("check", str(other), "--database", url)
    r = CliRunner().invoke(app, ["check", str(other), "--database",
                                 f"sqlite:///{tmp_path / 'empty.db'}"])
    assert r.exit_code == 2 and "尚未建立" in r.output
    r = CliRunner().invoke(app, ["check", str(other), "--database",
                                 "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 2 and "无法读取数据库" in r.output and "Traceback" not in r.output
