"""A small double-entry ledger, explicit on purpose (no maintained Python ledger library
fits a database shared by concurrent writers: the plain-text ones — beancount, ledger —
are files, the Django ones tie to Django's ORM).

Each operation is one :class:`~huiqi.vouchers.models.LedgerTxn` whose entries sum to zero
(checked before anything is written); a balance is the sum of an account's entries, read,
never stored. A transaction's ``reference`` is unique: an operation posted twice (a retry,
two clerks at once) is posted once — :func:`post` answers the existing transaction.

Sign: debit positive. The money of a scheme flows::

    funding ─fund─▶ budget ─issue─▶ quota ─redeem─▶ held ─confirm─▶ receivable ─settle─▶ payments
                      ▲               │ ◀──cancel──── held
                      └──return── expiries ◀─expire─┘
    budget ─bonus─▶ payments

so the funding account is the only one below zero and the sum of all balances is zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict

from .models import LedgerAccount, LedgerEntry, LedgerTxn

ZERO = Decimal(0)
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Leg:
    account: str   # the account's code, e.g. ``quota:12``
    amount: Decimal


def kind_of(code: str) -> str:
    return code.split(":", 1)[0]


def account(s: Session, scheme_id: int, code: str) -> LedgerAccount:
    """The account of that code (created on first use)."""
    a = s.scalar(select(LedgerAccount).where(LedgerAccount.code == code))
    if a is None:
        a = LedgerAccount(code=code, kind=kind_of(code), scheme_id=scheme_id)
        s.add(a)
        s.flush()
    return a


def balance(s: Session, code: str) -> Decimal:
    """The sum of the account's entries (zero for an account without any)."""
    v = s.scalar(select(func.sum(LedgerEntry.amount)).join(
        LedgerAccount, LedgerAccount.id == LedgerEntry.account_id).where(LedgerAccount.code == code))
    return Decimal(v or 0).quantize(FEN)


def balances(s: Session, scheme_id: int | None = None) -> dict[str, Decimal]:
    """Every account's balance (of one scheme, or of all)."""
    stmt = (select(LedgerAccount.code, func.sum(LedgerEntry.amount))
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id, isouter=True)
            .group_by(LedgerAccount.code))
    if scheme_id is not None:
        stmt = stmt.where(LedgerAccount.scheme_id == scheme_id)
    return {code: Decimal(v or 0).quantize(FEN) for code, v in s.execute(stmt)}


def existing(s: Session, reference: str) -> LedgerTxn | None:
    return s.scalar(select(LedgerTxn).where(LedgerTxn.reference == reference))


def post(s: Session, scheme_id: int, kind: str, reference: str, legs: Iterable[Leg], *,
         day: dt.date, at: dt.datetime, by: str, memo: str | None = None) -> LedgerTxn:
    """Write one balanced transaction (or answer the one already posted under
    ``reference``). Refuses legs that do not sum to zero, amounts with fractions of a fen
    and an empty transaction."""
    done = existing(s, reference)
    if done is not None:
        return done
    legs = [leg for leg in legs if leg.amount != 0]
    if not legs:
        raise Conflict("voucher.empty_transaction", reference=reference)
    for leg in legs:
        if leg.amount != leg.amount.quantize(FEN):
            raise Conflict("voucher.unbalanced", reference=reference)
    if sum((leg.amount for leg in legs), ZERO) != 0:
        raise Conflict("voucher.unbalanced", reference=reference)
    t = LedgerTxn(scheme_id=scheme_id, kind=kind, reference=reference, posted_on=day,
                  posted_at=at, posted_by=by, memo=memo)
    s.add(t)
    s.flush()
    for leg in legs:
        s.add(LedgerEntry(txn_id=t.id, account_id=account(s, scheme_id, leg.account).id,
                          amount=leg.amount))
    s.flush()
    return t


def move(source: str, target: str, amount: Decimal) -> list[Leg]:
    """``amount`` from ``source`` to ``target``: a credit and a debit."""
    return [Leg(source, -amount), Leg(target, amount)]


def unbalanced(s: Session) -> list[str]:
    """References of transactions whose entries do not sum to zero (always none)."""
    rows = s.execute(select(LedgerTxn.reference, func.sum(LedgerEntry.amount))
                     .join(LedgerEntry, LedgerEntry.txn_id == LedgerTxn.id)
                     .group_by(LedgerTxn.reference))
    return [ref for ref, total in rows if Decimal(total or 0) != 0]
