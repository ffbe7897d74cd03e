"""Witness care and special measures: every WCU_* and SM_* measure with interval, target, RAG and SPC; drill into one.

Links: ?measure=SM_TIMELY&cut=unit opens a measure cut by unit.
"""

import logging

import streamlit as st

from config.i18n import t
from ui import results_cache
from ui.filters import CUTS
from ui.measure_panel import measure_panel
from ui.measure_views import cut_section, measure_table, open_read_page, param_select
from ui.names import measure_names
from ui.results_cache import period_rows, spc_status
from ui.tables import table_alternative

log = logging.getLogger(__name__)
AREAS = ("witness_care", "special_measures")

page = open_read_page("witness_care", "witness_care")
scope, db, as_of, portfolio, period = page.scope, page.db, page.as_of, page.portfolio, page.period
filters = page.filters
catalogue = results_cache.catalogue()
measures = tuple(m.id for m in catalogue.all_measures if m.area in AREAS)
names = measure_names(measures)

try:
    rows = period_rows(db, as_of, period.start, period.end, portfolio, measures, filters)
    status = spc_status(db, as_of, portfolio, measures, filters)
except Exception:
    log.exception("witness care measures failed")
    st.error(t("errors.compute_failed"))
    st.stop()

for area in AREAS:
    mine = rows.loc[rows["metric_id"].map(lambda m: catalogue.measure(m).area) == area].reset_index(drop=True)
    st.subheader(t(f"witness_care.sections.{area}"))
    table_alternative(measure_table(mine, status), t("read_pages.table_caption"), key=f"wc_table_{area}")

st.header(t("read_pages.drill_title"))
left, right = st.columns(2)
with left:
    metric_id = param_select(t("read_pages.measure"), measures, "measure", measures[0], "wc_measure", names.get)
with right:
    cut = param_select(t("read_pages.cut"), CUTS, "cut", "area", "wc_cut", lambda c: t(f"cuts.{c}"))
try:
    cut_section(period, portfolio, metric_id, cut, key="wc_cut_table", filters=filters)
except Exception:
    log.exception("witness care %s by %s failed", metric_id, cut)
    st.error(t("errors.compute_failed"))
measure_panel(metric_id, portfolio, scope, filters=filters, month_click=True)
