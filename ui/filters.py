"""Shared filters (period, portfolio, cuts), kept in the URL query parameters so a link reopens the same view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st

from config.i18n import format_date, t

PERIOD_KINDS = ("r12", "fy", "quarter", "custom")
# The cuts every case-based measure supports (METRICS.md §3), in menu order.
CUTS = ("area", "unit", "offence_group", "enhanced_rights", "age_band", "sex", "ethnicity", "disability")


@dataclass(frozen=True)
class Period:
    """An inclusive date range with the kind of period it was chosen as."""

    kind: str
    start: dt.date
    end: dt.date

    def label(self) -> str:
        """The period in words, for captions."""
        return t("filters.period_label", start=format_date(self.start), end=format_date(self.end))


@dataclass(frozen=True)
class Filters:
    """Everything a page's numbers depend on besides the user's scope; hashable for st.cache_data."""

    period: Period
    portfolio: str
    cut_values: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def cuts(self) -> dict[str, str]:
        """The chosen cut values as a dict (column -> value)."""
        return dict(self.cut_values)


def month_end(day: dt.date) -> dt.date:
    """The last day of day's month."""
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def latest_complete_month_end(as_of: dt.date) -> dt.date:
    """The end of the latest month wholly on or before the as-of date."""
    return as_of if as_of == month_end(as_of) else add_months(as_of, 0) - dt.timedelta(days=1)


def rolling_12(as_of: dt.date) -> Period:
    """The latest rolling 12 complete months up to the as-of date (the headline period)."""
    end = latest_complete_month_end(as_of)
    return Period("r12", add_months(end, -11), end)


def financial_year(as_of: dt.date, offset: int = 0) -> Period:
    """The financial year (1 April – 31 March) containing the as-of date, `offset` years back; capped at as-of."""
    start_year = (as_of.year if as_of.month >= 4 else as_of.year - 1) - offset
    start = dt.date(start_year, 4, 1)
    return Period("fy", start, min(dt.date(start_year + 1, 3, 31), as_of))


def quarter(as_of: dt.date, offset: int = 0) -> Period:
    """The latest complete calendar quarter up to the as-of date, `offset` quarters back."""
    end = latest_complete_month_end(as_of)
    while end.month % 3:
        end = add_months(end, 0) - dt.timedelta(days=1)
    end = month_end(add_months(end, -3 * offset))
    return Period("quarter", add_months(end, -2), end)


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value else None


def _iso(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_from_params(as_of: dt.date) -> Period:
    """The period named by the URL (period=r12|fy|quarter|custom, from, to), defaulting to rolling 12 months."""
    kind = _param("period") or "r12"
    if kind == "fy":
        return financial_year(as_of)
    if kind == "quarter":
        return quarter(as_of)
    if kind == "custom":
        start, end = _iso(_param("from")), _iso(_param("to"))
        if start and end and start <= end:
            return Period("custom", start, min(end, as_of))
    return rolling_12(as_of)


def period_picker(as_of: dt.date, container=None) -> Period:
    """The period selector; its choice is written back to the URL."""
    box = container or st.sidebar
    current = period_from_params(as_of)
    kind = box.selectbox(
        t("filters.period"),
        PERIOD_KINDS,
        index=PERIOD_KINDS.index(current.kind),
        format_func=lambda k: t(f"filters.periods.{k}"),
        key="filter_period",
    )
    if kind == "custom":
        chosen = box.date_input(
            t("filters.custom_range"),
            value=(current.start, current.end),
            max_value=as_of,
            key="filter_custom_range",
            format="DD/MM/YYYY",
        )
        if isinstance(chosen, Sequence) and len(chosen) == 2:
            st.query_params.update({"period": "custom", "from": chosen[0].isoformat(), "to": chosen[1].isoformat()})
            return Period("custom", chosen[0], chosen[1])
        return current
    st.query_params["period"] = kind
    for stale in ("from", "to"):
        st.query_params.pop(stale, None)
    return period_from_params(as_of)


def portfolio_picker(portfolios: Sequence[tuple[str, str]], container=None, default: str | None = None) -> str:
    """Choose a portfolio among (id, name) pairs the user may see; kept in the URL as ?portfolio=ID."""
    box = container or st.sidebar
    ids = [pid for pid, _ in portfolios]
    names = dict(portfolios)
    wanted = _param("portfolio") or default or (ids[0] if ids else "")
    index = ids.index(wanted) if wanted in ids else 0
    chosen = box.selectbox(
        t("filters.portfolio"), ids, index=index, format_func=lambda pid: names.get(pid, pid), key="filter_portfolio"
    )
    st.query_params["portfolio"] = chosen
    return chosen


def cut_pickers(options: dict[str, Sequence[str]], container=None) -> tuple[tuple[str, str], ...]:
    """One select box per cut (all values, or one), each kept in the URL as ?<cut>=value."""
    box = container or st.sidebar
    chosen: list[tuple[str, str]] = []
    with box.expander(t("filters.cuts"), expanded=any(_param(c) for c in options)):
        for cut, values in options.items():
            choices = ["", *values]
            wanted = _param(cut) or ""
            value = st.selectbox(
                t(f"cuts.{cut}"),
                choices,
                index=choices.index(wanted) if wanted in choices else 0,
                format_func=lambda v: t("filters.all") if v == "" else str(v),
                key=f"filter_cut_{cut}",
            )
            if value:
                st.query_params[cut] = value
                chosen.append((cut, value))
            else:
                st.query_params.pop(cut, None)
    return tuple(chosen)
