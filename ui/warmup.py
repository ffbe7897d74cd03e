"""Warm a new server process when it starts, so its first visitor waits for neither imports nor scorecards.

A cold process pays on its first runs for importing the sign-in gate and the pages (streamlit-authenticator,
Altair, the charts, the measure panel), reading the translations and the catalogue, making the database engine, and
computing every scorecard (BENCHMARKS.md, Pages). All of it is the same for every user, so it is done at start, by
Streamlit's own start-up hook: `streamlit run app.py` finds the `st.App` in app.py and runs its lifespan
(`at_start`) once the runtime is up and before the first request is served. It

- imports every module app.py and the page scripts import (STARTUP_MODULES), registers the custom components they
  declare, reads the translations and the catalogue, makes (and migrates) the engine and freezes what it made out of
  the garbage collector's sight: synchronously, about 3 s of one core, while nobody is waiting, so the first sign-in
  page run costs what any later one does;
- then computes every scorecard (`warm`), still before the first request (1-3 s at 200,000 victims): the first
  visitors neither wait for them nor share the two cores with them, and the landing page finds them done.

VSD_WARM_UP=0 turns the scorecards off (the unit tests do, so no thread outlives a test's database); the imports are
done either way. A process started without the hook (AppTest) computes them in a background thread after its first
script run instead (app.py calls `start()` after every run; a look-up once started; where the hook ran, that thread
only finds them cached). A run that needs them while that thread is still computing waits for its result (Streamlit
holds a lock per cache entry) rather than computing them twice.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import streamlit as st

# ui.results_cache (pandas, the data layer, Streamlit's caches) is imported where used: app.py imports this module to
# make the server, before Streamlit's runtime exists, and those imports belong after it (prepare()).

log = logging.getLogger(__name__)
# Every module the scripts Streamlit runs (app.py and app_pages/*.py) import, the page modules they lean on, and the
# parts of Streamlit loaded only when an element first needs them (st.table and st.dataframe go through Arrow).
# tests/test_warm_start.py fails when a script imports a module that importing these does not load.
STARTUP_MODULES = (
    "auth.gate", "auth.roles", "auth.sessions", "auth.users", "config.i18n", "config.logs", "config.safe_text",
    "charts.public", "charts.spc", "data.audit", "data.escalation", "data.feedback", "data.feedback_summary",
    "data.history", "data.ingest", "data.queries", "data.targets", "metrics.catalogue", "metrics.periods",
    "reports.exporting", "reports.safety", "rules.permissions", "rules.workflow",
    "ui.accountability", "ui.action_form", "ui.actions", "ui.as_of", "ui.board_view", "ui.commentary",
    "ui.connect_referrals", "ui.db", "ui.downloads", "ui.escalation", "ui.feedback", "ui.filters", "ui.findings",
    "ui.formatting", "ui.inspection_reports", "ui.language", "ui.measure_panel", "ui.measure_views", "ui.meeting",
    "ui.names", "ui.navigation", "ui.page_language", "ui.portfolios", "ui.public_data", "ui.results_cache",
    "ui.satisfaction", "ui.scorecard_table", "ui.tables", "ui.uploads", "ui.vcop", "ui.vcop_cases", "ui.vcop_quality",
    "altair", "pandas", "pyarrow", "streamlit.dataframe_util", "streamlit.elements.arrow",
)  # fmt: skip
# The modules a signed-in page imports that the sign-in page does not (the heaviest first).
PAGE_MODULES = ("altair", "charts.spc", "ui.measure_panel", "ui.scorecard_table", "ui.commentary", "ui.measure_views")
# Streamlit warns once per custom component declared outside a script run; `_register_components` handles those.
_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def enabled() -> bool:
    return os.environ.get("VSD_WARM_UP", "1").strip().lower() not in {"0", "false", "no", "off"}


def _register_components(modules: Iterable[str]) -> int:
    """Register the custom components these modules declared: Streamlit registers a component (so its files are
    served) only when it is declared inside a script run, and these were imported before any ran. The count."""
    from streamlit.components.v1.custom_component import CustomComponent
    from streamlit.runtime import get_instance

    registry = get_instance().component_registry
    components = {
        value.name: value
        for name in modules
        for value in list(vars(sys.modules.get(name) or object).values())
        if isinstance(value, CustomComponent)
    }
    for component in components.values():
        registry.register_component(component)
    return len(components)


def prepare() -> int:
    """What the first runs would otherwise pay for: import STARTUP_MODULES, register the custom components they
    declared, read the translations and the catalogue, make (and migrate) the engine. The number of modules imported
    (with what they import); quick when already done."""
    before = set(sys.modules)
    context_log = logging.getLogger(_CONTEXT_LOGGER)
    level = context_log.level
    context_log.setLevel(logging.ERROR)
    try:
        for name in STARTUP_MODULES:
            importlib.import_module(name)
    finally:
        context_log.setLevel(level)
    imported = set(sys.modules) - before
    _register_components(imported)

    from auth.engine import get_engine
    from config import i18n
    from ui import results_cache

    for lang in i18n.LANGUAGES:
        i18n.catalogue(lang)
        i18n.plural_category(1, lang)
    results_cache.catalogue()
    get_engine()
    # Streamlit collects garbage over the whole heap after every script run (runner.postScriptGC): with every module
    # loaded that is about 0.2 s of CPU per run, holding the GIL. What start-up made lives as long as the process, so
    # it is moved out of the collector's sight (gc.freeze, made for long-lived start-up objects); later runs collect
    # only what came after.
    gc.collect()
    gc.freeze()
    return len(imported)


def warm(db: str) -> int:
    """Import the page modules and compute every scorecard at the current as-of date; the scorecard rows made."""
    from ui import results_cache

    for name in PAGE_MODULES:
        importlib.import_module(name)
    as_of = results_cache.as_of_date(db)
    return 0 if as_of is None else len(results_cache.all_scorecards(db, as_of))


def _warm_quietly(db: str) -> None:
    try:
        began = time.perf_counter()
        rows = warm(db)
        log.info("warm-up done: %d scorecard rows cached in %.1f s", rows, time.perf_counter() - began)
    except Exception:  # noqa: BLE001  (a failed warm-up costs only speed: the page computes and reports itself)
        log.exception("warm-up failed")


@st.cache_resource(show_spinner=False)
def _started(db: str) -> threading.Thread:
    """One warm-up thread per process and database (cached, so later runs only look it up)."""
    thread = threading.Thread(target=_warm_quietly, args=(db,), name="vsd-warm-up", daemon=True)
    thread.start()
    return thread


def start() -> threading.Thread | None:
    """After a script run: the process's warm-up thread, started once (when enabled; None when off). Where the start-up
    hook ran it only finds the scorecards cached; elsewhere (AppTest) it computes them."""
    from ui import results_cache

    return _started(results_cache.db_key()) if enabled() else None


@asynccontextmanager
async def at_start(_app: object) -> AsyncIterator[None]:
    """The server's start-up hook (st.App's lifespan): prepare the process, then compute the scorecards.

    Runs once Streamlit's runtime has started (its caches are the ones the pages read) and before the first request
    is served. A failure is logged and costs only speed: the first run meets it again and reports it as usual (an
    unreachable database, say)."""
    from config.logs import setup_logging

    setup_logging()
    began, cpu = time.perf_counter(), time.process_time()
    try:
        modules = prepare()
        log.info(
            "warm start: %d modules imported, engine ready in %.1f s (%.1f s CPU)",
            modules, time.perf_counter() - began, time.process_time() - cpu,
        )  # fmt: skip
    except Exception:  # noqa: BLE001
        log.warning("warm start: could not prepare; the first page run will report why", exc_info=True)
    # The scorecards too, before the first request: computed in a thread after the first run instead, they shared
    # the two cores with the next visitors and their browsers (bench/bench_first_visit.py: the second visitor's
    # sign-in form 1.74 s and 1.4 s of server CPU, against 1.1 s and 0.2 s with them done; BENCHMARKS.md). A later
    # run's start() only finds them cached.
    if enabled():
        from ui import results_cache

        _warm_quietly(results_cache.db_key())
    else:
        log.info("warm start: scorecards not computed at start (VSD_WARM_UP=0)")
    yield
