"""An enterprise as the engines see it: static facts, yearly facts, declarations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: a recorded review decision: a verdict, or the scores given (a part None: not given)
Decision = bool | dict[str, Decimal | None]


@dataclass
class Enterprise:
    """One enterprise (or other entity) with its facts.

    ``facts`` holds static facts, ``years`` the yearly facts by fiscal year.
    ``choices`` holds what the enterprise declared for a policy's choices
    (``"policy:choice" → option``) and ``reviews`` decisions already taken on
    conditions that need a person (``"policy/clause/condition" →`` a verdict ``bool``, or
    for a scored review its scores ``{part: Decimal or None}``, the single score of a review
    without parts being ``score``; a part absent or None was not given).
    A fact that is absent (or None) is missing: never 0.
    """

    id: str
    name: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    years: dict[int, dict[str, Any]] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, Decision] = field(default_factory=dict)

    @property
    def registration_year(self) -> int | None:
        d = self.facts.get("registration_date")
        return d.year if isinstance(d, dt.date) else None

    def value(self, fact: str, year: int | None = None) -> Any:
        if year is None:
            return self.facts.get(fact)
        row = self.years.get(year)
        return row.get(fact) if row else None
