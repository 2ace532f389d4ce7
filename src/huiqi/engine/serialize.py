"""Results and explanations as plain JSON-ready data (money as strings, exact), in the shape
:mod:`huiqi.engine.public` declares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from huiqi.rules.model import Citation
from huiqi.text import Lang, Text

from .explain import ConditionExplanation, Explainer, Explanation
from .matcher import Matcher
from .result import ClauseResult, Gap, MatchResult
from .values import MISSING, REVIEW, Quot, Undefined, to_decimal


def plain(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v else "0"
    if isinstance(v, Quot):
        return format(to_decimal(v, 6), "f")
    if isinstance(v, dt.date):
        return v.isoformat()
    if v is MISSING:
        return None
    if v is REVIEW:
        return "needs_review"
    if isinstance(v, Undefined):
        return None
    if isinstance(v, Text):
        return v.as_dict()
    if isinstance(v, frozenset | set):
        return sorted(plain(x) for x in v)
    if isinstance(v, tuple | list):
        return [plain(x) for x in v]
    return str(v)


def _t(t: Text | None, lang: Lang | None) -> Any:
    if t is None:
        return None
    return t.get(lang) if lang else t.as_dict()


def gap_dict(g: Gap) -> dict[str, Any]:
    return {"condition": g.condition, "op": g.op, "value": plain(g.value),
            "target": plain(g.target), "shortfall": plain(g.shortfall), "strict": g.strict,
            "unit": g.unit}


def clause_dict(r: ClauseResult) -> dict[str, Any]:
    return {
        "key": r.key, "policy": r.policy, "clause": r.clause, "status": r.status.value,
        "amount": plain(r.amount), "potential_amount": plain(r.potential),
        "amount_assumed": r.amount_assumed,
        "failed": list(r.failed), "gaps": [gap_dict(g) for g in r.gaps],
        "missing": [m.key for m in r.missing], "needs_review": list(r.reviews),
        "window": [plain(d) for d in r.window] if r.window else None,
    }


def match_dict(res: MatchResult) -> dict[str, Any]:
    return {
        "enterprise_id": res.enterprise_id, "enterprise_name": res.enterprise_name,
        "pack": res.pack_id, "pack_version": res.pack_version, "as_of": res.as_of.isoformat(),
        "total_eligible_amount": plain(res.total),
        "total_assumed_amount": plain(res.assumed_total),
        "clauses": [clause_dict(c) for c in res.clauses],
        "not_in_force": res.not_in_force,
        "values": values_list(res, None),
    }


def values_list(res: MatchResult, lang: Lang | None) -> list[dict[str, Any]]:
    """The values the pack reports for the enterprise (a score, a growth rate, a grade)."""
    return [{"key": v.key, "label": _t(v.label, lang), "value": plain(v.value),
             "state": v.state, "grade": v.grade} for v in res.values]


def cite_dict(c: Citation) -> dict[str, Any]:
    return {"paragraph": c.paragraph, "quote": c.quote, "assumed": c.assumed,
            "summary": c.summary}


def condition_dict(c: ConditionExplanation, lang: Lang | None) -> dict[str, Any]:
    return {
        "path": c.path, "label": _t(c.label, lang), "outcome": c.outcome,
        "cite": cite_dict(c.cite), "expr": c.expr, "review": _t(c.review, lang),
        "seen": [{"label": _t(s.label, lang), "expr": s.expr, "value": _t(s.value, lang)}
                 for s in c.seen],
        "exceptions": [{"id": i, "label": _t(lbl, lang), "outcome": o, "cite": cite_dict(ct)}
                       for i, lbl, o, ct in c.exceptions],
        "gap": _t(c.gap, lang),
        "children": [condition_dict(k, lang) for k in c.children],
    }


def explanation_dict(e: Explanation, lang: Lang | None = None) -> dict[str, Any]:
    return {
        "key": e.key, "title": _t(e.title, lang), "status": e.status.value,
        "amount": plain(e.amount), "potential_amount": plain(e.potential),
        "amount_assumed": list(e.amount_assumed),
        "cite": cite_dict(e.cite),
        "conditions": [condition_dict(c, lang) for c in e.conditions],
        "amount_steps": [_t(s, lang) for s in e.amount_steps],
        "missing": [_t(m, lang) for m in e.missing], "notes": [_t(n, lang) for n in e.notes],
        "window": _t(e.window, lang), "program": [_t(p, lang) for p in e.program],
        "pack_version": e.pack_version, "as_of": e.as_of,
    }


def pack_match_dict(res: MatchResult, pack: str, matcher: Matcher | None = None,
                    lang: Lang | None = None) -> dict[str, Any]:
    """One enterprise against one pack, shaped as :class:`huiqi.engine.public.PackMatch`;
    every clause explained when ``matcher`` is given."""
    return {"pack": pack, "pack_version": res.pack_version, "as_of": res.as_of.isoformat(),
            "total_eligible_amount": plain(res.total),
            "total_assumed_amount": plain(res.assumed_total),
            "clauses": [clause_dict(c) for c in res.clauses],
            "explanations": None if matcher is None else [
                explanation_dict(e, lang) for e in Explainer(matcher).explain_all(res.clauses)],
            "not_in_force": res.not_in_force, "values": values_list(res, lang)}


def full_match_dict(matcher: Matcher, res: MatchResult, lang: Lang | None = None
                    ) -> dict[str, Any]:
    """A match with every clause's explanation."""
    ex = Explainer(matcher)
    out = match_dict(res)
    out["explanations"] = [explanation_dict(ex.explain_one(c), lang) for c in res.clauses]
    return out
