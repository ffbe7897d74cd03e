"""The pages' one seam to data: cached fetches and measure computations, keyed by every input they depend on.

Aggregate measures are the same for every signed-in role (numbers, not cases), so their cache entries are shared;
anything case-level takes the user's Scope as an argument and is checked in data/ where it is read.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data import queries
from data.engine import database_url
from metrics import scorecard as scorecards
from metrics.catalogue import Catalogue, load_catalogue
from metrics.measures import Prepared, compute, prepare
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


@st.cache_resource(ttl=TTL, max_entries=8, show_spinner=False)
def prepared_frames(db: str, as_of: dt.date, start: dt.date, end: dt.date, by: str | None) -> Prepared:
    """Every source frame for [start, end], prepared once (entitlement states at as-of) and shared read-only."""
    frames = queries.metric_frames(get_engine(), start, end, as_of=as_of)
    return prepare(frames, catalogue(), as_of=as_of, start=start, end=end, by=by)


@st.cache_data(ttl=TTL, show_spinner=False)
def targets(db: str) -> pd.DataFrame:
    """Targets set by analysts (they override the catalogue defaults)."""
    return queries.targets_frame(get_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def all_scorecards(db: str, as_of: dt.date) -> pd.DataFrame:
    """Every portfolio's scorecard at the as-of date (rolling 12 months, 36-month SPC series)."""
    start, end = scorecards.window(as_of)
    prepared = prepared_frames(db, as_of, start.date(), end.date(), None)
    return scorecards.all_scorecards(prepared, catalogue(), targets=targets(db))


@st.cache_data(ttl=TTL, show_spinner=False)
def measure_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    by: str | None = None,
    monthly: bool = False,
) -> pd.DataFrame:
    """Tidy measure rows for the period [start, end] (and each of its months when `monthly`), cut `by` a column."""
    prepared = prepared_frames(db, as_of, start, end, by)
    periods = [Period(start, end, "custom")]
    if monthly:
        periods += months(start, end)
    return compute(
        prepared, catalogue(), periods=periods, portfolio=portfolio, metric_ids=list(metric_ids), targets=targets(db)
    )


def monthly_series(db: str, as_of: dt.date, portfolio: str, metric_id: str, months_back: int = 36) -> pd.DataFrame:
    """A measure's monthly rows over the scorecard window (for its SPC chart), oldest first."""
    start, end = scorecards.window(as_of, months_back)
    rows = measure_rows(db, as_of, start.date(), end.date(), portfolio, (metric_id,), None, True)
    rows = rows.loc[(rows["period_kind"] == "month") & (rows["group_value"] == "all")]
    return rows.sort_values("period_start").reset_index(drop=True)
