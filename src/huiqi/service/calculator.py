"""The policy calculator for visitors without an account (政策计算器).

A visitor answers a short questionnaire; nothing is stored. After each answer the
published packs are matched again, and the next question is the fact that appears in
the missing lists of the most undetermined clauses — the answer that can settle the
most clauses at once. Where the firm is comes first (the city, then the park): a policy of
another city can change nothing the visitor will see, so its questions are neither asked
nor counted (the count of questions left is honest: only those that can still change a
visible result). Amounts may be written as managers write them (五千万, 3千万, 1.2亿,
1,200万元: :mod:`huiqi.facts.amounts`); a city must be a city. Published policies are
public documents, so these functions check no permission (like signing in, they need no
account); they read only the published pack versions and write nothing.

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
from huiqi.facts.amounts import looks_like_amount, parse_amount
from huiqi.facts.catalogue import Catalogue
from huiqi.facts.enterprise import Enterprise
from huiqi.messages import message
from huiqi.packs import versions as PV
from huiqi.rules.model import Pack
from huiqi.rules.places import local, places
from huiqi.text import Text

from .catalogue import platform_catalogue
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
    #: a question of several facts asked on one screen: yes/no facts and records as boxes
    #: to tick (kind "checks"), or one fiscal year's figures (kind "figures")
    parts: list[Question] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [q.key for q in self.parts] if self.parts else [self.key]


@dataclass
class Matches:
    """The published packs matched against a visitor's answers."""

    day: dt.date
    results: list[tuple[str, Matcher, MatchResult]]
    problems: dict[str, Text] = field(default_factory=dict)  # answer key → what is wrong
    city: str | None = None
    park: str | None = None

    def clauses(self) -> list[Any]:
        return [c for _k, _m, r in self.results for c in r.clauses]

    def undetermined(self) -> int:
        return sum(1 for c in self.clauses() if c.status is Status.UNDETERMINED)

    def relevant(self, m: Matcher, policy: str) -> bool:
        """Whether a policy applies where the visitor said they are (all, until they say)."""
        pol = m.pack.policy(policy)
        return pol is None or local(places(pol), self.city, self.park)

    def open(self) -> list[tuple[Matcher, Any]]:
        """The undetermined clauses of the policies that apply where the visitor is: the
        only ones an answer can still change on the page."""
        return [(m, c) for _k, m, r in self.results for c in r.clauses
                if c.status is Status.UNDETERMINED and self.relevant(m, c.policy)]


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
            value = written(f.id, f.kind, value)
            coerced = cat.coerce(f, value)
        except ValueError as exc:
            problems[key] = exc.args[0]
            continue
        if year:
            e.years.setdefault(int(year), {})[fact] = coerced
        else:
            e.facts[fact] = coerced
    return e, problems


_UNITS = re.compile(r"(人|名|个|项|件|家|次|平方米|㎡|m2|分)$")
_CITY = re.compile(r"^[\u4e00-\u9fff]{1,12}(市|州|盟|地区)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def written(fact: str, kind: str, value: str) -> str:
    """An answer as the catalogue reads it: amounts in yuan (五千万 → 50000000), a number
    without its unit (50人 → 50), a city with its 市 (厦门 → 厦门市); ValueError (a Text)
    for a city that is not one, or a park without a name."""
    if kind == "money" and looks_like_amount(value):
        return str(parse_amount(value))
    if kind in ("integer", "decimal"):
        bare = _UNITS.sub("", value.replace(",", "").strip())
        return str(parse_amount(bare)) if looks_like_amount(bare) else bare
    if fact == "city":
        city = value.strip()
        if _CJK.fullmatch(city[-1:] or "x") and not _CITY.match(city) and _CITY.match(city + "市"):
            city += "市"
        if not _CITY.match(city):
            raise ValueError(Text(f"“{value}”不是城市名,请写城市,如 厦门市",
                                  f"“{value}” is not a city; write a city, e.g. 厦门市"))
        return city
    if fact in ("park", "district", "province") and not _CJK.search(value):
        raise ValueError(Text(f"“{value}”不是地名,请写名称,如 厦门火炬高新区",
                              f"“{value}” is not a place name, e.g. 厦门火炬高新区"))
    return value


def match(platform: Platform, answers: dict[str, str], day: dt.date, name: str = "") -> Matches:
    """Every published pack matched against the answers given so far."""
    e, problems = enterprise(answers, platform_catalogue(platform.system()), name)
    city, park = e.facts.get("city"), e.facts.get("park")
    out = Matches(day=day, results=[], problems=problems,
                  city=city if isinstance(city, str) else None,
                  park=park if isinstance(park, str) else None)
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


#: Asked first, in this order: where the firm is decides which policies matter at all.
FIRST = ("city", "park")


def _counts(matches: Matches, asked: set[str]
            ) -> tuple[Counter[str], dict[str, tuple[Missing, Matcher]]]:
    counts: Counter[str] = Counter()
    first: dict[str, tuple[Missing, Matcher]] = {}
    for m, c in matches.open():
        for miss in c.missing:
            if miss.key in asked:
                continue
            counts[miss.key] += 1
            first.setdefault(miss.key, (miss, m))
    return counts, first


def next_question(matches: Matches, asked: set[str]) -> Question | None:
    """Where the firm is (city, then park) if a clause still needs it; else the fact named
    in the most undetermined clauses' missing lists, not yet asked (ties: the one met
    first, clauses in pack order). Only clauses of policies that apply where the visitor
    is count."""
    counts, first = _counts(matches, asked)
    if not counts:
        return None
    order = list(first)
    key = min(counts, key=lambda k: (FIRST.index(k) if k in FIRST else len(FIRST),
                                     -counts[k], order.index(k)))
    miss, m = first[key]
    q = question(miss, m, counts[key])
    grouped = _group(q, miss, counts, first)
    if grouped is not None:
        return grouped
    if miss.fact == "park" and matches.city:  # the parks of the city the visitor gave
        stem = matches.city.removesuffix("市")
        q = Question(key=q.key, kind=q.kind, label=q.label, help=q.help, unit=q.unit,
                     options=q.options, clauses=q.clauses,
                     suggestions=[x for x in q.suggestions if stem in x])
    return q


CHECKS = ("bool", "records")
FIGURES = ("money", "integer", "decimal", "ratio")
#: at most this many figures on one screen
MAX_FIGURES = 8


def _group(q: Question, miss: Missing, counts: Counter[str],
           first: dict[str, tuple[Missing, Matcher]]) -> Question | None:
    """The question with the others asked the same way: every yes/no fact and record still
    missing as boxes to tick on one screen; a fiscal year's figures on one screen."""
    if q.kind in CHECKS:
        same = [k for k in first if _kind(first[k]) in CHECKS]
        label = Text("以下哪些情况属实?(勾选属实的,其余视为“否”或“没有”)",
                      "Which of these are true? (tick them; the others count as no / none)")
        kind = "checks"
    elif q.kind in FIGURES and miss.year is not None:
        same = [k for k in first if _kind(first[k]) in FIGURES and first[k][0].year == miss.year]
        label = Text(f"{miss.year}年度的主要数据(不清楚的可留空)",
                     f"Figures of {miss.year} (leave blank what you do not know)")
        kind = "figures"
    else:
        return None
    if len(same) < 2:
        return None
    order = list(first)
    same = sorted(same, key=lambda k: (-counts[k], order.index(k)))[:MAX_FIGURES]
    parts = [question(first[k][0], first[k][1], counts[k]) for k in same]
    key = f"group:{kind}@{same[0]}"  # never the same twice in a row (asked is not asked again)
    return Question(key=key, kind=kind, label=label, help=None, unit=None,
                    clauses=sum(counts[k] for k in same), parts=parts)


def _kind(found: tuple[Missing, Matcher]) -> str:
    miss, m = found
    if miss.fact.startswith("choice:"):
        return "choice"
    f = m.pack.catalogue.facts.get(miss.fact)
    return f.kind if f is not None else ""


def remaining(matches: Matches, asked: set[str]) -> int:
    """How many screens of questions at most are left for the undetermined clauses that
    matter (of policies that apply where the visitor is): the yes/no facts and records are
    one screen, each fiscal year's figures one, every other fact one."""
    first = _counts(matches, asked)[1]
    screens: set[str] = set()
    figures: Counter[int] = Counter()
    for k, found in first.items():
        kind = _kind(found)
        if kind in CHECKS:
            screens.add("checks")
        elif kind in FIGURES and found[0].year is not None:
            figures[found[0].year] += 1
        else:
            screens.add(k)
    return len(screens) + sum(-(-n // MAX_FIGURES) for n in figures.values())


def bearing(matches: Matches, key: str) -> int:
    """How many undetermined clauses that matter miss ``key``."""
    return sum(1 for _m, c in matches.open() for miss in c.missing if miss.key == key)


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


__all__ = ["Matches", "Question", "bearing", "enterprise", "match", "next_question",
           "published", "question", "remaining", "suggestions", "written"]
