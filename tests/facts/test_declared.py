"""Facts declared by packs (facts.yaml): loaded into the pack's catalogue, refused with the
file and line when they clash with the base catalogue or another pack, or are malformed."""

from __future__ import annotations

import json
import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from huiqi.errors import DataError, PackError
from huiqi.facts.catalogue import default_catalogue
from huiqi.facts.declared import combine, declared_catalogue
from huiqi.facts.io import load_enterprises
from huiqi.rules.loader import load_pack

EXAMPLE = Path(__file__).parents[2] / "examples" / "packs" / "declared-facts"

POLICY = """\
id: p
title: p
issuer: test
dates: {effective: 2020-01-01}
source: {text: "{#p1} 测试条文。"}
clauses:
  - id: c
    title: c
    conditions: [{id: c, label: c, when: "WHEN", cite: p1}]
    benefit: {kind: title, cite: p1}
"""


def _pack(root: Path, facts: str | None, when: str = "true", pid: str = "p") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text(f"id: {pid}\ntitle: {pid}\nversion: '1'\n", encoding="utf-8")
    (root / "p.yaml").write_text(POLICY.replace("WHEN", when), encoding="utf-8")
    if facts is not None:
        (root / "facts.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return root


def _problems(root: Path) -> list[tuple[str, str | None, int | None]]:
    with pytest.raises(PackError) as err:
        load_pack(root)
    return [(p.code, Path(p.file).name if p.file else None, p.line) for p in err.value.problems]


def test_the_example_pack_declares_a_fact_of_every_type() -> None:
    pack = load_pack(EXAMPLE)
    cat = pack.catalogue
    kinds = {cat.facts[f].kind for f in cat.declared}
    assert kinds == {"money", "ratio", "integer", "decimal", "date", "bool", "enum", "text",
                     "records"}
    trials = cat.records[cat.facts["clinical_trials"].record or ""]
    assert {f.kind for f in trials.fields.values()} == {"enum", "date", "money", "bool",
                                                         "integer"}
    revenue = cat.facts["product_line_revenue"]
    assert (revenue.yearly, revenue.min, revenue.max, revenue.source) == (
        True, Decimal(0), Decimal(100_000_000), "enterprise")
    assert cat.facts["lab_area"].unit == "m2" and cat.facts["phd_staff"].unit == "person"
    grade = cat.enums[cat.facts["panel_grade"].enum or ""]
    assert grade.values["A"].zh == "优秀" and grade.normalise("良好") == "B"
    assert cat.declared["panel_grade"][0].endswith("facts.yaml")
    assert cat.declared["panel_grade"][1] is not None
    assert "panel_grade" not in default_catalogue().facts  # the base is left alone


def test_a_policy_may_use_a_declared_fact_and_not_without_the_declaration(tmp_path: Path) -> None:
    facts = """\
        facts:
          panel_score: {type: number, unit: point, label: 专家评分, min: 0, max: 100}
        """
    pack = load_pack(_pack(tmp_path / "a", facts, "panel_score >= 60"))
    assert pack.catalogue.facts["panel_score"].label.zh == "专家评分"
    assert _problems(_pack(tmp_path / "b", None, "panel_score >= 60")) == [
        ("name.unknown", "p.yaml", 9)]


def test_a_clash_with_the_base_catalogue_names_both_places(tmp_path: Path) -> None:
    facts = """\
        facts:
          fine: {type: yes_no, label: 可以}
          revenue:
            type: ratio
            label: 收入
        """
    root = _pack(tmp_path / "p", facts)
    with pytest.raises(PackError) as err:
        load_pack(root)
    (p,) = err.value.problems
    assert (p.code, Path(p.file or "").name, p.line) == ("facts.clash", "facts.yaml", 3)
    assert "catalogue.yaml" in p.message.zh and "revenue" in p.message.en
    assert "type: money ≠ ratio" not in p.message.en and "ratio" in p.message.en


def test_the_same_meaning_declared_again_is_the_same_fact(tmp_path: Path) -> None:
    facts = """\
        facts:
          registration_date: {type: date, label: 注册日期(本包的说法)}
        """
    pack = load_pack(_pack(tmp_path / "p", facts, "registration_date <= as_of"))
    assert pack.catalogue.facts["registration_date"] == default_catalogue().facts[
        "registration_date"]
    assert "registration_date" not in pack.catalogue.declared


def test_two_packs_that_declare_one_fact_differently_are_refused_together(tmp_path: Path
                                                                           ) -> None:
    a = load_pack(_pack(tmp_path / "a", "facts:\n  grade: {type: enum, label: 评级, "
                                        "options: {A: 优, B: 良}}\n", pid="a"))
    b = load_pack(_pack(tmp_path / "b", "facts:\n  other: {type: text, label: 说明}\n"
                                        "  grade: {type: enum, label: 评级, "
                                        "options: {A: 优, B: 良, C: 中}}\n", pid="b"))
    same = load_pack(_pack(tmp_path / "c", "facts:\n  grade: {type: enum, label: {zh: 评级, "
                                           "en: Grade}, options: {B: 良好, A: 优秀}}\n", pid="c"))
    assert set(combine([a.catalogue, same.catalogue]).declared) == {"grade"}
    with pytest.raises(PackError) as err:
        combine([a.catalogue, b.catalogue])
    (p,) = err.value.problems
    assert (p.code, Path(p.file or "").name, p.line) == ("facts.clash", "facts.yaml", 3)
    assert str(tmp_path / "b") in (p.file or "") and str(tmp_path / "a") in p.message.en
    assert "facts.yaml:2" in p.message.zh


def test_a_pack_checked_against_the_facts_of_others_is_refused_where_it_declares(
        tmp_path: Path) -> None:
    a = load_pack(_pack(tmp_path / "a", "facts:\n  grade: {type: count, label: 等级}\n", pid="a"))
    root = _pack(tmp_path / "b", "facts:\n  grade: {type: number, label: 等级}\n", pid="b")
    with pytest.raises(PackError) as err:
        load_pack(root, a.catalogue)
    assert [(p.code, p.line) for p in err.value.problems] == [("facts.clash", 2)]
    assert load_pack(root).catalogue.facts["grade"].kind == "decimal"


@pytest.mark.parametrize(("facts", "expected"), [
    ("facts:\n  x: {type: float, label: x}\n", [("facts.bad_type", 2)]),
    ("facts:\n  x: {type: money}\n", [("facts.no_label", 2)]),
    ("facts:\n  x: {type: money, label: x, colour: red}\n", [("facts.unknown_key", 2)]),
    ("facts:\n  x: {type: number, unit: acre, label: x}\n", [("facts.bad_unit", 2)]),
    ("facts:\n  x: {type: number, label: x, min: 5, max: 1}\n", [("facts.empty_range", 2)]),
    ("facts:\n  x: {type: number, label: x, min: lots}\n", [("facts.bad_range", 2)]),
    ("facts:\n  x: {type: enum, label: x}\n", [("facts.no_options", 2)]),
    ("facts:\n  x: {type: records, label: x}\n", [("facts.no_fields", 2)]),
    ("facts:\n  x:\n    type: records\n    label: x\n    fields:\n"
     "      y: {type: records, label: y}\n", [("facts.bad_type", 6)]),
    ("facts:\n  x: {type: text, label: x, source: rumour}\n", [("facts.bad_source", 2)]),
    ("facts:\n  x: {type: money, label: x, yearly: sometimes}\n", [("facts.bad_period", 2)]),
    ("facts:\n  2x: {type: money, label: x}\n", [("facts.bad_id", 2)]),
    ("facts:\n  x: money\n", [("facts.bad_entry", 2)]),
    ("- x\n", [("facts.bad_file", 1)]),
    ("facts:\n  x: {type: money, label: x}\nfact:\n  y: {}\n", [("facts.unknown_key", 3)]),
    ("facts:\n  x: {type: money, label: [x\n", [("yaml.syntax", None)]),
])
def test_a_malformed_declaration_is_refused_with_its_line(
        tmp_path: Path, facts: str, expected: list[tuple[str, int | None]]) -> None:
    got = _problems(_pack(tmp_path / "p", facts))
    assert all(f == "facts.yaml" for _, f, _ in got)
    if expected[0][1] is None:
        assert [c for c, *_ in got] == [c for c, _ in expected]
    else:
        assert [(c, line) for c, _, line in got] == expected


def test_facts_yaml_is_not_read_as_a_policy(tmp_path: Path) -> None:
    root = tmp_path / "nopackfile"
    shutil.copytree(EXAMPLE, root)
    (root / "pack.yaml").unlink()
    (root / "enterprises.yaml").unlink()  # (a folder without pack.yaml: every .yaml is read)
    pack = load_pack(root)
    assert [p.id for p in pack.policies] == ["product-line"]


def test_enterprise_values_are_checked_against_the_declaration(tmp_path: Path) -> None:
    cat = load_pack(EXAMPLE).catalogue
    es = load_enterprises(EXAMPLE / "enterprises.yaml", cat)
    first = es[0]
    assert first.facts["panel_grade"] == "A" and first.facts["lab_area"] == Decimal("350.5")
    assert es[3].facts["panel_grade"] == "B"  # written as its label, 良好
    assert first.facts["clinical_trials"][0]["phase"] == "III"
    assert first.years[2025]["product_line_revenue"] == Decimal("8600000")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: 9133020170000001X7\n  name: x\n  facts:\n    panel_grade: D\n"
                   "    phd_staff: 201\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_enterprises(bad, cat)
    assert [(p.line, "panel_grade" in p.message.zh or "phd_staff" in p.message.zh)
            for p in err.value.problems] == [(4, True), (5, True)]
    with pytest.raises(DataError):  # the base catalogue alone does not know them
        load_enterprises(EXAMPLE / "enterprises.yaml")


def test_declared_catalogue_refuses_a_missing_file_as_yaml(tmp_path: Path) -> None:
    f = tmp_path / "facts.yaml"
    f.write_text("facts: {}\n", encoding="utf-8")
    assert declared_catalogue(f, default_catalogue()).declared == {}


def test_a_csv_file_may_name_declared_facts_by_their_chinese_labels(tmp_path: Path) -> None:
    cat = load_pack(EXAMPLE).catalogue
    f = tmp_path / "firms.csv"
    f.write_text(
        "统一社会信用代码,企业名称,专家组评级,博士人数,2025年主导产品线营业收入,主导产品收入占比@2025,"
        "clinical_trials\n"
        '9133020170000001X7,甬江生物,良好,5,8600000,72%,"[{""phase"": ""III"", ""started"": '
        '""2024-05-10"", ""multicentre"": true, ""sites"": 12}]"\n', encoding="utf-8")
    with pytest.raises(DataError) as err:  # a static fact given with a year
        load_enterprises(f, cat, check_codes=False)
    [p] = err.value.problems
    assert p.code == "data.static_as_yearly" and "product_line_share" in p.message.zh
    f.write_text(f.read_text(encoding="utf-8").replace("主导产品收入占比@2025", "主导产品收入占比")
                 .replace(",72%,", ",,"), encoding="utf-8")
    [e] = load_enterprises(f, cat, check_codes=False)
    assert (e.id, e.name, e.facts["panel_grade"], e.facts["phd_staff"]) == (
        "9133020170000001X7", "甬江生物", "B", 5)
    assert e.years[2025]["product_line_revenue"] == Decimal(8600000)
    assert "product_line_share" not in e.facts  # an empty cell is missing
    assert e.facts["clinical_trials"][0]["sites"] == 12
    f.write_text("id,评级\nx,A\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_enterprises(f, cat, check_codes=False)
    assert [(p.code, p.line, p.column) for p in err.value.problems] == [
        ("data.bad_column", 1, 2)]


def test_a_json_enterprise_file_holds_declared_facts(tmp_path: Path) -> None:
    from huiqi.facts.io import enterprise_to_mapping

    cat = load_pack(EXAMPLE).catalogue
    es = load_enterprises(EXAMPLE / "enterprises.yaml", cat)
    f = tmp_path / "firms.json"
    f.write_text(json.dumps([enterprise_to_mapping(e) for e in es], ensure_ascii=False),
                 encoding="utf-8")
    again = load_enterprises(f, cat)
    assert [(e.facts, e.years) for e in again] == [(e.facts, e.years) for e in es]


def test_the_facts_schema_is_current_and_agrees_with_the_checker(tmp_path: Path) -> None:
    import jsonschema
    import yaml

    from huiqi.facts.declared import facts_schema

    root = Path(__file__).parents[2]
    on_disk = json.loads((root / "schema" / "facts.schema.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(facts_schema())), \
        "schema/facts.schema.json is stale: run `huiqi schema schema`"
    validator = jsonschema.Draft202012Validator(on_disk)
    for f in root.glob("**/facts.yaml"):
        if ".venv" not in f.parts:
            assert not list(validator.iter_errors(yaml.safe_load(f.read_text("utf-8")))), f
    for bad in ("facts:\n  x: {type: float, label: x}\n", "facts:\n  x: {type: money}\n",
                "facts:\n  x: {type: money, label: x, colour: red}\n",
                "facts:\n  x: {type: number, unit: acre, label: x}\n",
                "facts:\n  2x: {type: money, label: x}\n", "- x\n"):
        assert list(validator.iter_errors(yaml.safe_load(bad))), bad
        assert _problems(_pack(tmp_path / str(abs(hash(bad))), bad))
