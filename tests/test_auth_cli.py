"""`python cli.py users ...` end to end on a temporary database: output, exit codes and what is stored."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auth import passwords, users
from cli import app
from data.engine import make_engine
from data.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(passwords, "ROUNDS", 4)
    eng = make_engine(url)
    upgrade(eng)
    yield eng
    eng.dispose()


def run(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["users", *args], input=stdin)


def test_add_list_and_manage_a_user(engine):
    result = run(
        "add", "jo.bloggs", "--name", "Jo Bloggs", "--role", "lead", "--portfolio", "vawg_da",
        "--password-stdin", "--actor", "ops", stdin="a long passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "added jo.bloggs: roles lead; portfolios vawg_da" in result.output
    user = users.load_user(engine, "jo.bloggs")
    assert passwords.verify("a long passphrase", user.password_hash)

    assert run("assign", "jo.bloggs", "--role", "board").exit_code == 0
    assert users.load_user(engine, "jo.bloggs").roles == {"lead", "board"}
    result = run("set-password", "jo.bloggs", "--password-stdin", stdin="another passphrase\n")
    assert result.exit_code == 0 and "existing sessions ended" in result.output
    assert users.load_user(engine, "jo.bloggs").session_version == 2
    for _ in range(5):
        users.record_failed_login(engine, "jo.bloggs")
    assert "locked until" in run("list").output
    assert run("unlock", "jo.bloggs").exit_code == 0
    assert run("disable", "jo.bloggs").exit_code == 0
    listing = run("list").output.splitlines()
    assert listing[0].split() == ["username", "name", "roles", "portfolios", "state"]
    assert listing[1].split() == ["jo.bloggs", "Jo", "Bloggs", "board,lead", "vawg_da", "disabled"]
    assert "$2b$" not in run("list").output
    assert run("enable", "jo.bloggs").exit_code == 0
    assert not users.load_user(engine, "jo.bloggs").disabled


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "x.y", "--name", "X", "--role", "lead", "--password-stdin"], "a long passphrase\n", "one portfolio"),
        (["add", "x.y", "--name", "X", "--role", "root", "--password-stdin"], "a long passphrase\n", "unknown role"),
        (["add", "x.y", "--name", "X", "--role", "board", "--password-stdin"], "é" * 40 + "\n", "80 bytes"),
        (["add", "X Y", "--name", "X", "--role", "board", "--password-stdin"], "a long passphrase\n", "usernames are"),
        (["set-password", "nobody", "--password-stdin"], "a long passphrase\n", "no user named 'nobody'"),
        (["assign", "nobody"], None, "give at least one --role or --portfolio"),
        (["unlock", "nobody"], None, "no user named 'nobody'"),
    ],
)  # fmt: skip
def test_errors_exit_2_with_a_message(engine, args, stdin, message):
    result = run(*args, stdin=stdin)
    assert result.exit_code == 2
    assert message in result.output
    assert users.list_users(engine) == []


def test_missing_schema_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = run("list")
    assert result.exit_code == 2 and "init-db" in result.output
