"""Shared machinery of the measure modules: the computation context, month buckets, cuts and period roll-ups."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue, Measure
from metrics.periods import Period

ALL = "all"
UNKNOWN = "unknown"
# Additive components per month (rolled up into periods by summing) and direct per-period results.
MONTHLY_COLUMNS = ["metric_id", "month", "group_value", "numerator", "denominator", "x1", "n1", "x2", "n2"]
DIRECT_COLUMNS = ["metric_id", "period", "group_value", "numerator", "denominator", "value"]


@dataclass
class Context:
    """Everything a measure module needs: prepared frames (cohort applied), periods, the as-of date and the cut."""

    frames: dict[str, pd.DataFrame]
    periods: list[Period]
    as_of: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    by: str | None
    catalogue: Catalogue
    monthly: list[pd.DataFrame] = field(default_factory=list)
    direct: list[pd.DataFrame] = field(default_factory=list)
    _windows: dict = field(default_factory=dict)

    @functools.cached_property
    def members(self) -> pd.DataFrame:
        """(month, period) pairs of the requested periods (see period_members)."""
        return period_members(self)

    def frame(self, source: str) -> pd.DataFrame | None:
        """A prepared source frame, or None when it was not fetched."""
        return self.frames.get(source)

    def rows(self, source: str, date_column: str) -> pd.DataFrame:
        """A source's rows in the window by one of its period dates, with `month` (computed once per context)."""
        key = (source, date_column)
        if key not in self._windows:
            self._windows[key] = in_window(self.frames[source], date_column, self)
        return self._windows[key]

    def cut(self, measure: Measure) -> str | None:
        """The column this measure is cut by: the requested cut when its source carries it, else none ("all")."""
        return self.by if self.by and self.by in (measure.cuts or []) else None


def truth(values) -> np.ndarray:
    """A condition as a plain boolean array: missing (NA) is not true."""
    if isinstance(values, pd.Series | pd.Index):
        return values.astype("boolean").fillna(False).to_numpy(dtype=bool)
    return np.asarray(values, dtype=bool)


def weights(frame: pd.DataFrame) -> np.ndarray:
    """Instances each row stands for: the `n` column of a compressed frame, else 1."""
    if "n" in frame.columns:
        return frame["n"].to_numpy(dtype=float)
    return np.ones(len(frame))


def labels(values: pd.Series) -> pd.Series:
    """Cut values as text: booleans as true/false, missing as unknown."""
    if values.dtype == bool or str(values.dtype) == "boolean":
        text = values.map({True: "true", False: "false"})
    else:
        text = values.astype("string")
    return text.fillna(UNKNOWN).astype(str)


def group_values(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """The group of every row: the cut column's value, or "all"."""
    if column is None or column not in frame.columns:
        return pd.Series(ALL, index=frame.index)
    return labels(frame[column])


def month_column(date_column: str) -> str:
    """Name of the column prepare() adds: the month of `date_column` when that date lies in the window, else NaT."""
    return f"month_{date_column}"


def window_months(dates: pd.Series, start, end, as_of) -> pd.Series:
    """The first of each date's month where the date lies in [start, end] and not after the as-of date, else NaT."""
    keep = (dates.notna() & (dates >= start) & (dates <= min(end, as_of))).to_numpy()
    days = dates.to_numpy(dtype="datetime64[s]", na_value=np.datetime64("NaT"))
    # Truncating to datetime64[M] is the month's first day, without building Period objects.
    months = np.where(keep, days.astype("datetime64[M]").astype("datetime64[s]"), np.datetime64("NaT"))
    return pd.Series(months, index=dates.index)


def in_window(frame: pd.DataFrame, date_column: str, ctx: Context) -> pd.DataFrame:
    """Rows whose period date lies in the window (never after the as-of date), with that date's month as `month`."""
    months = frame[month_column(date_column)]
    keep = months.notna().to_numpy()
    return frame.loc[keep].assign(month=months.to_numpy()[keep])


def add_monthly(
    ctx: Context,
    measure: Measure,
    rows: pd.DataFrame,
    numerator,
    denominator=None,
    components: dict[str, np.ndarray] | None = None,
) -> None:
    """Sum numerator / denominator (weighted by n) per month and group; rows must carry `month`."""
    w = weights(rows)
    data = {
        "month": rows["month"].to_numpy(),
        "group_value": group_values(rows, ctx.cut(measure)).to_numpy(),
        "numerator": np.asarray(numerator, dtype=float) * w,
        "denominator": np.nan if denominator is None else np.asarray(denominator, dtype=float) * w,
    }
    for name, values in (components or {}).items():
        data[name] = np.asarray(values, dtype=float) * w
    frame = pd.DataFrame(data)
    summed = frame.groupby(["month", "group_value"], sort=False).sum(min_count=1).reset_index()
    summed.insert(0, "metric_id", measure.id)
    ctx.monthly.append(summed.reindex(columns=MONTHLY_COLUMNS))


def add_rate(ctx: Context, measure: Measure, rows: pd.DataFrame, numerator, denominator) -> None:
    """A proportion: rows in the numerator (counted only when also in the denominator) over rows in the denominator."""
    den = truth(denominator)
    add_monthly(ctx, measure, rows, truth(numerator) & den, den)


def add_many(ctx: Context, rows: pd.DataFrame, items: list[tuple[Measure, object, object]]) -> None:
    """Several measures over the same rows in one pass: (measure, numerator, denominator) per measure.

    A rate gives boolean conditions (the numerator counted only within the denominator); a count or sum gives the
    values to add up and None as denominator. One groupby per cut instead of one per measure.
    """
    by_cut: dict[str | None, list] = {}
    for item in items:
        by_cut.setdefault(ctx.cut(item[0]), []).append(item)
    w = weights(rows)
    for cut, group in by_cut.items():
        data = {"month": rows["month"].to_numpy(), "group_value": group_values(rows, cut).to_numpy()}
        for i, (_, numerator, denominator) in enumerate(group):
            if denominator is None:
                data[f"num{i}"] = np.asarray(numerator, dtype=float) * w
                data[f"den{i}"] = np.nan
            else:
                den = truth(denominator)
                data[f"num{i}"] = (truth(numerator) & den) * w
                data[f"den{i}"] = den * w
        summed = pd.DataFrame(data).groupby(["month", "group_value"], sort=False).sum(min_count=1).reset_index()
        for i, (measure, _, _) in enumerate(group):
            part = summed[["month", "group_value", f"num{i}", f"den{i}"]]
            part = part.set_axis(["month", "group_value", "numerator", "denominator"], axis=1)
            ctx.monthly.append(part.assign(metric_id=measure.id).reindex(columns=MONTHLY_COLUMNS))


def add_direct(ctx: Context, measure: Measure, rows: pd.DataFrame) -> None:
    """Per-period results computed by the module itself (medians, distinct counts, stocks at the period end)."""
    if len(rows):
        ctx.direct.append(rows.assign(metric_id=measure.id).reindex(columns=DIRECT_COLUMNS))


def period_members(ctx: Context) -> pd.DataFrame:
    """(month, period) pairs: the month buckets each requested period adds up.

    Buckets are calendar months cut to the window, so a period must start on the first of a month or at the window
    start, and end on a month end or at the window end (the headline periods all do).
    """
    rows = []
    for number, period in enumerate(ctx.periods):
        aligned_start = period.start <= ctx.start or period.start.day == 1
        aligned_end = period.end >= min(ctx.end, ctx.as_of) or period.end == period.end + pd.offsets.MonthEnd(0)
        if not (aligned_start and aligned_end):
            raise ValueError(f"period {period.label} is not made of whole months of the window")
        first = period.start.to_period("M").start_time
        for month in pd.date_range(first, period.end, freq="MS"):
            rows.append((month, number))
    return pd.DataFrame(rows, columns=["month", "period"]).astype({"month": "datetime64[s]"})


def rollup(ctx: Context) -> pd.DataFrame:
    """Monthly components summed into every requested period."""
    if not ctx.monthly:
        return pd.DataFrame(columns=DIRECT_COLUMNS + ["x1", "n1", "x2", "n2"])
    monthly = pd.concat([m for m in ctx.monthly if len(m)], ignore_index=True) if any(map(len, ctx.monthly)) else None
    if monthly is None:
        return pd.DataFrame(columns=DIRECT_COLUMNS + ["x1", "n1", "x2", "n2"])
    monthly["month"] = monthly["month"].astype("datetime64[s]")
    joined = monthly.merge(ctx.members, on="month", how="inner")
    keys = ["metric_id", "period", "group_value"]
    values = ["numerator", "denominator", "x1", "n1", "x2", "n2"]
    return joined.groupby(keys, sort=False)[values].sum(min_count=1).reset_index()


def per_period(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    """Rows (with `month`, from in_window) repeated once for every requested period their month falls in."""
    return rows.merge(ctx.members, on="month", how="inner")


def known_by(frame: pd.DataFrame, columns: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Dates after the as-of date are not known yet: they become NaT."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].where(out[column] <= as_of)
    return out


def no_rule(measure: Measure) -> None:
    """A catalogue measure its source's module does not know how to compute: a configuration error, said loudly."""
    raise ValueError(f"measure {measure.id}: no computation is defined for it on source {measure.source}")
