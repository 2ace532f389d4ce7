"""Failed sign-ins, counted per user name *and* client address.

``login_max_failures`` failures in a row under one name from one address lock that pair
for ``lockout_minutes``; each further lock of the same pair lasts twice as long as the one
before, up to ``lockout_max_minutes``. A name that belongs to no account is counted like
any other, so that the answers do not tell names apart. Someone failing from one address
locks only that address out: the account's owner still signs in from theirs.

A pair is forgotten after it signs in, or a day after its last failure (and lock) ended.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from huiqi.settings import Settings
from huiqi.store.models import LoginFailure

#: How long a pair's failures and back-off are remembered once they end.
MEMORY = dt.timedelta(days=1)


def pair(username: str, address: str | None) -> tuple[str, str]:
    """The key of a pair as stored (both bounded to their columns)."""
    return username[:64], (address or "")[:64]


def current(s: Session, username: str, address: str | None) -> LoginFailure | None:
    """The pair's row, locked for this transaction (two attempts count one after the other)."""
    name, addr = pair(username, address)
    return s.scalars(select(LoginFailure).where(LoginFailure.username == name,
                                                LoginFailure.address == addr)
                     .with_for_update()).first()


def locked_until(row: LoginFailure | None, now: dt.datetime) -> dt.datetime | None:
    """When the pair's lock ends, if it is locked now."""
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def fail(s: Session, settings: Settings, row: LoginFailure | None, username: str,
         address: str | None, now: dt.datetime) -> dt.datetime | None:
    """Count one failure of the pair; the end of the lock it leads to, if it does."""
    if row is None:
        row = _insert(s, username, address, now)
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_until = None
    row.failures += 1
    row.last_at = now
    until = None
    if row.failures >= settings.login_max_failures:
        minutes = min(settings.lockout_minutes * 2 ** min(row.lockouts, 30),
                      settings.lockout_max_minutes)
        until = row.locked_until = now + dt.timedelta(minutes=minutes)
        row.failures = 0
        row.lockouts += 1
    _forget_old(s, now)
    return until


def succeed(s: Session, username: str, address: str | None) -> None:
    """The pair signed in: its failures and back-off are forgotten."""
    name, addr = pair(username, address)
    s.execute(delete(LoginFailure).where(LoginFailure.username == name,
                                         LoginFailure.address == addr))


def clear(s: Session, username: str) -> None:
    """An administrator unlocks the account: every address's count and lock end."""
    s.execute(delete(LoginFailure).where(LoginFailure.username == username[:64]))


def is_locked(s: Session, username: str, now: dt.datetime) -> bool:
    """Whether sign-in under ``username`` is locked from any address."""
    return bool(s.scalar(select(exists().where(LoginFailure.username == username[:64],
                                               LoginFailure.locked_until > now))))


def _insert(s: Session, username: str, address: str | None, now: dt.datetime) -> LoginFailure:
    """The pair's new row; if another attempt inserted it meanwhile, that row, locked."""
    from sqlalchemy.dialects import postgresql, sqlite

    name, addr = pair(username, address)
    values = {"username": name, "address": addr, "failures": 0, "lockouts": 0,
              "last_at": now}
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(insert(LoginFailure).values(**values)
              .on_conflict_do_nothing(index_elements=["username", "address"]))
    row = current(s, name, addr)
    assert row is not None
    return row


def _forget_old(s: Session, now: dt.datetime) -> None:
    cutoff = now - MEMORY
    s.execute(delete(LoginFailure).where(
        LoginFailure.last_at < cutoff,
        or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < cutoff)))
