"""Warm a fresh server process while its first visitor signs in.

A cold process pays twice on its first signed-in run: importing the page modules (Altair, the charts, the measure
panel: over half of the landing run at 200,000 victims) and computing every scorecard (BENCHMARKS.md, Pages). Both
are the same for every user, so the first run of any session in the process (normally the sign-in page) starts one
background thread that does them; by the time someone has typed a password the landing page finds them done. A run
that needs the scorecards while the thread is still computing waits for its result (Streamlit holds a lock per cache
entry) rather than computing them twice.

VSD_WARM_UP=0 turns it off (the unit tests do, so no thread outlives a test's database).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading

import streamlit as st

from ui import results_cache

log = logging.getLogger(__name__)
# The modules a signed-in page imports that the sign-in page does not (the heaviest first).
PAGE_MODULES = ("altair", "charts.spc", "ui.measure_panel", "ui.scorecard_table", "ui.commentary", "ui.measure_views")


def enabled() -> bool:
    return os.environ.get("VSD_WARM_UP", "1").strip().lower() not in {"0", "false", "no", "off"}


def warm(db: str) -> int:
    """Import the page modules and compute every scorecard at the current as-of date; the scorecard rows made."""
    for name in PAGE_MODULES:
        importlib.import_module(name)
    as_of = results_cache.as_of_date(db)
    return 0 if as_of is None else len(results_cache.all_scorecards(db, as_of))


def _warm_quietly(db: str) -> None:
    try:
        rows = warm(db)
        log.info("warm-up done: %d scorecard rows cached", rows)
    except Exception:  # noqa: BLE001  (a failed warm-up costs only speed: the page computes and reports itself)
        log.exception("warm-up failed")


@st.cache_resource(show_spinner=False)
def _started(db: str) -> threading.Thread:
    """One warm-up thread per process and database (cached, so later runs only look it up)."""
    thread = threading.Thread(target=_warm_quietly, args=(db,), name="vsd-warm-up", daemon=True)
    thread.start()
    return thread


def start() -> threading.Thread | None:
    """Start the process's warm-up once (when enabled); the thread, or None when warm-up is off."""
    return _started(results_cache.db_key()) if enabled() else None
