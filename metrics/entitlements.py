"""Entitlement instance states at the as-of date (excluded, timely, pending, justified, late, missed), vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.working_days import calendar_days_elapsed, working_days_elapsed

# `justified` (STATUTORY.md §1: late or missed with a recorded good reason) comes last so that the codes of the v1
# states stay what they were.
STATES = ("excluded", "timely", "late", "missed", "pending", "justified")
V1_STATES = STATES[:5]
STATE_DTYPE = pd.CategoricalDtype(list(STATES))
# States that count towards compliance, the duty and delivery (pending instances are not counted yet).
COUNTED = ("timely", "late", "missed", "justified")
# Shortfalls: counted but not timely (the denominator of EXC_SHARE).
SHORTFALLS = ("late", "missed", "justified")


def _categorical_codes(values: pd.Series, categories: pd.Index) -> np.ndarray:
    """Position of each value in `categories` (−1 when unknown), cheap when values are already categorical."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        mapping = categories.get_indexer(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(mapping, -1)[codes], -1)
    return categories.get_indexer(values)


def timescale_days(codes: pd.Series, enhanced: pd.Series, timescales: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(timescale in days, True where the code counts calendar days) per row; NaN timescale for unknown codes."""
    position = _categorical_codes(codes, timescales.index)
    standard = np.append(timescales["standard"].to_numpy(dtype=float), np.nan)[position]
    enhanced_days = np.append(timescales["enhanced"].to_numpy(dtype=float), np.nan)[position]
    calendar = np.append((timescales["unit"] == "calendar").to_numpy(), False)[position]
    is_enhanced = enhanced.fillna(False).to_numpy(dtype=bool)
    return np.where(is_enhanced, enhanced_days, standard), calendar


def classify(elapsed, timescale, delivered, declined, reasoned=None) -> pd.Categorical:
    """State from days elapsed (to delivery, or to the as-of date when undelivered) against the timescale.

    First match wins (STATUTORY.md §1): excluded: declined; timely: delivered within the timescale; pending:
    undelivered and still within it; justified: late or missed with a good reason recorded (`reasoned`, default
    none); late: delivered after the timescale; missed: undelivered and past it. A reason on a timely or pending
    instance changes nothing. A missing elapsed or timescale (unknown code, trigger after the as-of date) gives no
    state. Works on one row per instance or on rows of counted instances alike.
    """
    elapsed = np.asarray(elapsed, dtype=float)
    timescale = np.asarray(timescale, dtype=float)
    delivered = np.asarray(delivered, dtype=bool)
    declined = np.asarray(declined, dtype=bool)
    reasoned = np.zeros(len(elapsed), dtype=bool) if reasoned is None else np.asarray(reasoned, dtype=bool)
    within = elapsed <= timescale
    known = ~(np.isnan(elapsed) | np.isnan(timescale))
    codes = np.select(
        [declined, delivered & within, within, reasoned, delivered],
        [0, 1, 4, 5, 2],
        default=3,
    ).astype(np.int8)
    codes[~known & ~declined] = -1
    return pd.Categorical.from_codes(codes, dtype=STATE_DTYPE)


def elapsed_days(frame: pd.DataFrame, as_of, calendar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days elapsed from trigger to delivery, or to the as-of date when not delivered by then; delivered flag).

    Working days for most codes, calendar days where `calendar` is True. A delivery after the as-of date is not yet a
    delivery: nothing after the as-of date counts.
    """
    as_of = pd.Timestamp(as_of)
    trigger = frame["trigger_date"]
    delivered_date = frame["delivered_date"]
    delivered = (delivered_date.notna() & (delivered_date <= as_of)).to_numpy()
    end = delivered_date.where(delivered, as_of)
    elapsed = working_days_elapsed(trigger, end)
    if calendar.any():
        elapsed = np.where(calendar, calendar_days_elapsed(trigger, end), elapsed)
    elapsed[(trigger > as_of).to_numpy()] = np.nan
    return elapsed, delivered


def entitlement_states(frame: pd.DataFrame, timescales: pd.DataFrame, as_of) -> pd.Series:
    """The state of every instance at the as-of date, using the enhanced timescale for victims with Enhanced Rights.

    `frame` has code, trigger_date, delivered_date (datetime64, NaT when undelivered), declined (nullable: false when
    missing), enhanced_rights and optionally exception_reason (a recorded good reason: late or missed instances with
    one are justified); `timescales` is Catalogue.timescales(). Instances triggered after the as-of date or with a
    code missing from the catalogue get no state (NaN) and count nowhere.
    """
    timescale, calendar = timescale_days(frame["code"], frame["enhanced_rights"], timescales)
    elapsed, delivered = elapsed_days(frame, as_of, calendar)
    declined = frame["declined"].fillna(False).to_numpy(dtype=bool)
    reasoned = has_reason(frame)
    return pd.Series(classify(elapsed, timescale, delivered, declined, reasoned), index=frame.index, name="state")


def has_reason(frame: pd.DataFrame) -> np.ndarray:
    """True where an exception_reason is recorded (a frame without the column, v1 data, has none)."""
    if "exception_reason" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    reason = frame["exception_reason"].astype("string")
    return (reason.notna() & reason.str.strip().ne("")).fillna(False).to_numpy(dtype=bool)


def state_counts(frame: pd.DataFrame, keys: list[str], weight: str | None = None) -> pd.DataFrame:
    """Instances per state (one column each) for every combination of `keys`; `weight` counts rows as n instances.

    The justified column is there only when some instance is justified: a v1 frame gives the v1 table."""
    weights = frame[weight] if weight else pd.Series(1, index=frame.index)
    table = (
        weights.groupby([frame[k] for k in keys] + [frame["state"]], observed=True, dropna=False)
        .sum()
        .unstack("state", fill_value=0)
    )
    states = list(STATES) if (frame["state"] == "justified").any() else list(V1_STATES)
    table = table.reindex(columns=states, fill_value=0)
    table.columns = states
    return table.reset_index()
