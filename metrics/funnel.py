"""Funnel plots for comparing units or areas (Spiegelhalter 2005, "Funnel plots for comparing institutional
performance", Statistics in Medicine 24:1185–1202): each group's rate against its base, with control limits around
the overall rate that narrow as the base grows, so a group is called an outlier only when chance is an unlikely
explanation — not merely because it is lower.

Binomial limits by the normal approximation: p0 ± z·sqrt(p0(1 − p0)/n), clamped to [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.rates import Z95

# Two-sided: 95% (z for 0.975) and 99.8% (z for 0.999), the two funnels Spiegelhalter draws.
Z998 = 3.090232306167813
LIMITS = {"95": Z95, "99.8": Z998}
INSIDE, HIGH_95, LOW_95, HIGH_998, LOW_998 = "inside", "high_95", "low_95", "high_99_8", "low_99_8"


def limits(p0: float, base, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits at each base n around the overall rate p0 (NaN where n is not positive)."""
    n = np.atleast_1d(np.asarray(base, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(p0 * (1 - p0) / np.where(n > 0, n, np.nan))
    return np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)


def overall_rate(numerator, denominator) -> float:
    """The pooled rate of every group (their numerators over their denominators): the funnel's centre line."""
    num, den = np.nansum(np.asarray(numerator, dtype=float)), np.nansum(np.asarray(denominator, dtype=float))
    return float(num / den) if den > 0 else float("nan")


def classify(rate: float, base: float, p0: float) -> str:
    """Where a group's rate falls: inside the 95% limits, between the 95% and 99.8% limits (high_95/low_95), or
    beyond the 99.8% limits (high_99_8/low_99_8)."""
    if pd.isna(rate) or pd.isna(base) or base <= 0 or pd.isna(p0):
        return INSIDE
    (low95,), (high95,) = limits(p0, base, Z95)
    (low998,), (high998,) = limits(p0, base, Z998)
    if rate > high998:
        return HIGH_998
    if rate < low998:
        return LOW_998
    if rate > high95:
        return HIGH_95
    if rate < low95:
        return LOW_95
    return INSIDE


def funnel_points(groups: pd.DataFrame, p0: float | None = None) -> pd.DataFrame:
    """Each group (columns group_value, numerator, denominator) with its rate, its limits at its own base and where
    it falls; p0 defaults to the pooled rate of all the groups."""
    p0 = overall_rate(groups["numerator"], groups["denominator"]) if p0 is None else p0
    base = groups["denominator"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = groups["numerator"].astype(float).to_numpy() / np.where(base > 0, base, np.nan)
    out = groups.reset_index(drop=True).copy()
    out["rate"] = rate
    out["overall"] = p0
    for name, z in LIMITS.items():
        out[f"low_{name}"], out[f"high_{name}"] = limits(p0, base, z)
    out["position"] = [classify(r, n, p0) for r, n in zip(rate, base, strict=True)]
    return out


def funnel_curve(p0: float, smallest: float, largest: float, points: int = 60) -> pd.DataFrame:
    """The funnel's limit lines from the smallest to the largest base (geometric steps, so the narrow end is
    drawn smoothly): base, low/high for 95% and 99.8%."""
    start, stop = max(float(smallest), 1.0), max(float(largest), float(smallest), 1.0)
    base = np.unique(np.geomspace(start, stop, points).round(2)) if stop > start else np.array([start])
    curve = pd.DataFrame({"base": base})
    for name, z in LIMITS.items():
        curve[f"low_{name}"], curve[f"high_{name}"] = limits(p0, base, z)
    return curve
