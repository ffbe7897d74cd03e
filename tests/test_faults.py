"""Faults (issue 7): the database going away mid-session and PostgreSQL restarting during use.

While the database cannot be reached every page shows one translated message and a retry button, never a stack
trace; when it is back the same session carries on. PostgreSQL tests run a throwaway server of their own
(tests/throwaway_postgres.py) that they stop and restart. (A load killed with SIGKILL half-way is tested in
tests/test_ingest_load.py::test_a_killed_process_mid_load_leaves_the_database_as_it_was.)
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from config.i18n import t
from data.engine import make_engine
from data.migrate import upgrade
from data.models import User
from tests.apptest_support import add_demo_users, sign_in
from tests.throwaway_postgres import ThrowawayPostgres, find_bin_dir
from ui.db import RETRY_KEY, get_engine, is_unavailable

ADMIN_PAGE = "app_pages/admin.py"
BIN_DIR = find_bin_dir()
needs_postgres_binaries = pytest.mark.skipif(BIN_DIR is None, reason="PostgreSQL server binaries not installed")


def shows_database_message(at) -> bool:
    return any(e.value == t("errors.database_unavailable") for e in at.error) and bool(at.button(key=RETRY_KEY))


def admin_page_works(at) -> bool:
    """The administration page rendered from the database: its users table lists the demo accounts."""
    return not at.exception and not shows_database_message(at) and "admin" in set(at.dataframe[0].value["Username"])


def open_admin_page():
    at = sign_in("admin")
    at.switch_page(ADMIN_PAGE).run()
    assert admin_page_works(at)
    return at


# ---------------------------------------------------------------- SQLite: the file goes away


def test_the_sqlite_file_going_away_shows_a_message_and_the_session_recovers(app_engine):
    at = open_admin_page()
    path = app_engine.url.database
    os.rename(path, f"{path}.away")
    os.mkdir(path)  # nothing can be opened at the path (SQLite would otherwise create an empty database there)
    get_engine().dispose()  # as after a restart: pooled connections would keep reading the moved file
    try:
        at.run()
        assert not at.exception
        assert shows_database_message(at)
    finally:
        os.rmdir(path)
        os.rename(f"{path}.away", path)
    at.button(key=RETRY_KEY).click().run()
    assert admin_page_works(at)


def test_only_errors_of_reaching_the_database_count_as_unavailable():
    assert is_unavailable(OperationalError("SELECT 1", {}, Exception("unable to open database file")))
    assert not is_unavailable(ValueError("a bug"))
    assert not is_unavailable(KeyError("x"))


# ---------------------------------------------------------------- PostgreSQL: stopped, restarted


@pytest.fixture(scope="module")
def private_postgres():
    """A running throwaway server with a migrated database `vsd` holding the demo users."""
    if BIN_DIR is None:
        pytest.skip("PostgreSQL server binaries not installed")
    server = ThrowawayPostgres(BIN_DIR)
    try:
        server.start()
        admin = make_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE vsd"))
        admin.dispose()
        engine = make_engine(server.url("vsd"))
        upgrade(engine)
        add_demo_users(engine)
        engine.dispose()
        yield server
    finally:
        server.remove()


@pytest.fixture
def postgres_app(private_postgres, monkeypatch):
    """The app pointed at the private server; the server is running again after the test, whatever happened."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", private_postgres.url("vsd"))
    monkeypatch.setenv("VSD_COOKIE_KEY", "test-cookie-key-0123456789abcdefghijklmnop")
    monkeypatch.delenv("VSD_ENV", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield private_postgres
    try:
        private_postgres.start()
    except Exception:
        pass  # it was running


@needs_postgres_binaries
def test_a_postgres_restart_during_use_is_survived_by_the_pool(private_postgres):
    engine = make_engine(private_postgres.url("vsd"))
    with engine.connect() as conn:  # the pooled connection the restart will cut
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 6
    private_postgres.restart()
    with engine.connect() as conn:  # pool_pre_ping finds the dead connection and opens a new one: no error
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 6
    engine.dispose()


@needs_postgres_binaries
def test_postgres_down_shows_a_message_and_the_session_recovers_when_it_returns(postgres_app):
    at = open_admin_page()
    postgres_app.stop()
    at.run()
    assert not at.exception
    assert shows_database_message(at)
    at.run()  # still down: still the message, no trace
    assert shows_database_message(at) and not at.exception
    postgres_app.start()
    at.button(key=RETRY_KEY).click().run()
    assert admin_page_works(at)


@needs_postgres_binaries
def test_a_postgres_restart_between_two_runs_is_invisible_to_the_user(postgres_app):
    at = open_admin_page()
    postgres_app.restart()
    at.run()
    assert admin_page_works(at)
