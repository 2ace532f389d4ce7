"""Review panels as plain functions (no database): a rubric's weighted score, the
aggregation of a panel's scores, the ranking with its declared tie-break, and the choice
of winners under the pass mark, the quota and the budget.

Three rules, not one: *eligibility* (the clause, checked by the engine), the *threshold*
(the pass mark: nobody below it is chosen; nobody above it means a vacancy), the *quota*
(at most ``quota`` of those at or above it, best first). Here the weighted score is used for
both the threshold and the ranking — the score shown is the score used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from huiqi.errors import InputError
from huiqi.messages import message
from huiqi.text import Text

SCORE_PLACES = Decimal("0.01")
MEAN = "mean"
TRIMMED = "trimmed_mean"
#: a trimmed mean drops the highest and the lowest score only from this many reviews up
TRIM_FROM = 5


@dataclass(frozen=True)
class Criterion:
    id: str
    label: Text
    weight: Decimal
    assumed: bool = False  # the weight is not in the text: assumed, and marked so


@dataclass(frozen=True)
class Rubric:
    """Weighted criteria scored 0 … ``scale``; the pass mark applies to the aggregate."""

    criteria: tuple[Criterion, ...]
    pass_mark: Decimal
    aggregation: str = MEAN
    scale: Decimal = Decimal(100)
    #: after the aggregate (descending): criteria ids (their panel means, descending), then
    #: ``submitted_at`` (earlier first); the application id settles what is left
    tie_break: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Rubric:
        crit = data.get("criteria")
        assert isinstance(crit, list)
        return cls(
            criteria=tuple(Criterion(str(c["id"]), Text(str(c["label_zh"]), str(c["label_en"])),
                                     Decimal(str(c["weight"])), bool(c.get("assumed", False)))
                           for c in crit),
            pass_mark=Decimal(str(data["pass_mark"])),
            aggregation=str(data.get("aggregation", MEAN)),
            scale=Decimal(str(data.get("scale", 100))),
            tie_break=tuple(str(x) for x in data.get("tie_break", ()) or ()))  # type: ignore[attr-defined]

    def to_json(self) -> dict[str, object]:
        return {"criteria": [{"id": c.id, "label_zh": c.label.zh, "label_en": c.label.en,
                              "weight": str(c.weight), "assumed": c.assumed}
                             for c in self.criteria],
                "pass_mark": str(self.pass_mark), "aggregation": self.aggregation,
                "scale": str(self.scale), "tie_break": list(self.tie_break)}

    def weighted(self, scores: Mapping[str, Decimal]) -> Decimal:
        """One reviewer's weighted score (same scale as the criteria); every criterion must
        be scored, within 0 … scale."""
        total_weight = sum((c.weight for c in self.criteria), Decimal(0))
        acc = Decimal(0)
        for c in self.criteria:
            if c.id not in scores:
                raise InputError(message("programme.score_missing", criterion=c.id))
            v = Decimal(scores[c.id])
            if not Decimal(0) <= v <= self.scale:
                raise InputError(message("programme.score_range", criterion=c.id,
                                         scale=self.scale))
            acc += c.weight * v
        extra = set(scores) - {c.id for c in self.criteria}
        if extra:
            raise InputError(message("programme.score_unknown", criterion=sorted(extra)[0]))
        return (acc / total_weight).quantize(SCORE_PLACES, ROUND_HALF_UP)


def aggregate(totals: Sequence[Decimal], how: str) -> Decimal:
    """The panel's score of one application from its reviewers' weighted scores: the mean,
    or (``trimmed_mean`` with at least 5 reviews) the mean without the highest and the
    lowest."""
    if not totals:
        raise ValueError("no scores to aggregate")
    xs = sorted(totals)
    if how == TRIMMED and len(xs) >= TRIM_FROM:
        xs = xs[1:-1]
    return (sum(xs, Decimal(0)) / len(xs)).quantize(SCORE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Candidate:
    """An application as the panel's decision sees it."""

    id: int
    entity_id: int
    score: Decimal
    criteria: Mapping[str, Decimal] = field(default_factory=dict)  # panel mean per criterion
    submitted_order: int = 0  # position by submission time (earlier = smaller)
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Outcome:
    """The ranking and who is chosen: every candidate's rank, those at or above the pass
    mark, the chosen (best first), why each other passing one was not chosen, vacancy."""

    ranked: tuple[Candidate, ...]
    passing: tuple[int, ...]
    chosen: tuple[int, ...]
    left_out: Mapping[int, str]  # id → "quota" | "budget"
    vacant: bool
    cut_off: Decimal | None  # the score of the last chosen


def rank(cands: Sequence[Candidate], tie_break: Sequence[str]) -> list[Candidate]:
    """Best first: the aggregate, then the declared tie-break, then the id."""
    def key(c: Candidate) -> tuple[object, ...]:
        parts: list[object] = [-c.score]
        for t in tie_break:
            if t == "submitted_at":
                parts.append(c.submitted_order)
            else:
                parts.append(-c.criteria.get(t, Decimal(0)))
        parts.append(c.id)
        return tuple(parts)
    return sorted(cands, key=key)


def choose(cands: Sequence[Candidate], pass_mark: Decimal | None, quota: int | None,
           budget_left: Decimal, tie_break: Sequence[str] = ()) -> Outcome:
    """Who is chosen: the passing ones (score ≥ pass mark; everyone without a pass mark),
    best first, while the quota and the budget last. A passing candidate the budget cannot
    pay in full is left out (later, cheaper ones may still fit)."""
    ranked = rank(cands, tie_break)
    passing = [c for c in ranked if pass_mark is None or c.score >= pass_mark]
    chosen: list[Candidate] = []
    left: dict[int, str] = {}
    money = budget_left
    for c in passing:
        if quota is not None and len(chosen) >= quota:
            left[c.id] = "quota"
        elif c.amount > money:
            left[c.id] = "budget"
        else:
            chosen.append(c)
            money -= c.amount
    return Outcome(tuple(ranked), tuple(c.id for c in passing), tuple(c.id for c in chosen),
                   left, vacant=not passing, cut_off=chosen[-1].score if chosen else None)


#: The Guilin Mayor's Quality Award's five criteria (the text names them; it gives no
#: weights: these — quality first, it being a quality award — are assumed and marked so;
#: the pass mark of 80 and the trimmed mean are assumed too).
GUILIN = Rubric(
    criteria=(
        Criterion("quality_leading", Text("质量领先", "Leading in quality"), Decimal(25), True),
        Criterion("tech_innovation", Text("技术创新", "Technological innovation"), Decimal(20),
                  True),
        Criterion("brand_excellent", Text("品牌优秀", "Excellent brand"), Decimal(20), True),
        Criterion("results_outstanding", Text("效益突出", "Outstanding results"), Decimal(20),
                  True),
        Criterion("contribution", Text("为桂林市质量发展做出突出贡献", "Contribution to quality in Guilin"),
                  Decimal(15), True),
    ),
    pass_mark=Decimal(80), aggregation=TRIMMED,
    tie_break=("quality_leading", "tech_innovation", "submitted_at"))
