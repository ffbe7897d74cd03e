"""Compliance next to quality on the Victims' Code page (STATUTORY.md §3): QUAL_MEETS and QUAL_UPDATES_MEETS, each
entitlement's timeliness beside the share of its dip-sampled deliveries that meet the standard, and which criteria
fail most; "no data loaded" (never 0%) when no quality reviews have been loaded."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from config.i18n import current_language, format_number, t
from results import quality
from ui import results_cache
from ui.filters import Period
from ui.formatting import format_interval, format_value
from ui.measure_views import rates_frame, rates_section
from ui.names import measure_name
from ui.tables import table_alternative

log = logging.getLogger(__name__)
MEASURES = ("QUAL_MEETS", "QUAL_UPDATES_MEETS")


def reviews(db: str, as_of: dt.date, period: Period, portfolio: str, filters: tuple = ()) -> pd.DataFrame | None:
    """The period's reviews for the portfolio's cohort (None when no quality reviews are loaded)."""
    return _reviews(db, as_of, period.start, period.end, portfolio, tuple(filters), results_cache.sources_version(db))


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def _reviews(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, portfolio: str, filters: tuple, version: tuple
) -> pd.DataFrame | None:
    ready = results_cache.prepared_frames(db, as_of, start, end, None, filters)
    return quality.reviews_in_period(ready, results_cache.catalogue(), portfolio)


def _criterion_name(code: str) -> str:
    named = {c.code: c for c in results_cache.catalogue().quality_criteria}
    if code not in named:
        return code
    return named[code].name_cy if current_language() == "cy" else named[code].name


def quality_section(db: str, as_of: dt.date, period: Period, portfolio: str, rows: pd.DataFrame, filters=()) -> None:
    """The whole section: the two quality measures, compliance beside quality by entitlement, failing criteria."""
    st.header(t("vcop_quality.title"))
    if "quality_reviews" not in set(results_cache.source_loads(db)["table_name"]):
        st.info(t("vcop_quality.no_data"))
        return
    try:
        catalogue = results_cache.catalogue()
        measured = results_cache.measure_rows(
            db, as_of, period.start, period.end, portfolio, MEASURES, None, filters=filters
        )
        measured = measured.loc[measured["period_kind"] == "custom"].reset_index(drop=True)
        found = reviews(db, as_of, period, portfolio, filters)
        beside = quality.compliance_beside_quality(rows, quality.quality_by_code(found, catalogue), catalogue)
        failing = quality.criteria_failing(found)
    except Exception:
        log.exception("quality of delivery failed for %s", portfolio)
        st.error(t("errors.compute_failed"))
        return
    rates_section(
        rates_frame(measured, [measure_name(m) for m in measured["metric_id"]]),
        title=t("vcop_quality.measures_chart", period=period.label()),
        caption=t("vcop_quality.measures_caption", period=period.label()),
        label_heading=t("vcop_quality.measure"),
        key="vcop_quality_measures",
    )
    st.subheader(t("vcop_quality.beside_title"))
    table_alternative(beside_table(beside), t("vcop_quality.beside_caption"), key="vcop_quality_beside")
    st.subheader(t("vcop_quality.criteria_title"))
    if failing.empty:
        st.info(t("vcop_quality.no_failures"))
        return
    table_alternative(criteria_table(failing), t("vcop_quality.criteria_caption"), key="vcop_quality_criteria")


def beside_table(beside: pd.DataFrame) -> pd.DataFrame:
    """Timeliness and quality per entitlement in words; a code without enough reviews says so."""
    if beside.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            t("vcop_quality.columns.entitlement"): [measure_name(f"VCOP_{c}") for c in beside["code"]],
            t("vcop_quality.columns.timely"): [
                format_value(v, "rate", s)
                for v, s in zip(beside["timely_value"], beside["timely_suppressed"], strict=True)
            ],
            t("vcop_quality.columns.quality"): [
                t("vcop_quality.no_reviews") if n == 0 else format_value(v, "rate", s)
                for v, s, n in zip(
                    beside["quality_value"], beside["quality_suppressed"], beside["reviews"], strict=True
                )
            ],
            t("chart.ci"): [
                format_interval(lo, hi, "rate", s)
                for lo, hi, s in zip(
                    beside["quality_ci_low"], beside["quality_ci_high"], beside["quality_suppressed"], strict=True
                )
            ],
            t("vcop_quality.columns.reviews"): [format_number(n) for n in beside["reviews"]],
        }
    )


def criteria_table(failing: pd.DataFrame) -> pd.DataFrame:
    """The failing criteria, most failed first: how many reviews named each and their share of the shortfalls."""
    return pd.DataFrame(
        {
            t("vcop_quality.columns.criterion"): [_criterion_name(c) for c in failing["criterion"]],
            t("vcop_quality.columns.failures"): [format_number(n) for n in failing["failures"]],
            t("vcop_quality.columns.share"): [format_value(v, "rate") for v in failing["share"]],
        }
    )
