"""The calculator's questionnaire: the question that settles most clauses comes first."""

from __future__ import annotations

import datetime as dt

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


def test_the_first_question_is_the_fact_most_undetermined_clauses_miss() -> None:
    m = _matches({})
    q = C.next_question(m, set())
    assert q is not None and q.key == "revenue@2024" and q.clauses == 4
    assert q.kind == "money" and q.label.zh.startswith("营业收入")


def test_asked_questions_are_not_asked_again_and_answers_settle_clauses() -> None:
    m = _matches({})
    before = m.undetermined()
    answers = {"revenue@2024": "10000000", "rd_expense@2024": "800000", "park": "外区"}
    after = _matches(answers)
    assert after.undetermined() < before
    q = C.next_question(after, set(answers))
    assert q is not None and q.key not in answers
    assert C.remaining(after, set(answers)) < C.remaining(m, set())


def test_a_text_question_suggests_the_values_the_policy_names() -> None:
    m = _matches({"revenue@2024": "1", "rd_expense@2024": "1"})
    q = C.next_question(m, {"revenue@2024", "rd_expense@2024"})
    assert q is not None and q.key == "park" and q.suggestions == ["测试区"]


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
