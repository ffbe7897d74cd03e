"""Victim satisfaction pieces: the survey stages, and the gaps between groups of a cut with Newcombe intervals."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from charts.rates import difference_chart
from config.i18n import current_language, format_number, t
from config.safe_text import plain
from results.gaps import GAP_COLUMNS, NOT_A_GROUP, POOLED, gap_measures, group_gaps
from ui import results_cache
from ui.formatting import format_value, translate
from ui.measure_views import p_text, points, show_chart, value_label
from ui.tables import table_alternative

STAGES = ("SAT_EASE", "SAT_ACTIONS", "SAT_INFORMED", "SAT_TREATMENT", "SAT_WHOLE")
GAP_MEASURE = "SAT_GAP_ETHNICITY"
GAP_CUTS = ("ethnicity", "sex", "age_band", "disability", "enhanced_rights", "area", "offence_group", "unit")
__all__ = ["GAP_COLUMNS", "NOT_A_GROUP", "POOLED", "group_gaps"]


def gap_measure_columns() -> dict[str, str]:
    """Every gap measure of the survey (STATUTORY.md §5: ethnicity, disability, age, sex) and the column it compares."""
    return {
        m.id: str(m.params.get("column", "ethnicity"))
        for m in results_cache.catalogue().all_measures
        if m.source == "survey_responses" and m.kind == "difference"
    }


def satisfaction_measures() -> tuple[str, ...]:
    """The satisfaction page's measures: the stages, every group's gap, awareness of the Code, reporting again."""
    catalogue = results_cache.catalogue()
    return tuple(m.id for m in catalogue.all_measures if m.area == "satisfaction" and m.source == "survey_responses")


MEASURES = (*STAGES, GAP_MEASURE, "SAT_CODE_AWARE")  # the v1 list; the page reads satisfaction_measures()


def gap_definition(cut: str = "ethnicity") -> tuple[list[str], list[str]]:
    """The reference and comparison groups of the catalogue's gap measure of this column ((), () when none)."""
    catalogue = results_cache.catalogue()
    for metric_id, column in gap_measure_columns().items():
        if column == cut:
            params = catalogue.measure(metric_id).params
            default = catalogue.statistics.minority_ethnicities if cut == "ethnicity" else []
            return [str(v) for v in params.get("reference", ["white"])], [
                str(v) for v in params.get("comparison", default)
            ]
    return [], []


def comparable_groups(rows: pd.DataFrame) -> list[str]:
    """The groups of a cut that can be compared: every value seen except the unknown."""
    return [g for g in rows["group_value"].astype(str) if g not in NOT_A_GROUP and g != "all"]


def default_reference(cut: str, rows: pd.DataFrame) -> str | None:
    """The group others are compared with: white for ethnicity (as the gap measure), else the largest group."""
    groups = comparable_groups(rows)
    if not groups:
        return None
    measured = gap_definition(cut)[0]
    if len(measured) == 1 and measured[0] in groups:  # the gap measure's own reference group (white, not disabled…)
        return measured[0]
    known = rows.loc[rows["group_value"].astype(str).isin(groups)]
    return str(known.sort_values("denominator", ascending=False, kind="stable")["group_value"].iloc[0])


def pooled_members(cut: str, groups: Sequence[str], reference: str) -> list[str]:
    """The groups pooled against the reference: the gap measure's minority groups for white, else every other one."""
    measured_reference, measured_comparison = gap_definition(cut)
    if measured_comparison and [reference] == measured_reference:
        return [g for g in measured_comparison if g in groups]
    return [g for g in groups if g != reference and g not in NOT_A_GROUP]


def gap_sentence(row: pd.Series, reference_label: str, group_label: str) -> str:
    """One gap in words: its size, interval and whether it is statistically significant."""
    if row["suppressed"]:
        return t("satisfaction.gap_suppressed", reference=plain(reference_label), group=plain(group_label))
    key = "satisfaction.gap_significant" if row["significant"] else "satisfaction.gap_not_significant"
    return t(
        key,
        reference=plain(reference_label),  # group names come from the loaded files
        group=plain(group_label),
        diff=points(row["diff"]),
        low=points(row["ci_low"]),
        high=points(row["ci_high"]),
        p=p_text(row["p"]),
    )


def group_label(cut: str, row: pd.Series) -> str:
    """A compared group in words; the pooled row names its members."""
    if row["group"] != POOLED:
        return value_label(cut, row["group"])
    names = ", ".join(value_label(cut, g) for g in row["members"])
    return t("satisfaction.pooled", groups=names)


def gap_columns(gaps: pd.DataFrame, hidden) -> dict[str, list[str]]:
    """The columns every gap table shares: bases, gap, interval, p and verdict in words (blank when suppressed)."""
    return {
        t("satisfaction.columns.bases"): [
            "" if s else t("read_pages.two_bases", n1=format_number(a), n2=format_number(b))
            for a, b, s in zip(gaps["n1"], gaps["n2"], hidden, strict=True)
        ],
        t("satisfaction.columns.gap"): ["" if s else points(v) for v, s in zip(gaps["diff"], hidden, strict=True)],
        t("chart.ci"): [
            "" if s else f"{points(lo)} – {points(hi)}"
            for lo, hi, s in zip(gaps["ci_low"], gaps["ci_high"], hidden, strict=True)
        ],
        t("satisfaction.columns.p"): ["" if s else p_text(p) for p, s in zip(gaps["p"], hidden, strict=True)],
        t("satisfaction.columns.verdict"): [
            t("chart.suppressed") if s else (t("read_pages.significant") if sig else t("read_pages.not_significant"))
            for sig, s in zip(gaps["significant"], hidden, strict=True)
        ],
    }


def gap_table(gaps: pd.DataFrame, cut: str, reference_label: str) -> pd.DataFrame:
    """The gaps as a table: both rates and bases (hidden when suppressed), gap, interval, p and verdict in words."""
    hidden = gaps["suppressed"].to_numpy(bool)
    return pd.DataFrame(
        {
            t("satisfaction.columns.group"): [group_label(cut, r) for _, r in gaps.iterrows()],
            t("satisfaction.columns.reference_rate", reference=reference_label): [
                format_value(v, "rate", s) for v, s in zip(gaps["p1"], hidden, strict=True)
            ],
            t("satisfaction.columns.group_rate"): [
                format_value(v, "rate", s) for v, s in zip(gaps["p2"], hidden, strict=True)
            ],
            **gap_columns(gaps, hidden),
        }
    )


def gap_chart(gaps: pd.DataFrame, labels: list[str], title: str) -> pd.DataFrame:
    """Draw the gaps (difference, Newcombe interval, significance) labelled as given; the chart's frame."""
    chart_frame = pd.DataFrame(
        {
            "label": labels,
            "diff": gaps["diff"],
            "ci_low": gaps["ci_low"],
            "ci_high": gaps["ci_high"],
            "significant": gaps["significant"],
            "suppressed": gaps["suppressed"],
        }
    )
    show_chart(
        lambda: difference_chart(
            chart_frame, title=title, suppressed_label=t("chart.suppressed"), translate=translate()
        ),
        title,
    )
    return chart_frame


def gap_section(gaps: pd.DataFrame, *, cut: str, reference: str, stage_name: str, period_label: str) -> None:
    """The gaps between the reference group and the others: chart, sentences and table."""
    reference_label = value_label(cut, reference)
    if gaps.empty:
        st.info(t("satisfaction.no_groups"))
        return
    labels = [group_label(cut, r) for _, r in gaps.iterrows()]
    title = t("satisfaction.gap_title_chart", stage=stage_name, reference=reference_label)
    gap_chart(gaps, labels, title)
    st.markdown("\n".join(f"- {gap_sentence(r, reference_label, label)}" for (_, r), label in zip(
        gaps.iterrows(), labels, strict=True)))  # fmt: skip
    caption = t("satisfaction.gap_caption", stage=stage_name, reference=reference_label, period=period_label)
    table_alternative(gap_table(gaps, cut, reference_label), caption, key="sat_gap_table")


def every_gap_section(rows: pd.DataFrame, *, period_label: str) -> None:
    """The gap measure of every characteristic (STATUTORY.md §5): chart with Newcombe intervals, significance in
    words and shape, and the table alternative."""
    columns = gap_measure_columns()
    gaps = gap_measures(rows, columns, confidence=results_cache.catalogue().statistics.confidence)
    if gaps.empty:
        st.info(t("satisfaction.no_groups"))
        return
    names = {m: results_cache.catalogue().measure_name(m, current_language()) for m in gaps["metric_id"]}
    title = t("satisfaction.every_gap_chart", period=period_label)
    chart_frame = gap_chart(gaps, [names[m] for m in gaps["metric_id"]], title)
    hidden = gaps["suppressed"].to_numpy(bool)
    table = pd.DataFrame(
        {
            t("satisfaction.columns.measure"): chart_frame["label"],
            t("satisfaction.columns.characteristic"): [t(f"cuts.{c}") for c in gaps["column"]],
            t("satisfaction.columns.reference_group"): [format_value(v, "rate", s) for v, s in zip(
                gaps["p1"], hidden, strict=True)],
            t("satisfaction.columns.comparison_group"): [format_value(v, "rate", s) for v, s in zip(
                gaps["p2"], hidden, strict=True)],
            **gap_columns(gaps, hidden),
        }
    )  # fmt: skip
    table_alternative(table, t("satisfaction.every_gap_caption", period=period_label), key="sat_every_gap_table")
