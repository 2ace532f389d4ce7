"""Compare the population engine's rows with the one-enterprise engine's results.

Used by the differential tests and by ``huiqi match-all --verify``: any difference in
status, amount, potential amount, failed conditions, gaps or missing facts is listed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from huiqi.engine.result import MatchResult


def engine_rows(res: MatchResult) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for c in res.clauses:
        out[(res.enterprise_id, c.key)] = {
            "status": c.status.value,
            "amount": c.amount,
            "potential_amount": c.potential,
            "failed": list(c.failed),
            "gaps": {g.condition: g.shortfall for g in c.gaps},
            "missing": sorted(m.key for m in c.missing),
        }
    return out


def table_rows(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for r in rows:
        out[(r["enterprise_id"], r["clause"])] = {
            "status": r["status"],
            "amount": r["amount"],
            "potential_amount": r["potential_amount"],
            "failed": list(r["failed"] or []),
            "gaps": {g["condition"]: g["shortfall"] for g in (r["gaps"] or [])},
            "missing": sorted(r["missing"] or []),
        }
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def differences(expected: dict[tuple[str, str], dict[str, Any]],
                got: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    diffs: list[str] = []
    for key in sorted(set(expected) | set(got)):
        e, g = expected.get(key), got.get(key)
        if e is None or g is None:
            diffs.append(f"{key}: only in {'engine' if g is None else 'table'}")
            continue
        for field, ev in e.items():
            if not _same(ev, g[field]):
                diffs.append(f"{key[0]} {key[1]}.{field}: engine {ev!r}, table {g[field]!r}")
    return diffs
