"""Proportions and their uncertainty: Wilson intervals, Newcombe differences and the pooled two-proportion z test."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

# The exact 97.5% quantile of the standard normal; the spec's 1.959964 rounded to six places.
Z95 = 1.959963984540054
SIGNIFICANCE = 0.05


def _index_of(*inputs) -> pd.Index | None:
    """The index of the first Series among the inputs, so results line up with what the caller passed."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return item.index
    return None


def _as_float_arrays(*inputs) -> list[np.ndarray]:
    """Inputs (scalars, lists, arrays, Series) as broadcast float arrays of at least one dimension."""
    arrays = [np.atleast_1d(np.asarray(item, dtype=float)) for item in inputs]
    return list(np.broadcast_arrays(*arrays))


def _check_counts(x: np.ndarray, n: np.ndarray) -> None:
    """Reject counts that cannot describe a proportion; NaN (missing or suppressed) passes through."""
    known = ~(np.isnan(x) | np.isnan(n))
    if np.any(known & ((x < 0) | (n < 0) | (x > n))):
        raise ValueError("numerator must lie between 0 and the denominator")


def _wilson_arrays(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson bounds on plain arrays; NaN where the denominator is 0 or missing."""
    _check_counts(x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = n > 0
        safe_n = np.where(valid, n, 1.0)
        p = x / safe_n
        z2 = z * z
        scale = 1.0 + z2 / safe_n
        centre = (p + z2 / (2.0 * safe_n)) / scale
        half = (z / scale) * np.sqrt(np.maximum(p * (1.0 - p) / safe_n + z2 / (4.0 * safe_n * safe_n), 0.0))
    # At x = 0 and x = n the exact bound is 0 or 1; the formula only gets there up to rounding.
    low = np.where(valid, np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
    high = np.where(valid, np.where(x == n, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return low, high


def proportion(numerator, denominator) -> pd.Series:
    """Numerator ÷ denominator as a float Series; NaN where the denominator is 0 or missing."""
    x, n = _as_float_arrays(numerator, denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(n > 0, x / np.where(n > 0, n, 1.0), np.nan)
    return pd.Series(values, index=_index_of(numerator, denominator), dtype=float)


def wilson(numerator, denominator, z: float = Z95) -> tuple[pd.Series, pd.Series]:
    """95% Wilson score interval, vectorised; denominator 0 gives NaN."""
    x, n = _as_float_arrays(numerator, denominator)
    low, high = _wilson_arrays(x, n, z)
    index = _index_of(numerator, denominator)
    return pd.Series(low, index=index, dtype=float), pd.Series(high, index=index, dtype=float)


def wilson_scalar(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for one proportion x/n; (nan, nan) when n is 0."""
    low, high = _wilson_arrays(*_as_float_arrays(x, n), z)
    return float(low[0]), float(high[0])


def _newcombe_arrays(x1, n1, x2, n2, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference p1 − p2 and its Newcombe (1998, method 10) hybrid score bounds on plain arrays."""
    l1, u1 = _wilson_arrays(x1, n1, z)
    l2, u2 = _wilson_arrays(x2, n2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(n1 > 0, x1 / np.where(n1 > 0, n1, 1.0), np.nan)
        p2 = np.where(n2 > 0, x2 / np.where(n2 > 0, n2, 1.0), np.nan)
    diff = p1 - p2
    low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, low, high


def _z_test_arrays(x1, n1, x2, n2) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z statistic and two-sided p on plain arrays; NaN where a denominator is 0."""
    valid = (n1 > 0) & (n2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe1, safe2 = np.where(valid, n1, 1.0), np.where(valid, n2, 1.0)
        pooled = (x1 + x2) / (safe1 + safe2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / safe1 + 1.0 / safe2))
        z = (x1 / safe1 - x2 / safe2) / se
    # With a pooled rate of 0 or 1 both samples agree exactly: no evidence of a difference.
    z = np.where(valid & (se == 0), 0.0, z)
    z = np.where(valid, z, np.nan)
    p = np.array([math.erfc(abs(v) / math.sqrt(2.0)) if not math.isnan(v) else math.nan for v in z.ravel()])
    return z, p.reshape(z.shape)


def newcombe_difference(x1, n1, x2, n2, z: float = Z95) -> tuple[float, float]:
    """Newcombe hybrid score interval (method 10) for p1 − p2; (nan, nan) when a denominator is 0."""
    _, low, high = _newcombe_arrays(*_as_float_arrays(x1, n1, x2, n2), z)
    return float(low[0]), float(high[0])


def two_proportion_z(x1, n1, x2, n2) -> tuple[float, float]:
    """Pooled two-proportion z test of p1 = p2: (z, two-sided p); NaN when a denominator is 0."""
    z, p = _z_test_arrays(*_as_float_arrays(x1, n1, x2, n2))
    return float(z[0]), float(p[0])


def compare_periods_table(x1, n1, x2, n2, z: float = Z95, alpha: float = SIGNIFICANCE) -> pd.DataFrame:
    """Vectorised period comparison (period 1 minus period 2): diff, ci_low, ci_high, z, p, significant (p < alpha;
    take both z and alpha from one confidence level: z_for(c), 1 − c)."""
    a1, b1, a2, b2 = _as_float_arrays(x1, n1, x2, n2)
    diff, low, high = _newcombe_arrays(a1, b1, a2, b2, z)
    zs, ps = _z_test_arrays(a1, b1, a2, b2)
    return pd.DataFrame(
        {
            "diff": diff,
            "ci_low": low,
            "ci_high": high,
            "z": zs,
            "p": ps,
            # NaN < 0.05 is False, so an incomparable pair is never significant.
            "significant": ps < alpha,
        },
        index=_index_of(x1, n1, x2, n2),
    )


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (1.959964 at 95%)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def compare_periods(x1, n1, x2, n2, z: float = Z95) -> dict:
    """Compare x1/n1 with x2/n2: diff, Newcombe ci_low/ci_high, pooled z, p and significant (p < 0.05)."""
    row = compare_periods_table(x1, n1, x2, n2, z).iloc[0]
    result = {key: float(row[key]) for key in ("diff", "ci_low", "ci_high", "z", "p")}
    result["significant"] = bool(row["significant"])
    return result
