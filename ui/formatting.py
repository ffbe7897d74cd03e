"""How the app words a measure: values, intervals and icons in the reader's language (colour is never the only signal).

Formatting only: every number arrives computed by results/.
"""

from __future__ import annotations

import functools

import pandas as pd

from charts import icons
from config.i18n import current_language, format_number, format_percent, t


def translate():
    """The chart layer's translator, bound to the current language."""
    return functools.partial(t, lang=current_language())


def format_value(value, kind: str, suppressed: bool = False) -> str:
    """A measure's value as people read it: rates as %, gaps in percentage points, counts as numbers."""
    if suppressed:
        return t("chart.suppressed")
    if value is None or pd.isna(value):
        return "–"
    if kind == "rate":
        return format_percent(value)
    if kind == "difference":
        return t("measure.points", value=format_number(value * 100 if abs(value) <= 1 else value, decimals=1))
    return format_number(value, decimals=0 if float(value).is_integer() else 1)


def format_count(value, suppressed: bool = False) -> str:
    """A month's numerator or denominator in a table: 'fewer than 10' when suppressed (never Streamlit's 'None' for
    a blank cell, never the count itself, which would give the rate away), a dash when there is none."""
    if suppressed:
        return t("chart.suppressed")
    if value is None or pd.isna(value):
        return "–"
    return format_number(value)


def format_interval(low, high, kind: str, suppressed: bool = False) -> str:
    """The 95% interval, or nothing when there is none (counts) or the value is suppressed."""
    if suppressed or low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"{format_value(low, kind)} – {format_value(high, kind)}"


def icon_label(kind: str, value) -> str:
    """Symbol and words for a RAG, variation or assurance value (colour is never the only signal)."""
    lookup = {"rag": icons.rag_icon, "variation": icons.variation_icon, "assurance": icons.assurance_icon}[kind]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return t("rag.none") if kind == "rag" else "–"
    return icons.icon_text(lookup(value), translate())
