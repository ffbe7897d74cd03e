"""Shared support for page tests: a seeded demo database (once per worker) and signing in through AppTest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from auth import passwords, users
from auth.demo import DEMO_ACCOUNTS
from data.demo import write_demo
from data.engine import make_engine
from data.ingest import import_paths
from data.migrate import upgrade
from data.policeuk import import_policeuk
from tests.conftest import POLICEUK_DIR

APP = "../app.py"
SEEDED_CASES = 2_000
SEEDED_SEED = 7
PASSWORD = {username: password for username, _name, password, _roles, _ports in DEMO_ACCOUNTS}
ROLES = {username: roles for username, _name, _pw, roles, _ports in DEMO_ACCOUNTS}
DEMO_USERS = tuple(PASSWORD)
POLICEUK_MONTHS = ("2023-11", "2023-12")


def add_demo_users(engine) -> None:
    """The demo accounts, with fast password hashes (tests only)."""
    old_rounds, passwords.ROUNDS = passwords.ROUNDS, 4
    try:
        users.ensure_demo_users(engine)
    finally:
        passwords.ROUNDS = old_rounds


def build_seeded_database(directory: Path) -> str:
    """A migrated SQLite database with 2,000 demo victims, two police.uk months and the demo users; returns its URL."""
    url = f"sqlite:///{directory / 'seeded.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    demo = directory / "demo"
    write_demo(demo, cases=SEEDED_CASES, seed=SEEDED_SEED, months=36)
    results = import_paths(engine, [demo], loaded_by="tests")
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    files = [POLICEUK_DIR / f"{m}-gwent-{kind}.csv" for m in POLICEUK_MONTHS for kind in ("street", "outcomes")]
    if all(f.exists() for f in files):
        assert all(r.ok for r in import_policeuk(engine, files, loaded_by="tests"))
    add_demo_users(engine)
    engine.dispose()
    shutil.rmtree(demo)
    return url


@pytest.fixture(scope="session")
def seeded_db_url(tmp_path_factory) -> str:
    """URL of the seeded demo database, built once per test worker."""
    return build_seeded_database(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def seeded_app_env(seeded_db_url, monkeypatch):
    """Point the app at the seeded database (demo mode, a test cookie key); clears Streamlit's caches."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", seeded_db_url)
    monkeypatch.setenv("VSD_COOKIE_KEY", "test-cookie-key-0123456789abcdefghijklmnop")
    monkeypatch.delenv("VSD_ENV", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    return seeded_db_url


@pytest.fixture(scope="module")
def _caches_emptied_around_the_module():
    """Streamlit's caches emptied when a module starts and when it ends (pytest ends a module's fixtures before it
    runs another module's test, so nothing cached for other data is ever served in between)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def seeded_reading_env(_caches_emptied_around_the_module, seeded_db_url, monkeypatch):
    """seeded_app_env for a module whose tests only read the seeded database: the caches are emptied around the
    module, not before each test, so each test does not compute the landing page and its page's measures afresh (what
    a page does with its URL and widgets runs on every run, cached or not)."""
    monkeypatch.setenv("DATABASE_URL", seeded_db_url)
    monkeypatch.setenv("VSD_COOKIE_KEY", "test-cookie-key-0123456789abcdefghijklmnop")
    monkeypatch.delenv("VSD_ENV", raising=False)
    return seeded_db_url


@pytest.fixture
def seeded_copy(seeded_app_env, tmp_path, monkeypatch):
    """The app pointed at a private copy of the seeded database, for a test that writes (what it saves never reaches
    other tests); yields an engine on the copy."""
    copy = tmp_path / "seeded_copy.sqlite3"
    shutil.copy(seeded_app_env.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def app_engine(tmp_path, monkeypatch):
    """A temporary, empty embedded database with the demo users, named by DATABASE_URL for the app."""
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setattr(passwords, "ROUNDS", 4)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VSD_COOKIE_KEY", "test-cookie-key-0123456789abcdefghijklmnop")
    monkeypatch.delenv("VSD_ENV", raising=False)
    eng = make_engine(url)
    upgrade(eng)
    users.ensure_demo_users(eng)
    yield eng
    eng.dispose()


def can_open(at: AppTest, path: str) -> bool:
    """True when the page file is in the navigation the app handed to st.navigation."""
    try:
        at.switch_page(path)
    except ValueError:
        return False
    return True


def sign_in(username: str, timeout: float = 60) -> AppTest:
    """A fresh AppTest session signed in as a demo user (the landing page has run)."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.text_input(key="vsd_signin_username").input(username)
    at.text_input(key="vsd_signin_password").input(PASSWORD[username])
    return at.button(key="vsd_signin_submit").click().run()


def open_page(at: AppTest, path: str) -> AppTest:
    """Switch to a page file (raises ValueError when the page is not in the user's navigation) and run it."""
    at.switch_page(path)
    return at.run()
