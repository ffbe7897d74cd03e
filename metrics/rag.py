"""Red / amber / green status of a value against its target, by the measure's polarity."""

from __future__ import annotations

import numpy as np
import pandas as pd

POLARITIES = ("up", "down", "neutral", "toward_zero")
# 0.85 and 0.90 − 0.05 differ by float noise; a value on a boundary takes the better colour.
TOLERANCE = 1e-9


def _status(value: float, target: float, polarity: str, amber_margin: float) -> str | None:
    """RAG for one value; None when it does not apply."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    if polarity == "neutral" or target is None or pd.isna(target) or value is None or pd.isna(value):
        return None
    if polarity == "up":
        shortfall = target - value
    elif polarity == "down":
        shortfall = value - target
    else:  # toward_zero: the size of the value against the size of the target (e.g. a gap between groups)
        shortfall = abs(value) - abs(target)
    if shortfall <= TOLERANCE:
        return "green"
    return "amber" if shortfall <= amber_margin + TOLERANCE else "red"


def rag(value, target, polarity, amber_margin=0.05):
    """green / amber / red / None; vectorised over any of its arguments (a Series in gives a Series out).

    up: green ≥ target, amber ≥ target − margin, else red; down mirrors it; toward_zero compares |value| with |target|.
    None for neutral polarity, a missing target, or a missing (suppressed) value.
    """
    arguments = (value, target, polarity, amber_margin)
    if all(np.ndim(item) == 0 for item in arguments):
        return _status(value, target, polarity, amber_margin)
    index = next((item.index for item in arguments if isinstance(item, pd.Series)), None)
    columns = np.broadcast_arrays(*(np.atleast_1d(np.asarray(item, dtype=object)) for item in arguments))
    statuses = [_status(v, t, p, m) for v, t, p, m in zip(*columns, strict=True)]
    return pd.Series(statuses, index=index, dtype=object)
