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

from huiqi.engine.result import ClauseResult, Gap, Status
from huiqi.engine.wording import fact_label, gap_text
from huiqi.rules.model import ClauseSpec
from huiqi.text import Lang, Text


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
    #: the clause's name as people read it (its title in the pack), if known
    title: Text | None = None

    def name(self, lang: Lang = "zh") -> str:
        """The clause as people call it: its title (its id only if the pack is unknown)."""
        return self.key if self.title is None else self.title.get(lang)

    @property
    def eligible(self) -> bool:
        return self.status == Status.ELIGIBLE.value

    @property
    def near(self) -> bool:
        """One condition short, and the enterprise can act on it (a gap it can close)."""
        return not self.eligible and len(self.failed) == 1 and bool(self.gaps)


def _gap_words(g: Gap, labels: dict[str, str]) -> str:
    """A gap as the enterprise reads it: the condition's label and how far it is, never its
    path or expression (研发投入占比:目前 2%,须不低于 3%,还差 1 个百分点)."""
    label = labels.get(g.condition) or next(
        (v for k, v in labels.items() if g.condition.startswith(k + "/")), "")
    words = gap_text(g, "zh")
    return f"{label}:{words}" if label else words


def outcome(c: ClauseResult, spec: ClauseSpec | None = None) -> Outcome:
    """One clause's result; with its spec (the pack's clause), said in words: its title,
    its conditions' labels, the missing facts' labels."""
    labels = {} if spec is None else {k.path: k.label.zh for k in spec.all_conditions()}
    return Outcome(key=c.key, status=c.status.value,
                   amount=c.amount if c.status is Status.ELIGIBLE else c.potential,
                   assumed=c.amount_assumed, failed=tuple(c.failed),
                   gaps=tuple(_gap_words(g, labels) for g in c.gaps),
                   missing=tuple(fact_label(m.fact, "zh", m.year) for m in c.missing),
                   deadline=c.window[1] if c.window else None,
                   title=None if spec is None else spec.title)


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
