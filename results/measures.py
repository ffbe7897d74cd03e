"""Measures over a period: tidy rows for any period, cut and filter; a measure's monthly series; a period's
headline with its change on the same months a year before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from metrics import scorecard as windows
from metrics.catalogue import Catalogue
from metrics.measures import Prepared, compute
from metrics.periods import Period, month_end, months
from results.changes import with_change, year_before

PreparedFor = Callable[[dt.date, dt.date], Prepared]  # the frames for a window (the caller may cache them)


def measure_rows(
    ready: Prepared,
    catalogue: Catalogue,
    *,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids,
    monthly: bool = False,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Tidy rows of the measures over [start, end] (the "custom" period) and, when `monthly`, each of its months, for
    the portfolio's cohort with its targets and RAG (cut by the frames' `by`)."""
    periods = [Period(start, end, "custom"), *(months(start, end) if monthly else [])]
    return compute(ready, catalogue, periods=periods, portfolio=portfolio, metric_ids=list(metric_ids),
                   targets=targets)  # fmt: skip


def monthly_series(rows: pd.DataFrame) -> pd.DataFrame:
    """The whole-cohort monthly rows of measure_rows(monthly=True), oldest first."""
    rows = rows.loc[(rows["period_kind"] == "month") & (rows["group_value"] == "all")]
    return rows.sort_values("period_start").reset_index(drop=True)


def whole_months_within(start: dt.date, end: dt.date, first: dt.date, last: dt.date) -> bool:
    """True when [start, end] lies in the window [first, last] and is made of its whole months."""
    starts = first <= start and (start == first or start.day == 1)
    ends = end <= last and (end == last or end == month_end(end))
    return starts and ends


def period_with_change(
    prepared_for: PreparedFor,
    catalogue: Catalogue,
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each measure over [start, end] for the portfolio's cohort, with its change on the same months a year before."""
    earlier_start, earlier_end = year_before(start, end)
    first, last = (day.date() for day in windows.window(as_of))
    ask = {"catalogue": catalogue, "portfolio": portfolio, "metric_ids": metric_ids, "targets": targets}
    if whole_months_within(start, end, first, last) and whole_months_within(earlier_start, earlier_end, first, last):
        # Both periods come from the frames the scorecard has already prepared, in one computation.
        periods = [Period(start, end, "custom"), Period(earlier_start, earlier_end, "custom")]
        rows = compute(prepared_for(first, last), catalogue, periods=periods, portfolio=portfolio,
                       metric_ids=list(metric_ids), targets=targets)  # fmt: skip
        starts = rows["period_start"]
        now, before = rows.loc[starts == pd.Timestamp(start)], rows.loc[starts == pd.Timestamp(earlier_start)]
    else:
        now = measure_rows(prepared_for(start, end), start=start, end=end, **ask)
        before = measure_rows(prepared_for(earlier_start, earlier_end), start=earlier_start, end=earlier_end, **ask)
    return with_change(now, before, catalogue)
