"""The app through AppTest: sign-in gate, role-based navigation, lockout, sign-out, Welsh labels, production checks."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from streamlit_authenticator.controllers import CookieController

from auth import settings, users
from auth.demo import DEMO_ACCOUNTS
from auth.sessions import epoch, utcnow
from auth.settings import EXAMPLE_KEY
from data.models import AuditLog
from ui.navigation import REGISTRY, entries_for

APP = "../app.py"
PASSWORD = {username: password for username, _name, password, _roles, _ports in DEMO_ACCOUNTS}
ROLES = {username: roles for username, _name, _pw, roles, _ports in DEMO_ACCOUNTS}
# One answer for every refused sign-in, so that it never tells whether a username exists or is locked (issue 15).
REFUSED = (
    "Sign-in refused: the username or password is incorrect, or the account is locked. After 5 failed sign-ins in "
    "a row an account is locked for 15 minutes; an administrator can unlock it sooner."
)


@pytest.fixture
def engine(app_engine):
    """A temporary embedded database with the demo users, named by DATABASE_URL for the app."""
    return app_engine


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="vsd_signin_username").input(username)
    at.text_input(key="vsd_signin_password").input(password)
    return at.button(key="vsd_signin_submit").click().run()


def signed_in(at: AppTest) -> bool:
    return bool(at.session_state["authentication_status"]) if "authentication_status" in at.session_state else False


def can_open(at: AppTest, path: str) -> bool:
    """True when the page file is in the navigation the app handed to st.navigation."""
    try:
        at.switch_page(path)
    except ValueError:
        return False
    return True


def test_signed_out_navigation_holds_the_sign_in_page_alone(engine):
    at = app()
    assert not at.exception
    assert [ti.label for ti in at.text_input] == ["Username", "Password"]
    assert not can_open(at, "app_pages/home.py")
    table = at.table[0].value
    assert list(table["Username"]) == [a[0] for a in DEMO_ACCOUNTS]
    assert list(table["Password"]) == [a[2] for a in DEMO_ACCOUNTS]
    assert "Portfolio lead" in set(table["Role"])


@pytest.mark.parametrize("username", ["lead.da", "board", "admin", "analyst"])
def test_demo_account_signs_in_and_sees_its_pages(engine, username):
    at = sign_in(app(), username, PASSWORD[username])
    assert not at.exception and not at.error
    assert signed_in(at)
    # Readers land on the Scorecard (PRODUCT.md: a lead lands on their portfolio scorecard); others on My pages.
    landing = "Scorecard" if {"lead", "board", "inspector"} & set(ROLES[username]) else "Welcome, Demo"
    assert at.title[0].value.startswith(landing)
    allowed = {entry.path for entry in entries_for(ROLES[username])}
    assert "app_pages/home.py" in allowed
    for entry in REGISTRY:
        if entry.file.is_file():
            assert can_open(at, entry.path) is (entry.path in allowed), entry.key
    user = users.load_user(engine, username)
    assert user.failed_logins == 0
    with engine.connect() as conn:
        events = conn.execute(select(AuditLog.event).where(AuditLog.entity_id == username)).scalars().all()
    assert events[-1] == "user.sign_in"


def test_wrong_password_shows_an_error_and_counts_in_the_database(engine):
    at = sign_in(app(), "lead.da", "not the password")
    assert not signed_in(at)
    assert [e.value for e in at.error] == [REFUSED]
    assert users.load_user(engine, "lead.da").failed_logins == 1
    assert at.text_input(key="vsd_signin_password").value == ""  # the password is not kept


def test_five_failures_lock_the_account(engine):
    at = app()
    for _ in range(5):
        at = sign_in(at, "board", "wrong password!")
    user = users.load_user(engine, "board")
    assert user.failed_logins == 5 and user.locked()
    assert user.locked_until - utcnow() > dt.timedelta(minutes=14)
    assert at.error[0].value == REFUSED
    at = sign_in(at, "board", PASSWORD["board"])  # the right password does not open a locked account
    assert not signed_in(at)
    assert at.error[0].value == REFUSED
    users.unlock(engine, "board", actor="test")
    assert signed_in(sign_in(at, "board", PASSWORD["board"]))


def test_over_long_password_gets_a_clear_message(engine):
    at = sign_in(app(), "board", "x" * 80)
    assert not signed_in(at)
    assert "at most 72 bytes" in at.error[0].value and "80 bytes" in at.error[0].value
    assert users.load_user(engine, "board").failed_logins == 0


def test_disabled_user_cannot_sign_in(engine):
    users.disable(engine, "inspector", actor="test")
    at = sign_in(app(), "inspector", PASSWORD["inspector"])
    assert not signed_in(at)
    assert [e.value for e in at.error] == [REFUSED]


def test_welsh_switch_changes_the_sign_in_labels(engine):
    at = app()
    at.sidebar.radio(key="vsd_lang").set_value("cy").run()
    assert [ti.label for ti in at.text_input] == ["Enw defnyddiwr", "Cyfrinair"]
    assert at.button(key="vsd_signin_submit").label == "Mewngofnodi"
    assert at.title[0].value == "Dangosfwrdd Perfformiad Gwasanaethau Dioddefwyr"
    at = sign_in(at, "lead.da", "anghywir iawn")
    assert at.error[0].value.startswith("Gwrthodwyd mewngofnodi: mae'r enw defnyddiwr neu'r cyfrinair yn anghywir")
    at = sign_in(at, "lead.da", PASSWORD["lead.da"])
    assert at.title[0].value == "Cerdyn sgorio"
    assert at.sidebar.button(key="vsd_sign_out").label == "Allgofnodi"
    assert users.load_user(engine, "lead.da").language == "cy"  # the choice made before signing in is kept


def test_language_switch_is_saved_for_a_signed_in_user(engine):
    at = sign_in(app(), "inspector", PASSWORD["inspector"])
    assert users.load_user(engine, "inspector").language == "en"
    at.sidebar.radio(key="vsd_lang").set_value("cy").run()
    assert users.load_user(engine, "inspector").language == "cy"
    assert at.title[0].value == "Cerdyn sgorio"
    at = at.sidebar.button(key="vsd_sign_out").click().run()
    at.sidebar.radio(key="vsd_lang").set_value("en").run()
    at = sign_in(at, "inspector", PASSWORD["inspector"])
    assert at.title[0].value == "Scorecard"  # chosen on the sign-in page: kept, and saved
    assert users.load_user(engine, "inspector").language == "en"


def test_sign_out_returns_to_sign_in_and_revokes_sessions(engine):
    at = sign_in(app(), "analyst", PASSWORD["analyst"])
    assert signed_in(at)
    at = at.sidebar.button(key="vsd_sign_out").click().run()
    assert not signed_in(at)
    assert not can_open(at, "app_pages/home.py")
    assert [i.value for i in at.info] == ["You have signed out."]
    assert users.load_user(engine, "analyst").session_version == 2
    assert users.sessions_revoked_at(engine, "analyst") is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda e: users.set_password(e, "board", "a brand new passphrase", actor="admin"),
        lambda e: users.disable(e, "board", actor="admin"),
        lambda e: users.bump_session_version(e, "board", actor="board", event="user.sign_out"),
    ],
    ids=["password-changed", "disabled", "signed-out-elsewhere"],
)
def test_open_session_ends_when_the_user_changes_elsewhere(engine, change):
    at = sign_in(app(), "board", PASSWORD["board"])
    assert signed_in(at)
    change(engine)
    at.run()
    assert not signed_in(at)
    assert at.info[0].value.startswith("Your session has ended")


@pytest.mark.parametrize(
    ("issued_min_ago", "revoked_min_ago", "accepted"),
    [(1, None, True), (5, 2, False), (2, 5, True)],
    ids=["fresh", "issued-before-sign-out", "issued-after-sign-out"],
)
def test_cookie_sign_in_only_after_the_last_sign_out(engine, monkeypatch, issued_min_ago, revoked_min_ago, accepted):
    now = utcnow()
    if revoked_min_ago is not None:
        revoked = now - dt.timedelta(minutes=revoked_min_ago)
        users.bump_session_version(engine, "board", actor="board", event="user.sign_out", now=revoked)
    # What the library's get_cookie returns after checking the signature: username and exp_date.
    token = {"username": "board", "exp_date": epoch(now - dt.timedelta(minutes=issued_min_ago)) + 8 * 3600}
    monkeypatch.setattr(CookieController, "get_cookie", lambda self: token)
    at = app()
    assert not at.exception
    assert signed_in(at) is accepted
    assert can_open(at, "app_pages/home.py") is accepted


def test_production_refuses_the_example_cookie_key(engine, monkeypatch):
    monkeypatch.setenv("VSD_ENV", "production")
    monkeypatch.setenv("VSD_COOKIE_KEY", EXAMPLE_KEY)
    at = app()
    assert not at.exception  # a clear message, not a stack trace
    assert "not safe for production" in at.error[0].value
    assert "example value" in at.error[0].value
    assert len(at.text_input) == 0


def test_production_hides_and_refuses_demo_accounts(engine, monkeypatch):
    # Enabled demo accounts stop production altogether (tests/test_production_mode.py); disabled ones stay refused.
    for username in PASSWORD:
        users.disable(engine, username, actor="operator")
    monkeypatch.setenv("VSD_ENV", "production")
    # Production refuses the embedded SQLite file (tests/test_production_refusals.py); here only the accounts matter.
    monkeypatch.setattr(settings, "database_problems", lambda _url: [])
    at = app()
    assert not at.exception and len(at.table) == 0
    at = sign_in(at, "lead.da", PASSWORD["lead.da"])
    assert not signed_in(at)
    assert users.load_user(engine, "lead.da").failed_logins == 0
