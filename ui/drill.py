"""Drilling by clicking a chart: a bar or funnel point filters the page to its group, a month of an SPC chart sets
the period to that month. Both go through the page's own filters (ui.filters), so the URL records them and every
number, chart and case list on the page follows (the SPC chart of a group included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from charts.selection import PICK, picked_values
from charts.theme import enable_theme
from config.i18n import t
from metrics.periods import month_end
from ui.filters import FILTER_PREFIX, filter_key

PERIOD_KEY, RANGE_KEY = "filter_period", "filter_custom_range"  # ui.filters.period_picker's widgets


def choose_group(column: str, value: str) -> None:
    """Filter the page to one group of a column (?f_<column>=value), as the sidebar filter would."""
    st.session_state[filter_key(column)] = value
    st.query_params[FILTER_PREFIX + column] = value


def month_of(value) -> dt.date | None:
    """The first day of the month a clicked SPC point stands for (Vega gives a temporal field as epoch
    milliseconds, or the ISO text it was sent as)."""
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value, unit="ms") if isinstance(value, int | float) else pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date().replace(day=1)


def choose_month(first: dt.date) -> None:
    """Set the page's period to one calendar month (?period=custom&from=…&to=…)."""
    last = month_end(first)
    st.session_state[PERIOD_KEY] = "custom"
    st.session_state[RANGE_KEY] = (first, last)
    st.query_params.update({"period": "custom", "from": first.isoformat(), "to": last.isoformat()})


def _on_group(chart_key: str, column: str, field: str, values: Mapping[str, str] | None) -> Callable[[], None]:
    def pick() -> None:
        picked = picked_values(st.session_state.get(chart_key), field)
        if picked and picked[0] is not None:
            value = (values or {}).get(str(picked[0]), str(picked[0]))
            choose_group(column, value)

    return pick


def _on_month(chart_key: str) -> Callable[[], None]:
    def pick() -> None:
        picked = picked_values(st.session_state.get(chart_key), "x")
        first = month_of(picked[0]) if picked else None
        if first is not None:
            choose_month(first)

    return pick


def group_chart(chart, key: str, column: str, field: str, values: Mapping[str, str] | None = None) -> None:
    """Draw a chart whose PICK selection (on `field`) filters the page to the clicked group of `column`; `values`
    maps a shown label back to the group's value."""
    enable_theme()
    st.altair_chart(chart, theme=None, width="stretch", key=key, on_select=_on_group(key, column, field, values),
                    selection_mode=PICK)  # fmt: skip
    st.caption(t("drill.group_hint"))


def month_chart(chart, key: str) -> None:
    """Draw an SPC chart whose PICK selection (on its month) sets the page's period to the clicked month."""
    enable_theme()
    st.altair_chart(chart, theme=None, width="stretch", key=key, on_select=_on_month(key), selection_mode=PICK)
    st.caption(t("drill.month_hint"))
