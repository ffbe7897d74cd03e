"""XmR statistical process control as NHS England's "Making Data Count": limits, special-cause rules, icons."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

LIMIT = 2.66  # process limits: mean ± 2.66 × mean moving range (3 sigma)
NEAR_LIMIT = 2 * LIMIT / 3  # two-sigma lines used by the two-in-three rule
SCREEN = 3.267  # moving ranges at or above 3.267 × mean(mR) are outliers when screening
RUN_LENGTH = 7  # points needed for a shift or a trend
TRIAL_BELOW = 12  # fewer points than this give trial limits
MIN_POINTS = 2  # fewer points than this give no chart
# A recalculation is suggested only where the process before the shift has a full baseline of its own (as many points
# as firm limits need): a run starting a few points into a segment is that segment's level, not a change of it.
SUGGEST_AFTER = TRIAL_BELOW
# Comparisons against the mean and the limits allow this much relative rounding noise, so that a point that equals the
# mean in exact arithmetic (say 0.75 among rates) counts as on the mean, and the result does not hang on float noise.
RELATIVE_TOLERANCE = 1e-10

RULES = ("outside_limits", "shift", "trend", "two_of_three")
POLARITIES = ("up", "down", "neutral", "toward_zero")
COLUMNS = [
    "value",
    "mean",
    "lpl",
    "upl",
    "nlpl",
    "nupl",
    "mr",
    "special_cause",
    "rule",
    "direction",
    "variation",
    "segment",
    "trial_limits",
]


def average_moving_range(values, screen_outliers: bool = False) -> float:
    """Mean moving range of a series without gaps; screening drops mR ≥ 3.267 × mean(mR) once and recomputes."""
    mr = np.abs(np.diff(np.asarray(values, dtype=float)))
    if mr.size == 0:
        return float("nan")
    amr = float(mr.mean())
    if screen_outliers:
        kept = mr[mr < SCREEN * amr]
        # Every range equal (amr 0) keeps nothing under a strict "<"; the unscreened mean is then the answer.
        amr = float(kept.mean()) if kept.size else amr
    return amr


def limits(values, screen_outliers: bool = False) -> dict[str, float]:
    """Centre line and limits of one segment: mean, lpl, upl and the two-sigma lines nlpl, nupl."""
    series = np.asarray(values, dtype=float)
    mean = float(series.mean()) if series.size else float("nan")
    amr = average_moving_range(series, screen_outliers)
    return {
        "mean": mean,
        "lpl": mean - LIMIT * amr,
        "upl": mean + LIMIT * amr,
        "nlpl": mean - NEAR_LIMIT * amr,
        "nupl": mean + NEAR_LIMIT * amr,
        "amr": amr,
    }


def _tolerance(values: np.ndarray) -> float:
    """Absolute comparison tolerance for a segment, scaled to the size of its values."""
    return RELATIVE_TOLERANCE * max(1.0, float(np.max(np.abs(values))) if values.size else 1.0)


def sides(values, mean: float, tolerance: float = 0.0) -> np.ndarray:
    """+1 above the mean, −1 below, 0 on it (within tolerance)."""
    delta = np.asarray(values, dtype=float) - mean
    return np.where(delta > tolerance, 1, np.where(delta < -tolerance, -1, 0)).astype(int)


def _runs(codes: np.ndarray):
    """(start, stop, code) for each maximal run of equal non-zero codes; stop is exclusive."""
    codes = np.asarray(codes)
    if codes.size == 0:
        return
    breaks = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    for start, stop in zip(np.r_[0, breaks], np.r_[breaks, codes.size], strict=True):
        if codes[start] != 0:
            yield int(start), int(stop), int(codes[start])


def shift_flags(side_codes, length: int = RUN_LENGTH) -> np.ndarray:
    """Every point of a run of `length` or more consecutive points on one side of the mean (0 breaks a run)."""
    codes = np.asarray(side_codes, dtype=int)
    flags = np.zeros(len(codes), dtype=bool)
    for start, stop, _ in _runs(codes):
        if stop - start >= length:
            flags[start:stop] = True
    return flags


def trend_flags(values, length: int = RUN_LENGTH) -> np.ndarray:
    """+1/−1 on every point of a run of `length` or more points each strictly above/below the one before, else 0.

    A 7-point trend has six rises: [1..7] qualifies, and an equal value ([1, 2, 3, 3, 4, 5, 6]) breaks it. A point that
    ends one trend and starts the next (a peak) takes the direction of the later trend, as NHSRplotthedots does.
    """
    series = np.asarray(values, dtype=float)
    flags = np.zeros(len(series), dtype=int)
    if len(series) < 2:
        return flags
    steps = np.nan_to_num(np.sign(np.diff(series)), nan=0.0).astype(int)
    for start, stop, code in _runs(steps):
        # steps[start:stop] are the rises between points start .. stop, so the trend covers stop - start + 1 points.
        if stop - start + 1 >= length:
            flags[start : stop + 1] = code
    return flags


def two_in_three_flags(close, side_codes) -> np.ndarray:
    """Points in a window of three consecutive points, all on one side of the mean, two or more of them `close`.

    `close` marks points beyond the two-sigma lines. This is the window test of NHSRplotthedots: the middle point of
    [close, not close, close] is in the window too; `xmr` flags only the close points of a qualifying window.
    """
    near = np.asarray(close, dtype=bool)
    codes = np.asarray(side_codes, dtype=int)
    flags = np.zeros(len(near), dtype=bool)
    if len(near) < 3:
        return flags
    # Each window [i, i + 3) as sums over its three points, all windows at once.
    close_count = near[:-2].astype(int) + near[1:-1] + near[2:]
    side_sum = codes[:-2] + codes[1:-1] + codes[2:]
    qualifies = (close_count >= 2) & (np.abs(side_sum) == 3)
    for offset in range(3):
        flags[offset : len(near) - 2 + offset] |= qualifies
    return flags


def _segment_points(
    values: np.ndarray, screen_outliers: bool, baseline_points: int | None = None
) -> dict[str, np.ndarray | float]:
    """Limits, rule flags and special-cause direction for one segment of observed (non-NaN) values; with
    `baseline_points` the limits come from the segment's first that many points and are fixed for the rest."""
    n = len(values)
    stats = limits(values[:baseline_points] if baseline_points else values, screen_outliers)
    tol = _tolerance(values)
    side = sides(values, stats["mean"], tol)
    delta = values - stats["mean"]
    outside = (delta > LIMIT * stats["amr"] + tol) | (delta < -LIMIT * stats["amr"] - tol)
    # The 2023 rule: points beyond the process limits are also beyond two sigma.
    close = (delta > NEAR_LIMIT * stats["amr"] + tol) | (delta < -NEAR_LIMIT * stats["amr"] - tol)
    trend = trend_flags(values)
    rules = {
        "outside_limits": outside,
        "shift": shift_flags(side),
        "trend": trend != 0,
        "two_of_three": two_in_three_flags(close, side) & close,
    }
    # Direction follows the rule NHSRplotthedots gives priority: outside limits, trend, two in three, shift.
    direction = np.where(
        rules["outside_limits"],
        side,
        np.where(rules["trend"], trend, np.where(rules["two_of_three"] | rules["shift"], side, 0)),
    )
    names = [",".join(rule for rule in RULES if rules[rule][i]) for i in range(n)]
    mr = np.concatenate([[np.nan], np.abs(np.diff(values))]) if n else np.array([])
    return {**stats, "names": names, "direction": direction.astype(int), "mr": mr}


def _variation(direction: np.ndarray, polarity: str, mean: float) -> list[str]:
    """common / improvement / concern / neutral for each point from its special-cause direction and the polarity."""
    if polarity == "neutral":
        return ["neutral" if d else "common" for d in direction]
    if polarity == "toward_zero":
        # A move toward zero improves; with the centre on zero any special cause moves away from it.
        good = -1 if mean > 0 else 1 if mean < 0 else 0
    else:
        good = 1 if polarity == "up" else -1
    return ["common" if d == 0 else "improvement" if d == good else "concern" for d in direction]


def assurance(lpl: float, upl: float, target: float | None, polarity: str) -> str | None:
    """pass, fail or hit_and_miss of the process limits against a target; None for neutral or without a target."""
    if target is None or polarity == "neutral" or any(pd.isna(v) for v in (lpl, upl, target)):
        return None
    if polarity == "up":
        return "pass" if target <= lpl else "fail" if target > upl else "hit_and_miss"
    if polarity == "down":
        return "pass" if target >= upl else "fail" if target < lpl else "hit_and_miss"
    band = abs(target)  # toward_zero: the target is a band ±|target| around zero
    if -band <= lpl and upl <= band:
        return "pass"
    return "fail" if lpl > band or upl < -band else "hit_and_miss"


def variation_icon(special_cause: bool, variation: str, direction: int) -> str:
    """The Making Data Count variation icon of one point: common_cause or <variation>_<high|low>."""
    if not special_cause:
        return "common_cause"
    return f"{variation}_{'high' if direction > 0 else 'low'}"


def _rebase_positions(index: pd.Index, rebase_at: Sequence | None) -> list[int]:
    """Positions where a new segment starts, from positions or index labels (dates snap to the next point)."""
    positions = set()
    for item in rebase_at or []:
        is_position = isinstance(item, (int, np.integer)) and not isinstance(item, bool)
        if is_position and (isinstance(index, pd.RangeIndex) or item not in index):
            positions.add(int(item))
        elif item in index:
            loc = index.get_loc(item)
            if not isinstance(loc, (int, np.integer)):
                raise ValueError(f"rebase label {item!r} is not unique in the index")
            positions.add(int(loc))
        elif index.is_monotonic_increasing:
            # A configured rebase date between two points starts the segment at the first point after it.
            positions.add(int(index.searchsorted(pd.Index([item]).astype(index.dtype)[0], side="left")))
        else:
            raise ValueError(f"cannot place rebase point {item!r} in the series index")
    return sorted(p for p in positions if 0 < p < len(index))


def _point_arrays(values: np.ndarray) -> dict[str, np.ndarray]:
    """Per-point columns with no limits and no flags, as arrays filled segment by segment and framed once (building
    the frame first and writing into it with iloc cost milliseconds a call, and scorecards make dozens of calls)."""
    n = len(values)
    return {
        "value": values,
        **{column: np.full(n, np.nan) for column in ("mean", "lpl", "upl", "nlpl", "nupl", "mr")},
        "special_cause": np.zeros(n, dtype=bool),
        "rule": np.full(n, "", dtype=object),
        "direction": np.zeros(n, dtype=np.int64),
        # A missing (suppressed) month has no variation: None, never "common".
        "variation": np.full(n, None, dtype=object),
        "segment": np.zeros(n, dtype=np.int64),
        "trial_limits": np.ones(n, dtype=bool),
    }


def xmr(
    values,
    *,
    screen_outliers: bool = False,
    polarity: str = "up",
    target: float | None = None,
    rebase_at: Sequence | None = None,
    baseline_points: int | None = None,
) -> pd.DataFrame:
    """XmR chart: one row per point with limits, special-cause flags and variation; icons in .attrs.

    NaN values (suppressed months) are left out of the limits and the rules (the rules run over the plotted points)
    and their rows carry no flag and no variation (None). `rebase_at` lists positions or index labels where a new
    segment, with its own limits, starts. `baseline_points` fixes each segment's limits from its first N plotted
    points (a fixed baseline); later points are judged against them. attrs: assurance (pass/fail/hit_and_miss/None)
    and variation_icon (the latest point; None when it is missing or there is no chart), both read from the latest
    segment alone; trial_limits (the latest segment's limits rest on under 12 points), has_chart, and
    suggested_rebases (positions where a shift starts inside a segment: see shift_starts).
    """
    if baseline_points is not None and baseline_points < MIN_POINTS:
        raise ValueError(f"baseline_points must be at least {MIN_POINTS}, not {baseline_points!r}")
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    index = series.index
    data = series.to_numpy(dtype=float, na_value=np.nan)
    points = _point_arrays(data)
    starts = [0, *_rebase_positions(index, rebase_at), len(data)]
    latest = {"lpl": np.nan, "upl": np.nan, "points": 0, "basis": 0}
    for number, (begin, end) in enumerate(zip(starts[:-1], starts[1:], strict=True)):
        points["segment"][begin:end] = number
        positions = begin + np.flatnonzero(~np.isnan(data[begin:end]))
        basis = min(len(positions), baseline_points) if baseline_points else len(positions)
        points["trial_limits"][begin:end] = basis < TRIAL_BELOW
        latest = {"lpl": np.nan, "upl": np.nan, "points": len(positions), "basis": basis}
        if len(positions) < MIN_POINTS:
            continue
        result = _segment_points(data[positions], screen_outliers, baseline_points)
        for name in ("mean", "lpl", "upl", "nlpl", "nupl"):
            points[name][begin:end] = result[name]
        points["mr"][positions] = result["mr"]
        points["rule"][positions] = result["names"]
        points["direction"][positions] = result["direction"]
        points["special_cause"][positions] = result["direction"] != 0
        points["variation"][positions] = _variation(result["direction"], polarity, result["mean"])
        latest = {"lpl": result["lpl"], "upl": result["upl"], "points": len(positions), "basis": basis}
    # Text columns from lists, so they get pandas' string dtype as any other text column does; `points` is already
    # in COLUMNS order.
    frame = pd.DataFrame(
        {**points, "rule": points["rule"].tolist(), "variation": points["variation"].tolist()}, index=index
    )
    has_chart = latest["points"] >= MIN_POINTS
    icon = None
    if has_chart and len(data) and not np.isnan(data[-1]):
        last = len(data) - 1
        special = bool(points["special_cause"][last])
        icon = variation_icon(special, points["variation"][last], int(points["direction"][last]))
    frame.attrs["has_chart"] = bool(has_chart)
    frame.attrs["trial_limits"] = bool(latest["basis"] < TRIAL_BELOW)
    frame.attrs["assurance"] = assurance(latest["lpl"], latest["upl"], target, polarity) if has_chart else None
    frame.attrs["variation_icon"] = icon
    frame.attrs["suggested_rebases"] = shift_starts(frame)
    return frame


def shift_starts(frame: pd.DataFrame) -> list[int]:
    """Positions where a run the shift rule counts (RUN_LENGTH or more plotted points on one side of the mean) starts
    in the latest segment, at least SUGGEST_AFTER plotted points into it: where Making Data Count would consider
    recalculating the limits from. Only the latest segment is read (the current process: earlier segments are
    history, and their chance runs would only nag)."""
    if frame.empty:
        return []
    values = frame["value"].to_numpy(dtype=float)
    segments = frame["segment"].to_numpy()
    positions = np.flatnonzero((segments == segments[-1]) & ~np.isnan(values))
    mean = float(frame["mean"].iloc[-1])
    if len(positions) < RUN_LENGTH or np.isnan(mean):
        return []
    observed = values[positions]
    side = sides(observed, mean, _tolerance(observed))
    runs = _runs(side)
    return [int(positions[start]) for start, stop, _ in runs if stop - start >= RUN_LENGTH and start >= SUGGEST_AFTER]
