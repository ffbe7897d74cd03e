"""Period arithmetic behind the filters: rolling 12 months, financial years and quarters, worked by hand."""

import datetime as dt

import pytest

from ui.filters import financial_year, latest_complete_month_end, quarter, rolling_12

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
