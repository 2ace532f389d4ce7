"""Properties of a stage's outcome over random scores, pass marks and prizes: the finalists
are at most as many as the competition takes, all at or above the pass mark, the best of
those that pass; the places are ranks 1…n; the prizes go to a prefix of the ranking, each at
or above the pass mark, and never sum above the problem's prize money."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.vouchers.competitions import finalists, places

score = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
share = st.integers(min_value=0, max_value=100)


@st.composite
def prize_specs(draw: st.DrawFn) -> list[dict[str, str]]:
    """Up to five prizes whose shares (in hundredths) sum to at most one, ranks shuffled."""
    n = draw(st.integers(min_value=1, max_value=5))
    left, out = 100, []
    for rank in range(1, n + 1):
        part = draw(st.integers(min_value=0, max_value=left))
        left -= part
        out.append({"rank": str(rank), "zh": f"{rank}", "en": f"{rank}",
                    "share": str(Decimal(part) / 100)})
    return draw(st.permutations(out))


@settings(deadline=None)
@given(st.lists(score, max_size=30), score, st.integers(min_value=1, max_value=10))
def test_finalists_are_the_best_that_pass(scores: list[Decimal], mark: Decimal, n: int) -> None:
    order = sorted(enumerate(scores), key=lambda x: (-x[1], x[0]))
    chosen = finalists(order, mark, n)
    assert len(chosen) <= n
    by_key = dict(order)
    assert all(by_key[k] >= mark for k in chosen)
    passing = [k for k, v in order if v >= mark]
    assert chosen == passing[:n]


@settings(deadline=None)
@given(st.lists(score, max_size=20), score, prize_specs(),
       st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False,
                   allow_infinity=False))
def test_prizes_go_in_order_and_never_exceed_the_money(
        scores: list[Decimal], mark: Decimal, prizes: list[dict[str, str]], money: Decimal) -> None:
    order = sorted(enumerate(scores), key=lambda x: (-x[1], x[0]))
    out = places(order, mark, prizes, money)
    assert [rank for _, rank, _, _ in out] == list(range(1, len(order) + 1))
    won = [spec is not None for _, _, spec, _ in out]
    assert won == sorted(won, reverse=True)                 # a prefix of the ranking
    assert sum(won) <= len(prizes)
    total = sum((prize for _, _, spec, prize in out if prize is not None), Decimal(0))
    assert total <= money
    for (_key, rank, spec, prize), (_, v) in zip(out, order, strict=True):
        if spec is not None:
            assert v >= mark and int(spec["rank"]) == rank and prize is not None
            assert prize == prize.quantize(Decimal("0.01")) and prize >= 0
