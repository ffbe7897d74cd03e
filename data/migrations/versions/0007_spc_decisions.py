"""spc decisions (issue 17): recorded process changes (rebases) and month annotations of SPC charts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spc_rebases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('metric_id', sa.String(length=60), nullable=False),
    sa.Column('portfolio_id', sa.String(length=40), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('suggested', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("reason <> ''", name=op.f('ck_spc_rebases_reason_given')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spc_rebases'))
    )
    with op.batch_alter_table('spc_rebases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spc_rebases_metric_id'), ['metric_id'], unique=False)

    op.create_table('spc_annotations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('metric_id', sa.String(length=60), nullable=False),
    sa.Column('portfolio_id', sa.String(length=40), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("note <> ''", name=op.f('ck_spc_annotations_note_given')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spc_annotations'))
    )
    with op.batch_alter_table('spc_annotations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spc_annotations_metric_id'), ['metric_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('spc_annotations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spc_annotations_metric_id'))
    op.drop_table('spc_annotations')
    with op.batch_alter_table('spc_rebases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spc_rebases_metric_id'))
    op.drop_table('spc_rebases')
