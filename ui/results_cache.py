"""The pages' one seam to data: cached fetches and measure computations, keyed by every input they depend on.

Aggregate measures are the same for every signed-in role (numbers, not cases), so their cache entries are shared;
anything case-level takes the user's Scope as an argument and is checked in data/ where it is read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from data import queries
from data import snapshot as snapshots
from data import targets as target_store
from data.engine import database_url
from metrics import scorecard as scorecards
from metrics.catalogue import Catalogue, load_catalogue
from metrics.measures import Prepared, compute, filter_judged, prepare
from metrics.periods import Period, months
from ui.db import get_engine

TTL = 15 * 60


def catalogue() -> Catalogue:
    """The validated metric catalogue (cached by the loader on the file's modification time)."""
    return load_catalogue()


def db_key() -> str:
    """The database the cache entries belong to (the URL, so two databases never share an entry)."""
    return database_url()


@st.cache_data(ttl=TTL, show_spinner=False)
def as_of_date(db: str) -> dt.date | None:
    """The as-of date of the latest successful load."""
    return queries.latest_as_of(get_engine())


Filters = tuple[tuple[str, str], ...]  # (column, value) pairs narrowing every number (ui.filters.filter_pickers)


def sources_version(db: str) -> tuple:
    """A fingerprint of every source the measures read: the loads (what loaded data may have changed) and the rows
    the app edits (actions, findings, feedback). Two small queries, run on every call, so an edit or a load from any
    session or process shows at once in every cached computation keyed by it."""
    engine = get_engine()
    return snapshots.loads_version(engine), queries.live_version(engine)


def data_version(db: str) -> tuple:
    """The key of every cached measure computation: the sources' fingerprint and the targets'."""
    return sources_version(db), target_store.targets_version(get_engine())


def prepared_frames(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, by: str | None, filters: Filters = ()
) -> Prepared:
    """Every source frame for [start, end], prepared once (entitlement states at as-of) and shared read-only,
    narrowed to the victims matching `filters`; keyed by the sources' fingerprint (sources_version)."""
    return _prepared_frames(db, as_of, start, end, by, sources_version(db), tuple(filters))


@st.cache_resource(ttl=TTL, max_entries=8, show_spinner=False)
def _prepared_frames(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, by: str | None, version: tuple, filters: Filters = ()
) -> Prepared:
    # From the metrics snapshot when the window lies in it (data/snapshot.py: read from var/cache/, or built from the
    # database and written there once), else fetched for this window alone. Filters narrow the judged rows first.
    # The scorecard window with no cut and no filter (the landing page) has its frames stored ready in the snapshot.
    engine = get_engine()
    if by is None and not filters and (pd.Timestamp(start), pd.Timestamp(end)) == scorecards.window(as_of):
        prepared = snapshots.scorecard_prepared(engine, catalogue(), as_of)
        if prepared is not None:
            return prepared
    snapshot = _snapshot(db, as_of, version[0])
    if filters:
        snapshot = dataclasses.replace(snapshot, judged=filter_judged(snapshot.judged, catalogue(), dict(filters)))
    prepared = snapshots.prepared_from(snapshot, engine, catalogue(), start=start, end=end, by=by)
    if prepared is not None:
        return prepared
    frames = queries.metric_frames(engine, start, end, as_of=as_of)
    return prepare(frames, catalogue(), as_of=as_of, start=start, end=end, by=by, filters=dict(filters))


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


@st.cache_resource(ttl=TTL, max_entries=1, show_spinner=False)
def _snapshot(db: str, as_of: dt.date, loads: str) -> snapshots.Snapshot:
    """The judged per-row frames at the as-of date (a few hundred MB at a million victims): one copy per process."""
    return snapshots.current_snapshot(get_engine(), catalogue(), as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def targets(db: str, version: tuple | None = None) -> pd.DataFrame:
    """Targets set by analysts (they override the catalogue defaults), as they were at `version`."""
    return queries.targets_frame(get_engine())


def all_scorecards(db: str, as_of: dt.date) -> pd.DataFrame:
    """Every portfolio's scorecard at the as-of date (rolling 12 months, 36-month SPC series), current targets."""
    return _all_scorecards(db, as_of, data_version(db))


@st.cache_data(ttl=TTL, show_spinner=False)
def _all_scorecards(db: str, as_of: dt.date, version: tuple) -> pd.DataFrame:
    start, end = scorecards.window(as_of)
    prepared = prepared_frames(db, as_of, start.date(), end.date(), None)
    return scorecards.all_scorecards(prepared, catalogue(), targets=targets(db, version))


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
    narrowed by `filters`."""
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
    prepared = prepared_frames(db, as_of, start, end, by, filters)
    periods = [Period(start, end, "custom")]
    if monthly:
        periods += months(start, end)
    return compute(
        prepared,
        catalogue(),
        periods=periods,
        portfolio=portfolio,
        metric_ids=list(metric_ids),
        targets=targets(db, version),
    )


def monthly_series(
    db: str, as_of: dt.date, portfolio: str, metric_id: str, months_back: int = 36, filters: Filters = ()
) -> pd.DataFrame:
    """A measure's monthly rows over the scorecard window (for its SPC chart), oldest first."""
    start, end = scorecards.window(as_of, months_back)
    rows = measure_rows(db, as_of, start.date(), end.date(), portfolio, (metric_id,), None, True, filters)
    rows = rows.loc[(rows["period_kind"] == "month") & (rows["group_value"] == "all")]
    return rows.sort_values("period_start").reset_index(drop=True)
