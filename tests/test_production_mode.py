"""Production mode (VSD_ENV=production) through AppTest: every unsafe configuration stops the app with a clear,
translated message and no stack trace; a safe one starts without demo accounts. The demo-account refusal reads the
database, so it runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from auth import passwords, settings, users
from auth.demo import DEMO_ACCOUNTS, enabled_demo_usernames
from auth.settings import EXAMPLE_KEY
from data.engine import make_engine

APP = "../app.py"
GOOD_KEY = "production-cookie-key-0123456789abcdefghij"  # 42 bytes
TITLE = "The app cannot start: its configuration is not safe for production."
DEMO_NAMES = sorted(username for username, *_rest in DEMO_ACCOUNTS)


@pytest.fixture
def production(db_url, monkeypatch):
    """A migrated database with the demo accounts, and the environment of a production deployment using it."""
    monkeypatch.setattr(passwords, "ROUNDS", 4)
    monkeypatch.delenv("VSD_ENV", raising=False)
    engine = make_engine(db_url)
    users.ensure_demo_users(engine)  # created before production mode, as `cli.py bootstrap` would have
    monkeypatch.setenv("VSD_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("VSD_COOKIE_KEY", GOOD_KEY)
    if engine.dialect.name == "sqlite":
        # Production refuses SQLite (tests/test_production_refusals.py); these tests are about the other refusals and
        # the demo accounts in the database, which must hold on both backends, so the SQLite run lets its URL pass.
        monkeypatch.setattr(settings, "database_problems", lambda url: [] if url else [("settings.no_database", {})])
    st.cache_data.clear()
    st.cache_resource.clear()
    yield engine
    st.cache_resource.clear()
    engine.dispose()


def run_app(auth_secrets: dict | None = None) -> AppTest:
    """One run of the app; `auth_secrets` stands in for the [auth] table of .streamlit/secrets.toml."""
    at = AppTest.from_file(APP, default_timeout=30)
    if auth_secrets is not None:
        at.secrets["auth"] = auth_secrets
    return at.run()


def assert_refused(at: AppTest, reason: str) -> None:
    """The app stopped with the production message naming the reason: no stack trace, no sign-in form, no data."""
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith(f"**{TITLE}**")
    assert reason in message
    assert len(at.text_input) == 0 and len(at.dataframe) == 0 and len(at.table) == 0


def disable_demo_accounts(engine) -> None:
    for username in DEMO_NAMES:
        users.disable(engine, username, actor="operator")


@pytest.mark.parametrize(
    ("environment", "auth_secrets", "reason"),
    [
        ({"VSD_COOKIE_KEY": None}, {"cookie_name": "vsd_auth"}, "No cookie key is set."),
        ({"VSD_COOKIE_KEY": None}, {"cookie_key": EXAMPLE_KEY}, "still the example value from secrets.toml.example"),
        ({"VSD_COOKIE_KEY": EXAMPLE_KEY}, None, "still the example value from secrets.toml.example"),
        ({"VSD_COOKIE_KEY": "k" * 31}, None, "The cookie key is 31 bytes long; it must be at least 32 bytes."),
        ({"VSD_COOKIE_KEY": "é" * 15}, None, "The cookie key is 30 bytes long; it must be at least 32 bytes."),
        ({"DATABASE_URL": None}, None, "DATABASE_URL is not set"),
    ],
    ids=["missing-key", "example-key-in-secrets", "example-key-in-env", "short-key", "short-key-in-bytes", "no-db"],
)
def test_production_refuses_an_unsafe_configuration(production, monkeypatch, environment, auth_secrets, reason):
    disable_demo_accounts(production)  # only the configuration under test is unsafe
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert_refused(run_app(auth_secrets), reason)


def test_production_lists_every_problem_at_once(production, monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("VSD_COOKIE_KEY", "short")
    at = run_app()
    assert_refused(at, "The cookie key is 5 bytes long")
    assert "DATABASE_URL is not set" in at.error[0].value


def test_production_refuses_to_start_while_demo_accounts_are_enabled(production):
    at = run_app()
    assert_refused(at, f"are enabled in the database ({', '.join(DEMO_NAMES)})")
    assert "python cli.py users disable USERNAME" in at.error[0].value

    # Disabling all but one still refuses, naming the one left.
    for username in DEMO_NAMES[1:]:
        users.disable(production, username, actor="operator")
    assert_refused(at.run(), f"are enabled in the database ({DEMO_NAMES[0]})")

    # With every demo account disabled the app starts: the sign-in form, no published accounts, no demo sign-in.
    users.disable(production, DEMO_NAMES[0], actor="operator")
    at.run()
    assert not at.exception and not at.error
    assert [ti.label for ti in at.text_input] == ["Username", "Password"]
    assert len(at.table) == 0
    at.text_input(key="vsd_signin_username").input("board")
    at.text_input(key="vsd_signin_password").input("vsd-demo-board")
    at.button(key="vsd_signin_submit").click().run()
    assert [e.value for e in at.error][0].startswith("Sign-in refused: the username or password is incorrect")

    # A real account signs in.
    users.create_user(production, "ops.board", "Board member", "a long enough passphrase", ["board"], [], actor="ops")
    at.text_input(key="vsd_signin_username").input("ops.board")
    at.text_input(key="vsd_signin_password").input("a long enough passphrase")
    at.button(key="vsd_signin_submit").click().run()
    assert not at.exception and not at.error
    assert at.session_state["authentication_status"] is True

    # Enabling a demo account again stops the running app at its next run.
    users.enable(production, "lead.da", actor="admin")
    assert_refused(at.run(), "are enabled in the database (lead.da)")


def test_enabled_demo_usernames_ignores_disabled_and_real_accounts(production):
    assert enabled_demo_usernames(production) == DEMO_NAMES
    users.disable(production, "inspector", actor="operator")
    users.create_user(production, "real.user", "Real", "a long enough passphrase", ["analyst"], [], actor="ops")
    assert enabled_demo_usernames(production) == [n for n in DEMO_NAMES if n != "inspector"]


def test_welsh_refusal_message(production, monkeypatch):
    """The refusal is translated like every other message (the language switch runs after the gate)."""
    monkeypatch.setenv("VSD_COOKIE_KEY", "short")
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["vsd_lang"] = "cy"
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "Ni all yr ap gychwyn" in message and "Mae'r allwedd cwci yn 5 beit o hyd" in message
