"""Reporting periods: calendar months, financial quarters and years (1 April – 31 March), rolling 12 complete months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

KINDS = ("month", "quarter", "financial_year", "rolling_12", "custom")


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with a kind and a label (e.g. 2024-03, 2023-24 Q4, 2023-24)."""

    start: pd.Timestamp
    end: pd.Timestamp
    kind: str = "custom"
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", pd.Timestamp(self.start).normalize())
        object.__setattr__(self, "end", pd.Timestamp(self.end).normalize())
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end.date()}) before it starts ({self.start.date()})")
        if self.kind not in KINDS:
            raise ValueError(f"period kind must be one of {KINDS}")
        if not self.label:
            object.__setattr__(self, "label", f"{self.start.date()}..{self.end.date()}")

    def clipped(self, start, end) -> Period | None:
        """This period cut to [start, end]; None when they do not overlap."""
        lo, hi = max(self.start, pd.Timestamp(start)), min(self.end, pd.Timestamp(end))
        return None if hi < lo else Period(lo, hi, self.kind, self.label)


def month_period(day) -> Period:
    """The calendar month containing a date."""
    start = pd.Timestamp(day).to_period("M").start_time
    return Period(start, start + pd.offsets.MonthEnd(0), "month", start.strftime("%Y-%m"))


def financial_year(day) -> Period:
    """The financial year (1 April – 31 March) containing a date, labelled e.g. 2023-24."""
    day = pd.Timestamp(day)
    first = day.year if day.month >= 4 else day.year - 1
    return Period(
        pd.Timestamp(first, 4, 1), pd.Timestamp(first + 1, 3, 31), "financial_year", f"{first}-{(first + 1) % 100:02d}"
    )


def financial_quarter(day) -> Period:
    """The financial quarter containing a date: Q1 April–June … Q4 January–March, labelled e.g. 2023-24 Q4."""
    day = pd.Timestamp(day)
    year = financial_year(day)
    number = ((day.month - 4) % 12) // 3 + 1
    start = year.start + pd.DateOffset(months=3 * (number - 1))
    end = start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    return Period(start, end, "quarter", f"{year.label} Q{number}")


def last_complete_month(as_of) -> Period:
    """The latest calendar month wholly on or before the as-of date."""
    as_of = pd.Timestamp(as_of)
    month = month_period(as_of)
    return month if month.end <= as_of else month_period(month.start - pd.Timedelta(days=1))


def rolling_12(as_of, back: int = 0) -> Period:
    """The 12 complete months up to the as-of date; back=1 is the 12 months before those."""
    last = last_complete_month(as_of)
    end = last.end - pd.DateOffset(months=12 * back) + pd.offsets.MonthEnd(0)
    start = (end - pd.DateOffset(months=11)).to_period("M").start_time
    return Period(start, end, "rolling_12", f"12 months to {end.strftime('%Y-%m')}")


def months(start, end) -> list[Period]:
    """The calendar months overlapping [start, end], each clipped to it."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    out = []
    for first in pd.period_range(start, end, freq="M"):
        clipped = month_period(first.start_time).clipped(start, end)
        if clipped is not None:
            out.append(clipped)
    return out


def recent_months(as_of, count: int = 36) -> list[Period]:
    """The last `count` complete calendar months up to the as-of date, oldest first."""
    last = last_complete_month(as_of)
    return months(last.start - pd.DateOffset(months=count - 1), last.end)


def quarters(start, end) -> list[Period]:
    """The financial quarters overlapping [start, end], each clipped to it."""
    return _spans(financial_quarter, start, end)


def financial_years(start, end) -> list[Period]:
    """The financial years overlapping [start, end], each clipped to it."""
    return _spans(financial_year, start, end)


def _spans(of, start, end) -> list[Period]:
    """Consecutive periods produced by `of(day)` covering [start, end], clipped to it."""
    day, end = pd.Timestamp(start), pd.Timestamp(end)
    out = []
    while day <= end:
        period = of(day)
        out.append(period.clipped(start, end))
        day = period.end + pd.Timedelta(days=1)
    return out


def month_end(day) -> dt.date:
    """The last day of the day's month."""
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def add_months(day, count: int) -> dt.date:
    """The first day of the month `count` months after the day's month (negative: before)."""
    return (pd.Timestamp(day).to_period("M") + count).start_time.date()


def complete_quarter(as_of, back: int = 0) -> Period:
    """The latest financial quarter wholly on or before the as-of date; back=1 is the one before it."""
    last = last_complete_month(as_of).end
    quarter = financial_quarter(last)
    if quarter.end > last:
        quarter = financial_quarter(quarter.start - pd.Timedelta(days=1))
    return financial_quarter(quarter.start - pd.DateOffset(months=3 * back)) if back else quarter


def as_date(value) -> dt.date:
    """A Timestamp, date or ISO string as a datetime.date."""
    return pd.Timestamp(value).date()
