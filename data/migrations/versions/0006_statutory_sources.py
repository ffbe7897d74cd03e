"""statutory sources (STATUTORY.md, issue 13): quality_reviews, inspections, inspection_grades, referral_needs;
entitlements.exception_reason and recommendations.report_id

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inspections',
    sa.Column('report_id', sa.String(length=40), nullable=False),
    sa.Column('body', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('published_date', sa.Date(), nullable=False),
    sa.Column('response_published_date', sa.Date(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_inspections'))
    )
    op.create_table('inspection_grades',
    sa.Column('row_key', sa.String(length=250), nullable=False),
    sa.Column('report_id', sa.String(length=40), nullable=False),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.String(length=32), nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['inspections.report_id'], name=op.f('fk_inspection_grades_report_id_inspections')),
    sa.PrimaryKeyConstraint('row_key', name=op.f('pk_inspection_grades')),
    sa.UniqueConstraint('report_id', 'question', name='uq_inspection_grades_report_question')
    )
    with op.batch_alter_table('inspection_grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_grades_report_id'), ['report_id'], unique=False)

    op.create_table('quality_reviews',
    sa.Column('review_id', sa.String(length=40), nullable=False),
    sa.Column('entitlement_id', sa.String(length=40), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('failed_criteria', sa.String(length=400), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entitlement_id'], ['entitlements.entitlement_id'], name=op.f('fk_quality_reviews_entitlement_id_entitlements')),
    sa.PrimaryKeyConstraint('review_id', name=op.f('pk_quality_reviews'))
    )
    with op.batch_alter_table('quality_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_reviews_entitlement_id'), ['entitlement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_reviews_review_date'), ['review_date'], unique=False)

    op.create_table('referral_needs',
    sa.Column('row_key', sa.String(length=90), nullable=False),
    sa.Column('referral_id', sa.String(length=40), nullable=False),
    sa.Column('need', sa.String(length=40), nullable=False),
    sa.Column('improved', sa.Boolean(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.referral_id'], name=op.f('fk_referral_needs_referral_id_referrals')),
    sa.PrimaryKeyConstraint('row_key', name=op.f('pk_referral_needs')),
    sa.UniqueConstraint('referral_id', 'need', name='uq_referral_needs_referral_need')
    )
    with op.batch_alter_table('referral_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_needs_referral_id'), ['referral_id'], unique=False)

    # Plain ADD COLUMN on both backends (no table rebuild): a nullable column needs none.
    op.add_column('entitlements', sa.Column('exception_reason', sa.Text(), nullable=True))
    op.add_column('recommendations', sa.Column('report_id', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_column('report_id')
    with op.batch_alter_table('entitlements', schema=None) as batch_op:
        batch_op.drop_column('exception_reason')
    op.drop_table('referral_needs')
    op.drop_table('quality_reviews')
    op.drop_table('inspection_grades')
    op.drop_table('inspections')
