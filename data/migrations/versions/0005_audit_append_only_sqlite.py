"""audit append-only on SQLite: BEFORE UPDATE and BEFORE DELETE triggers on audit_log, as 0002 does on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:30:00
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The same refusal as PostgreSQL's (0002), word for word, so callers and tests read one message on both backends.
# SQLite has no TRUNCATE (DELETE without WHERE fires the row trigger) and no privileges: whoever can write the file
# can still drop the triggers, so this stops the app, the CLI and careless edits, not someone holding the file.
SQLITE_TRIGGERS = {
    'audit_log_no_update': """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed');
END
""",
    'audit_log_no_delete': """
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed');
END
""",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in SQLITE_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
