"""Shared filters (period, portfolio, cuts), kept in the URL query parameters so a link reopens the same view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from config.i18n import format_date, t
from config.safe_text import plain
from metrics import periods
from metrics.catalogue import CUTS
from metrics.scorecard import window

PERIOD_KINDS = ("r12", "fy", "quarter", "custom")
# The columns a read page can be narrowed to one value of (issue #4): the catalogue's cuts, in menu order.
FILTER_COLUMNS = CUTS
FILTER_PREFIX = "f_"


@dataclass(frozen=True)
class Period:
    """An inclusive date range with the kind of period it was chosen as."""

    kind: str
    start: dt.date
    end: dt.date

    def label(self) -> str:
        """The period in words, for captions."""
        return t("filters.period_label", start=format_date(self.start), end=format_date(self.end))


# The period arithmetic lives in metrics/periods.py alone; these give the filters' Period (dates plus the URL kind).
month_end = periods.month_end
add_months = periods.add_months


def latest_complete_month_end(as_of: dt.date) -> dt.date:
    """The end of the latest month wholly on or before the as-of date."""
    return periods.last_complete_month(as_of).end.date()


def _from_metrics(kind: str, period: periods.Period, cap: dt.date | None = None) -> Period:
    end = period.end.date()
    return Period(kind, period.start.date(), min(end, cap) if cap else end)


def rolling_12(as_of: dt.date) -> Period:
    """The latest rolling 12 complete months up to the as-of date (the headline period)."""
    return _from_metrics("r12", periods.rolling_12(as_of))


def financial_year(as_of: dt.date, offset: int = 0) -> Period:
    """The financial year (1 April – 31 March) containing the as-of date, `offset` years back; capped at as-of."""
    return _from_metrics("fy", periods.financial_year(periods.add_months(as_of, -12 * offset)), cap=as_of)


def quarter(as_of: dt.date, offset: int = 0) -> Period:
    """The latest complete quarter up to the as-of date, `offset` quarters back (financial quarters share the
    calendar quarters' months)."""
    return _from_metrics("quarter", periods.complete_quarter(as_of, offset))


def filter_key(column: str) -> str:
    """The widget key of a filter column's select box (a chart click sets it: ui.drill)."""
    return f"filter_{column}"


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value else None


def _iso(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_period(as_of: dt.date, earliest: dt.date | None = None) -> tuple[Period, str | None]:
    """The period named by the URL (period=r12|fy|quarter|custom, from, to), defaulting to rolling 12 months, and a
    notice when the link's dates could not be used as they were.

    A custom range is clamped to the data's range [earliest, as_of] (a missing date takes the range's own). Dates that
    cannot be read, a start after the end, or a range wholly outside the data fall back to rolling 12 months. No URL
    can make a period the measures cannot work on (e.g. ?from=0001-01-01).
    """
    earliest = min(earliest or window(as_of)[0].date(), as_of)
    kind = _param("period") or "r12"
    if kind == "fy":
        return financial_year(as_of), None
    if kind == "quarter":
        return quarter(as_of), None
    if kind != "custom":
        return rolling_12(as_of), None
    raw_start, raw_end = _param("from"), _param("to")
    if not raw_start and not raw_end:
        return rolling_12(as_of), None
    start, end = _iso(raw_start), _iso(raw_end)
    if (raw_start and start is None) or (raw_end and end is None):
        return rolling_12(as_of), t("filters.notices.unreadable")
    start, end = start or earliest, end or as_of
    if start > end:
        return rolling_12(as_of), t("filters.notices.reversed")
    first, last = max(start, earliest), min(end, as_of)
    data_range = {"first": format_date(earliest), "last": format_date(as_of)}
    if first > last:
        return rolling_12(as_of), t("filters.notices.outside", **data_range)
    notice = t("filters.notices.clamped", **data_range) if (first, last) != (start, end) else None
    return Period("custom", first, last), notice


def period_from_params(as_of: dt.date, earliest: dt.date | None = None) -> Period:
    """The period named by the URL (read_period without its notice)."""
    return read_period(as_of, earliest)[0]


def period_picker(as_of: dt.date, container=None, earliest: dt.date | None = None) -> Period:
    """The period selector; its choice is written back to the URL. `earliest` is the first day of the data (default:
    the scorecard window's first day): a custom range starts no earlier and ends no later than the as-of date, and a
    link asking for more is clamped with a notice."""
    box = container or st.sidebar
    current, notice = read_period(as_of, earliest)
    if notice:
        st.info(notice, icon=":material/date_range:")
    first = min(earliest or window(as_of)[0].date(), as_of)
    kind = box.selectbox(
        t("filters.period"),
        PERIOD_KINDS,
        index=PERIOD_KINDS.index(current.kind),
        format_func=lambda k: t(f"filters.periods.{k}"),
        key="filter_period",
    )
    if kind == "custom":
        picked = st.session_state.get("filter_custom_range")
        if isinstance(picked, Sequence) and len(picked) == 2 and (picked[0] < first or picked[1] > as_of):
            # A month clicked on a chart (ui.drill) is kept within the data's range, as a link's dates are.
            st.session_state["filter_custom_range"] = (max(picked[0], first), min(picked[1], as_of))
        chosen = box.date_input(
            t("filters.custom_range"),
            value=(max(current.start, first), current.end),
            min_value=first,
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
    return period_from_params(as_of, earliest)


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


def filter_pickers(
    options: dict[str, Sequence[str]], format_value: Callable[[str, str], str], container=None
) -> tuple[tuple[str, str], ...]:
    """One select box per filter column (all values, or one), each kept in the URL as ?f_<column>=value.

    A value not among `options` (an edited link) is dropped, so only values present in the data narrow the page.
    """
    box = container or st.sidebar
    chosen: list[tuple[str, str]] = []
    with box.expander(t("filters.cuts"), expanded=any(_param(FILTER_PREFIX + c) for c in options)):
        for column, values in options.items():
            param = FILTER_PREFIX + column
            choices = ["", *values]
            wanted = _param(param) or ""
            if st.session_state.get(filter_key(column), "") not in choices:
                # A value the data no longer holds (or a click on a group the filter does not offer) is dropped.
                del st.session_state[filter_key(column)]
            value = st.selectbox(
                t(f"cuts.{column}"),
                choices,
                index=choices.index(wanted) if wanted in choices and filter_key(column) not in st.session_state else 0,
                format_func=_labeller(column, format_value),
                key=filter_key(column),
            )
            if value:
                st.query_params[param] = value
                chosen.append((column, value))
            else:
                st.query_params.pop(param, None)
    return tuple(chosen)


def _labeller(column: str, format_value: Callable[[str, str], str]) -> Callable[[str], str]:
    """The option label of one filter box ("All" for no filter); a one-argument function, as st.selectbox calls it."""

    def label(value: str) -> str:
        return t("filters.all") if isinstance(value, str) and value == "" else format_value(column, str(value))

    return label


def filters_text(filters: Sequence[tuple[str, str]], format_value: Callable[[str, str], str]) -> str:
    """The applied filters in words, for the page caption: "Area: Newport; Sex: Female"."""
    return "; ".join(f"{t(f'cuts.{c}')}: {plain(format_value(c, v))}" for c, v in filters)
