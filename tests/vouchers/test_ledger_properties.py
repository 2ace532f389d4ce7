"""The ledger over random sequences of issue / redeem / deliver / confirm / cancel / claim /
settle / bonus / expire (and the days passing): every transaction balances, the sum of all
balances is zero, no quota, budget, held or receivable account is ever below zero, each
balance agrees with the rows it stands for, and settling again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict
from huiqi.store.models import Base
from huiqi.vouchers import book as B
from huiqi.vouchers import ledger as L
from huiqi.vouchers.models import (
    Voucher,
    VoucherClaim,
    VoucherContract,
    VoucherProvider,
    VoucherScheme,
)

TABLES = [Base.metadata.tables[t] for t in (
    "voucher_scheme", "voucher_provider", "voucher_item", "voucher", "voucher_claim",
    "voucher_contract", "ledger_account", "ledger_txn", "ledger_entry")]
START = dt.date(2025, 1, 6)
FIRMS, PROVIDERS = 4, 3

money = st.integers(min_value=1, max_value=300_000).map(lambda n: Decimal(n) / 4)
op = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, FIRMS - 1),
              st.sampled_from([Decimal(50_000), Decimal(100_000), Decimal(200_000)]), st.booleans()),
    st.tuples(st.just("redeem"), st.integers(0, FIRMS - 1), st.integers(0, PROVIDERS - 1), money,
              st.integers(0, 5)),
    st.tuples(st.just("deliver"), st.integers(0, 40)),
    st.tuples(st.just("confirm"), st.integers(0, 40)),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("days"), st.integers(1, 120)),
    st.tuples(st.just("claim"), st.integers(0, PROVIDERS - 1)),
    st.tuples(st.just("settle"), st.integers(0, 10)),
    st.tuples(st.just("bonus"), st.integers(0, 10)),
    st.tuples(st.just("expire"), st.integers(0, FIRMS - 1)),
)


def _world(s: Session) -> VoucherScheme:
    at = dt.datetime(2025, 1, 6, 2, tzinfo=dt.UTC)
    scheme = VoucherScheme(key="xm-2025", title_zh="火炬创新券", title_en="Vouchers", year=2025,
                           valid_until=dt.date(2025, 9, 30),
                           params={**B.DEFAULT_PARAMS, "bonus_cap": {"2022-01-01": "3000"}},
                           created_at=at, created_by="t")
    s.add(scheme)
    s.flush()
    who = B.Who(START, at, "t")
    B.fund(s, scheme, Decimal(500_000), "2025", who)
    for j in range(PROVIDERS):
        lapses = dt.date(2025, 6, 30) if j == 2 else None
        s.add(VoucherProvider(scheme_id=scheme.id, entity_id=100 + j, state="recognised",
                              in_zone=j != 1, recognised_on=START, lapses_on=lapses, created_at=at))
    s.flush()
    return scheme


def _check(s: Session, scheme: VoucherScheme) -> None:
    assert L.unbalanced(s) == []
    bal = L.balances(s, scheme.id)
    assert sum(bal.values(), Decimal(0)) == 0
    for code, v in bal.items():
        if not code.startswith("funding:"):
            assert v >= 0, (code, v)
    for v in s.scalars(select(Voucher)):
        live = sum((c.deducted for c in s.scalars(select(VoucherContract).where(
            VoucherContract.voucher_id == v.id, VoucherContract.state != "cancelled"))), Decimal(0))
        expected = Decimal(0) if v.state == "expired" else v.amount - live
        assert bal.get(f"quota:{v.id}", Decimal(0)) == expected
    for p in s.scalars(select(VoucherProvider)):
        def of(*states: str, pid: int = p.id) -> Decimal:
            return sum((c.deducted for c in s.scalars(select(VoucherContract).where(
                VoucherContract.provider_id == pid, VoucherContract.state.in_(states)))), Decimal(0))
        assert bal.get(f"held:{p.id}", Decimal(0)) == of("redeemed", "delivered")
        assert bal.get(f"receivable:{p.id}", Decimal(0)) == of("confirmed", "claimed")
        assert bal.get(f"payments:{p.id}", Decimal(0)) == of("settled")
        assert B.bonus_paid(s, p.id, 2025) <= Decimal(3000)
        assert bal.get(f"bonus:{p.id}", Decimal(0)) == B.bonus_paid(s, p.id, 2025)


def _run(s: Session, scheme: VoucherScheme, step: tuple[Any, ...], day: dt.date) -> None:
    who = B.Who(day, dt.datetime.combine(day, dt.time(2), dt.UTC), "t")
    contracts = list(s.scalars(select(VoucherContract.id).order_by(VoucherContract.id)))
    claims = list(s.scalars(select(VoucherClaim.id).order_by(VoucherClaim.id)))
    vouchers = {v.entity_id: v.id for v in s.scalars(select(Voucher))}
    providers = list(s.scalars(select(VoucherProvider.id).order_by(VoucherProvider.id)))
    name = step[0]
    if name == "issue":
        B.issue(s, scheme, step[1], step[2], step[3], who)
    elif name == "redeem" and step[1] in vouchers:
        B.redeem(s, vouchers[step[1]], providers[step[2]], f"C{step[4]}", step[3], who)
    elif name in ("deliver", "confirm", "cancel") and step[1] < len(contracts):
        getattr(B, name)(s, contracts[step[1]], who)
    elif name == "claim":
        last = day.replace(day=1) - dt.timedelta(days=1)
        B.claim(s, providers[step[1]], B.period_of(last), who)
    elif name == "settle" and step[1] < len(claims):
        B.settle(s, claims[step[1]], "付款", who)
        before = L.balances(s, scheme.id)
        again, changed = B.settle(s, claims[step[1]], "付款", who)
        assert not changed and again.state == "settled"
        assert L.balances(s, scheme.id) == before
    elif name == "bonus" and step[1] < len(claims):
        first = B.bonus(s, claims[step[1]], who)
        assert B.bonus(s, claims[step[1]], who) == first
    elif name == "expire" and step[1] in vouchers:
        B.expire(s, vouchers[step[1]], who)


FULL_PATH = [("issue", 0, Decimal(100_000), True), ("issue", 1, Decimal(50_000), False),
             ("redeem", 0, 0, Decimal(90_000), 1), ("redeem", 0, 0, Decimal(90_000), 1),
             ("redeem", 1, 0, Decimal(200_000), 2), ("redeem", 0, 1, Decimal(10_000), 3),
             ("deliver", 0), ("deliver", 1), ("confirm", 0), ("confirm", 1), ("deliver", 2),
             ("cancel", 2), ("days", 90), ("claim", 0), ("claim", 0), ("settle", 0), ("bonus", 0),
             ("days", 200), ("expire", 0), ("expire", 1), ("cancel", 2)]


@settings(deadline=None)
@given(st.lists(op, min_size=1, max_size=40))
@example(FULL_PATH)
def test_random_sequences_keep_the_books(steps: list[tuple[Any, ...]]) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        scheme = _world(s)
        day = START
        for step in steps:
            if step[0] == "days":
                day += dt.timedelta(days=step[1])
                continue
            nested = s.begin_nested()
            try:
                _run(s, scheme, step, day)
                nested.commit()
            except Conflict:
                nested.rollback()
            _check(s, scheme)
    engine.dispose()


def test_an_unbalanced_transaction_is_refused() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        scheme = _world(s)
        who = B.Who(START, dt.datetime(2025, 1, 6, 2, tzinfo=dt.UTC), "t")
        try:
            L.post(s, scheme.id, "x", "x:1", [L.Leg("budget:1", Decimal(1)),
                                              L.Leg("quota:1", Decimal(-2))],
                   day=who.day, at=who.at, by=who.by)
        except Conflict as exc:
            assert exc.reason == "voucher.unbalanced"
        else:
            raise AssertionError("posted")
        assert L.existing(s, "x:1") is None


def test_the_full_path_moves_what_it_should() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        scheme = _world(s)
        day = START
        for step in FULL_PATH:
            if step[0] == "days":
                day += dt.timedelta(days=step[1])
                continue
            nested = s.begin_nested()
            try:
                _run(s, scheme, step, day)
                nested.commit()
            except Conflict:
                nested.rollback()
        bal = L.balances(s, scheme.id)
        p0 = s.scalars(select(VoucherProvider.id).order_by(VoucherProvider.id)).first()
        # 50% of ¥90,000 (a 科技型中小企业) = 45,000; 40% of ¥200,000 capped by the ¥50,000
        # quota at 50,000 → confirmed and settled 95,000; the bonus 20% = 19,000 capped at 3,000
        assert bal[f"payments:{p0}"] == Decimal(95_000)
        assert bal[f"bonus:{p0}"] == Decimal(3_000)
        # issued 150,000; the ¥5,000 of the cancelled contract went back to the first quota,
        # whose 55,000 left returned to the budget at expiry
        assert bal["funding:1"] == Decimal(-500_000)
        assert bal["quota:1"] == 0 and bal["quota:2"] == 0 and bal["expiries:1"] == 0
        assert bal["budget:1"] == Decimal(500_000) - 150_000 + 55_000 - 3_000
    engine.dispose()
