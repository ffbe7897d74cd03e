"""Connect Gwent referrals split by source (police, self, partner) per month: the CG_REFERRALS count, by source.

The split is counted by results.referrals from the same prepared rows the engine counts CG_REFERRALS from.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from charts.public import monthly_volumes
from config.i18n import current_language, format_number, t
from results import referrals
from ui import results_cache
from ui.formatting import translate
from ui.measure_views import show_chart, value_label
from ui.tables import table_alternative


def referrals_by_source(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, portfolio: str, filters: tuple = ()
) -> pd.DataFrame:
    """Referrals per month and source over [start, end] for the portfolio's cohort (as CG_REFERRALS counts them)."""
    return _referrals_by_source(db, as_of, start, end, portfolio, tuple(filters), results_cache.sources_version(db))


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def _referrals_by_source(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, portfolio: str, filters: tuple, version: tuple
) -> pd.DataFrame:
    ready = results_cache.prepared_frames(db, as_of, start, end, None, filters)
    return referrals.by_source(ready, results_cache.catalogue(), portfolio)


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
