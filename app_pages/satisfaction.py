"""Victim satisfaction: the five survey stages with intervals, change on a year before, gaps between groups, SPC.

Links: ?stage=SAT_WHOLE&cut=ethnicity&ref=white opens the gap between white respondents and the others.
"""

import logging

import streamlit as st

from config.i18n import t
from ui import results_cache
from ui.measure_panel import definition_panel, measure_panel
from ui.measure_views import (
    measure_table,
    open_read_page,
    param_select,
    rates_frame,
    rates_section,
    value_label,
)
from ui.names import measure_names
from ui.results_cache import period_rows, spc_status
from ui.satisfaction import (
    GAP_CUTS,
    GAP_MEASURE,
    STAGES,
    comparable_groups,
    default_reference,
    every_gap_section,
    gap_section,
    group_gaps,
    pooled_members,
    satisfaction_measures,
)
from ui.tables import table_alternative

log = logging.getLogger(__name__)

page = open_read_page("satisfaction", "victims_first")
scope, db, as_of, portfolio, period = page.scope, page.db, page.as_of, page.portfolio, page.period
filters = page.filters
catalogue = results_cache.catalogue()
MEASURES = satisfaction_measures()
names = measure_names(MEASURES)

try:
    rows = period_rows(db, as_of, period.start, period.end, portfolio, MEASURES, filters)
    status = spc_status(db, as_of, portfolio, MEASURES, filters)
except Exception:
    log.exception("satisfaction measures failed")
    st.error(t("errors.compute_failed"))
    st.stop()

st.header(t("satisfaction.stages_title"))
stage_rows = rows.loc[rows["metric_id"].isin(STAGES)].reset_index(drop=True)
rates_section(
    rates_frame(stage_rows, [names[m] for m in stage_rows["metric_id"]]),
    title=t("satisfaction.stages_chart", period=period.label()),
    caption=t("satisfaction.stages_caption"),
    label_heading=t("satisfaction.stage"),
    key="sat_stages_table",
)
st.subheader(t("satisfaction.measures_title"))
table_alternative(measure_table(rows, status), t("satisfaction.measures_caption"), key="sat_measures_table")

st.header(t("satisfaction.every_gap_title"))
every_gap_section(rows, period_label=period.label())

st.header(t("satisfaction.gap_title"))
definition_panel(GAP_MEASURE)
left, middle, right = st.columns(3)
with left:
    stage = param_select(t("satisfaction.stage"), STAGES, "stage", "SAT_WHOLE", "sat_stage", names.get)
with middle:
    cut = param_select(t("satisfaction.cut"), GAP_CUTS, "cut", "ethnicity", "sat_cut", lambda c: t(f"cuts.{c}"))
try:
    by_group = results_cache.measure_rows(
        db, as_of, period.start, period.end, portfolio, (stage,), cut, filters=filters
    )
    by_group = by_group.loc[by_group["period_kind"] == "custom"]
    groups = comparable_groups(by_group)
    reference = default_reference(cut, by_group)
except Exception:
    log.exception("satisfaction by %s failed", cut)
    st.error(t("errors.compute_failed"))
    st.stop()
if reference is None:
    st.info(t("satisfaction.no_groups"))
else:
    with right:
        reference = param_select(
            t("satisfaction.reference"), groups, "ref", reference, "sat_reference", lambda g: value_label(cut, g)
        )
    threshold = catalogue.statistics.suppression_threshold
    gaps = group_gaps(
        by_group, reference, pooled_members(cut, groups, reference), threshold,
        confidence=results_cache.catalogue().statistics.confidence,
    )  # fmt: skip
    gap_section(gaps, cut=cut, reference=reference, stage_name=names[stage], period_label=period.label())

st.header(t("satisfaction.spc_title"))
measure_panel(stage, portfolio, scope, filters=filters, month_click=True)
