"""The tables of the platform database.

::

    entity ─┬─ entity_location   dated history of registration district and park
            ├─ fact_value        facts by fiscal year (0 = static), with provenance
            ├─ match_result      stored results, each with its pack version and as-of date
            ├─ review_decision ─ review_score   decisions on conditions a person judges
            └─ account           an enterprise user is bound to one entity
    import_batch                 the provenance of imported facts (file, who, when)
    policy_pack ─ pack_version ─ pack_file   immutable, re-loadable versions
    match_run                    a stored matching of many entities
    auth_session                 bearer tokens (only their HMAC is stored)
    login_failure                failed sign-ins per user name and client address; locks
    audit_log                    append-only (the database refuses UPDATE and DELETE), hash-chained

Money is :class:`~huiqi.store.types.Money`, other numbers
:class:`~huiqi.store.types.Exact`: never floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import BigKey, Exact, JSONText, Money, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table(model: type[Base]) -> Table:
    """The Core table of a model, for many-row inserts that need no ORM objects."""
    t = model.__table__
    assert isinstance(t, Table)
    return t


class Entity(Base):
    """An enterprise, university, institute, service provider or individual business."""

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    park: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class EntityLocation(Base):
    """Where an entity was registered (district, park) from one date to the next."""

    __tablename__ = "entity_location"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    district: Mapped[str | None] = mapped_column(String(100))
    park: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class ImportBatch(Base):
    """One applied import: the provenance of the facts it wrote."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer)
    report: Mapped[Any] = mapped_column(JSONText())
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))


class FactValue(Base):
    """One value of one fact of one entity for one fiscal year (0 for a static fact).

    Values are never overwritten: a new value is a new row, and the latest row of an
    (entity, fact, year) is the value in force.
    """

    __tablename__ = "fact_value"
    __table_args__ = (Index("ix_fact_value_key", "entity_id", "fact", "year", "id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    fact: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[Decimal | None] = mapped_column(Exact())
    source: Mapped[str] = mapped_column(String(32))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))  # (no index: 0023)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class PolicyPack(Base):
    __tablename__ = "policy_pack"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PackVersion(Base):
    """An immutable version of a pack: draft → published → superseded, or retired."""

    __tablename__ = "pack_version"
    __table_args__ = (UniqueConstraint("pack_id", "number"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("policy_pack.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    version_key: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class PackFile(Base):
    """A file of a pack version (policy YAML, texts), kept byte for byte."""

    __tablename__ = "pack_file"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pack_version.id"), index=True)
    path: Mapped[str] = mapped_column(String(400))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class MatchRun(Base):
    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    pack_version_id: Mapped[int] = mapped_column(ForeignKey("pack_version.id"), index=True)
    version_key: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date] = mapped_column(Date)
    entities: Mapped[int] = mapped_column(Integer)
    results: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    run_by: Mapped[str] = mapped_column(String(64))


class MatchResult(Base):
    """A stored result of one clause for one entity, with the pack version and as-of date."""

    __tablename__ = "match_result"
    __table_args__ = (
        UniqueConstraint("entity_id", "pack_version_id", "as_of", "clause_key"),
        Index("ix_match_result_clause", "pack_version_id", "clause_key", "as_of", "status"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    pack_version_id: Mapped[int] = mapped_column(ForeignKey("pack_version.id"))
    version_key: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date] = mapped_column(Date)
    clause_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Money())
    potential_amount: Mapped[Decimal | None] = mapped_column(Money())
    detail: Mapped[Any] = mapped_column(JSONText())
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_run.id"), index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ReviewDecision(Base):
    """A recorded decision on a condition only a person can judge, for one entity: a yes/no
    verdict, or the scores of a scored review (:class:`ReviewScore`). Decisions are never
    changed: a new one for the same entity, pack and condition supersedes the last."""

    __tablename__ = "review_decision"
    __table_args__ = (Index("ix_review_decision_key", "pack", "entity_id", "condition", "id"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    pack: Mapped[str] = mapped_column(String(64))
    version_key: Mapped[str] = mapped_column(String(200))   # the version decided under
    condition: Mapped[str] = mapped_column(String(300))      # policy/clause/condition
    verdict: Mapped[bool | None] = mapped_column(Boolean)    # a yes/no review
    scored: Mapped[bool] = mapped_column(Boolean)            # a scored review (see review_score)
    evidence: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str] = mapped_column(String(64))


class ReviewScore(Base):
    """One (sub-)score of a scored decision; null: reviewed, that score not given."""

    __tablename__ = "review_score"

    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decision.id"), primary_key=True)
    part: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[Decimal | None] = mapped_column(Exact())


class Account(Base):
    """A person who signs in, with one role; an enterprise user is bound to one entity."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    #: the district a staff account belongs to (区县): its staff approve the moves of
    #: enterprises out of it and into it (migration 0018)
    district: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # sealed (service.seal)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a key being bound (sealed), which replaces totp_secret once a code from it is given
    totp_pending: Mapped[str | None] = mapped_column(String(255))
    #: the last TOTP time-step accepted: it and earlier ones are refused (no replay)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AuthSession(Base):
    """A signed-in session: the bearer token's HMAC, and when it ends."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """Failed sign-ins in a row under one user name (known or not) from one client address,
    and the lock they led to. Each lock of the pair lasts twice as long as the one before."""

    __tablename__ = "login_failure"
    __table_args__ = (UniqueConstraint("username", "address"),)

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class AuditEntry(Base):
    """One audited event: a write, a sign-in (success or failure) or a refused access;
    ``count`` of the same refusal, when repeated ones are counted in one entry.

    The entries form a hash chain (:mod:`huiqi.store.chain`): ``hash`` covers the entry
    and ``prev_hash``, the hash of the entry before it; no two entries follow the same one.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(255))
    before: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    after: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
