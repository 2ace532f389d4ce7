"""The database: an engine, sessions for reading and writing, and migrations.

    db = Database.connect("sqlite:///var/huiqi.db")   # or postgresql+psycopg://…
    db.upgrade()                                       # migrate to the latest schema
    with db.write() as s: ...                          # one transaction, committed at the end
    with db.read() as s: ...                           # a consistent read

SQLite runs in WAL mode (readers never wait for the writer) with foreign keys on; a
writing transaction takes the write lock at its start (``BEGIN IMMEDIATE``) so that two
writers wait for each other instead of failing half-way. On PostgreSQL writers run side by
side; those that must not (two imports creating the same new entities) name a lock,
``db.write(lock="entities")``: a transaction-scoped advisory lock, taken first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from huiqi.files import private_file

_WRITE = "huiqi_write"
#: the execution option (and the connection's mark) of a transaction without foreign keys
_UNCHECKED = "huiqi_references_unchecked"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; other URLs are kept."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def safe_url(url: str) -> str:
    """``url`` fit to print or log: its password (in the address, or a ``password=``
    parameter) masked."""
    try:
        u = make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: show nothing of it
        return "(?)"
    query = {k: ("***" if k.lower() == "password" else v) for k, v in u.query.items()}
    return u.set(query=query).render_as_string(hide_password=True)


def describe_error(exc: BaseException) -> str | None:
    """What may be logged of a database error in ``exc`` or what caused it: the driver's
    error class, SQLSTATE, constraint, table and column, and the statement with its
    placeholders. Never values — neither the parameters nor the server's own words, which
    quote them (PostgreSQL: ``DETAIL: Key (username)=(…) already exists``). ``None`` if no
    database error is involved."""
    from sqlalchemy.exc import StatementError

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen and not isinstance(cur, StatementError):
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    if not isinstance(cur, StatementError):
        return None
    orig = cur.orig
    parts = [type(orig).__name__ if orig is not None else type(cur).__name__]
    if (state := getattr(orig, "sqlstate", None)) is not None:
        parts.append(f"SQLSTATE {state}")
    if orig is not None and orig.__class__.__module__.startswith("sqlite3"):
        parts.append(str(orig).splitlines()[0][:200])  # SQLite names the rule, not values
    diag = getattr(orig, "diag", None)
    for field in ("constraint_name", "table_name", "column_name"):
        if (value := getattr(diag, field, None)) is not None:
            parts.append(f"{field.split('_')[0]} {value}")
    statement = " ".join(str(cur.statement or "").split())[:500]
    return f"{'; '.join(parts)}; statement: {statement}"


def make_engine(url: str, *, connect_args: dict[str, Any] | None = None,
                pool_size: int = 10) -> Engine:
    """An engine for ``url``, with SQLite set up for WAL and proper transactions. Its errors
    do not carry the statement's parameters (rows' data has no place in logs)."""
    url = normalise_url(url)
    u = make_url(url)
    args = dict(connect_args or {})
    if u.get_backend_name() == "sqlite":
        memory = u.database in (None, "", ":memory:")
        if not memory:  # a new database file is its owner's alone (huiqi.files)
            private_file(Path(u.database or ""))
        args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=args, hide_parameters=True,
                               poolclass=StaticPool if memory else None)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "checkin", _sqlite_checkin)
        return engine
    return create_engine(url, connect_args=args, pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=True, hide_parameters=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy, not the driver, decide when transactions begin (savepoints work)
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000",
                   "synchronous=NORMAL"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    write = options.get(_WRITE, False)
    if options.get(_UNCHECKED, False):  # (no effect once the transaction has begun)
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.connection.info[_UNCHECKED] = True
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool checks foreign keys again (see :meth:`Database.write`)."""
    if record is not None and record.info.pop(_UNCHECKED, False):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


class Database:
    """Sessions on one engine (or, in tests, on one connection inside a transaction)."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        if isinstance(bind, Connection):  # tests: every session is a savepoint of one transaction
            self._sessions = sessionmaker(bind=bind, expire_on_commit=False,
                                          join_transaction_mode="create_savepoint")
        else:
            self._sessions = sessionmaker(bind=bind, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    @property
    def concurrent(self) -> bool:
        """Whether two threads may each use a session at once (not in tests, where every
        session is a savepoint of one connection)."""
        return isinstance(self.bind, Engine)

    @contextmanager
    def rows(self) -> Iterator[Connection]:
        """A plain connection for a few quick reads of rows (no ORM session: cheaper)."""
        if isinstance(self.bind, Connection):
            yield self.bind
            return
        with self.bind.connect() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._sessions() as s:
            yield s

    @contextmanager
    def write(self, lock: str | None = None, *, references_checked: bool = True
              ) -> Iterator[Session]:
        """A session whose work is committed when the block ends, or rolled back on error.

        With ``lock``, the transactions that name the same lock run one after the other
        (on PostgreSQL an advisory lock held to the end of the transaction; SQLite's
        writers always do). ``references_checked=False``: on SQLite, this transaction's
        foreign keys are not checked row by row — for a bulk writer whose rows refer only
        to rows it has just read or written itself (an import); PostgreSQL checks them."""
        with self._sessions() as s:
            options: dict[str, Any] = {_WRITE: True}
            if not references_checked:
                options[_UNCHECKED] = True
            conn = s.connection(execution_options=options)
            if lock is not None and conn.dialect.name == "postgresql":
                conn.execute(_PG_LOCK, {"key": _lock_key(lock)})
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    # ------------------------------------------------------------------ migrations

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to ``revision`` (the latest by default)."""
        from alembic import command

        with self._migration_connection(migrating=True) as conn:
            command.upgrade(_alembic_config(conn), revision)

    def downgrade(self, revision: str = "base") -> None:
        """Migrate the schema down to ``revision`` (empty by default)."""
        from alembic import command

        with self._migration_connection(migrating=True) as conn:
            command.downgrade(_alembic_config(conn), revision)

    def revision(self) -> str | None:
        """The schema's current revision, or None for an empty database."""
        with self._migration_connection() as conn:
            return _current(conn)

    def table_names(self) -> list[str]:
        with self._migration_connection() as conn:
            return sorted(inspect(conn).get_table_names())

    @contextmanager
    def _migration_connection(self, migrating: bool = False) -> Iterator[Connection]:
        if isinstance(self.bind, Connection):
            yield self.bind
            return
        with self.bind.connect() as conn:
            if not migrating or conn.dialect.name != "sqlite":
                yield conn
                conn.commit()
                return
            # SQLite alters a table by copying it and dropping the old one, which foreign
            # keys pointing at it forbid: they are checked once, after a migration that ran
            # (the pragma has no effect inside a transaction, hence on the driver's
            # connection before SQLAlchemy begins one)
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                before = _current(conn)
                conn.commit()
                yield conn
                if _current(conn) != before:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")
                conn.commit()
            finally:
                conn.rollback()
                raw.execute("PRAGMA foreign_keys=ON")

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()


#: an advisory lock of this schema: the lock's key and the schema's (databases that hold
#: several huiqi schemas — tests run side by side, or several parks — do not wait for each other)
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))")


def _lock_key(name: str) -> int:
    """A stable signed 32-bit key for an advisory lock named ``name``."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(f"huiqi:{name}".encode(), digest_size=4).digest(),
                          "big", signed=True)


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` (a driver error, or SQLAlchemy's wrapping of one) is a unique
    constraint refusing a row that another transaction wrote first."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) == "23505" or \
        str(orig).startswith("UNIQUE constraint failed")


def _current(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "huiqi.store:migrations")
    cfg.attributes["connection"] = conn
    return cfg
