"""The voucher operations on one session, each one balanced ledger transaction (or none):
the service (:mod:`huiqi.vouchers.service`) adds who may, the audit and the transaction
around them; the property tests run random sequences of them directly.

Every operation that takes money from an account locks the row that owns the account
(``SELECT … FOR UPDATE``: the voucher for its quota, the scheme for its budget, the claim
for its settlement) and then reads the balance from the entries: on PostgreSQL a second
writer waits for the first and reads what it wrote, on SQLite writers run one at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict

from . import ledger as L
from .models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTxn,
    Voucher,
    VoucherClaim,
    VoucherContract,
    VoucherItem,
    VoucherProvider,
    VoucherScheme,
)

ZERO = Decimal(0)
FEN = Decimal("0.01")

#: the parameters of a scheme and what is known of them (shared/references.md §2d; the pack
#: ``xm-torch-voucher``): a value by the date it applies from, and why it is assumed
DEFAULT_PARAMS: dict[str, Any] = {
    "share": {"2022-01-01": "0.40"},
    "share_tsme": {"2022-01-01": "0.50"},
    "bonus_share": {"2022-01-01": "0.20"},
    "bonus_cap": {"2022-01-01": "400000"},
    "assumed": {
        "share": "抵扣比例(合同金额的40%)为假定,未见原文。Deduction share 40% of a contract assumed.",
        "share_tsme": "科技型中小企业抵扣比例50%为假定,未见原文。50% for technology-based SMEs assumed.",
        "bonus_cap": "服务机构年度奖励上限40万元据第三方转载(UNVERIFIED)。Yearly bonus cap ¥400,000 "
                     "from a third-party re-post (unverified).",
    },
}


@dataclass(frozen=True)
class Who:
    """The day, the time and the user of an operation."""

    day: dt.date
    at: dt.datetime
    by: str


def param(scheme: VoucherScheme, name: str, day: dt.date) -> Decimal:
    """The dated parameter in force on ``day`` (the latest date not after it)."""
    values: dict[str, str] = (scheme.params or {}).get(name) or DEFAULT_PARAMS[name]
    dated = sorted((dt.date.fromisoformat(k), v) for k, v in values.items())
    found = [v for d, v in dated if d <= day]
    if not found:
        raise Conflict("voucher.no_parameter", name=name, day=day.isoformat())
    return Decimal(found[-1])


def period_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_end(period: str) -> dt.date:
    year, q = int(period[:4]), int(period[5:])
    if period[4] != "Q" or not 1 <= q <= 4:
        raise Conflict("voucher.bad_period", period=period)
    nxt = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return nxt - dt.timedelta(days=1)


def _post(s: Session, scheme_id: int, kind: str, ref: str, legs: list[L.Leg], who: Who,
          memo: str | None = None) -> LedgerTxn:
    return L.post(s, scheme_id, kind, ref, legs, day=who.day, at=who.at, by=who.by, memo=memo)


def _lock(s: Session, model: Any, row_id: int) -> Any:
    row = s.scalar(select(model).where(model.id == row_id).with_for_update()
                   .execution_options(populate_existing=True))
    if row is None:
        raise Conflict("voucher.not_found", what=model.__tablename__, id=row_id)
    return row


# ---------------------------------------------------------------------- scheme, providers

def fund(s: Session, scheme: VoucherScheme, amount: Decimal, ref: str, who: Who) -> LedgerTxn:
    """Money for the scheme's budget (an appropriation)."""
    if amount <= 0:
        raise Conflict("voucher.bad_amount", amount=format(amount, "f"))
    return _post(s, scheme.id, "fund", f"fund:{scheme.id}:{ref}",
                 L.move(f"funding:{scheme.id}", f"budget:{scheme.id}", amount), who)


def provider_accepts(p: VoucherProvider, day: dt.date) -> bool:
    """Recognised and not lapsed on ``day``."""
    return p.state == "recognised" and (p.lapses_on is None or day <= p.lapses_on)


# ---------------------------------------------------------------------- quotas

def issue(s: Session, scheme: VoucherScheme, entity_id: int, amount: Decimal, tsme: bool,
          who: Who, version_key: str | None = None) -> Voucher:
    """The enterprise's yearly quota, taken from the budget (refused beyond it; one voucher
    per enterprise and scheme)."""
    if amount <= 0:
        raise Conflict("voucher.bad_amount", amount=format(amount, "f"))
    _lock(s, VoucherScheme, scheme.id)
    if s.scalar(select(Voucher.id).where(Voucher.scheme_id == scheme.id,
                                         Voucher.entity_id == entity_id)) is not None:
        raise Conflict("voucher.already_issued", scheme=scheme.key)
    left = L.balance(s, f"budget:{scheme.id}")
    if left < amount:
        raise Conflict("voucher.budget_exhausted", scheme=scheme.key, amount=format(amount, "f"),
                       left=format(left, "f"))
    share = param(scheme, "share_tsme" if tsme else "share", who.day)
    v = Voucher(scheme_id=scheme.id, entity_id=entity_id, state="issued", amount=amount,
                share=share, tsme=tsme, version_key=version_key, issued_on=who.day,
                valid_until=scheme.valid_until, issued_by=who.by)
    s.add(v)
    s.flush()
    _post(s, scheme.id, "issue", f"issue:{v.id}", L.move(f"budget:{scheme.id}", f"quota:{v.id}", amount),
          who)
    return v


def remaining(s: Session, voucher_id: int) -> Decimal:
    return L.balance(s, f"quota:{voucher_id}")


def redeem(s: Session, voucher_id: int, provider_id: int, number: str, amount: Decimal,
           who: Who, item_id: int | None = None) -> VoucherContract:
    """A service contract against the voucher: the voucher pays the share of the contract's
    amount, at most what is left of the quota. The voucher's row is locked first, so two
    redemptions at once never take more than the quota; a contract number is redeemed once
    per provider."""
    if amount <= 0:
        raise Conflict("voucher.bad_amount", amount=format(amount, "f"))
    v: Voucher = _lock(s, Voucher, voucher_id)
    if v.state != "issued" or who.day > v.valid_until:
        raise Conflict("voucher.not_valid", voucher=v.id, until=v.valid_until.isoformat())
    p = s.get(VoucherProvider, provider_id)
    if p is None or p.scheme_id != v.scheme_id or not provider_accepts(p, who.day):
        raise Conflict("voucher.provider_not_recognised", provider=provider_id)
    if item_id is not None:
        item = s.get(VoucherItem, item_id)
        if item is None or item.provider_id != provider_id:
            raise Conflict("voucher.not_found", what="voucher_item", id=item_id)
    if s.scalar(select(VoucherContract.id).where(VoucherContract.provider_id == provider_id,
                                                 VoucherContract.number == number)) is not None:
        raise Conflict("voucher.contract_redeemed", number=number)
    left = remaining(s, v.id)
    if left <= 0:
        raise Conflict("voucher.quota_exhausted", voucher=v.id)
    deducted = min((amount * v.share).quantize(FEN, rounding=ROUND_DOWN), left)
    if deducted <= 0:
        raise Conflict("voucher.bad_amount", amount=format(amount, "f"))
    c = VoucherContract(voucher_id=v.id, provider_id=provider_id, item_id=item_id, number=number,
                        amount=amount, deducted=deducted, state="redeemed", signed_on=who.day,
                        created_at=who.at, created_by=who.by)
    s.add(c)
    s.flush()
    _post(s, v.scheme_id, "redeem", f"redeem:{c.id}",
          L.move(f"quota:{v.id}", f"held:{provider_id}", deducted), who, memo=number)
    return c


def _contract(s: Session, contract_id: int, *states: str) -> tuple[VoucherContract, Voucher]:
    c: VoucherContract = _lock(s, VoucherContract, contract_id)
    if c.state not in states:
        raise Conflict("voucher.contract_state", number=c.number, state=c.state)
    return c, s.get_one(Voucher, c.voucher_id)


def deliver(s: Session, contract_id: int, who: Who) -> VoucherContract:
    """The provider says the service is delivered (no money moves)."""
    c, _ = _contract(s, contract_id, "redeemed")
    c.state = "delivered"
    return c


def confirm(s: Session, contract_id: int, who: Who) -> VoucherContract:
    """The enterprise confirms delivery: the deduction becomes the provider's receivable."""
    c, v = _contract(s, contract_id, "delivered")
    c.state, c.confirmed_on = "confirmed", who.day
    _post(s, v.scheme_id, "confirm", f"confirm:{c.id}",
          L.move(f"held:{c.provider_id}", f"receivable:{c.provider_id}", c.deducted), who,
          memo=c.number)
    return c


def cancel(s: Session, contract_id: int, who: Who) -> VoucherContract:
    """A contract given up before delivery is confirmed: the deduction goes back to the
    quota (to the budget if the voucher has expired meanwhile)."""
    c, v = _contract(s, contract_id, "redeemed", "delivered")
    c.state = "cancelled"
    back = f"quota:{v.id}" if v.state == "issued" else f"budget:{v.scheme_id}"
    _post(s, v.scheme_id, "cancel", f"cancel:{c.id}",
          L.move(f"held:{c.provider_id}", back, c.deducted), who, memo=c.number)
    return c


# ---------------------------------------------------------------------- claims, settlement

def claim(s: Session, provider_id: int, period: str, who: Who) -> VoucherClaim:
    """The provider's claim for a quarter that has ended: its contracts confirmed in it.
    One claim per provider and quarter."""
    end = period_end(period)
    if who.day <= end:
        raise Conflict("voucher.period_open", period=period, end=end.isoformat())
    _lock(s, VoucherProvider, provider_id)
    if s.scalar(select(VoucherClaim.id).where(VoucherClaim.provider_id == provider_id,
                                              VoucherClaim.period == period)) is not None:
        raise Conflict("voucher.claimed", period=period)
    start = dt.date(end.year, end.month - 2, 1)
    rows = list(s.scalars(select(VoucherContract).where(
        VoucherContract.provider_id == provider_id, VoucherContract.state == "confirmed",
        VoucherContract.claim_id.is_(None), VoucherContract.confirmed_on >= start,
        VoucherContract.confirmed_on <= end).with_for_update()))
    if not rows:
        raise Conflict("voucher.nothing_to_claim", period=period)
    total = sum((c.deducted for c in rows), ZERO)
    cl = VoucherClaim(provider_id=provider_id, period=period, state="claimed", amount=total,
                      claimed_at=who.at)
    s.add(cl)
    s.flush()
    for c in rows:
        c.claim_id, c.state = cl.id, "claimed"
    return cl


def settle(s: Session, claim_id: int, reference: str, who: Who) -> tuple[VoucherClaim, bool]:
    """The park pays the claim: receivable → payments. Settling a settled claim changes
    nothing (False)."""
    cl: VoucherClaim = _lock(s, VoucherClaim, claim_id)
    if cl.state == "settled":
        return cl, False
    p = s.get_one(VoucherProvider, cl.provider_id)
    _post(s, p.scheme_id, "settle", f"settle:{cl.id}",
          L.move(f"receivable:{p.id}", f"payments:{p.id}", cl.amount), who, memo=reference)
    cl.state, cl.reference, cl.settled_at, cl.settled_by = "settled", reference, who.at, who.by
    for c in s.scalars(select(VoucherContract).where(VoucherContract.claim_id == cl.id)):
        c.state = "settled"
    return cl, True


def bonus_paid(s: Session, provider_id: int, year: int) -> Decimal:
    """The bonus the provider was paid for claims of ``year``."""
    v = s.scalar(select(func.sum(VoucherClaim.bonus)).where(
        VoucherClaim.provider_id == provider_id, VoucherClaim.period.like(f"{year}Q%")))
    return Decimal(v or 0).quantize(FEN)


def bonus(s: Session, claim_id: int, who: Who) -> Decimal:
    """The bonus of a settled claim of a provider in the zone: the share of the settled
    amount, within the yearly cap (over the provider's claims of the year) and what is left
    of the budget. Computed once (a second call answers the first's amount)."""
    cl: VoucherClaim = _lock(s, VoucherClaim, claim_id)
    if cl.bonus is not None:
        return cl.bonus
    if cl.state != "settled":
        raise Conflict("voucher.not_settled", period=cl.period)
    p: VoucherProvider = _lock(s, VoucherProvider, cl.provider_id)
    scheme: VoucherScheme = _lock(s, VoucherScheme, p.scheme_id)
    amount = ZERO
    if p.in_zone:
        end = period_end(cl.period)
        share = param(scheme, "bonus_share", end)
        cap = param(scheme, "bonus_cap", end)
        amount = (cl.amount * share).quantize(FEN, rounding=ROUND_HALF_UP)
        amount = max(ZERO, min(amount, cap - bonus_paid(s, p.id, end.year),
                               L.balance(s, f"budget:{scheme.id}")))
    if amount > 0:
        _post(s, scheme.id, "bonus", f"bonus:{cl.id}",
              L.move(f"budget:{scheme.id}", f"bonus:{p.id}", amount), who, memo=cl.period)
    cl.bonus = amount
    return amount


# ---------------------------------------------------------------------- expiry

def expire(s: Session, voucher_id: int, who: Who) -> Decimal:
    """A voucher past its day: what is left of the quota goes to the expiries account and
    from there back to the budget (two balanced transactions)."""
    v: Voucher = _lock(s, Voucher, voucher_id)
    if v.state != "issued":
        return ZERO
    if who.day <= v.valid_until:
        raise Conflict("voucher.not_expired", voucher=v.id, until=v.valid_until.isoformat())
    left = remaining(s, v.id)
    v.state = "expired"
    if left > 0:
        _post(s, v.scheme_id, "expire", f"expire:{v.id}",
              L.move(f"quota:{v.id}", f"expiries:{v.scheme_id}", left), who)
        _post(s, v.scheme_id, "return", f"return:{v.id}",
              L.move(f"expiries:{v.scheme_id}", f"budget:{v.scheme_id}", left), who)
    return left


def history(s: Session, code: str) -> list[tuple[LedgerTxn, Decimal]]:
    """The transactions that moved the account, oldest first, with the amount it moved."""
    rows = s.execute(select(LedgerTxn, LedgerEntry.amount)
                     .join(LedgerEntry, LedgerEntry.txn_id == LedgerTxn.id)
                     .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
                     .where(LedgerAccount.code == code).order_by(LedgerTxn.id))
    return [(t, Decimal(a)) for t, a in rows]
