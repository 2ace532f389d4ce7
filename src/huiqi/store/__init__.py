"""The platform database: models, the engine and session factory, and migrations.

SQLite is the embedded default (one file, WAL mode, no server); PostgreSQL is used in
production through ``HUIQI_DATABASE_URL``. The schema is created and changed only by the
Alembic migrations shipped in ``huiqi/store/migrations``.
"""
