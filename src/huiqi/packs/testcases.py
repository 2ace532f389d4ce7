"""Test cases written as YAML by the people who know the policy, run by pytest.

A case file names a pack and lists cases: an enterprise's facts, an evaluation
date, and what is expected of some clauses::

    pack: ../../policies/national        # relative to this file
    as_of: 2024-06-01                    # default date for the cases
    base:                                # facts shared by every case (optional)
      facts: {registration_date: 2018-01-01}
    cases:
      - name: 职工总数恰为500人,符合
        as_of: 2024-06-01
        enterprise:
          facts: {park: 宁波高新区}
          years: {2023: {staff_total: 500}}
          choices: {"tsme:rd_measure": sales}
        expect:
          tsme/evaluation: eligible                # just the status, or:
          qsme-old/clause: not_in_force            # the policy is not in force on as_of
          tsme/size:
            status: not_eligible
            amount: 0                              # exact, in yuan
            failed: [staff]
            missing: [revenue@2023]
            needs_review: []
            gaps: {staff: 1}

A case's enterprise is merged over ``base``: facts key by key, years year by
year; ``null`` removes a fact (to make it missing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from huiqi.engine.result import ClauseResult
from huiqi.errors import DataError, Problem
from huiqi.facts.enterprise import Enterprise
from huiqi.facts.io import enterprise_from_mapping
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from huiqi.yamldoc import Document, load_file

_PACKS: dict[str, Pack] = {}


@dataclass
class Case:
    name: str
    file: str
    line: int | None
    pack_path: Path
    as_of: dt.date
    enterprise: dict[str, Any]
    expect: dict[str, Any]
    doc: Document = field(repr=False, default=None)  # type: ignore[assignment]
    index: int = 0


def read_cases(path: Path) -> list[Case]:
    doc = load_file(path)
    data = doc.data or {}
    pack_path = (path.parent / str(data["pack"])).resolve()
    default_day = data.get("as_of")
    base = data.get("base") or {}
    out = []
    for i, c in enumerate(data.get("cases") or []):
        pos = doc.where(("cases", i))
        day = c.get("as_of", default_day)
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        out.append(Case(name=str(c.get("name", f"case {i + 1}")), file=str(path),
                        line=pos.line if pos else None, pack_path=pack_path, as_of=day,
                        enterprise=merge(base, c.get("enterprise") or {}),
                        expect=c.get("expect") or {}, doc=doc, index=i))
    return out


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for k, v in over.items():
        if k == "years" and isinstance(v, dict):
            years = {y: dict(row or {}) for y, row in (out.get("years") or {}).items()}
            for y, row in v.items():
                years.setdefault(y, {}).update(row or {})
            out["years"] = years
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    for section in ("facts", "choices", "reviews"):
        if isinstance(out.get(section), dict):
            out[section] = {k: v for k, v in out[section].items() if v is not None}
    if isinstance(out.get("years"), dict):
        out["years"] = {y: {k: v for k, v in row.items() if v is not None}
                        for y, row in out["years"].items()}
    return out


def pack_at(path: Path) -> Pack:
    key = str(path)
    if key not in _PACKS:
        _PACKS[key] = load_pack(path)
    return _PACKS[key]


def enterprise_of(case: Case) -> Enterprise:
    raw = {"id": "case", "name": case.name, **case.enterprise}
    problems: list[Problem] = []
    e = enterprise_from_mapping(
        raw, pack_at(case.pack_path).catalogue, problems,
        lambda code, p, **kw: case.doc.problem(code, ("cases", case.index, "enterprise", *p),
                                               **kw), check_codes=False)
    if e is None:
        raise DataError(problems, case.file)
    return e


def run(case: Case) -> list[str]:
    """Run one case; the list of differences from what was expected (empty if it passed)."""
    from huiqi.engine.explain import Explainer
    from huiqi.engine.matcher import matcher_for
    from huiqi.engine.serialize import explanation_dict

    pack = pack_at(case.pack_path)
    m = matcher_for(pack, case.as_of)
    res = m.match(enterprise_of(case))
    diffs: list[str] = []
    for key, want in case.expect.items():
        r = res.by_key(key)
        if want == NOT_IN_FORCE:
            if r is not None or key.split("/")[0] not in res.not_in_force:
                diffs.append(f"{key}: expected not in force on {case.as_of}, but it is"
                             if r is not None else f"{key}: no such policy in {pack.id}")
            continue
        if r is None:
            diffs.append(f"{key}: no such clause in {pack.id} (or not in force on {case.as_of})")
            continue
        for field_name, expected, actual in mismatches(want, actual_of(r)):
            diffs.append(f"{key}: unknown expectation “{field_name}”" if actual is UNKNOWN
                         else f"{key}.{field_name}: expected {expected!r}, got {actual!r}")
        if diffs:
            ex = explanation_dict(Explainer(m).explain_one(r), "zh")
            diffs.append(_brief(ex))
    return diffs


#: an expectation: the clause's policy is not in force on the case's date
NOT_IN_FORCE = "not_in_force"
#: what :func:`mismatches` gives as the actual value of a field that cannot be expected
UNKNOWN = object()


def actual_of(r: ClauseResult) -> dict[str, Any]:
    """What a case can expect of a clause's result, as the one-enterprise engine gives it."""
    return {
        "status": r.status.value,
        "amount": r.amount if r.amount is not None else (
            Decimal(0) if r.status.value != "eligible" else None),
        "potential_amount": r.potential,
        "failed": list(r.failed),
        "missing": [x.key for x in r.missing],
        "needs_review": list(r.reviews),
        "gaps": {g.condition: g.shortfall for g in r.gaps},
    }


def mismatches(want: Any, got: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, expected, actual) for each expected field that ``got`` does not match;
    ``UNKNOWN`` as the actual value of a field no result has. A field ``got`` lacks
    (a population engine does not report it) is not compared."""
    wanted = want if isinstance(want, dict) else {"status": want}
    out: list[tuple[str, Any, Any]] = []
    for field_name, expected in wanted.items():
        if field_name not in FIELDS:
            out.append((field_name, expected, UNKNOWN))
        elif field_name in got and not _same(expected, got[field_name]):
            out.append((field_name, expected, got[field_name]))
    return out


FIELDS = ("status", "amount", "potential_amount", "failed", "missing", "needs_review", "gaps")


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return False
        return all(_same(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and sorted(map(str, expected)) == sorted(map(str, actual))
    if expected is None:
        return actual is None
    if isinstance(expected, int | Decimal) and not isinstance(expected, bool):
        return actual is not None and not isinstance(actual, str) and Decimal(expected) == actual
    return bool(expected == actual)


def _brief(ex: dict[str, Any]) -> str:
    lines = [f"  explanation of {ex['key']}: {ex['status']}"]

    def walk(c: dict[str, Any], depth: int) -> None:
        seen = ", ".join(f"{s['expr']}={s['value']}" for s in c["seen"])
        lines.append("  " * depth + f"- {c['path']}: {c['outcome']} [{seen}]"
                     + (f" gap: {c['gap']}" if c["gap"] else ""))
        for k in c["children"]:
            walk(k, depth + 1)

    for c in ex["conditions"]:
        walk(c, 2)
    lines.extend("    " + s for s in ex["amount_steps"])
    return "\n".join(lines)
