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
from ui.measure_views import rates_frame, rates_section, show_chart, value_label
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


def need_ids() -> tuple[str, ...]:
    """The CG_NEED_<NEED> measures of the catalogue (one per category of need, STATUTORY.md §6)."""
    return tuple(m.id for m in results_cache.catalogue().all_measures if m.source == "referral_needs")


def needs_section(rows: pd.DataFrame, *, loaded: bool, period_label: str) -> None:
    """Outcomes across the categories of need: met or improved at closure, with 95% intervals against the target, as
    a chart and its table; "no data loaded" (never 0%) when no needs file has been loaded."""
    if not loaded:
        st.info(t("connect_gwent.needs_no_data"))
        return
    wanted = rows.loc[rows["metric_id"].isin(need_ids())].reset_index(drop=True)
    catalogue = results_cache.catalogue()
    by_code = {f"CG_NEED_{n.code.upper()}": n for n in catalogue.needs}
    welsh = current_language() == "cy"
    labels = [(by_code[m].name_cy if welsh else by_code[m].name) if m in by_code else m for m in wanted["metric_id"]]
    rates_section(
        rates_frame(wanted, labels),
        title=t("connect_gwent.needs_chart", period=period_label),
        caption=t("connect_gwent.needs_caption", period=period_label),
        label_heading=t("connect_gwent.need"),
        key="cg_needs_table",
    )
    shown = wanted.loc[~wanted["suppressed"].astype(bool)]
    if len(shown):
        lowest = shown.sort_values("value", kind="stable").iloc[0]
        name = labels[int(lowest.name)]
        st.markdown(t("connect_gwent.needs_lowest", need=name, value=f"{lowest['value'] * 100:.0f}%"))
