"""Two database roles on PostgreSQL: the owner, who migrates the schema, and the service,
which reads and writes the data but may only add to the audit log.

    migrate(owner_url, service_url)   # as the owner: upgrade, then grant the service its rights

The service's role gets ``SELECT, INSERT, UPDATE, DELETE`` on every table of the schema
but ``SELECT, INSERT`` only on ``audit_log`` and ``SELECT`` on ``alembic_version``, and
the use of the sequences. It owns nothing, so it can neither ``ALTER`` the audit table
nor disable or drop its triggers; without ``UPDATE``, ``DELETE`` and ``TRUNCATE`` it
cannot rewrite the log even with the triggers gone. The rights are granted again after
every migration (a new table is covered at once). SQLite has no roles: whoever can write
the file can write everything, and the hash chain is what shows a change.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from .database import Database, normalise_url

#: Tables the service may only read and add to; tables it may only read.
APPEND_ONLY = ("audit_log",)
READ_ONLY = ("alembic_version",)


def service_role(url: str) -> str | None:
    """The role a URL signs in as (None if the URL names none)."""
    return make_url(normalise_url(url)).username


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def grant_service(conn: Connection, role: str) -> None:
    """Give ``role`` exactly the rights the service needs on the current schema (run as
    the owner, after migrating)."""
    q = _quoted(conn, role)
    schema = _quoted(conn, str(conn.execute(text("SELECT current_schema()")).scalar()))
    for sql in (
            f"GRANT USAGE ON SCHEMA {schema} TO {q}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {q}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {q}"):
        conn.execute(text(sql))
    for table in APPEND_ONLY:
        conn.execute(text(f"REVOKE UPDATE, DELETE ON {table} FROM {q}"))
    for table in READ_ONLY:
        conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {q}"))


def migrate(owner_url: str, service_url: str) -> None:
    """Upgrade the schema as its owner and, on PostgreSQL with a service role of its own,
    grant that role its rights."""
    owner = Database.connect(owner_url)
    try:
        owner.upgrade()
        role = service_role(service_url)
        if owner.dialect != "postgresql" or role is None or role == service_role(owner_url):
            return
        with owner.rows() as conn:
            grant_service(conn, role)
            conn.commit()
    finally:
        owner.dispose()
