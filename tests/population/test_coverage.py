"""The coverage table of the random packs (issue 11, item 5): the differential tests once
missed that ``known(f)`` on a yes/no fact was always true in the population engine, because
no random pack applied ``known`` to a yes/no fact. These tests fail when a construct of the
language × a type of fact is never generated, with a value and without one."""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from huiqi.facts.catalogue import FACT_KINDS, default_catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.population import duck
from huiqi.rules import checker as CH
from huiqi.rules.model import Pack

from . import constructs as C
from . import randpack as R
from .harness import compare, expected, load_text, table_of

GRAMMAR = Path(CH.__file__).with_name("grammar.lark")
# the grammar's rules that are operators, and the construct each one is
GRAMMAR_OPERATORS = {"if_expr": "if", "or_op": "or", "and_op": "and", "not_op": "not",
                     "member": "in", "not_member": "not in", "add": "+", "sub": "-", "mul": "*",
                     "div": "/", "neg": "neg"}
# the grammar's other rules: literals, names and calls (whose functions are the checker's)
NOT_OPERATORS = {"compare", "year_ref", "year_range", "attr", "call", "pos_arg", "kw_arg",
                 "where_arg", "neg_int", "pos_int", "number", "percent", "money", "date",
                 "duration", "duration_cn", "string", "true", "false", "set_lit", "name"}
CANONICAL_CMP = {"≥": ">=", "≤": "<=", "≠": "!="}


def test_the_constructs_are_the_languages() -> None:
    grammar = GRAMMAR.read_text(encoding="utf-8")
    rules = set(re.findall(r"->\s*(\w+)", grammar))
    assert rules - set(GRAMMAR_OPERATORS) - NOT_OPERATORS == set(), "a new rule of the grammar"
    cmp_ops = {CANONICAL_CMP.get(o, o) for o in re.findall(
        r'"([^"]+)"', re.search(r"CMP_OP:(.*)", grammar).group(1))}  # type: ignore[union-attr]
    assert set(C.OPERATORS) == set(GRAMMAR_OPERATORS.values()) | cmp_ops
    assert set(C.FUNCTIONS) == set(CH.FUNCTIONS)
    assert set(C.TYPES) == set(FACT_KINDS)
    assert set(C.APPLICABLE) == set(C.CONSTRUCTS)
    cat = default_catalogue()
    for kind, uses in C.FACTS.items():
        for u in uses:
            f = cat.facts[u.fact]
            assert f.kind == kind and f.yearly == bool(u.years), u


def _probe_pack(tmp: Path) -> Pack:
    text = ("id: rp\ntitle: 探针\nissuer: 测试\ndates: {effective: 2020-01-01}\n"
            "source: {text: 测试。}\ntables:\n" + C.TABLES +
            "clauses:\n  - id: c\n    title: c\n    conditions:\n"
            "      - {id: k, label: k, when: \"true\", assumed: 测试}\n"
            "    benefit: {kind: title, assumed: 测试}\n")
    return load_text(text, tmp)


def test_the_table_is_what_the_checker_accepts() -> None:
    """Every listed pair is accepted by the checker and every other pair refused: the table
    leaves out nothing the language takes."""
    with tempfile.TemporaryDirectory() as tmp:
        pack = _probe_pack(Path(tmp))
    pol = pack.policy("rp")
    assert pol is not None and pol.id == "rp" and pol.tables
    problems: list[Any] = []
    checker = CH.Checker(pack.catalogue, "rp", {}, pol.tables, {}, {}, {},
                         lambda *a: problems.append(a))
    wrong = []
    for construct in C.CONSTRUCTS:
        for kind in C.TYPES:
            lits = C.LITERALS[kind]
            for f in C.FACTS[kind]:
                for k in range(4):
                    lit = lits[k % len(lits)] if lits else ""
                    if f.fact == "tax_credit_rating" and lit:
                        lit = '"A"'
                    if kind == "bool":
                        lit = lits[k % 2]
                    text = C.template(construct, kind, f, lit, "ip_service_licensed", k)
                    problems.clear()
                    node = checker.check(text, ("probe",), expect="bool")
                    accepted = node is not None
                    if accepted != (kind in C.APPLICABLE[construct]):
                        wrong.append((construct, kind, text, problems[:1]))
    assert not wrong, "\n".join(map(str, wrong))


def _present(e: Enterprise, u: C.FactUse, years: tuple[int, ...]) -> bool:
    if not u.years:
        return e.facts.get(u.fact) is not None
    return all(e.value(u.fact, R.FY + y) is not None for y in years)


def _sweep_pack(construct: str) -> tuple[str, list[tuple[str, str, C.FactUse]]]:
    """A pack with one clause per variant of ``construct`` applied to every type it takes."""
    clauses, uses = [], []
    for kind in sorted(C.APPLICABLE[construct]):
        lits = C.LITERALS[kind]
        for f in C.FACTS[kind]:
            for k in range(4):
                lit = lits[k % len(lits)] if lits else ""
                if f.fact == "tax_credit_rating" and lit:
                    lit = ('"A"', '"C"')[k % 2]
                other = C.SIMPLE[k % len(C.SIMPLE)]
                text = C.template(construct, kind, f, lit, other, k).replace('"', '\\"')
                i = len(clauses)
                clauses.append(f"  - id: c{i}\n    title: c{i}\n    conditions:\n"
                               f"      - {{id: k, label: k, when: \"{text}\", assumed: 测试}}\n"
                               f"    benefit: {{kind: title, assumed: 测试}}")
                uses.append((construct, kind, f))
    text = ("id: rp\ntitle: 覆盖\nissuer: 测试\ndates: {effective: 2020-01-01}\n"
            "source: {text: 测试。}\ntables:\n" + C.TABLES + "clauses:\n" + "\n".join(clauses) + "\n")
    return text, uses


def _sweep_enterprises() -> list[Enterprise]:
    """Enterprises with each fact of the table present in some and missing in others (drawn
    once for every construct's sweep: the draw is derandomized; each sweep its own copy)."""
    return copy.deepcopy(list(_swept()))


@cache
def _swept() -> tuple[Enterprise, ...]:

    @settings(max_examples=40, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(R.enterprise(0))
    def draw(e: Enterprise) -> None:
        out.append(e)

    out: list[Enterprise] = []
    draw()
    out = [replace(e, id=f"e{i}") for i, e in enumerate(out[-24:])]
    # one with every fact and one with none but its registration date
    full = out[0]
    for e in out[1:]:
        full = replace(full, facts={**e.facts, **full.facts},
                       years={y: {**e.years.get(y, {}), **row} for y, row in full.years.items()})
    empty = Enterprise(id="empty", name="空", facts={"registration_date": dt.date(2015, 1, 1)})
    return (*out, replace(full, id="full"), empty)


@pytest.mark.parametrize("construct", C.CONSTRUCTS)
def test_every_construct_on_every_type_with_and_without_values(construct: str,
                                                               tmp_path: Path) -> None:
    """The sweep of the coverage table: each construct applied to each type of fact it
    takes, on enterprises with and without the value; the engine and DuckDB agree, and
    every pair was evaluated both ways."""
    text, uses = _sweep_pack(construct)
    pack = load_text(text, tmp_path)
    es = _sweep_enterprises()
    diffs = compare(expected(pack, es, R.AS_OF), duck.match_arrow(pack, R.AS_OF,
                                                                   table_of(es, R.AS_OF)))
    assert not diffs, "\n".join(diffs[:20])
    seen = set()
    for c, kind, u in uses:
        years = C.WINDOW if c in ("sum", "avg", "min", "max") and u.years else u.years
        for e in es:
            seen.add((kind, _present(e, u, years)))
    never = [(kind, has) for kind in C.APPLICABLE[construct] for has in (True, False)
             if (kind, has) not in seen]
    assert not never, f"{construct} never applied to: {never}"
