"""Witness care and special measures: every WCU_* and SM_* measure with interval, target, RAG and SPC; drill into one.

Links: ?measure=SM_TIMELY&cut=unit opens a measure cut by unit.
"""

import logging

import streamlit as st

from auth import gate
from config.i18n import format_date, t
from ui import data
from ui.filters import CUTS, period_picker
from ui.measure_panel import measure_panel
from ui.measure_views import cut_section, measure_table, param_select, period_rows, read_portfolio, spc_status
from ui.tables import table_alternative

log = logging.getLogger(__name__)
AREAS = ("witness_care", "special_measures")

scope = gate.require_page("witness_care")
st.title(t("pages.witness_care"))
db = data.db_key()
as_of = data.as_of_date(db)
if as_of is None:
    st.info(t("read_pages.no_data"))
    st.stop()
portfolio = read_portfolio(scope, "witness_care")
if portfolio is None:
    st.info(t("read_pages.no_portfolios"))
    st.stop()
period = period_picker(as_of)
catalogue = data.catalogue()
measures = tuple(m.id for m in catalogue.all_measures if m.area in AREAS)
names = {m: catalogue.measure(m).name for m in measures}
st.caption(
    t(
        "read_pages.intro",
        portfolio=catalogue.portfolio(portfolio).name,
        period=period.label(),
        as_of=format_date(as_of),
    )
)

try:
    rows = period_rows(db, as_of, period.start, period.end, portfolio, measures)
    status = spc_status(db, as_of, portfolio, measures)
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
    cut_section(period, portfolio, metric_id, cut, key="wc_cut_table")
except Exception:
    log.exception("witness care %s by %s failed", metric_id, cut)
    st.error(t("errors.compute_failed"))
measure_panel(metric_id, portfolio, scope)
