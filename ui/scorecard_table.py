"""The scorecard grid as people read it, shared by the Scorecard, Survivor voice and meeting pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from config.i18n import current_language, format_number, t
from results.scorecards import scorecard_table
from ui import results_cache
from ui.formatting import format_interval, format_value, icon_label
from ui.names import measure_names

TABLE_KEY = "scorecard_table"  # the grid's selection state
MEASURE_KEY = "scorecard_measure"  # the measure box under it: what the page opens


def picked_measure(state, metric_ids: tuple[str, ...]) -> str | None:
    """The measure of the grid row a selection state picks (None when no row is picked or the row is gone)."""
    selection = (state or {}).get("selection") or {}
    rows = list(selection.get("rows") or [])
    return metric_ids[rows[0]] if rows and 0 <= rows[0] < len(metric_ids) else None


def pick_row(metric_ids: tuple[str, ...]) -> None:
    """The grid's selection callback: a picked row opens its measure (it runs before the page, so the measure box
    is set before it is drawn, and the URL records it)."""
    metric_id = picked_measure(st.session_state.get(TABLE_KEY), metric_ids)
    if metric_id:
        st.session_state[MEASURE_KEY] = metric_id
        st.query_params["measure"] = metric_id


# Pixel widths that add up to the main column of a 1366 × 768 window beside the sidebar (about 900 px with the
# selection column); rows are tall enough (ROW_HEIGHT, over 4rem) for Streamlit's grid to wrap text onto four lines.
GRID_WIDTHS = {"measure": 160, "value": 64, "ci": 84, "base": 84, "target": 58, "rag": 64, "variation": 96,
               "assurance": 86, "change": 92}  # fmt: skip
TREND_WIDTH = 72
ROW_HEIGHT = 78


def grid_columns(table: pd.DataFrame) -> dict:
    """Column widths that fit the grid in a 1366 × 768 window without scrolling sideways (text wraps in the tall
    rows); each heading's full words are its help."""
    config = {}
    for key, width in GRID_WIDTHS.items():
        label = t(f"scorecard.columns.{key}")
        if label in table.columns:
            config[label] = st.column_config.TextColumn(label, width=width, help=label)
    trend = t("scorecard.columns.trend")
    config[trend] = st.column_config.LineChartColumn(trend, width=TREND_WIDTH, help=t("scorecard.trend_help"))
    return config


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
    names = measure_names(rows["metric_id"])
    return pd.DataFrame(
        {
            # Names as every page gives them (ui.names): an entitlement's measure by what it promises, not its code.
            t("scorecard.columns.measure"): [
                names.get(m, n) for m, n in zip(rows["metric_id"], table["name"], strict=True)
            ],
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
