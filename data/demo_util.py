"""Vectorised helpers of the demo generator: dates as epoch-day integers, working days, draws, Arrow columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Dates are int64 days since 1970-01-01; a null date is this sentinel (far from any real date, so that adding a
# few days to it never wraps or lands in the data's range).
DNULL = -1_000_000_000
EPOCH = dt.date(1970, 1, 1)


def day(date: dt.date) -> int:
    """Epoch day number of a date."""
    return (date - EPOCH).days


class WorkingDays:
    """Working days (Monday–Friday less England & Wales bank holidays, Wales subdivision) as in METRICS.md §1."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        years = range(first.year - 1, last.year + 3)
        dates = sorted(holidays.country_holidays("GB", subdiv="WLS", years=years))
        self.calendar = np.busdaycalendar(holidays=np.array(dates, dtype="datetime64[D]"))

    def add(self, start: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The day d with exactly k working days in (start, d]; start itself when k is 0."""
        moved = np.busday_offset(start.astype("datetime64[D]"), k, roll="backward", busdaycal=self.calendar)
        return np.where(k == 0, start, moved.astype(np.int64))


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of an (n, k) matrix of probabilities (each row its own distribution)."""
    cumulative = np.cumsum(probs, axis=1)
    u = rng.random(cumulative.shape[0]) * cumulative[:, -1]
    return np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[1] - 1)


def choose(rng: np.random.Generator, n: int, probs: Sequence[float]) -> np.ndarray:
    """n category indices from one distribution (normalised, so rounding in the table does not matter)."""
    p = np.asarray(probs, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def lognormal_days(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Whole days from a lognormal with the given median (a long right tail, as durations have)."""
    return np.floor(np.asarray(median) * np.exp(sigma * rng.standard_normal(n))).astype(np.int64)


# ---------------------------------------------------------------- Arrow columns (written as CSV by pyarrow)


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Identifiers such as VC-0000001 from integers, zero-padded to width digits."""
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(text, width=width, padding="0"), "")


def ids(prefix: str, first: int, n: int, width: int) -> pa.Array:
    """Consecutive identifiers from first."""
    return format_ids(prefix, np.arange(first, first + n, dtype=np.int64), width)


def date_col(days: np.ndarray) -> pa.Array:
    """A date32 column; DNULL becomes null."""
    return pa.array(np.where(days == DNULL, 0, days).astype(np.int32), type=pa.date32(), mask=days == DNULL)


def enum_col(index: np.ndarray, values: Sequence[str]) -> pa.Array:
    """A string column from category indices; a negative index is null."""
    index = np.asarray(index)
    return pa.array(list(values), type=pa.string()).take(pa.array(index, mask=index < 0))


def bool_col(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """A boolean column (true/false in CSV), null where null is True."""
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=null)


def int_col(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """An integer column, null where null is True."""
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=null)


def width_for(count: int, minimum: int) -> int:
    """Digits an identifier needs so that ids stay the same length and sort in order."""
    return max(minimum, len(str(max(count, 1))))
