"""The scorecard grid as people read it, shared by the Scorecard, Survivor voice and meeting pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from config.i18n import current_language, format_number, t
from results.scorecards import scorecard_table
from ui import results_cache
from ui.formatting import format_interval, format_value, icon_label


def change_text(row: pd.Series) -> str:
    """The change against the previous 12 months in words, with whether it is statistically significant."""
    if pd.isna(row["change"]):
        return "–"
    change = format_value(row["change"], "difference" if row["kind"] == "rate" else row["kind"])
    if row["kind"] != "rate":
        return change
    verdict = t("chart.significant") if row["change_significant"] else t("chart.not_significant")
    return f"{change} ({verdict})"


def display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as people read it: the rows every reader is given (results.scorecards.scorecard_table, as the
    evidence pack and `cli.py scorecard` give them), every icon in words, suppressed values as 'fewer than 10'."""
    table = scorecard_table(rows, results_cache.catalogue(), current_language())
    kinds = rows["kind"].to_numpy()
    return pd.DataFrame(
        {
            t("scorecard.columns.measure"): table["name"],
            t("scorecard.columns.value"): [
                format_value(v, k, s) for v, k, s in zip(table["value"], kinds, table["suppressed"], strict=True)
            ],
            t("scorecard.columns.ci"): [
                format_interval(lo, hi, k, s)
                for lo, hi, k, s in zip(table["ci_low"], table["ci_high"], kinds, table["suppressed"], strict=True)
            ],
            t("scorecard.columns.base"): [base_text(r) for _, r in table.iterrows()],
            t("scorecard.columns.target"): [
                "–" if pd.isna(v) else format_value(v, k) for v, k in zip(table["target"], kinds, strict=True)
            ],
            t("scorecard.columns.rag"): [icon_label("rag", v) for v in table["rag"]],
            t("scorecard.columns.variation"): [icon_label("variation", v) for v in table["variation"]],
            t("scorecard.columns.assurance"): [icon_label("assurance", v) for v in table["assurance"]],
            t("scorecard.columns.change"): [change_text(r) for _, r in table.assign(kind=kinds).iterrows()],
            t("scorecard.columns.trend"): [trend_points(s, k) for s, k in zip(rows["sparkline"], kinds, strict=True)],
        }
    )


def trend_points(series, kind: str) -> list[float]:
    """The sparkline's points: the shown months only, rates in whole-ish percent.

    Streamlit's LineChartColumn cannot draw a gap: one missing value turns the whole cell into an error showing the
    raw list (",,,,0.9285…"), so suppressed months are left out rather than passed as None; values are rounded
    because the grid reads a sparkline out to screen readers as its list of numbers (README, accessibility notes).
    """
    scale, digits = (100, 1) if kind == "rate" else (1, 1)
    return [round(float(v) * scale, digits) for v in series if v is not None and not pd.isna(v)]


def trend_column(label: str):
    """The Trend column's configuration: a sparkline, never a list of number pills."""
    return st.column_config.LineChartColumn(label, width="small", help=t("scorecard.trend_help"))


def base_text(row: pd.Series) -> str:
    """ "x of n" for a shown rate, the count for a count; nothing for a suppressed rate (its counts would reveal it)."""
    if bool(row["suppressed"]) or pd.isna(row["numerator"]):
        return ""
    if pd.isna(row["denominator"]):
        return format_number(row["numerator"])
    return t("measure.of", numerator=format_number(row["numerator"]), denominator=format_number(row["denominator"]))
