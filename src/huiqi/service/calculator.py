"""The policy calculator for visitors without an account (政策计算器).

A visitor answers a short questionnaire; nothing is stored. After each answer the
published packs are matched again, and the next question is the fact that appears in
the missing lists of the most undetermined clauses — the answer that can settle the
most clauses at once. Published policies are public documents, so these functions
check no permission (like signing in, they need no account); they read only the
published pack versions and write nothing.

    answers = {"park": "宁波高新区", "revenue@2024": "12000000"}
    matches = calculator.match(platform, answers, day)
    q = calculator.next_question(matches, asked=set(answers))
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from huiqi.engine.explain import label_of_missing
from huiqi.engine.matcher import Matcher
from huiqi.engine.result import MatchResult, Missing, Status
from huiqi.facts.catalogue import Catalogue, default_catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.messages import message
from huiqi.packs import versions as PV
from huiqi.rules.model import Pack
from huiqi.text import Text

from .context import Platform
from .policies import matcher

#: What a visitor is taken to be until they say otherwise: the calculator is for enterprises.
PRESET = {"entity_kind": "enterprise"}
NONE, SOME = "none", "some"  # answers to a question about records ("any violations?")


@dataclass(frozen=True)
class Question:
    """One fact (of one fiscal year, if yearly) or declaration to ask a visitor."""

    key: str                      # "revenue@2024", "park", "choice:policy:choice"
    kind: str                     # the catalogue's kind, or "choice"
    label: Text
    help: Text | None
    unit: str | None
    options: list[tuple[str, Text]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    clauses: int = 0              # undetermined clauses whose missing list names it


@dataclass
class Matches:
    """The published packs matched against a visitor's answers."""

    day: dt.date
    results: list[tuple[str, Matcher, MatchResult]]
    problems: dict[str, Text] = field(default_factory=dict)  # answer key → what is wrong

    def clauses(self) -> list[Any]:
        return [c for _k, _m, r in self.results for c in r.clauses]

    def undetermined(self) -> int:
        return sum(1 for c in self.clauses() if c.status is Status.UNDETERMINED)


def published(platform: Platform, day: dt.date) -> list[tuple[str, Matcher]]:
    """The compiled matcher of every published pack for ``day`` (compiled once per process)."""
    ctx = platform.system()  # only the platform's cache and database are used: no rights
    with ctx.db.read() as s:
        versions = PV.all_published(s)
    return [(key, matcher(ctx, key, v, day)) for key, v in versions]


def enterprise(answers: dict[str, str], cat: Catalogue, name: str = ""
               ) -> tuple[Enterprise, dict[str, Text]]:
    """The visitor as the engine sees them, and what is wrong with any answer."""
    e = Enterprise(id="visitor", name=name, facts=dict(PRESET))
    problems: dict[str, Text] = {}
    for key, raw in answers.items():
        value = raw.strip()
        if not value:
            continue
        if key.startswith("choice:"):
            e.choices[key[7:]] = value
            continue
        fact, _, year = key.partition("@")
        f = cat.facts.get(fact)
        if f is None or f.yearly != bool(year) or (year and not year.isdigit()):
            continue
        if f.kind == "records":
            if value == NONE:
                e.facts[fact] = ()
            continue
        try:
            coerced = cat.coerce(f, value)
        except ValueError as exc:
            problems[key] = exc.args[0]
            continue
        if year:
            e.years.setdefault(int(year), {})[fact] = coerced
        else:
            e.facts[fact] = coerced
    return e, problems


def match(platform: Platform, answers: dict[str, str], day: dt.date, name: str = "") -> Matches:
    """Every published pack matched against the answers given so far."""
    e, problems = enterprise(answers, default_catalogue(), name)
    out = Matches(day=day, results=[], problems=problems)
    for key, m in published(platform, day):
        out.results.append((key, m, m.match(with_valid_choices(e, m.pack, out.problems))))
    return out


def with_valid_choices(e: Enterprise, pack: Pack, problems: dict[str, Text]) -> Enterprise:
    """The visitor with the choices of ``pack`` they declared; an answer that is not one of
    the options is a problem of that answer (never silently another branch)."""
    offered = pack.choice_options()
    for k, v in e.choices.items():
        if k in offered and v not in offered[k]:
            problems[f"choice:{k}"] = message("data.bad_choice", name=k, value=v,
                                              options=", ".join(offered[k]))
    return _with_choices(e, {k: v for k, v in e.choices.items()
                             if k in offered and v in offered[k]})


def _with_choices(e: Enterprise, choices: dict[str, str]) -> Enterprise:
    return Enterprise(id=e.id, name=e.name, facts=e.facts, years=e.years, choices=choices)


def next_question(matches: Matches, asked: set[str]) -> Question | None:
    """The fact named in the most undetermined clauses' missing lists, not yet asked
    (ties: the one met first, clauses in pack order)."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[Missing, Matcher]] = {}
    for _key, m, res in matches.results:
        for c in res.clauses:
            if c.status is not Status.UNDETERMINED:
                continue
            for miss in c.missing:
                if miss.key in asked:
                    continue
                counts[miss.key] += 1
                first.setdefault(miss.key, (miss, m))
    if not counts:
        return None
    order = list(first)
    key = min(counts, key=lambda k: (-counts[k], order.index(k)))
    miss, m = first[key]
    return question(miss, m, counts[key])


def remaining(matches: Matches, asked: set[str]) -> int:
    """How many different facts the undetermined clauses still miss."""
    return len({miss.key for _k, _m, r in matches.results for c in r.clauses
                if c.status is Status.UNDETERMINED for miss in c.missing
                if miss.key not in asked})


def question(miss: Missing, m: Matcher, clauses: int = 0) -> Question:
    cat = m.pack.catalogue
    label = label_of_missing(miss, cat, m)
    if miss.fact.startswith("choice:"):
        pol_id, _, cid = miss.fact[7:].partition(":")
        pol = m.pack.policy(pol_id)
        ch = pol.choices.get(cid) if pol else None
        return Question(key=miss.key, kind="choice", label=label,
                        help=pol.title if pol else None, unit=None,
                        options=list(ch.options.items()) if ch else [],
                        clauses=clauses)
    f = cat.facts[miss.fact]
    options: list[tuple[str, Text]] = []
    if f.kind == "bool":
        options = [("true", Text("是", "Yes")), ("false", Text("否", "No"))]
    elif f.kind in ("enum", "enum_set"):
        enum = cat.enum_of(f)
        options = list(enum.values.items()) if enum else []
    elif f.kind == "records":
        rt = cat.records.get(f.record or "")
        what = rt.label if rt else f.label
        options = [(NONE, Text(f"没有{what.zh}", f"No {what.en.lower()}")),
                   (SOME, Text(f"有{what.zh}(需登录后填报详情)",
                               "Some (details after signing in)"))]
    return Question(key=miss.key, kind=f.kind, label=label, help=f.description,
                    unit=f.unit, options=options,
                    suggestions=suggestions(m.pack, f.id) if f.kind == "text" else [],
                    clauses=clauses)


def suggestions(pack: Pack, fact: str) -> list[str]:
    """The texts the pack's conditions compare ``fact`` with (e.g. the parks it names)."""
    pattern = re.compile(rf'(?<![A-Za-z0-9_]){re.escape(fact)}\s*(?:==|in)\s*\{{?([^}}]*)')
    found: list[str] = []
    for c in pack.clauses():
        for cond in c.all_conditions():
            for hit in pattern.finditer(cond.text or ""):
                found.extend(re.findall(r'"([^"]+)"', hit.group(1)))
    return list(dict.fromkeys(found))


__all__ = ["Matches", "Question", "enterprise", "match", "next_question", "published",
           "question", "remaining", "suggestions"]
