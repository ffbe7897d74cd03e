"""What `cli.py health` asks of the database: does it answer, and is its schema at the latest migration."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from data.migrate import alembic_config


def database_answers(engine: Engine) -> None:
    """Run `SELECT 1`; raises the driver's error when the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1")).scalar_one()


def migration_state(engine: Engine) -> tuple[str | None, str]:
    """The schema's current Alembic revision (None before `init-db`) and the latest one the code ships."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, str(head)
