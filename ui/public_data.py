"""The public outcomes page's seam to police.uk data: its own window and as-of date, PUB_* measures, volumes, outcomes.

police.uk open data is published months behind the force's own extracts, so this page reads it in its own window: its
as-of date is the end of the latest police.uk month loaded, not the as-of date of the victims' data.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from config.i18n import t
from data import queries
from data import snapshot as snapshots
from metrics.measures import Prepared
from metrics.measures_base import month_column
from results import public
from results import spc as spcs
from results.public import MEASURES, SOURCE
from ui import results_cache
from ui.db import get_engine
from ui.filters import add_months, month_end

__all__ = ["MEASURES", "SOURCE"]
SERIES_MONTHS = 36
# Every month police.uk could have published: there is no query for the loaded months alone, so the window of what is
# loaded is read from the rows themselves (a few hundred thousand at most for one force).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def street_rows(db: str) -> pd.DataFrame:
    """Every police.uk street row loaded (crime_id, month, file_month, local_authority, crime_type, last_outcome)."""
    return _street_rows(db, snapshots.loads_version(get_engine()))


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def _street_rows(db: str, loads: str) -> pd.DataFrame:
    """As street_rows, as loaded when the loads' fingerprint was `loads` (a new load gives a new entry)."""
    return queries.policeuk_frame(get_engine(), EARLIEST, LATEST)


def loaded_window(street: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """The first day of the earliest month and the last day of the latest month loaded (None when nothing is)."""
    if street.empty:
        return None
    first = pd.Timestamp(f"{street['month'].astype(str).min()}-01").date()
    last = pd.Timestamp(f"{street['file_month'].astype(str).max()}-01").date()
    return first, month_end(last)


def public_window(db: str) -> tuple[dt.date, dt.date] | None:
    """(first day, as-of date) of the police.uk data loaded; the as-of date is the end of its latest month."""
    return _public_window(db, snapshots.loads_version(get_engine()))


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def _public_window(db: str, loads: str) -> tuple[dt.date, dt.date] | None:
    return loaded_window(_street_rows(db, loads))


@st.cache_resource(ttl=results_cache.TTL, max_entries=4, show_spinner=False)
def _prepared(db: str, loads: str, as_of: dt.date, start: dt.date, end: dt.date, by: str | None) -> Prepared:
    return public.public_prepared(_street_rows(db, loads), results_cache.catalogue(), as_of, start, end, by)


def public_prepared(db: str, start: dt.date, end: dt.date, by: str | None) -> Prepared:
    """The police.uk crimes prepared for [start, end] at the police.uk as-of date, shared read-only.

    Keyed by the loads' fingerprint, so a newly loaded or reloaded month is never answered from older frames.
    """
    loads = snapshots.loads_version(get_engine())
    _, as_of = _public_window(db, loads)
    return _prepared(db, loads, as_of, start, end, by)


def public_rows(db: str, start: dt.date, end: dt.date, by: str | None = None, monthly: bool = False) -> pd.DataFrame:
    """PUB_* measure rows for [start, end] (and each of its months when `monthly`), optionally cut `by` area."""
    return _public_rows(db, start, end, by, monthly, results_cache.data_version(db))


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def _public_rows(db: str, start: dt.date, end: dt.date, by: str | None, monthly: bool, version: tuple) -> pd.DataFrame:
    ready = public_prepared(db, start, end, by)
    return public.public_rows(ready, results_cache.catalogue(), start, end, monthly=monthly,
                              targets=results_cache.targets(db, version))  # fmt: skip


def public_period_rows(db: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """PUB_* headline rows with the change on the same months a year before, when those months are all loaded."""
    first, _ = public_window(db)
    return public.public_with_change(lambda a, b: public_rows(db, a, b), results_cache.catalogue(), first, start, end)


def series_window(db: str) -> tuple[dt.date, dt.date]:
    """The months of the SPC series: up to 36 loaded months ending at the police.uk as-of date."""
    first, as_of = public_window(db)
    return max(first, add_months(as_of, -(SERIES_MONTHS - 1))), as_of


def monthly_series(db: str, metric_id: str) -> pd.DataFrame:
    """A PUB_* measure's monthly rows over the series window, oldest first."""
    start, end = series_window(db)
    rows = public_rows(db, start, end, None, True)
    rows = rows.loc[(rows["period_kind"] == "month") & (rows["metric_id"] == metric_id)]
    return rows.sort_values("period_start").reset_index(drop=True)


def series_spc(series: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    """The XmR frame of a PUB_* measure's monthly rows (results.spc)."""
    return spcs.series_spc(series, metric_id, results_cache.catalogue())


def spc_table(charts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Variation and assurance of each PUB_* measure's XmR frame."""
    return spcs.status_of(charts)


def crimes_in(prepared: Prepared) -> pd.DataFrame:
    """The crimes counted in the prepared window (one row each): month, area, crime_type, last_outcome."""
    frame = prepared.frames[SOURCE]
    month = month_column(results_cache.catalogue().measure(MEASURES[0]).period_date)
    rows = frame.loc[frame[month].notna()]
    # A blank stays "" (not dropped), so that every breakdown adds up to PUB_CRIMES; blank_label() names it.
    text = {
        c: rows[c].astype("string").fillna("").str.strip().to_numpy() for c in ("area", "crime_type", "last_outcome")
    }
    return pd.DataFrame({"month": rows[month].to_numpy(), **text})


def blank_label(counts: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counts with a blank location or crime type named in words (police.uk leaves some crimes without a location)."""
    return counts.assign(**{column: counts[column].where(counts[column] != "", t("public_outcomes.no_location"))})


def monthly_counts(crimes: pd.DataFrame, column: str) -> pd.DataFrame:
    """Crimes per month and value of `column` (month, <column>, count), largest first within a month."""
    counts = crimes.groupby(["month", column]).size().rename("count").reset_index()
    return counts.sort_values(["month", "count"], ascending=[True, False], kind="stable").reset_index(drop=True)


def outcome_counts_of(crimes: pd.DataFrame) -> pd.DataFrame:
    """Crimes by last outcome category (blank: no outcome recorded yet), largest first."""
    outcome = crimes["last_outcome"].where(crimes["last_outcome"] != "", t("public_outcomes.no_outcome"))
    counts = outcome.value_counts().rename_axis("outcome").rename("count").reset_index()
    return counts.sort_values(["count", "outcome"], ascending=[False, True], kind="stable").reset_index(drop=True)


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def volumes(db: str, start: dt.date, end: dt.date, column: str) -> pd.DataFrame:
    """Crimes per month by crime type or local authority (`area`) over [start, end]."""
    return monthly_counts(crimes_in(public_prepared(db, start, end, None)), column)


def outcomes(db: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Crimes by last outcome category over [start, end]."""
    return outcome_counts_of(crimes_in(public_prepared(db, start, end, None)))


def volumes_table(counts: pd.DataFrame, column: str, heading: str) -> pd.DataFrame:
    """Monthly counts as a table: one row per category, one column per month, and the total."""
    table = counts.pivot_table(index=column, columns="month", values="count", aggfunc="sum", fill_value=0)
    table.columns = [pd.Timestamp(c).strftime("%Y-%m") for c in table.columns]
    table[t("public_outcomes.total")] = table.sum(axis=1)
    table = table.sort_values(t("public_outcomes.total"), ascending=False, kind="stable")
    return table.rename_axis(heading).reset_index()
