"""Victims' Code: compliance by right → entitlement → cut, monthly SPC, the misses as a case list; the MoJ return.

Drill-down state lives in the URL (?portfolio=vawg_da&right=6&code=R6_SUSPECT_UPDATE&cut=unit&group=...&cases=1), so
a link reopens the same view; the case list is shown only to users allowed the portfolio's case-level data (checked
again in data.cases where the rows are read).
"""

import logging

import streamlit as st

from auth import gate
from config.i18n import current_language, format_date, t
from metrics.catalogue import CUTS
from ui import results_cache, vcop
from ui.as_of import sources_panel
from ui.filters import period_picker
from ui.measure_panel import definition_panel, linked_actions_section
from ui.measure_views import cut_section, monthly_spc, param_select, read_filters, value_label
from ui.names import entitlement_name, measure_name, right_name
from ui.tables import table_alternative
from ui.vcop_cases import case_section
from ui.vcop_quality import quality_section

log = logging.getLogger(__name__)

scope = gate.require_page("victims_code")
st.title(t("pages.victims_code"))
db = results_cache.db_key()
as_of = results_cache.as_of_date(db)
if as_of is None:
    st.info(t("vcop.no_data"))
    st.stop()

catalogue = results_cache.catalogue()
portfolio = vcop.choose_portfolio(scope, catalogue)
if portfolio is None:
    st.info(t("vcop.no_portfolios"))
    st.stop()
period = period_picker(as_of, earliest=results_cache.data_start(db, as_of))
filters = read_filters(db, as_of)
names = dict(vcop.portfolio_choices(scope, catalogue))
st.caption(t("vcop.context", portfolio=names[portfolio], period=period.label(), as_of=format_date(as_of)))
sources_panel(db)

try:
    rows = vcop.period_rows(db, as_of, period, portfolio, filters=filters)
    split = vcop.period_rows(db, as_of, period, portfolio, by="enhanced_rights", filters=filters)
except Exception:
    log.exception("Victims' Code measures failed for %s", portfolio)
    st.error(t("errors.compute_failed"))
    st.stop()

vcop.headline(rows, catalogue)
rights_tab, duty_tab, moj_tab = st.tabs([t("vcop.tabs.rights"), t("vcop.tabs.duty"), t("vcop.tabs.moj")])


def code_section(code: str) -> None:
    """One entitlement in depth: definition, headline, rates by the chosen cut, monthly SPC, the case list."""
    metric_id = f"VCOP_{code}"
    st.subheader(measure_name(metric_id))
    definition_panel(metric_id)
    compliance, duty = st.columns(2)  # delivery beside the statutory duty (STATUTORY.md §1)
    vcop.tile(compliance, t("vcop.columns.compliance"), vcop.row_of(rows, metric_id))
    vcop.tile(duty, t("vcop.columns.duty"), vcop.row_of(rows, f"DUTY_{code}"))
    cut = param_select(t("vcop.cut"), CUTS, "cut", "unit", "vcop_cut", lambda c: t(f"cuts.{c}"))
    try:
        cut_section(period, portfolio, metric_id, cut, key="vcop_cut_table", filters=filters)
        by_cut = results_cache.measure_rows(
            db, as_of, period.start, period.end, portfolio, (metric_id,), cut, filters=filters
        )
        groups = sorted(set(by_cut["group_value"]) - {"all"})
    except Exception:
        log.exception("cut %s of %s failed", cut, metric_id)
        st.error(t("errors.compute_failed"))
        groups = []
    group = vcop.choose(
        t("vcop.group", cut=t(f"cuts.{cut}")),
        groups,
        "group",
        f"vcop_group_{cut}",
        lambda v: value_label(cut, v),
        t("filters.all"),
    )
    # The SPC chart and the case list are for the page's filters and the chosen group of the cut (e.g. Newport).
    narrowed = {**dict(filters), **({cut: group} if group else {})}
    st.subheader(t("vcop.spc_title"))
    try:
        series, frame = results_cache.series_spc(db, as_of, portfolio, metric_id, tuple(narrowed.items()))
        monthly_spc(series, frame, metric_id, measure_name(metric_id), key="vcop_spc_table")
    except Exception:
        log.exception("SPC of %s failed", metric_id)
        st.error(t("errors.chart_failed"))
    case_section(scope, portfolio, (code,), period, as_of, narrowed)
    linked_actions_section(metric_id, portfolio, scope)


with rights_tab:
    st.subheader(t("vcop.rights_title"))
    table_alternative(
        vcop.rights_table(rows, catalogue), t("vcop.rights_caption", period=period.label()), key="vcop_rights_table"
    )
    vcop.agency_section(rows, catalogue, period)
    wanted_code = st.query_params.get("code")
    known = {e.code: e.right for e in catalogue.entitlements}
    if wanted_code in known and not st.query_params.get("right"):
        st.query_params["right"] = str(known[wanted_code])  # a link to a code opens its right too
    right = vcop.choose(
        t("vcop.choose_right"),
        vcop.rights(catalogue),
        "right",
        "vcop_right",
        lambda n: f"{n}: {catalogue.rights[n]}",  # the catalogue's wording, the same in either language
        t("vcop.choose_right_placeholder"),
    )
    code = None
    if right is not None:
        st.subheader(t("vcop.codes_title", right=right, name=right_name(right)))
        table_alternative(vcop.codes_table(rows, split, catalogue, right), t("vcop.codes_caption"), key="vcop_codes")
        code = vcop.choose(
            t("vcop.choose_code"),
            [e.code for e in catalogue.entitlements if e.right == right],
            "code",
            f"vcop_code_{right}",
            entitlement_name,  # what it promises: the code is internal (the definition pop-over names it)
            t("vcop.choose_code_placeholder"),
        )
    else:
        st.query_params.pop("code", None)
    if code:
        code_section(code)

with duty_tab:
    try:
        vcop.duty_section(db, as_of, period, portfolio, rows, catalogue, filters)
    except Exception:
        log.exception("duty and good reasons failed for %s", portfolio)
        st.error(t("errors.compute_failed"))

with moj_tab:
    st.subheader(catalogue.moj_title_cy if current_language() == "cy" else catalogue.moj_title)
    try:
        vcop.moj_section(db, as_of, portfolio, catalogue, filters, actor=scope.username)
    except Exception:
        log.exception("MoJ return failed for %s", portfolio)
        st.error(t("errors.compute_failed"))

quality_section(db, as_of, period, portfolio, rows, filters)  # compliance next to quality (STATUTORY.md §3)
