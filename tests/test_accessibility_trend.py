"""The scorecard's Trend column: a sparkline of numbers only (no raw text, no pills), suppressed months left out."""

from __future__ import annotations

import math

import pytest

from ui.scorecard_table import trend_points


@pytest.mark.parametrize(
    ("series", "kind", "expected"),
    [
        # Streamlit's sparkline shows a cell holding None as the raw list ",,,,0.9285…": suppressed months go.
        ([None, float("nan"), 0.92857, 0.5], "rate", [92.9, 50.0]),
        ([12, None, 15], "count", [12.0, 15.0]),
        ([None, None], "rate", []),
        ([3.25, 4.0], "days", [3.2, 4.0]),
    ],
)
def test_trend_points_are_numbers_only(series, kind, expected):
    points = trend_points(series, kind)
    assert points == expected
    assert all(isinstance(p, float) and not math.isnan(p) for p in points)
