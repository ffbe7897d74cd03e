"""The app's database engine: one per process and URL (st.cache_resource), migrated once when first made.

Also the guard around every script run: when the database cannot be reached (stopped, restarted, file gone), the user
sees a translated message and a "Try again" button instead of a stack trace, the pool is emptied so the next run
connects afresh, and the app recovers by itself once the database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from config.i18n import t
from data.engine import database_url, make_engine
from data.migrate import upgrade

log = logging.getLogger(__name__)

RETRY_KEY = "vsd_db_retry"
# The driver errors of code that uses a raw DBAPI cursor (the loader's key index): not wrapped by SQLAlchemy.
DRIVER_UNAVAILABLE = {("sqlite3", "OperationalError"), ("psycopg", "OperationalError"), ("psycopg", "InterfaceError")}


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    """Make and migrate the engine for a URL (cached: keyed by the URL, shared by every session)."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def get_engine() -> Engine:
    """The engine of the configured database (DATABASE_URL, or the embedded SQLite file)."""
    return _engine_for(database_url())


def is_unavailable(exc: BaseException) -> bool:
    """True when the error means the database cannot be reached or opened now (not a fault in a query)."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    kind = type(exc)
    return (kind.__module__.split(".")[0], kind.__name__) in DRIVER_UNAVAILABLE


def _empty_pool() -> None:
    """Drop pooled connections, so the next run opens new ones (a pooled SQLite connection keeps a moved file)."""
    try:
        get_engine().dispose()
    except Exception:  # the engine itself could not be made: nothing is pooled
        log.debug("no engine to dispose", exc_info=True)


@contextmanager
def database_guard() -> Iterator[None]:
    """Run a script run's body; if the database is unreachable, say so (translated, no trace) and offer a retry."""
    try:
        yield
    except Exception as exc:  # Streamlit's own rerun/stop signals are not database errors and pass through
        if not is_unavailable(exc):
            raise
        log.error("database unavailable: %s", exc, exc_info=True)
        _empty_pool()
        st.error(t("errors.database_unavailable"))
        st.button(t("errors.retry"), key=RETRY_KEY, icon=":material/refresh:")  # a click reruns the script
