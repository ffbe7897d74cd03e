"""Period arithmetic behind the filters: rolling 12 months, financial years and quarters, worked by hand."""

import datetime as dt

import pytest

from metrics import periods
from ui.filters import add_months, financial_year, latest_complete_month_end, month_end, quarter, rolling_12

D = dt.date


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2026, 10, 31), D(2026, 10, 31)),  # as-of on a month end: that month is complete
        (D(2026, 11, 23), D(2026, 10, 31)),  # mid-month: the previous month is the latest complete one
        (D(2024, 3, 1), D(2024, 2, 29)),  # leap year
        (D(2026, 1, 15), D(2025, 12, 31)),
    ],
)
def test_latest_complete_month_end(as_of, expected):
    assert latest_complete_month_end(as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "start", "end"),
    [
        (D(2026, 10, 31), D(2025, 11, 1), D(2026, 10, 31)),
        (D(2026, 11, 23), D(2025, 11, 1), D(2026, 10, 31)),
        (D(2026, 1, 15), D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_rolling_12_complete_months(as_of, start, end):
    period = rolling_12(as_of)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("as_of", "offset", "start", "end"),
    [
        (D(2026, 10, 31), 0, D(2026, 4, 1), D(2026, 10, 31)),  # the year so far, capped at as-of
        (D(2026, 10, 31), 1, D(2025, 4, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), 0, D(2025, 4, 1), D(2026, 3, 31)),  # 31 March still belongs to the year from April
        (D(2026, 4, 1), 0, D(2026, 4, 1), D(2026, 4, 1)),
    ],
)
def test_financial_year_runs_april_to_march(as_of, offset, start, end):
    period = financial_year(as_of, offset)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("as_of", "offset", "start", "end"),
    [
        (D(2026, 10, 31), 0, D(2026, 7, 1), D(2026, 9, 30)),  # October alone is not a complete quarter
        (D(2026, 9, 30), 0, D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 31), 1, D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 2, 10), 0, D(2025, 10, 1), D(2025, 12, 31)),
    ],
)
def test_quarter_is_the_latest_complete_calendar_quarter(as_of, offset, start, end):
    period = quarter(as_of, offset)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("day", "count", "first", "last"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 1), D(2024, 1, 31)),  # a month on from 31 January is February (leap year)
        (D(2026, 3, 15), -3, D(2025, 12, 1), D(2026, 3, 31)),  # back over the year end
        (D(2025, 2, 10), 12, D(2026, 2, 1), D(2025, 2, 28)),
    ],
)
def test_month_steps_and_month_ends(day, count, first, last):
    assert add_months(day, count) == first
    assert month_end(day) == last


def test_the_filters_use_the_metrics_period_arithmetic():
    """One implementation: the filters' periods are the metrics engine's, as dates."""
    as_of = D(2026, 11, 23)
    headline = periods.rolling_12(as_of)
    assert (rolling_12(as_of).start, rolling_12(as_of).end) == (headline.start.date(), headline.end.date())
    # The latest complete quarter is the financial year's Q2 (July–September 2026).
    assert periods.complete_quarter(as_of).label == "2026-27 Q2"
    assert periods.complete_quarter(as_of, 2).label == "2025-26 Q4"
    assert add_months is periods.add_months and month_end is periods.month_end
