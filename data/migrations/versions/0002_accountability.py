"""accountability: evidence files, PCC report responses, audit portfolio, append-only audit log on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 22:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# PostgreSQL refuses every UPDATE, DELETE and TRUNCATE of the audit log, whoever asks (the app, the CLI or psql).
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
ROW_TRIGGER = """
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
"""
TRUNCATE_TRIGGER = """
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
"""


def upgrade() -> None:
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_files_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('report_responses',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('response_date', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_report_responses'))
    )

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('portfolio', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_portfolio'), ['portfolio'], unique=False)

    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes', sa.Text(), nullable=True))

    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_cy', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('we_did_cy', sa.String(length=500), nullable=True))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(ROW_TRIGGER)
        op.execute(TRUNCATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log')
        op.execute('DROP FUNCTION IF EXISTS audit_log_append_only()')

    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.drop_column('we_did_cy')
        batch_op.drop_column('summary_cy')

    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.drop_column('changes')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_portfolio'))
        batch_op.drop_column('portfolio')

    op.drop_table('report_responses')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_files_entity')

    op.drop_table('evidence_files')
