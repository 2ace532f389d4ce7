"""Who is told: the difference of one clause's result before and after a change.

    newly eligible                      eligible.new
    newly one condition short, where    eligible.near   (one failed condition, with a gap
      the enterprise can act on it                       it can close: a shortfall)
    no longer eligible                  eligible.lost   (they are told too)
    amount changed (both eligible)      amount.changed

Anything else (still eligible at the same amount, still far) tells nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huiqi.engine.result import ClauseResult, Status


@dataclass(frozen=True)
class Outcome:
    """One clause's result, reduced to what push compares and says."""

    key: str
    status: str
    amount: Decimal | None
    assumed: bool
    failed: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    deadline: dt.date | None = None

    @property
    def eligible(self) -> bool:
        return self.status == Status.ELIGIBLE.value

    @property
    def near(self) -> bool:
        """One condition short, and the enterprise can act on it (a gap it can close)."""
        return not self.eligible and len(self.failed) == 1 and bool(self.gaps)


def _gap_text(g: Any) -> str:
    return f"{g.condition}:差 {g.shortfall.normalize():f}{'' if g.unit in ('', 'yuan') else ' ' + g.unit}"


def outcome(c: ClauseResult) -> Outcome:
    return Outcome(key=c.key, status=c.status.value,
                   amount=c.amount if c.status is Status.ELIGIBLE else c.potential,
                   assumed=c.amount_assumed, failed=tuple(c.failed),
                   gaps=tuple(_gap_text(g) for g in c.gaps),
                   missing=tuple(m.key for m in c.missing),
                   deadline=c.window[1] if c.window else None)


def classify(before: Outcome | None, after: Outcome | None) -> str | None:
    """The kind of message a change from ``before`` to ``after`` calls for, or None."""
    was = before is not None and before.eligible
    now = after is not None and after.eligible
    if now and not was:
        return "eligible.new"
    if was and not now:
        return "eligible.lost"
    if was and now:
        assert before is not None and after is not None
        return "amount.changed" if before.amount != after.amount else None
    if after is not None and after.near and not (before is not None and before.near):
        return "eligible.near"
    return None


__all__ = ["Outcome", "classify", "outcome"]
