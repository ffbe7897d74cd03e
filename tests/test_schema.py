"""The migrations create every model table, on SQLite and PostgreSQL alike."""

from sqlalchemy import inspect, text

from data.models import Base


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_sqlite_enforces_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
