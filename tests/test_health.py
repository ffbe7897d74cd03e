"""Issue 16: `cli.py health`, the probe a monitor or load balancer runs: one line per check, exit 1 when the
database is unreachable, the configuration is refused or the schema is behind the code's migrations."""

from __future__ import annotations

import pytest
from alembic import command
from typer.testing import CliRunner

from cli import app
from data.engine import make_engine
from data.migrate import alembic_config

runner = CliRunner()
STRONG_KEY = "Vx9q2LmT7rB4nZ8kWc3pYf6hJd1sGa5uQe0oRi"  # 38 characters, no repeats to speak of


def health(monkeypatch, url: str, **env: str):
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("VSD_ENV", "VSD_COOKIE_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["health"])
    return result, dict(line.split(": ", 1) for line in result.stdout.splitlines())


def test_healthy(db_url, monkeypatch):
    result, checks = health(monkeypatch, db_url)
    assert result.exit_code == 0, result.output
    assert list(checks) == ["database", "configuration", "migrations"]
    assert all(value.startswith("ok") for value in checks.values()), checks


def test_unreachable_database_fails(monkeypatch):
    result, checks = health(monkeypatch, "postgresql+psycopg://vsd@127.0.0.1:1/vsd")
    assert result.exit_code == 1
    assert checks["database"].startswith("FAIL - the database cannot be reached")
    assert checks["migrations"] == "FAIL - not checked: the database cannot be reached"
    assert "Traceback" not in result.output


def test_refused_configuration_fails(db_url, monkeypatch):
    result, checks = health(monkeypatch, db_url, VSD_ENV="production", VSD_COOKIE_KEY="a" * 40)
    assert result.exit_code == 1
    assert checks["configuration"].startswith("FAIL - ")
    assert "VSD_COOKIE_KEY" in checks["configuration"]  # where the key came from, in words
    assert "settings." not in checks["configuration"]  # no untranslated key
    assert checks["database"].startswith("ok")


@pytest.mark.postgres
def test_production_on_postgresql_with_a_strong_key_is_healthy(postgres_database_url, monkeypatch):
    result, checks = health(monkeypatch, postgres_database_url, VSD_ENV="production", VSD_COOKIE_KEY=STRONG_KEY)
    assert result.exit_code == 0, result.output
    assert checks["configuration"] == "ok - production"


def test_migrations_behind_fail(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0001")
    engine.dispose()
    result, checks = health(monkeypatch, url)
    assert result.exit_code == 1
    assert checks["migrations"].startswith("FAIL - at 0001, head is ")
    assert "init-db" in checks["migrations"]


def test_empty_database_before_init_db_fails(tmp_path, monkeypatch):
    result, checks = health(monkeypatch, f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert result.exit_code == 1
    assert checks["migrations"].startswith("FAIL - at none, head is ")
