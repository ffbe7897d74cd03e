"""Working days: Monday–Friday less England & Wales bank holidays; elapsed days T < d ≤ D."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from metrics.working_days import (
    add_working_days,
    bank_holidays,
    calendar_days_elapsed,
    is_working_day,
    working_days_elapsed,
)


@pytest.mark.parametrize(
    ("trigger", "delivered", "expected", "why"),
    [
        ("2024-03-05", "2024-03-05", 0, "same day"),
        ("2024-03-01", "2024-03-04", 1, "Friday to Monday"),
        ("2024-03-01", "2024-03-02", 0, "Friday to Saturday"),
        ("2024-03-01", "2024-03-03", 0, "Friday to Sunday"),
        ("2024-03-02", "2024-03-04", 1, "Saturday to Monday"),
        ("2024-03-04", "2024-03-11", 5, "Monday to Monday"),
        ("2024-02-29", "2024-03-01", 1, "St David's Day (1 March) is a working day"),
        ("2024-12-24", "2024-12-27", 1, "25 and 26 December are bank holidays"),
        ("2024-12-20", "2024-12-30", 4, "23, 24, 27, 30 December"),
        ("2024-12-27", "2025-01-02", 3, "30, 31 December and 2 January; New Year's Day is a holiday"),
        ("2024-03-28", "2024-04-02", 1, "Good Friday 29 March and Easter Monday 1 April"),
        ("2024-03-28", "2024-04-01", 0, "Thursday to Easter Monday"),
        ("2022-09-16", "2022-09-20", 1, "the Queen's state funeral, 19 September 2022"),
        ("2023-05-05", "2023-05-09", 1, "the Coronation, 8 May 2023"),
        ("2024-05-24", "2024-05-28", 1, "Spring bank holiday 27 May 2024"),
    ],
)
def test_working_days_elapsed(trigger, delivered, expected, why):
    assert working_days_elapsed([trigger], [delivered])[0] == expected, why


def test_vectorised_over_series_with_missing_dates():
    trigger = pd.Series(pd.to_datetime(["2024-03-01", "2024-12-20", None, "2024-03-28"])).astype("datetime64[s]")
    delivered = pd.Series(pd.to_datetime(["2024-03-04", "2024-12-30", "2024-03-01", None])).astype("datetime64[s]")
    out = working_days_elapsed(trigger, delivered)
    assert out[:2].tolist() == [1.0, 4.0]
    assert np.isnan(out[2]) and np.isnan(out[3])


def test_agrees_with_numpy_busday_count():
    """Counting (T, D] is busday_count over [T + 1, D + 1) with the same holidays, for thousands of random pairs."""
    rng = np.random.default_rng(7)
    trigger = np.datetime64("2021-06-01") + rng.integers(0, 1500, 5000)
    delivered = trigger + rng.integers(0, 40, 5000)
    expected = np.busday_count(trigger + 1, delivered + 1, holidays=bank_holidays(2021, 2025))
    assert np.array_equal(working_days_elapsed(trigger, delivered), expected)


@pytest.mark.parametrize(
    ("trigger", "delivered", "expected"),
    [
        ("2024-03-01", "2024-03-01", 0),
        ("2024-03-01", "2024-03-02", 1),  # a Saturday counts: calendar days
        ("2024-02-28", "2024-03-01", 2),  # 2024 is a leap year
        ("2024-12-24", "2024-12-27", 3),
    ],
)
def test_calendar_days_elapsed(trigger, delivered, expected):
    assert calendar_days_elapsed([trigger], [delivered])[0] == expected


def test_bank_holidays_2024_england_and_wales():
    expected = [
        "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
    ]  # fmt: skip
    assert bank_holidays(2024, 2024).astype(str).tolist() == expected


def test_wales_does_not_get_scotland_or_northern_ireland_holidays():
    days = set(bank_holidays(2024, 2024).astype(str))
    assert "2024-03-01" not in days  # St David's Day
    assert "2024-03-18" not in days  # St Patrick's Day (observed), Northern Ireland
    assert "2024-01-02" not in days  # 2 January, Scotland
    assert "2024-08-05" not in days  # Summer bank holiday, Scotland


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2024-03-01", True),
        ("2024-03-02", False),
        ("2024-12-25", False),
        ("2024-04-01", False),
        ("2024-04-02", True),
        (dt.date(2024, 12, 27), True),
    ],
)
def test_is_working_day(day, working):
    assert bool(is_working_day([day])[0]) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2024-12-20", 2, "2024-12-24"),  # Friday + 2: Monday 23, Tuesday 24
        ("2024-12-24", 1, "2024-12-27"),
        ("2024-03-02", 2, "2024-03-05"),  # from a Saturday: Monday is the first
        ("2024-03-28", 2, "2024-04-03"),  # Easter
        ("2024-03-05", 0, "2024-03-05"),
    ],
)
def test_add_working_days_is_the_inverse_of_elapsed(start, n, expected):
    got = add_working_days([start], n)[0]
    assert str(got) == expected
    assert working_days_elapsed([start], [got])[0] == n


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # Christmas Day and Boxing Day on a weekend: substitutes on Monday 27 and Tuesday 28 December.
        (2021, ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27",
                "2021-12-28"]),
        # New Year's Day on a Saturday (Monday 3 January), the Platinum Jubilee (2 and 3 June), the State Funeral
        # (19 September), Christmas Day on a Sunday (Tuesday 27 December).
        (2022, ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29",
                "2022-09-19", "2022-12-26", "2022-12-27"]),
        # New Year's Day on a Sunday (Monday 2 January), the Coronation (8 May).
        (2023, ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28",
                "2023-12-25", "2023-12-26"]),
    ],
)  # fmt: skip
def test_substitute_and_one_off_bank_holidays_typed_by_hand(year, expected):
    """England and Wales bank holidays as gov.uk lists them, typed by hand (not taken from the holidays package)."""
    days = bank_holidays(year, year).astype(str).tolist()
    weekdays = [d for d in days if pd.Timestamp(d).dayofweek < 5]
    assert weekdays == expected
    for day in ("2021-12-27", "2021-12-28", "2022-01-03", "2022-12-27", "2023-01-02"):
        if day.startswith(str(year)):
            assert not is_working_day([day])[0], day
