"""The audit log's hash chain: each entry's hash covers its content and the hash of the
entry before it, so that changing, removing or inserting an entry anywhere but at the end
breaks the chain from there on (tamper-evident, not tamper-proof).

    prev = head(conn)                  # under append_lock: the last entry's hash, or GENESIS
    digest(prev, fields)               # the hash of a new entry with these fields
    first_break(rows)                  # walk stored rows in id order: None, or where it breaks

The canonical form of an entry (version 1) is the UTF-8 bytes of a JSON object with sorted
keys and no spaces::

    {"action":…,"actor":…,"after":…,"at":"2025-06-01T09:00:00.000000Z","before":…,
     "count":1,"detail":…,"outcome":…,"prev":"<64 hex digits>","role":…,"target":…,"v":1}

``at`` is UTC with microseconds; ``before`` and ``after`` are the JSON values as stored
(read back from the database); absent values are ``null``. The id is not part of it: the
order of the chain is the order of the ids, and each entry names its predecessor's hash.
The hash is SHA-256 in hex. Anyone who can read the table can verify it; no secret is
needed (an auditor does not need the service's key).

Appends are serialised so that concurrent writers still make one chain: on PostgreSQL a
transaction-scoped advisory lock keyed by the table (so two schemas in one database do
not wait for each other), on SQLite the write lock every writing transaction already
holds (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

VERSION = 1
GENESIS = "0" * 64
#: The fields of an entry the hash covers, besides the predecessor's hash.
FIELDS = ("at", "actor", "role", "action", "outcome", "target", "before", "after", "detail",
          "count")
#: How far back in time an entry may be dated from the one before it (the time of an entry
#: is taken just before the lock, so two writers may finish in the other order)
CLOCK_SLACK = dt.timedelta(minutes=1)


def plain_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (decimals and dates as text)."""
    if value is None:
        return None
    from .types import _plain

    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain))


def _at(t: dt.datetime) -> str:
    if t.tzinfo is None:
        raise ValueError("naive datetime")
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(prev: str, fields: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is taken over (see the module's docstring)."""
    doc = {name: fields.get(name) for name in FIELDS}
    doc["at"] = _at(fields["at"])
    doc["prev"] = prev
    doc["v"] = VERSION
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def digest(prev: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(prev, fields)).hexdigest()


# ------------------------------------------------------------------ appending

_PG_LOCK = "SELECT pg_advisory_xact_lock(1751474433, 'audit_log'::regclass::oid::integer)"


def append_lock(s: Session | Connection) -> None:
    """Wait until no other transaction is appending to the chain; held until this
    transaction ends (SQLite's writers hold the database's write lock already)."""
    bind = s.get_bind() if isinstance(s, Session) else s
    if bind.dialect.name == "postgresql":
        s.execute(text(_PG_LOCK))


def head(s: Session | Connection) -> tuple[int | None, str]:
    """The id and hash of the last entry, or ``(None, GENESIS)`` for an empty log."""
    row = s.execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    return (None, GENESIS) if row is None else (int(row[0]), str(row[1]))


# ------------------------------------------------------------------ verifying


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the first entry that does not verify, and why.

    ``reason``: ``changed`` (its content or hash is not what was written), ``unlinked``
    (it does not follow the entry before it: an entry was removed before it, or it or
    the one before was inserted), ``backdated`` (dated before the entry before it)."""

    id: int
    reason: str
    previous_id: int | None


@dataclass(frozen=True)
class Verdict:
    rows: int
    head_id: int | None
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_rows(rows: Iterable[Mapping[str, Any]]) -> Verdict:
    """Walk stored entries in id order (each with ``id``, ``prev_hash``, ``hash`` and the
    :data:`FIELDS`) and stop at the first that does not verify."""
    prev_id: int | None = None
    prev_hash, prev_at = GENESIS, None
    n = 0
    for row in rows:
        n += 1
        rid = int(row["id"])
        broken = None
        if row["prev_hash"] != prev_hash:
            broken = "unlinked"
        elif row["hash"] != digest(prev_hash, row):
            broken = "changed"
        elif prev_at is not None and row["at"] < prev_at - CLOCK_SLACK:
            broken = "backdated"
        if broken is not None:
            return Verdict(n, prev_id, prev_hash, Break(rid, broken, prev_id))
        prev_id, prev_hash, prev_at = rid, str(row["hash"]), row["at"]
    return Verdict(n, prev_id, prev_hash, None)


__all__ = ["CLOCK_SLACK", "FIELDS", "GENESIS", "Break", "Verdict", "append_lock", "canonical",
           "digest", "head", "plain_json", "verify_rows"]
