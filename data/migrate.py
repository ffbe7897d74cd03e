"""Apply the Alembic migrations to a database (used by `cli.py init-db`, the app and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from data.engine import PROJECT_ROOT


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at our migrations and at this engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "data" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the latest revision."""
    command.upgrade(alembic_config(engine), "head")
