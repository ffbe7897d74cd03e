"""Public outcomes: police.uk open data (crime volumes and outcome categories by month, crime type and local
authority) as context for attrition, read in the police.uk data's own window, with SPC of the monthly measures."""

import logging

import pandas as pd
import streamlit as st

from auth import gate
from charts.public import monthly_volumes, outcome_shares
from config.i18n import current_language, format_date, format_number, t
from ui import results_cache
from ui.filters import period_picker
from ui.formatting import format_value, translate
from ui.measure_panel import definition_panel
from ui.measure_views import measure_table, monthly_spc, show_chart
from ui.names import measure_name
from ui.public_data import (
    MEASURES,
    blank_label,
    monthly_series,
    outcomes,
    public_period_rows,
    public_window,
    series_spc,
    spc_table,
    volumes,
    volumes_table,
)
from ui.tables import table_alternative

log = logging.getLogger(__name__)

scope = gate.require_page("public_outcomes")
st.title(t("pages.public_outcomes"))
db = results_cache.db_key()
try:
    window = public_window(db)
except Exception:
    log.exception("police.uk window failed")
    st.error(t("errors.compute_failed"))
    st.stop()
if window is None:
    st.info(t("public_outcomes.no_data"))
    st.caption(t("public_outcomes.ogl"))
    st.stop()
first, as_of = window
period = period_picker(as_of, earliest=first)
start, end = max(period.start, first), period.end
if start > end:
    st.info(t("public_outcomes.no_data_in_period"))
    st.stop()
period_label = t("filters.period_label", start=format_date(start), end=format_date(end))
st.caption(
    t(
        "public_outcomes.intro",
        first=format_date(first, style="month"),
        last=format_date(as_of, style="month"),
        period=period_label,
    )
)

try:
    rows = public_period_rows(db, start, end)
    series = {metric_id: monthly_series(db, metric_id) for metric_id in MEASURES}
    charts = {metric_id: series_spc(series[metric_id], metric_id) for metric_id in MEASURES}
    status = spc_table(charts)
    by_type = volumes(db, start, end, "crime_type")
    by_area = volumes(db, start, end, "area")
    outcome_counts = outcomes(db, start, end)
except Exception:
    log.exception("police.uk measures failed")
    st.error(t("errors.compute_failed"))
    st.stop()

st.subheader(t("public_outcomes.measures_title"))
table_alternative(measure_table(rows, status), t("public_outcomes.measures_caption"), key="pub_measures_table")

st.header(t("public_outcomes.volumes_title"))
for column, heading, key in (
    ("crime_type", t("public_outcomes.crime_type"), "pub_by_type"),
    ("area", t("public_outcomes.local_authority"), "pub_by_area"),
):
    counts = blank_label(by_type if column == "crime_type" else by_area, column)
    title = t("public_outcomes.volumes_chart", by=heading, period=period_label)
    show_chart(
        lambda counts=counts, column=column, heading=heading, title=title: monthly_volumes(
            counts, column, title=title, legend_title=heading, translate=translate(), lang=current_language()
        ),
        title,
    )
    table_alternative(volumes_table(counts, column, heading), t("public_outcomes.volumes_caption", by=heading), key=key)

st.header(t("public_outcomes.outcomes_title"))
total = int(outcome_counts["count"].sum())
outcomes_title = t("public_outcomes.outcomes_chart", period=period_label)
show_chart(
    lambda: outcome_shares(outcome_counts, title=outcomes_title, category="outcome", translate=translate()),
    outcomes_title,
)
table_alternative(
    pd.DataFrame(
        {
            t("public_outcomes.outcome"): outcome_counts["outcome"],
            t("chart.count"): outcome_counts["count"],
            t("chart.share"): [format_value(c / total, "rate") for c in outcome_counts["count"]],
        }
    ),
    t("public_outcomes.outcomes_caption", total=format_number(total)),
    key="pub_outcomes_table",
)

st.header(t("public_outcomes.spc_title"))
catalogue = results_cache.catalogue()
for metric_id in MEASURES:
    name = measure_name(metric_id)
    st.subheader(name)
    definition_panel(metric_id)
    monthly_spc(series[metric_id], charts[metric_id], metric_id, name, key=f"pub_spc_{metric_id}")

st.divider()
st.caption(t("public_outcomes.ogl"))
