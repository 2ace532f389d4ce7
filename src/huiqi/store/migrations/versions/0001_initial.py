"""The initial schema: registry, policies, matching, accounts and the append-only audit log.

Revision ID: 0001
Revises: (none)
"""

# ruff: noqa: E501  (generated table definitions are kept as Alembic wrote them)
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huiqi.store import types as T

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('at', T.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=True),
    sa.Column('before', T.JSONText(), nullable=True),
    sa.Column('after', T.JSONText(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('entity',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('park', sa.String(length=100), nullable=True),
    sa.Column('industry', sa.String(length=64), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.Column('updated_at', T.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_entity_credit_code'))
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_kind'), ['kind'], unique=False)

    op.create_table('import_batch',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('report', T.JSONText(), nullable=False),
    sa.Column('imported_at', T.UTCDateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_sha256'), ['sha256'], unique=False)

    op.create_table('policy_pack',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_pack')),
    sa.UniqueConstraint('key', name=op.f('uq_policy_pack_key'))
    )
    op.create_table('account',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('password_changed_at', T.UTCDateTime(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', T.UTCDateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_account_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('username', name=op.f('uq_account_username'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_entity_id'), ['entity_id'], unique=False)

    op.create_table('entity_location',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('park', sa.String(length=100), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('batch_id', T.BigKey, nullable=True),
    sa.Column('recorded_at', T.UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_entity_location_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_entity_location_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity_location'))
    )
    with op.batch_alter_table('entity_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_location_entity_id'), ['entity_id'], unique=False)

    op.create_table('fact_value',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('fact', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_number', T.Exact(), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('batch_id', T.BigKey, nullable=True),
    sa.Column('recorded_at', T.UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_fact_value_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_fact_value_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_value'))
    )
    with op.batch_alter_table('fact_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fact_value_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_fact_value_key', ['entity_id', 'fact', 'year', 'id'], unique=False)

    op.create_table('pack_version',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('pack_id', T.BigKey, nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version_key', sa.String(length=200), nullable=True),
    sa.Column('title', T.JSONText(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', T.UTCDateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('ended_at', T.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['pack_id'], ['policy_pack.id'], name=op.f('fk_pack_version_pack_id_policy_pack')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_version')),
    sa.UniqueConstraint('pack_id', 'number', name=op.f('uq_pack_version_pack_id'))
    )
    with op.batch_alter_table('pack_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_version_pack_id'), ['pack_id'], unique=False)

    op.create_table('auth_session',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('account_id', T.BigKey, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', T.UTCDateTime(), nullable=False),
    sa.Column('expires_at', T.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', T.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_auth_session_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_session_token_hash'))
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_session_account_id'), ['account_id'], unique=False)

    op.create_table('match_run',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('pack_version_id', T.BigKey, nullable=False),
    sa.Column('version_key', sa.String(length=200), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('entities', sa.Integer(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('started_at', T.UTCDateTime(), nullable=False),
    sa.Column('finished_at', T.UTCDateTime(), nullable=False),
    sa.Column('run_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['pack_version_id'], ['pack_version.id'], name=op.f('fk_match_run_pack_version_id_pack_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_run'))
    )
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_run_pack_version_id'), ['pack_version_id'], unique=False)

    op.create_table('pack_file',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('version_id', T.BigKey, nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['pack_version.id'], name=op.f('fk_pack_file_version_id_pack_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_file')),
    sa.UniqueConstraint('version_id', 'path', name=op.f('uq_pack_file_version_id'))
    )
    with op.batch_alter_table('pack_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_file_version_id'), ['version_id'], unique=False)

    op.create_table('match_result',
    sa.Column('id', T.BigKey, nullable=False),
    sa.Column('entity_id', T.BigKey, nullable=False),
    sa.Column('pack_version_id', T.BigKey, nullable=False),
    sa.Column('version_key', sa.String(length=200), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('clause_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount', T.Money(), nullable=True),
    sa.Column('potential_amount', T.Money(), nullable=True),
    sa.Column('detail', T.JSONText(), nullable=False),
    sa.Column('run_id', T.BigKey, nullable=True),
    sa.Column('computed_at', T.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_match_result_entity_id_entity')),
    sa.ForeignKeyConstraint(['pack_version_id'], ['pack_version.id'], name=op.f('fk_match_result_pack_version_id_pack_version')),
    sa.ForeignKeyConstraint(['run_id'], ['match_run.id'], name=op.f('fk_match_result_run_id_match_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_result')),
    sa.UniqueConstraint('entity_id', 'pack_version_id', 'as_of', 'clause_key', name=op.f('uq_match_result_entity_id'))
    )
    with op.batch_alter_table('match_result', schema=None) as batch_op:
        batch_op.create_index('ix_match_result_clause', ['pack_version_id', 'clause_key', 'as_of', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_result_run_id'), ['run_id'], unique=False)
    _audit_append_only()


def downgrade() -> None:
    _drop_audit_append_only()
    with op.batch_alter_table('match_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_result_run_id'))
        batch_op.drop_index('ix_match_result_clause')

    op.drop_table('match_result')
    with op.batch_alter_table('pack_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_file_version_id'))

    op.drop_table('pack_file')
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_pack_version_id'))

    op.drop_table('match_run')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_account_id'))

    op.drop_table('auth_session')
    with op.batch_alter_table('pack_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_version_pack_id'))

    op.drop_table('pack_version')
    with op.batch_alter_table('fact_value', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_value_key')
        batch_op.drop_index(batch_op.f('ix_fact_value_batch_id'))

    op.drop_table('fact_value')
    with op.batch_alter_table('entity_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_location_entity_id'))

    op.drop_table('entity_location')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_entity_id'))

    op.drop_table('account')
    op.drop_table('policy_pack')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_sha256'))

    op.drop_table('import_batch')
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_kind'))
        batch_op.drop_index(batch_op.f('ix_entity_industry'))
        batch_op.drop_index(batch_op.f('ix_entity_district'))

    op.drop_table('entity')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')


# The audit log is append-only: the database itself refuses to change or remove an entry.
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_PG_FUNCTION = """
CREATE FUNCTION huiqi_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION huiqi_audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION huiqi_audit_log_append_only()",
)


def _audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for sql in _PG_TRIGGERS:
            op.execute(sql)
    else:
        for sql in _SQLITE_TRIGGERS:
            op.execute(sql)


def _drop_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION huiqi_audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("DROP TRIGGER audit_log_no_update")
