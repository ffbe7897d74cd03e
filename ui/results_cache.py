"""The app's cache over results/: every figure a page shows comes from results/, cached here by every input it
depends on (Streamlit's caches are shared across users, so nothing here reads the user).

Aggregate measures are the same for every signed-in role (numbers, not cases), so their cache entries are shared;
anything case-level takes the user's Scope as an argument and is checked in data/ where it is read.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from data import queries, spc_decisions
from data import snapshot as snapshots
from data import targets as target_store
from data.engine import database_url
from metrics.catalogue import Catalogue, load_catalogue
from metrics.measures import Prepared
from metrics.scorecard import window
from results import frames, measures, moj
from results import spc as spcs
from results.frames import Filters
from results.scorecards import Scorecards, scorecards
from ui.db import get_engine

__all__ = ["Filters"]
TTL = 15 * 60


def catalogue() -> Catalogue:
    """The validated metric catalogue (cached by the loader on the file's modification time)."""
    return load_catalogue()


def db_key() -> str:
    """The database the cache entries belong to (the URL, so two databases never share an entry)."""
    return database_url()


def as_of_date(db: str) -> dt.date | None:
    """The dashboard's as-of date (results.frames.as_of_date), keyed by the loads so a load shows at once."""
    return _as_of_date(db, snapshots.loads_version(get_engine()))


@st.cache_data(ttl=TTL, show_spinner=False)
def _as_of_date(db: str, loads: str) -> dt.date | None:
    return frames.as_of_date(get_engine())


def source_loads(db: str) -> pd.DataFrame:
    """Each source's latest load (as-of date, loaded at), shown beside the as-of date."""
    return _source_loads(db, snapshots.loads_version(get_engine()))


@st.cache_data(ttl=TTL, show_spinner=False)
def _source_loads(db: str, loads: str) -> pd.DataFrame:
    return frames.source_loads(get_engine())


def sources_version(db: str) -> tuple:
    """A fingerprint of every source the measures read: the loads (what loaded data may have changed) and the rows
    the app edits (actions, findings, feedback). Two small queries, run on every call, so an edit or a load from any
    session or process shows at once in every cached computation keyed by it."""
    engine = get_engine()
    return snapshots.loads_version(engine), queries.live_version(engine)


def data_version(db: str) -> tuple:
    """The key of every cached measure computation: the sources' fingerprint, the targets' and the recorded SPC
    decisions' (a rebase or annotation shows at once in every session)."""
    engine = get_engine()
    return sources_version(db), target_store.targets_version(engine), spc_decisions.decisions_version(engine)


@st.cache_data(ttl=TTL, show_spinner=False)
def decisions(db: str, version: tuple | None = None) -> spcs.Decisions:
    """The recorded SPC process changes and annotations, as they were at `version`."""
    return spcs.load_decisions(get_engine())


def prepared_frames(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, by: str | None, filters: Filters = ()
) -> Prepared:
    """Every source frame for [start, end], prepared once (results.frames.prepared) and shared read-only; keyed by
    the sources' fingerprint (sources_version)."""
    return _prepared_frames(db, as_of, start, end, by, sources_version(db), tuple(filters))


@st.cache_resource(ttl=TTL, max_entries=8, show_spinner=False)
def _prepared_frames(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, by: str | None, version: tuple, filters: Filters = ()
) -> Prepared:
    return frames.prepared(get_engine(), catalogue(), as_of, start, end, by=by, filters=filters,
                           snapshot=lambda: _snapshot(db, as_of, version[0]))  # fmt: skip


def filter_options(db: str, as_of: dt.date, columns: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The values each filter column takes among the victims at the as-of date (as cut groups label them)."""
    return _filter_options(db, as_of, tuple(columns), snapshots.loads_version(get_engine()))


@st.cache_data(ttl=TTL, show_spinner=False)
def _filter_options(db: str, as_of: dt.date, columns: tuple[str, ...], loads: str) -> dict[str, tuple[str, ...]]:
    victims = _snapshot(db, as_of, loads).judged.frames.get("victims")
    out = {}
    for column in columns:
        if victims is None or column not in victims.columns:
            out[column] = ()
            continue
        values = victims[column].dropna().unique()
        out[column] = tuple(sorted({str(v).lower() if isinstance(v, bool | np.bool_) else str(v) for v in values}))
    return out


def data_start(db: str, as_of: dt.date) -> dt.date:
    """The first day the loaded data covers: the earliest victim's report date (the snapshot holds every victim
    reported up to the as-of date), else the scorecard window's first day. Periods read from a link start no earlier."""
    return _data_start(db, as_of, snapshots.loads_version(get_engine()))


@st.cache_data(ttl=TTL, show_spinner=False)
def _data_start(db: str, as_of: dt.date, loads: str) -> dt.date:
    snapshot = _snapshot(db, as_of, loads)
    victims = snapshot.judged.frames.get("victims")
    first = None if victims is None or "reported_date" not in victims.columns else victims["reported_date"].min()
    return min(pd.Timestamp(window(as_of)[0] if first is None or pd.isna(first) else first).date(), as_of)


@st.cache_resource(ttl=TTL, max_entries=1, show_spinner=False)
def _snapshot(db: str, as_of: dt.date, loads: str) -> snapshots.Snapshot:
    """The metrics snapshot at the as-of date, one per process: each source's judged rows are read when first used
    (a few hundred MB in all at a million victims); cuts and filters over whole months read its small per-cut frames
    instead (data.snapshot.prepared_from)."""
    return snapshots.current_snapshot(get_engine(), catalogue(), as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def targets(db: str, version: tuple | None = None) -> pd.DataFrame:
    """Targets set by analysts (they override the catalogue defaults), as they were at `version`."""
    return queries.targets_frame(get_engine())


def scorecard_results(db: str, as_of: dt.date) -> Scorecards:
    """Every portfolio's scorecard at the as-of date with the XmR frame behind each row (results.scorecards);
    shared read-only."""
    return _scorecard_results(db, as_of, data_version(db))


@st.cache_resource(ttl=TTL, max_entries=4, show_spinner=False)
def _scorecard_results(db: str, as_of: dt.date, version: tuple) -> Scorecards:
    start, end = window(as_of)
    ready = prepared_frames(db, as_of, start.date(), end.date(), None)
    return scorecards(ready, catalogue(), targets=targets(db, version), decisions=decisions(db, version))


def all_scorecards(db: str, as_of: dt.date) -> pd.DataFrame:
    """Every portfolio's scorecard rows (a copy the caller may change)."""
    return scorecard_results(db, as_of).rows.copy()


def measure_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    by: str | None = None,
    monthly: bool = False,
    filters: Filters = (),
) -> pd.DataFrame:
    """Tidy measure rows for the period [start, end] (and each of its months when `monthly`), cut `by` a column,
    narrowed by `filters` (results.measures.measure_rows)."""
    return _measure_rows(
        db, as_of, start, end, portfolio, tuple(metric_ids), by, monthly, data_version(db), tuple(filters)
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def _measure_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    by: str | None,
    monthly: bool,
    version: tuple,
    filters: Filters = (),
) -> pd.DataFrame:
    ready = prepared_frames(db, as_of, start, end, by, filters)
    return measures.measure_rows(ready, catalogue(), start=start, end=end, portfolio=portfolio, metric_ids=metric_ids,
                                 monthly=monthly, targets=targets(db, version))  # fmt: skip


def monthly_series(
    db: str, as_of: dt.date, portfolio: str, metric_id: str, months_back: int = 36, filters: Filters = ()
) -> pd.DataFrame:
    """A measure's monthly rows over the scorecard window (for its SPC chart), oldest first."""
    start, end = window(as_of, months_back)
    rows = measure_rows(db, as_of, start.date(), end.date(), portfolio, (metric_id,), None, True, filters)
    return measures.monthly_series(rows)


def series_spc(db: str, as_of: dt.date, portfolio: str, metric_id: str, filters: Filters = ()):
    """A measure's monthly series over the scorecard window and its XmR frame: the scorecard's own when there is no
    filter and the measure is on the portfolio's scorecard (so the chart is the one its icon describes), else
    computed for the filtered series by results.spc."""
    if not filters:
        card = scorecard_results(db, as_of)
        frame, series = card.chart(portfolio, metric_id), card.series(portfolio, metric_id)
        if frame is not None and series is not None:
            return series, frame
    series = monthly_series(db, as_of, portfolio, metric_id, filters=filters)
    chosen = decisions(db, data_version(db))
    return series, spcs.series_spc(series, metric_id, catalogue(), decisions=chosen, portfolio_id=portfolio)


def period_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    filters: Filters = (),
) -> pd.DataFrame:
    """Each measure over [start, end] for the portfolio's cohort, with its change on the same months a year before."""
    return _period_rows(db, as_of, start, end, portfolio, tuple(metric_ids), data_version(db), tuple(filters))


@st.cache_data(ttl=TTL, show_spinner=False)
def _period_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    version: tuple,
    filters: Filters = (),
) -> pd.DataFrame:
    return measures.period_with_change(
        lambda first, last: prepared_frames(db, as_of, first, last, None, filters), catalogue(), as_of=as_of,
        start=start, end=end, portfolio=portfolio, metric_ids=metric_ids, targets=targets(db, version),
    )  # fmt: skip


def spc_status(
    db: str, as_of: dt.date, portfolio: str, metric_ids: tuple[str, ...], filters: Filters = ()
) -> pd.DataFrame:
    """Each measure's SPC variation and assurance over the 36 monthly points of the scorecard window."""
    return _spc_status(db, as_of, portfolio, tuple(metric_ids), data_version(db), tuple(filters))


@st.cache_data(ttl=TTL, show_spinner=False)
def _spc_status(
    db: str, as_of: dt.date, portfolio: str, metric_ids: tuple[str, ...], version: tuple, filters: Filters = ()
) -> pd.DataFrame:
    start, end = window(as_of)
    rows = measure_rows(db, as_of, start.date(), end.date(), portfolio, metric_ids, None, True, filters)
    return spcs.status(measures.monthly_series(rows), metric_ids, catalogue(), decisions=decisions(db, version),
                       portfolio_id=portfolio)  # fmt: skip


def moj_return(db: str, as_of: dt.date, portfolio: str, metric_ids: tuple[str, ...], filters: Filters = ()):
    """The MoJ return's quarters (results.moj) from the scorecard window's months: (quarters, pooled rows)."""
    quarters = moj.last_quarters(as_of)
    start, end = window(as_of)
    monthly = measure_rows(db, as_of, start.date(), end.date(), portfolio, tuple(metric_ids), None, True, filters)
    return quarters, moj.quarterly(monthly, quarters, catalogue())
