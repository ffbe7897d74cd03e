"""The guard around every script run: when the database cannot be reached (stopped, restarted, file gone), the user
sees a translated message and a "Try again" button instead of a stack trace, the pool is emptied so the next run
connects afresh, and the app recovers by itself once the database is back. The engine itself is cached by
auth/engine.py (re-exported here for the pages).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from auth.engine import get_engine
from config.i18n import t
from data.engine import is_unavailable

__all__ = ["database_guard", "get_engine", "is_unavailable"]

log = logging.getLogger(__name__)

RETRY_KEY = "vsd_db_retry"


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
