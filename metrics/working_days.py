"""Working days (Monday–Friday less England & Wales bank holidays) and days elapsed between dates, vectorised."""

from __future__ import annotations

import functools

import holidays
import numpy as np
import pandas as pd

# The `holidays` package names Wales "WLS" within "UK": England's bank holidays (St David's Day is not one).
COUNTRY = "UK"
SUBDIVISION = "WLS"
_NAT = np.iinfo(np.int64).min


@functools.lru_cache(maxsize=32)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England & Wales bank holidays from 1 January of first_year to 31 December of last_year, as datetime64[D]."""
    days = holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


@functools.lru_cache(maxsize=32)
def _cumulative(first_year: int, last_year: int) -> tuple[int, np.ndarray]:
    """(day number of 1 January first_year, working days on or before each day of the span, int32).

    Working days in (T, D] are then cum[D] − cum[T]: one array lookup per date, however many rows.
    """
    start = np.datetime64(f"{first_year}-01-01", "D")
    days = np.arange(start, np.datetime64(f"{last_year + 1}-01-01", "D"))
    calendar = np.busdaycalendar(holidays=bank_holidays(first_year, last_year))
    return int(start.astype(np.int64)), np.cumsum(np.is_busday(days, busdaycal=calendar)).astype(np.int32)


def _day_numbers(dates) -> np.ndarray:
    """Dates (Series, array, list, scalar; datetime64 of any unit or date objects) as int64 days since 1970."""
    if isinstance(dates, pd.Series | pd.Index):
        values = dates.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    else:
        values = pd.to_datetime(np.atleast_1d(np.asarray(dates, dtype=object)), errors="raise").to_numpy()
    return values.astype("datetime64[D]").view(np.int64)


def _lookup(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Working-day counts up to each day (NaT → 0) and the NaT mask."""
    missing = days == _NAT
    valid = days[~missing]
    if valid.size == 0:
        return np.zeros(days.shape, dtype=np.int64), missing
    first = int(valid.min().astype("datetime64[D]").astype("datetime64[Y]").astype(int)) + 1970
    last = int(valid.max().astype("datetime64[D]").astype("datetime64[Y]").astype(int)) + 1970
    origin, cum = _cumulative(first, last)
    positions = np.where(missing, 0, days - origin)
    return np.take(cum, positions).astype(np.int64), missing


def working_days_elapsed(trigger, delivered) -> np.ndarray:
    """Working days d with trigger < d ≤ delivered, vectorised (float; NaN where either date is missing).

    Same day → 0; Friday → Monday 1; Friday → Saturday 0.
    """
    t_days, d_days = np.broadcast_arrays(_day_numbers(trigger), _day_numbers(delivered))
    # One calendar spanning both ends, so the two lookups share an origin.
    both = np.concatenate([t_days.ravel(), d_days.ravel()])
    counts, missing = _lookup(both)
    n = t_days.size
    out = (counts[n:] - counts[:n]).astype(float)
    out[missing[:n] | missing[n:]] = np.nan
    return out.reshape(t_days.shape)


def calendar_days_elapsed(trigger, delivered) -> np.ndarray:
    """Calendar days from trigger to delivered (D − T), vectorised (float; NaN where either date is missing)."""
    t_days, d_days = np.broadcast_arrays(_day_numbers(trigger), _day_numbers(delivered))
    out = (d_days - t_days).astype(float)
    out[(t_days == _NAT) | (d_days == _NAT)] = np.nan
    return out


def is_working_day(dates) -> np.ndarray:
    """True for Monday–Friday dates that are not England & Wales bank holidays."""
    days = _day_numbers(dates)
    counts, missing = _lookup(days)
    before, _ = _lookup(np.where(missing, _NAT, days - 1))
    # A day is a working day exactly when the running count steps up on it.
    return ~missing & (counts - before == 1)


def add_working_days(dates, n: int) -> np.ndarray:
    """The n-th working day after each date (n = 0: the date itself), as datetime64[D]; NaT stays NaT."""
    days = _day_numbers(dates)
    missing = days == _NAT
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    if n == 0 or missing.all():
        out[~missing] = days[~missing].astype("datetime64[D]")
        return out
    start = days[~missing].astype("datetime64[D]")
    first = int(start.min().astype("datetime64[Y]").astype(int)) + 1970
    last = int(start.max().astype("datetime64[Y]").astype(int)) + 1970 + 1 + n // 200
    # Rolling a weekend or holiday back to the working day before it counts the same working days after it.
    out[~missing] = np.busday_offset(start, n, roll="backward", holidays=bank_holidays(first, last))
    return out


def working_day_calendar(first_year: int, last_year: int) -> pd.DataFrame:
    """Every date of the years with the count of working days up to and including it (for SQL-side joins)."""
    origin, cum = _cumulative(first_year, last_year)
    days = np.datetime64(origin, "D") + np.arange(len(cum))
    return pd.DataFrame({"day": days.astype("datetime64[s]"), "working_days": cum})
