"""commentary: a lead's per-portfolio commentary for the board pack, in English and Welsh, per as-of date

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commentary',
    sa.Column('portfolio', sa.String(length=40), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('body_cy', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("body_en <> '' OR body_cy <> ''", name=op.f('ck_commentary_not_empty')),
    sa.PrimaryKeyConstraint('portfolio', 'as_of', name=op.f('pk_commentary'))
    )


def downgrade() -> None:
    op.drop_table('commentary')
