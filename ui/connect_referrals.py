"""Connect Gwent referrals split by source (police, self, partner) per month: the CG_REFERRALS count, by source.

The measure engine cuts by victim attributes only (METRICS.md §3), not by referral source, so the split is counted
here from the same prepared referral rows the engine counts (same window, as-of date, cohort and month), which keeps
each month's sources adding up to CG_REFERRALS.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from charts.public import monthly_volumes
from config.i18n import current_language, format_number, t
from metrics.measures import cohort_mask
from metrics.measures_base import month_column
from ui import data
from ui.measure_panel import translate
from ui.measure_views import show_chart, value_label
from ui.tables import table_alternative

MEASURE = "CG_REFERRALS"
SOURCES = ("police", "self", "partner")


def count_by_source(referrals: pd.DataFrame, cohort: dict, month_col: str) -> pd.DataFrame:
    """Referrals in the window counted per month and source for a cohort: month, source, count (zeros included)."""
    columns = ["month", "source", "count"]
    if referrals is None or referrals.empty:
        return pd.DataFrame(columns=columns)
    rows = referrals.loc[cohort_mask(referrals, cohort)] if cohort else referrals
    rows = rows.loc[rows[month_col].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    sources = list(dict.fromkeys([*SOURCES, *sorted(rows["source"].astype(str).unique())]))
    counts = pd.crosstab(rows[month_col], rows["source"].astype(str)).reindex(columns=sources, fill_value=0)
    months = pd.date_range(rows[month_col].min(), rows[month_col].max(), freq="MS")
    counts = counts.reindex(months, fill_value=0)
    tidy = counts.rename_axis(index="month", columns="source").stack().rename("count").reset_index()
    return tidy.astype({"count": int})[columns]


def referrals_by_source(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, portfolio: str, filters: tuple = ()
) -> pd.DataFrame:
    """Referrals per month and source over [start, end] for the portfolio's cohort (as CG_REFERRALS counts them)."""
    return _referrals_by_source(db, as_of, start, end, portfolio, tuple(filters), data.sources_version(db))


@st.cache_data(ttl=data.TTL, show_spinner=False)
def _referrals_by_source(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, portfolio: str, filters: tuple, version: tuple
) -> pd.DataFrame:
    catalogue = data.catalogue()
    prepared = data.prepared_frames(db, as_of, start, end, None, filters)
    referrals = prepared.frames.get(catalogue.measure(MEASURE).source)
    cohort = catalogue.portfolio(portfolio).cohort
    return count_by_source(referrals, cohort, month_column(catalogue.measure(MEASURE).period_date))


def source_section(counts: pd.DataFrame, *, period_label: str) -> None:
    """Referrals by source: monthly stacked bars, then a month × source table with totals."""
    if counts.empty:
        st.info(t("connect_gwent.no_referrals"))
        return
    labelled = counts.assign(source=counts["source"].map(lambda s: value_label("source", s)))
    title = t("connect_gwent.sources_chart", period=period_label)
    show_chart(
        lambda: monthly_volumes(
            labelled,
            "source",
            title=title,
            legend_title=t("connect_gwent.source"),
            stacked=True,
            translate=translate(),
            lang=current_language(),
        ),
        title,
    )
    table = labelled.pivot_table(index="month", columns="source", values="count", aggfunc="sum", sort=False)
    table = table.reindex(columns=list(dict.fromkeys(labelled["source"]))).fillna(0).astype(int)
    table[t("connect_gwent.total")] = table.sum(axis=1)
    table.index = [stamp.strftime("%Y-%m") for stamp in pd.to_datetime(table.index)]
    table = table.rename_axis(index=t("chart.month"), columns=None).reset_index()
    totals = counts.groupby("source")["count"].sum()
    st.markdown(
        t(
            "connect_gwent.sources_summary",
            total=format_number(int(totals.sum())),
            self=format_number(int(totals.get("self", 0))),
        )
    )
    table_alternative(table, t("connect_gwent.sources_caption"), key="cg_sources_table")
