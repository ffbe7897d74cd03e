"""RAG status against target by polarity, worked by hand at and around each boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.rag import rag


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        # up, target 0.90: green ≥ 0.90, amber ≥ 0.85, red below
        (0.95, 0.90, "up", "green"),
        (0.90, 0.90, "up", "green"),
        (0.8999, 0.90, "up", "amber"),
        (0.85, 0.90, "up", "amber"),  # 0.90 − 0.05 is 0.8500000000000001 in floats; the boundary is still amber
        (0.8499, 0.90, "up", "red"),
        (0.0, 0.90, "up", "red"),
        (1.0, 1.00, "up", "green"),
        # down, target 0.05: green ≤ 0.05, amber ≤ 0.10, red above
        (0.0, 0.05, "down", "green"),
        (0.05, 0.05, "down", "green"),
        (0.10, 0.05, "down", "amber"),
        (0.1001, 0.05, "down", "red"),
        (0.2, 0.0, "down", "red"),
        # toward_zero, target 0: |value| ≤ 0 green, ≤ 0.05 amber
        (0.0, 0.0, "toward_zero", "green"),
        (-0.04, 0.0, "toward_zero", "amber"),
        (0.05, 0.0, "toward_zero", "amber"),
        (-0.06, 0.0, "toward_zero", "red"),
        (-0.02, 0.03, "toward_zero", "green"),
        # no RAG
        (0.5, 0.9, "neutral", None),
        (0.5, None, "up", None),
        (0.5, np.nan, "up", None),
        (np.nan, 0.9, "up", None),
        (None, 0.9, "down", None),
    ],
)
def test_rag_scalar(value, target, polarity, expected):
    assert rag(value, target, polarity) == expected


@pytest.mark.parametrize(
    ("value", "margin", "expected"),
    [(0.82, 0.10, "amber"), (0.79, 0.10, "red"), (0.89, 0.0, "red"), (85.0, 5.0, "amber")],
)
def test_amber_margin_is_a_parameter(value, margin, expected):
    target = 90.0 if value > 1 else 0.90
    assert rag(value, target, "up", amber_margin=margin) == expected


def test_rag_vectorised_over_values_targets_and_polarities():
    index = ["VCOP_OVERALL", "SAT_WHOLE", "WCU_INEFFECTIVE_WITNESS", "CG_REFERRALS", "SM_QA"]
    values = pd.Series([0.91, 0.76, 0.08, 120.0, np.nan], index=index)
    targets = pd.Series([0.90, 0.80, 0.05, np.nan, 1.0], index=index)
    polarities = ["up", "up", "down", "neutral", "up"]
    result = rag(values, targets, polarities)
    assert list(result.index) == index
    assert result.tolist() == ["green", "amber", "amber", None, None]


def test_rag_vectorised_against_one_target():
    assert rag([0.95, 0.86, 0.5], 0.9, "up").tolist() == ["green", "amber", "red"]


def test_rag_unknown_polarity_raises():
    with pytest.raises(ValueError):
        rag(0.5, 0.9, "higher")
