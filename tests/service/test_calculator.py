"""The calculator's questionnaire: the question that settles most clauses comes first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from huiqi.engine.matcher import Matcher
from huiqi.rules.loader import load_pack
from huiqi.service import calculator as C
from service_fixtures import ROOT

DAY = dt.date(2025, 6, 1)


def _matches(answers: dict[str, str]) -> C.Matches:
    pack = load_pack(ROOT / "tests" / "packs" / "language")
    m = Matcher(pack, DAY)
    e, problems = C.enterprise(answers, pack.catalogue)
    return C.Matches(day=DAY, results=[("language", m, m.match(e))], problems=problems)


def test_where_the_firm_is_comes_first_then_what_settles_most() -> None:
    m = _matches({})
    q = C.next_question(m, set())
    assert q is not None and q.key == "park"  # it decides which policies matter at all
    q = C.next_question(m, {"park"})
    assert q is not None and q.key == "group:figures@revenue@2024" and q.kind == "figures"
    assert q.parts[0].key == "revenue@2024" and q.parts[0].clauses == 4
    assert q.parts[0].kind == "money" and q.parts[0].label.zh.startswith("营业收入")
    assert {x.key for x in q.parts} >= {"revenue@2024", "rd_expense@2024"}


def test_asked_questions_are_not_asked_again_and_answers_settle_clauses() -> None:
    m = _matches({})
    before = m.undetermined()
    answers = {"revenue@2024": "10000000", "rd_expense@2024": "800000", "park": "外区"}
    after = _matches(answers)
    assert after.undetermined() < before
    q = C.next_question(after, set(answers))
    assert q is not None and not set(q.keys) & set(answers)
    assert C.remaining(after, set(answers)) < C.remaining(m, set())


def test_a_text_question_suggests_the_values_the_policy_names() -> None:
    m = _matches({"revenue@2024": "1", "rd_expense@2024": "1"})
    q = C.next_question(m, {"revenue@2024", "rd_expense@2024"})
    assert q is not None and q.key == "park" and q.suggestions == ["测试区"]


def test_amounts_are_read_as_managers_write_them() -> None:
    from huiqi.facts.amounts import parse_amount

    for written, yuan in [("五千万", 50_000_000), ("3千万", 30_000_000), ("1.2亿", 120_000_000),
                          ("2万元", 20_000), ("1,200万", 12_000_000), ("12000000", 12_000_000),
                          ("两亿三千万", 230_000_000), ("2万5千", 25_000), ("¥500,000", 500_000),
                          ("一百二十万", 1_200_000), ("0.5万", 5_000), ("负300万", -3_000_000)]:
        assert parse_amount(written) == yuan, written
    for bad in ("abc", "万", "1万万", "五千万abc"):
        with pytest.raises(ValueError):
            parse_amount(bad)
    e, problems = C.enterprise({"revenue@2024": "五千万", "rd_expense@2024": "3千万",
                                "staff_total@2024": "50人"}, _catalogue())
    assert problems == {}
    assert e.years[2024]["revenue"] == 50_000_000 and e.years[2024]["rd_expense"] == 30_000_000
    assert e.years[2024]["staff_total"] == 50


def test_a_city_must_be_a_city() -> None:
    e, problems = C.enterprise({"city": "1000000"}, _catalogue())
    assert "不是城市名" in problems["city"].zh and "city" not in e.facts
    e, problems = C.enterprise({"city": "厦门"}, _catalogue())
    assert problems == {} and e.facts["city"] == "厦门市"
    _e, problems = C.enterprise({"park": "12345"}, _catalogue())
    assert "不是地名" in problems["park"].zh


def test_the_count_of_questions_left_is_honest() -> None:
    """It counts screens that can still change a visible result: after the answers, never
    more questions than it said."""
    m = _matches({})
    said = C.remaining(m, set())
    answers: dict[str, str] = {}
    asked: set[str] = set()
    n = 0
    while (q := C.next_question(_matches(answers), asked)) is not None:
        n += 1
        asked.update(q.keys)
        assert C.remaining(_matches(answers), asked) <= said - n
    assert n <= said


def _catalogue() -> Any:
    from huiqi.facts.catalogue import default_catalogue

    return default_catalogue()


def test_records_are_asked_as_none_or_some_and_bad_answers_are_reported() -> None:
    m = _matches({"honours": "none", "revenue@2024": "abc"})
    e, problems = C.enterprise({"honours": "none", "revenue@2024": "abc"},
                               m.results[0][1].pack.catalogue)
    assert e.facts["honours"] == () and "revenue@2024" in problems
    assert "不是数字" in problems["revenue@2024"].zh
    assert m.problems.keys() == {"revenue@2024"}


def test_when_nothing_is_missing_there_is_no_question() -> None:
    m = _matches({})
    everything = {miss.key for _k, _m, r in m.results for c in r.clauses for miss in c.missing}
    assert C.next_question(m, everything) is None


def test_a_choice_that_is_not_an_option_is_a_problem_of_its_answer() -> None:
    pack = load_pack(ROOT / "tests" / "packs" / "language")
    e, problems = C.enterprise({"choice:lang:rd_measure": "revenue"}, pack.catalogue)
    chosen = C.with_valid_choices(e, pack, problems)
    assert chosen.choices == {} and "不是可选项" in problems["choice:lang:rd_measure"].zh
    e, problems = C.enterprise({"choice:lang:rd_measure": "ratio"}, pack.catalogue)
    assert C.with_valid_choices(e, pack, problems).choices == {"lang:rd_measure": "ratio"}
    assert problems == {}


def _answer_as(e: Any, key: str) -> str | None:
    """What a manager of ``e`` would answer (None: they do not know, and skip)."""
    cat = _catalogue()
    fact, _, year = key.partition("@")
    if fact.startswith("choice:"):
        return None
    f = cat.facts[fact]
    v = e.years.get(int(year), {}).get(fact) if year else e.facts.get(fact)
    if v is None:
        return None
    if f.kind == "records":
        return C.NONE if len(v) == 0 else C.SOME
    if f.kind == "enum_set":
        return "|".join(sorted(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _questions_for(e: Any, matchers: list[tuple[str, Matcher]]) -> int:
    answers: dict[str, str] = {}
    asked: set[str] = set()
    n = 0
    while n < 60:
        visitor, problems = C.enterprise(answers, _catalogue())
        city, park = visitor.facts.get("city"), visitor.facts.get("park")
        m = C.Matches(DEMO_DAY, [(k, mt, mt.match(visitor)) for k, mt in matchers], problems,
                      city, park)
        q = C.next_question(m, asked)
        if q is None:
            return n
        n += 1
        for key in q.keys:
            asked.add(key)
            v = _answer_as(e, key)
            if v is not None:
                answers[key] = v
    return n


DEMO_DAY = dt.date(2026, 6, 1)


def test_a_typical_xiamen_firm_of_the_demo_is_done_in_ten_questions() -> None:
    """The demo's park (init-demo: 300 firms, seed 2026), the national and seed packs: the
    Xiamen firm of median revenue answers at most 10 questions (screens), and so do most."""
    from statistics import median

    from huiqi.cli.demo import DEMO_ENTERPRISES, DEMO_SEED
    from huiqi.generator import enterprises

    matchers = [(k, Matcher(load_pack(ROOT / "policies" / k), DEMO_DAY))
                for k in ("national", "seed")]
    firms = [e for e in enterprises(DEMO_ENTERPRISES, DEMO_SEED, DEMO_DAY, _catalogue())
             if e.facts.get("city") == "厦门市"]
    assert len(firms) > 20
    year = DEMO_DAY.year - 1
    typical = sorted(firms, key=lambda e: e.years.get(year, {}).get("revenue") or 0)[
        len(firms) // 2]
    assert _questions_for(typical, matchers) <= 10
    assert median(_questions_for(e, matchers) for e in firms[:30]) <= 10
