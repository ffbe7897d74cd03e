"""Wilson intervals, Newcombe differences and the pooled z test against the reference file and hand-worked numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.rates import (
    compare_periods,
    compare_periods_table,
    newcombe_difference,
    proportion,
    two_proportion_z,
    wilson,
    wilson_scalar,
)
from tests.conftest import REFERENCE

STATS = json.loads((REFERENCE / "stats_reference.json").read_text(encoding="utf-8"))
WILSON_CASES = STATS["wilson_cases"]["cases"]
NEWCOMBE_CASES = STATS["newcombe_cases"]


@pytest.mark.parametrize("case", WILSON_CASES, ids=lambda c: f"{c['successes']}/{c['n']}")
def test_wilson_matches_reference(case):
    assert case["alpha"] == 0.05
    low, high = wilson_scalar(case["successes"], case["n"])
    # statsmodels checks these at decimal=6; some stored values carry only 7-8 significant figures.
    assert low == pytest.approx(case["ci_low"], abs=1e-7)
    assert high == pytest.approx(case["ci_upp"], abs=1e-7)


def test_wilson_vectorised_matches_reference_and_keeps_index():
    labels = [f"case{i}" for i in range(len(WILSON_CASES))]
    x = pd.Series([c["successes"] for c in WILSON_CASES], index=labels)
    n = pd.Series([c["n"] for c in WILSON_CASES], index=labels)
    low, high = wilson(x, n)
    assert list(low.index) == labels and list(high.index) == labels
    np.testing.assert_allclose(low.to_numpy(), [c["ci_low"] for c in WILSON_CASES], atol=1e-7)
    np.testing.assert_allclose(high.to_numpy(), [c["ci_upp"] for c in WILSON_CASES], atol=1e-7)


def test_wilson_hand_worked_with_z_2():
    # p = 0.5, n = 10, z = 2: centre (0.5 + 4/20) / 1.4 = 0.5; half (2/1.4)·sqrt(0.025 + 4/400) = 0.2672612
    low, high = wilson_scalar(5, 10, z=2.0)
    assert low == pytest.approx(0.5 - 0.2672612, abs=1e-7)
    assert high == pytest.approx(0.5 + 0.2672612, abs=1e-7)


def test_wilson_zero_denominator_is_nan_and_extremes_are_exact():
    low, high = wilson([0, 3, 0, 7], [0, 10, 5, 7])
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert low[2] == 0.0 and high[3] == 1.0
    assert all(math.isnan(v) for v in wilson_scalar(0, 0))


def test_wilson_accepts_scalars_and_lists():
    low, high = wilson(18, 20)
    assert isinstance(low, pd.Series) and len(low) == 1
    assert low.iloc[0] == pytest.approx(wilson_scalar(18, 20)[0])
    low, _ = wilson(np.array([4, 4]), [20, 200])
    assert low.iloc[1] < low.iloc[0]


def test_wilson_missing_values_pass_through_and_impossible_counts_raise():
    low, _ = wilson([np.nan, 2], [10, np.nan])
    assert low.isna().all()
    with pytest.raises(ValueError):
        wilson([11], [10])
    with pytest.raises(ValueError):
        wilson([-1], [10])


def test_proportion():
    values = proportion(pd.Series([3, 0, 1], index=["a", "b", "c"]), pd.Series([4, 5, 0], index=["a", "b", "c"]))
    assert values["a"] == 0.75 and values["b"] == 0.0 and math.isnan(values["c"])


@pytest.mark.parametrize("case", NEWCOMBE_CASES, ids=lambda c: f"{c['x1']}/{c['n1']} vs {c['x2']}/{c['n2']}")
def test_newcombe_and_z_match_reference(case):
    tol = case["tolerance"]
    low, high = newcombe_difference(case["x1"], case["n1"], case["x2"], case["n2"])
    z, p = two_proportion_z(case["x1"], case["n1"], case["x2"], case["n2"])
    assert low == pytest.approx(case["diff_ci_low"], abs=tol)
    assert high == pytest.approx(case["diff_ci_high"], abs=tol)
    assert z == pytest.approx(case["z"], abs=tol)
    assert p == pytest.approx(case["p"], abs=tol)
    result = compare_periods(case["x1"], case["n1"], case["x2"], case["n2"])
    assert result["diff"] == pytest.approx(case["x1"] / case["n1"] - case["x2"] / case["n2"])
    assert result["significant"] is (case["p"] < 0.05)
    assert (result["ci_low"], result["ci_high"], result["z"], result["p"]) == pytest.approx((low, high, z, p))


def test_newcombe_hand_worked_from_wilson_bounds():
    # Method 10: L = d − sqrt((p1 − l1)² + (u2 − p2)²), U = d + sqrt((u1 − p1)² + (p2 − l2)²), with z = 2:
    # 5/10 → (0.2327388, 0.7672612); 2/10: centre (0.2 + 0.2)/1.4 = 0.2857143, half (2/1.4)·sqrt(0.016 + 0.01)
    # = 0.2303502 → (0.0553641, 0.5160645); d = 0.3
    low, high = newcombe_difference(5, 10, 2, 10, z=2.0)
    assert low == pytest.approx(0.3 - math.hypot(0.5 - 0.2327388, 0.5160645 - 0.2), abs=1e-6)
    assert high == pytest.approx(0.3 + math.hypot(0.7672612 - 0.5, 0.2 - 0.0553641), abs=1e-6)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "z", "p"),
    [
        (30, 50, 20, 50, 2.0, 0.0455003),  # pooled 0.5, se sqrt(0.25·0.04) = 0.1, z = 0.2/0.1
        (20, 50, 30, 50, -2.0, 0.0455003),
        (10, 40, 10, 40, 0.0, 1.0),
        (0, 10, 0, 20, 0.0, 1.0),  # pooled rate 0: identical, no evidence of a difference
    ],
)
def test_two_proportion_z_hand_worked(x1, n1, x2, n2, z, p):
    got_z, got_p = two_proportion_z(x1, n1, x2, n2)
    assert got_z == pytest.approx(z, abs=1e-9)
    assert got_p == pytest.approx(p, abs=1e-7)


def test_compare_periods_zero_denominator():
    result = compare_periods(0, 0, 5, 10)
    assert all(math.isnan(result[k]) for k in ("diff", "ci_low", "ci_high", "z", "p"))
    assert result["significant"] is False


def test_compare_periods_table_is_vectorised():
    index = ["VCOP_OVERALL", "SAT_WHOLE", "SM_QA"]
    table = compare_periods_table(
        pd.Series([180, 30, 0], index=index), [240, 50, 0], pd.Series([150, 20, 2], index=index), [230, 50, 3]
    )
    assert list(table.index) == index
    assert list(table.columns) == ["diff", "ci_low", "ci_high", "z", "p", "significant"]
    assert table.loc["VCOP_OVERALL", "z"] == pytest.approx(two_proportion_z(180, 240, 150, 230)[0])
    assert table.loc["SAT_WHOLE", "z"] == pytest.approx(2.0)
    assert table["significant"].tolist() == [True, True, False]
    assert table.loc["SM_QA"].drop("significant").isna().all()


counts = st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=100, deadline=None)
@given(counts)
def test_wilson_contains_estimate_within_unit_interval(pair):
    x, n = pair
    low, high = wilson_scalar(x, n)
    assert 0.0 <= low <= x / n <= high <= 1.0


@settings(max_examples=100, deadline=None)
@given(counts, counts)
def test_newcombe_bounds_ordered_and_contain_difference(first, second):
    (x1, n1), (x2, n2) = first, second
    low, high = newcombe_difference(x1, n1, x2, n2)
    diff = x1 / n1 - x2 / n2
    assert -1.0 <= low <= diff + 1e-12
    assert diff - 1e-12 <= high <= 1.0
    z, p = two_proportion_z(x1, n1, x2, n2)
    assert 0.0 <= p <= 1.0 and math.copysign(1.0, z) * diff >= 0.0
