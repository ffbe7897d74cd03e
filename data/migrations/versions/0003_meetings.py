"""meetings: governance board meetings with their frozen scorecards (meeting mode)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# A meeting's figures are frozen when it is opened: the database refuses any change to the snapshot, the as-of date
# of its data or the meeting's date, whoever asks (the app, the CLI or a database client).
FROZEN_MESSAGE = 'meetings: the snapshot of a meeting is frozen and cannot be changed'
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION meetings_snapshot_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.snapshot IS DISTINCT FROM OLD.snapshot OR NEW.as_of IS DISTINCT FROM OLD.as_of
       OR NEW.held_on IS DISTINCT FROM OLD.held_on OR NEW.meeting_id IS DISTINCT FROM OLD.meeting_id THEN
        RAISE EXCEPTION '{FROZEN_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$
"""
PG_TRIGGER = """
CREATE TRIGGER meetings_snapshot_frozen BEFORE UPDATE ON meetings
FOR EACH ROW EXECUTE FUNCTION meetings_snapshot_frozen()
"""
SQLITE_TRIGGER = f"""
CREATE TRIGGER meetings_snapshot_frozen BEFORE UPDATE OF snapshot, as_of, held_on, meeting_id ON meetings
FOR EACH ROW WHEN NEW.snapshot IS NOT OLD.snapshot OR NEW.as_of IS NOT OLD.as_of OR NEW.held_on IS NOT OLD.held_on
    OR NEW.meeting_id IS NOT OLD.meeting_id
BEGIN
    SELECT RAISE(ABORT, '{FROZEN_MESSAGE}');
END
"""


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('meeting_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_meetings'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    elif dialect == 'sqlite':
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS meetings_snapshot_frozen ON meetings')
        op.execute('DROP FUNCTION IF EXISTS meetings_snapshot_frozen()')
    elif dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS meetings_snapshot_frozen')
    op.drop_table('meetings')
