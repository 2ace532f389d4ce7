"""Random packs and enterprises on small domains, for the bounds property tests (issue 11,
item 6): facts ``x1`` … ``x4`` are whole numbers 0–3 (a test catalogue declares them), a
yes/no fact and a declared choice; conditions are drawn from the constructs the bounds
reasoning covers (sums, products with known signs, min/max, bands, choices, exceptions),
each reading each fact at most once. A clause may also ask for a scored review whose two
sub-scores ``s1``, ``s2`` (declared 0–3) a formula of the same constructs combines; an
enterprise has it not reviewed, or reviewed with none, one or both sub-scores missing.
Every completion of the missing facts and sub-scores can then be enumerated."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from huiqi.facts.catalogue import CATALOGUE_FILE, Catalogue, load_catalogue
from huiqi.facts.enterprise import Enterprise

AS_OF = dt.date(2025, 6, 1)
NUMS = ("x1", "x2", "x3", "x4")
PARTS = ("s1", "s2")
REVIEWS = tuple(f"bp/c{i}/r" for i in range(3))  # the scored review of clause c{i}
DOMAIN = tuple(Decimal(i) for i in range(4))
FLAG = "ip_service_licensed"
CHOICE = "bp:m"

_FACTS = "".join(f"""
  {x}:
    type: integer
    min: 0
    max: 3
    label: {{zh: 测试数{x}, en: Test number {x}}}
    period: static
    source: self_reported
""" for x in NUMS)


_CATALOGUE: list[Catalogue] = []


def catalogue(folder: Path) -> Catalogue:
    """The catalogue with x1 … x4 (read once)."""
    if not _CATALOGUE:
        path = folder / "catalogue.yaml"
        path.write_text(CATALOGUE_FILE.read_text(encoding="utf-8") + _FACTS, encoding="utf-8")
        _CATALOGUE.append(load_catalogue(path))
    return _CATALOGUE[0]


@st.composite
def table(draw: st.DrawFn, name: str) -> str:
    """Bands over 0–3 with whole-number cuts, each band holding a whole number."""
    cuts = sorted(set(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))))
    values = [draw(st.integers(0, 9)) for _ in range(len(cuts) + 1)]
    bands, lo = [], "(-∞"
    for c, v in zip(cuts, values, strict=False):
        bands.append(f'      - {{range: "{lo}, {c})", value: {v}}}')
        lo = f"[{c}"
    bands.append(f'      - {{range: "{lo}, ∞)", value: {values[-1]}}}')
    return f"  {name}:\n    label: 分档{name}\n    assumed: 测试\n    bands:\n" + \
        "\n".join(bands)


@st.composite
def number(draw: st.DrawFn, facts: list[str], depth: int = 0) -> str:
    """A number in points from the facts not yet used (each used once)."""
    kind = draw(st.integers(0, 8 if depth < 2 and len(facts) >= 2 else 2))
    if kind == 0 or not facts:
        return str(draw(st.integers(0, 5)))
    if kind == 1:
        return facts.pop()
    if kind == 2:
        return f"band({draw(st.sampled_from(['ta', 'tb']))}, {facts.pop()})"
    a = draw(number(facts, depth + 1))
    b = draw(number(facts, depth + 1))
    if kind == 3:
        return f"({a} + {b})"
    if kind == 4:
        return f"({a} - {b})"
    if kind == 5:
        return f"({a} * {b})"
    if kind == 6:
        return f"{draw(st.sampled_from(['min', 'max']))}({a}, {b})"
    if kind == 7:
        return f'(if m == "{draw(st.sampled_from(["p", "q"]))}" then {a} else {b})'
    # a quotient of a quotient is not bounded (huiqi.engine.bounds): the numerator is one fact
    return f"({draw(number(facts, 2))} / {draw(st.sampled_from(['2', '4']))} + {b})"


@st.composite
def condition(draw: st.DrawFn) -> str:
    facts = list(NUMS)
    draw(st.randoms()).shuffle(facts)
    left = draw(number(facts))
    op = draw(st.sampled_from([">=", ">", "<=", "<", "==", "!="]))
    cond = f"{left} {op} {draw(st.integers(0, 12))}"
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return f"{FLAG} and {cond}"
    if shape == 1:
        return f"not {FLAG} or {cond}"
    return cond


@st.composite
def scored(draw: st.DrawFn) -> str:
    """A scored review: two sub-scores 0–3 combined by a random formula, a pass mark."""
    parts = list(PARTS)
    draw(st.randoms()).shuffle(parts)
    formula = draw(number(parts))
    return f"""      - id: r
        label: 专家评分
        review: 专家打分
        assumed: 测试
        score:
          pass_mark: {draw(st.integers(0, 12))}
          strict: {str(draw(st.booleans())).lower()}
          parts:
            s1: {{label: 分项一, min: 0, max: 3}}
            s2: {{label: 分项二, min: 0, max: 3}}
          formula: {formula!r}"""


def _q(s: str) -> str:
    return s.replace('"', '\\"')


@st.composite
def pack_text(draw: st.DrawFn) -> str:
    clauses = []
    for i in range(draw(st.integers(1, 3))):
        lines = [f"  - id: c{i}", f"    title: 条款{i}", "    conditions:"]
        for j in range(draw(st.integers(1, 3))):
            lines.append(f"      - {{id: k{j}, label: 条件{j}, when: \"{_q(draw(condition()))}\", "
                         f"assumed: 测试}}")
            if draw(st.booleans()):
                then = draw(st.sampled_from(["met", "not_met"]))
                lines[-1] = lines[-1][:-1] + (
                    f", exceptions: [{{id: e{j}, label: 例外, when: \"{_q(draw(condition()))}\", "
                    f"then: {then}, assumed: 测试}}]}}")
        if draw(st.booleans()):
            lines.append(draw(scored()))
        lines += ["    benefit: {kind: title, assumed: 测试}"]
        clauses.append("\n".join(lines))
    return f"""id: bp
title: 界限
issuer: 测试
dates: {{effective: 2020-01-01}}
source: {{text: 测试。}}
choices:
  - {{id: m, label: 方式, assumed: 测试, options: {{p: 甲, q: 乙}}}}
tables:
{draw(table("ta"))}
{draw(table("tb"))}
clauses:
{chr(10).join(clauses)}
"""


@st.composite
def enterprise(draw: st.DrawFn) -> Enterprise:
    """A complete enterprise with up to three of its facts removed."""
    facts: dict[str, Any] = {x: draw(st.sampled_from(DOMAIN)) for x in NUMS}
    facts[FLAG] = draw(st.booleans())
    facts["registration_date"] = dt.date(2015, 1, 1)
    choice = draw(st.sampled_from(["p", "q"]))
    gone = draw(st.sets(st.sampled_from([*NUMS, FLAG, CHOICE]), max_size=3))
    reviews: dict[str, Any] = {}
    for key in REVIEWS:  # not reviewed, or reviewed with some sub-scores missing
        if draw(st.booleans()):
            reviews[key] = {p: draw(st.sampled_from(DOMAIN)) for p in PARTS
                            if draw(st.integers(0, 2))}
    return Enterprise(id="e", name="e", facts={k: v for k, v in facts.items() if k not in gone},
                      choices={} if CHOICE in gone else {CHOICE: choice}, reviews=reviews)


def completions(e: Enterprise) -> Iterator[Enterprise]:
    """Every way of giving the enterprise's missing facts and the missing sub-scores of its
    recorded decisions a value (a review not recorded stays so)."""
    gone = [x for x in (*NUMS, FLAG) if x not in e.facts]
    domains: list[tuple[Any, ...]] = [DOMAIN if x in NUMS else (True, False) for x in gone]
    unscored = [(k, p) for k, d in e.reviews.items() if isinstance(d, dict)
                for p in PARTS if d.get(p) is None]
    choices = [{CHOICE: "p"}, {CHOICE: "q"}] if CHOICE not in e.choices else [e.choices]
    for values in itertools.product(*domains):
        for scores in itertools.product(*[DOMAIN for _ in unscored]):
            reviews = {k: dict(d) if isinstance(d, dict) else d for k, d in e.reviews.items()}
            for (k, p), v in zip(unscored, scores, strict=True):
                reviews[k][p] = v  # type: ignore[index]
            for ch in choices:
                yield replace(e, facts={**e.facts, **dict(zip(gone, values, strict=True))},
                              choices=dict(ch), reviews=reviews)
