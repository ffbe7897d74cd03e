"""The audit log is append-only on both databases once migrated: UPDATE and DELETE are refused by the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cli import app
from data.engine import make_engine
from tests.accountability_support import db_fixture  # noqa: F401
from tests.test_accountability_audit import seed_rows

REFUSALS = ["UPDATE audit_log SET actor = 'someone else'", "UPDATE audit_log SET detail = 'x' WHERE id = 1",
            "DELETE FROM audit_log", "DELETE FROM audit_log WHERE actor = 'lead.da'"]  # fmt: skip


def assert_append_only(engine) -> None:
    """Every UPDATE and DELETE fails with the log's own message and leaves the rows as they were; INSERT works."""
    with engine.connect() as conn:
        before = conn.execute(text("SELECT id, actor, detail FROM audit_log ORDER BY id")).all()
    assert before, "the check needs rows to refuse changing"
    for statement in REFUSALS:
        with pytest.raises(DBAPIError, match="audit_log is append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, actor, detail FROM audit_log ORDER BY id")).all() == before


def test_the_audit_log_refuses_update_and_delete_on_both_databases(db):
    seed_rows(db)
    assert_append_only(db)


def test_init_db_makes_a_new_embedded_database_append_only(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["init-db"])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    try:
        seed_rows(engine)
        assert_append_only(engine)
    finally:
        engine.dispose()
