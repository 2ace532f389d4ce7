"""Column types that behave the same on SQLite and PostgreSQL.

Money and other numbers are exact: PostgreSQL stores them as ``NUMERIC``; SQLite, which
has no decimal type (it would turn ``12.30`` into a float), stores money as a whole number
of fen and other exact numbers as their decimal text. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

FEN = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 16

#: An auto-incrementing key: BIGINT on PostgreSQL, the INTEGER rowid on SQLite.
BigKey = BigInteger().with_variant(Integer(), "sqlite")


class Money(TypeDecorator[Decimal]):
    """An amount in yuan, exact to the fen, below 10^16 yuan: NUMERIC(18, 2), or a whole
    number of fen (a 64-bit integer) on SQLite."""

    impl = Numeric(18, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        d = Decimal(value)
        if d != d.quantize(FEN):
            raise ValueError(f"money {d} has more than two decimals")
        if abs(d) >= MONEY_LIMIT:
            raise ValueError(f"money {d} is not below {MONEY_LIMIT} yuan")
        if dialect.name == "sqlite":
            return int(d * 100)
        return d.quantize(FEN)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(FEN)
        return Decimal(value).quantize(FEN)


class Exact(TypeDecorator[Decimal]):
    """Any exact decimal: NUMERIC without a fixed scale, or its text on SQLite."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        d = Decimal(value)
        return format(d, "f") if dialect.name == "sqlite" else d

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A point in time, stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class JSONText(TypeDecorator[Any]):
    """JSON kept as text (UTF-8, readable Chinese), the same on both databases."""

    impl = Text()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, frozenset | set):
        return sorted(v)
    raise TypeError(type(v).__name__)
