"""Connect Gwent: referrals by source (self-referrals too), first contact within 2 working days, needs assessed,
support accepted and cope-and-recover outcomes, with SPC; drill into one measure.

Links: ?measure=CG_CONTACT_2WD&cut=area opens first contact by area.
"""

import logging

import streamlit as st

from config.i18n import t
from ui import results_cache
from ui.connect_referrals import needs_section, referrals_by_source, source_section
from ui.filters import CUTS
from ui.measure_panel import measure_panel
from ui.measure_views import cut_section, measure_table, open_read_page, param_select
from ui.names import measure_names
from ui.results_cache import period_rows, spc_status
from ui.tables import table_alternative

log = logging.getLogger(__name__)
DEFAULT_MEASURE = "CG_CONTACT_2WD"

page = open_read_page("connect_gwent", "connect_gwent")
scope, db, as_of, portfolio, period = page.scope, page.db, page.as_of, page.portfolio, page.period
filters = page.filters
catalogue = results_cache.catalogue()
measures = tuple(m.id for m in catalogue.all_measures if m.area == "connect_gwent")
names = measure_names(measures)

try:
    rows = period_rows(db, as_of, period.start, period.end, portfolio, measures, filters)
    status = spc_status(db, as_of, portfolio, measures, filters)
    sources = referrals_by_source(db, as_of, period.start, period.end, portfolio, filters)
except Exception:
    log.exception("Connect Gwent measures failed")
    st.error(t("errors.compute_failed"))
    st.stop()

needs_loaded = "referral_needs" in set(results_cache.source_loads(db)["table_name"])
shown = rows if needs_loaded else rows.loc[~rows["metric_id"].str.startswith("CG_NEED_")]  # no file: not 0%
st.subheader(t("connect_gwent.measures_title"))
table_alternative(measure_table(shown, status), t("read_pages.table_caption"), key="cg_measures_table")

st.header(t("connect_gwent.sources_title"))
source_section(sources, period_label=period.label())

st.header(t("connect_gwent.needs_title"))
needs_section(rows, loaded=needs_loaded, period_label=period.label())

st.header(t("read_pages.drill_title"))
left, right = st.columns(2)
with left:
    metric_id = param_select(t("read_pages.measure"), measures, "measure", DEFAULT_MEASURE, "cg_measure", names.get)
with right:
    cut = param_select(t("read_pages.cut"), CUTS, "cut", "area", "cg_cut", lambda c: t(f"cuts.{c}"))
try:
    cut_section(period, portfolio, metric_id, cut, key="cg_cut_table", filters=filters)
except Exception:
    log.exception("Connect Gwent %s by %s failed", metric_id, cut)
    st.error(t("errors.compute_failed"))
measure_panel(metric_id, portfolio, scope, filters=filters, month_click=True)
