"""Issue 16: the least-privilege PostgreSQL roles of deploy/postgres-roles.sql. The owner runs the migrations; the
app's role runs every everyday command (health, users, import, metrics, export) but cannot change the schema,
truncate any table, or change or delete the audit log. Needs VSD_TEST_POSTGRES_URL (a superuser); each run makes
its own roles and database and drops them."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cli import app
from data.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "postgres-roles.sql"
POSTGRES_URL = os.environ.get("VSD_TEST_POSTGRES_URL")
PASSWORD = "a long enough password\n"
runner = CliRunner()

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles():
    """Two fresh roles (owner, app) and a database owned by the owner, the roles script not yet run."""
    if not POSTGRES_URL:
        pytest.skip("VSD_TEST_POSTGRES_URL not set")
    tag = uuid.uuid4().hex[:10]
    owner, app_role, database = f"vsd_owner_{tag}", f"vsd_app_{tag}", f"vsd_lp_{tag}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(text(f'CREATE ROLE "{app_role}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
    base = make_url(POSTGRES_URL).set(database=database)
    as_role = {
        "superuser": base.render_as_string(hide_password=False),
        "owner": base.set(username=owner, password=None).render_as_string(hide_password=False),
        "app": base.set(username=app_role, password=None).render_as_string(hide_password=False),
    }
    yield {"urls": as_role, "owner": owner, "app": app_role}
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{app_role}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
    admin.dispose()


def run_roles_script(roles) -> None:
    """deploy/postgres-roles.sql as the guide says (as a superuser, in the database), with this test's role names."""
    script = SCRIPT.read_text().replace("vsd_owner", roles["owner"]).replace("vsd_app", roles["app"])
    engine = make_engine(roles["urls"]["superuser"], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(script)
    engine.dispose()


def cli(monkeypatch, url: str, *args: str, stdin: str | None = None):
    monkeypatch.setenv("DATABASE_URL", url)
    return runner.invoke(app, list(args), input=stdin)


def refused(url: str, statement: str) -> str:
    """The database's refusal of one statement run as the role of `url` (fails the test if it is allowed)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    except DBAPIError as exc:
        return str(exc.orig).splitlines()[0]
    finally:
        engine.dispose()
    pytest.fail(f"allowed: {statement}")


def test_the_app_role_runs_the_cli_but_cannot_change_the_schema_or_the_audit_log(roles, monkeypatch, tmp_path):
    urls = roles["urls"]
    migrated = cli(monkeypatch, urls["owner"], "init-db")
    assert migrated.exit_code == 0, migrated.output
    run_roles_script(roles)
    run_roles_script(roles)  # idempotent: the guide runs it again after every upgrade

    # Everyday work as the app's role.
    health = cli(monkeypatch, urls["app"], "health")
    assert health.exit_code == 0, health.output
    added = cli(monkeypatch, urls["app"], "users", "add", "admin.one", "--name", "Admin One", "--role", "admin",
                "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert cli(monkeypatch, urls["app"], "users", "disable", "admin.one").exit_code == 0
    assert cli(monkeypatch, urls["app"], "users", "enable", "admin.one").exit_code == 0
    from data.demo import write_demo

    write_demo(tmp_path / "demo", cases=200, seed=11, months=36, as_of=dt.date(2024, 3, 31))
    loaded = cli(monkeypatch, urls["app"], "import", str(tmp_path / "demo"))
    assert loaded.exit_code == 0, loaded.output
    again = cli(monkeypatch, urls["app"], "import", str(tmp_path / "demo"))  # upserts: UPDATE, temp tables
    assert again.exit_code == 0, again.output
    metrics = cli(monkeypatch, urls["app"], "metrics", "--period", "last-month")
    assert metrics.exit_code == 0 and "VCOP_OVERALL" in metrics.stdout, metrics.output
    out = tmp_path / "board.pdf"
    exported = cli(monkeypatch, urls["app"], "export", "--kind", "board", "--period", "last-quarter", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    engine = make_engine(urls["app"])
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_log WHERE event = 'export.board'")).scalar_one()
    engine.dispose()
    assert json.loads(detail)["from"] == "2024-01-01"

    # What the app's role must never do.
    assert "permission denied for table audit_log" in refused(urls["app"], "UPDATE audit_log SET actor = 'x'")
    assert "permission denied for table audit_log" in refused(urls["app"], "DELETE FROM audit_log")
    assert "permission denied for table audit_log" in refused(urls["app"], "TRUNCATE audit_log")
    assert "permission denied for table victims" in refused(urls["app"], "TRUNCATE victims")
    assert "permission denied for schema public" in refused(urls["app"], "CREATE TABLE evil (x int)")
    assert "must be owner" in refused(urls["app"], "ALTER TABLE victims ADD COLUMN evil int")
    assert "must be owner" in refused(urls["app"], "DROP TABLE audit_log")
    assert "permission denied for table alembic_version" in refused(
        urls["app"], "UPDATE alembic_version SET version_num = '0001'"
    )
    # The owner keeps the schema: migrations still run as the owner after the script.
    assert cli(monkeypatch, urls["owner"], "init-db").exit_code == 0


def test_the_app_signs_in_and_reads_as_the_app_role_in_production(roles, monkeypatch):
    import secrets

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from auth import passwords
    from tests.apptest_support import can_open

    urls = roles["urls"]
    assert cli(monkeypatch, urls["owner"], "init-db").exit_code == 0
    run_roles_script(roles)
    monkeypatch.setattr(passwords, "ROUNDS", 4)
    added = cli(monkeypatch, urls["app"], "users", "add", "admin.one", "--name", "Admin One", "--role", "admin",
                "--role", "inspector", "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("DATABASE_URL", urls["app"])
    monkeypatch.setenv("VSD_ENV", "production")
    monkeypatch.setenv("VSD_COOKIE_KEY", secrets.token_urlsafe(48))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file("../app.py", default_timeout=60).run()
        assert not at.exception, at.exception
        at.text_input(key="vsd_signin_username").input("admin.one")
        at.text_input(key="vsd_signin_password").input(PASSWORD.strip())
        at = at.button(key="vsd_signin_submit").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert can_open(at, "app_pages/audit.py")
        at.run()
        assert not at.exception and not at.error, [e.value for e in at.error]
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
    engine = make_engine(urls["app"])
    with engine.connect() as conn:
        events = set(conn.execute(text("SELECT event FROM audit_log")).scalars())
    engine.dispose()
    assert "user.add" in events
