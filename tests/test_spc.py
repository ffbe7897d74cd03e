"""XmR limits, special-cause rules and icons: NHSRplotthedots / nhspy reference cases and hand-worked series."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.spc import (
    COLUMNS,
    assurance,
    shift_flags,
    trend_flags,
    two_in_three_flags,
    xmr,
)
from tests.conftest import REFERENCE

STATS = json.loads((REFERENCE / "stats_reference.json").read_text(encoding="utf-8"))
XMR_CASES = STATS["xmr_cases"]
RULE_CASES = STATS["special_cause_rule_unit_cases"]
TWO_IN_THREE = next(v for k, v in RULE_CASES.items() if k.startswith("two_in_three"))


def part_of_run(reference_flags: list[int], length: int = 7) -> list[int]:
    """Our convention from NHSRplotthedots': a flag where a run reaches `length` marks it and the 6 points before."""
    flags = [0] * len(reference_flags)
    for i, flag in enumerate(reference_flags):
        if flag:
            for j in range(max(0, i - length + 1), i + 1):
                flags[j] = flag
    return flags


@pytest.mark.parametrize("case", XMR_CASES, ids=lambda c: c["name"])
def test_xmr_limits_match_reference(case):
    chart = xmr(case["values"], screen_outliers=case["screen_outliers"])
    assert len(chart) == len(case["values"])
    for column, expected in case["expected"].items():
        assert chart[column].to_numpy() == pytest.approx(expected, abs=case["tolerance"]), column


@pytest.mark.parametrize("case", RULE_CASES["seven_point_one_side_mean"], ids=str)
def test_shift_rule_reference_cases(case):
    sides, reference = case
    ours = shift_flags(sides).astype(int).tolist()
    assert all(ours[i] for i, flag in enumerate(reference) if flag)  # every point the reference flags
    assert ours == [abs(v) for v in part_of_run(reference)]  # ... and the rest of its run, nothing else


@pytest.mark.parametrize("case", RULE_CASES["seven_point_trend"], ids=str)
def test_trend_rule_reference_cases(case):
    values, reference = case
    ours = trend_flags(values).tolist()
    assert all(ours[i] == flag for i, flag in enumerate(reference) if flag)
    assert ours == part_of_run(reference)


@pytest.mark.parametrize("case", TWO_IN_THREE, ids=str)
def test_two_in_three_reference_cases(case):
    close, sides, expected = case
    assert two_in_three_flags(close, sides).astype(int).tolist() == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5, 6], [0] * 6),  # six points are not a trend
        ([1, 2, 3, 4, 5, 6, 7, 8, 2], [1] * 8 + [0]),
        ([5, 4, 3, 2, 1, 0, -1, 0, 1, 2, 3, 4, 5], [-1] * 6 + [1] * 7),  # the trough starts the later (rising) trend
        ([1, 2, 3, 4, np.nan, 5, 6, 7], [0] * 8),  # a gap breaks a trend
    ],
)
def test_trend_rule_hand_worked(values, expected):
    assert trend_flags(values).tolist() == expected


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ([1] * 7, [1] * 7),
        ([1, 1, 1, 0, 1, 1, 1, 1], [0] * 8),  # a point on the mean breaks the run
        ([-1] * 3 + [1] * 7 + [-1] * 7, [0] * 3 + [1] * 14),
    ],
)
def test_shift_rule_hand_worked(sides, expected):
    assert shift_flags(sides).astype(int).tolist() == expected


def test_two_of_three_opposite_sides_is_common_cause():
    # test-ptd_spc_standard.R: data = rep(c(1, -1), 8); data[15] = 5.5; data[16] = -5.5 (R counts from 1)
    assert "data[15]=5.5, data[16]=-5.5" in RULE_CASES["symmetric_2of3_opposite_sides"]
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    chart = xmr(values)
    assert not chart["special_cause"].iloc[-2:].any()
    assert chart.attrs["variation_icon"] == "common_cause"


def test_two_of_three_counts_points_beyond_the_limits():
    # [2, 1] × 6 then 2, 5, 4: mean 29/15 = 1.9333; mR: 12 ones + 3 → mean(mR) 16/14 = 1.142857;
    # upl = 1.9333 + 2.66·1.142857 = 4.9733, two-sigma line 1.9333 + 1.77333·1.142857 = 3.96.
    # 5 is beyond the upper limit, 4 beyond two sigma only; 2, 5, 4 all above the mean: 4 is two-of-three.
    chart = xmr([2, 1] * 6 + [2, 5, 4])
    assert chart["upl"].iloc[0] == pytest.approx(1.9333333 + 2.66 * 1.1428571, abs=1e-6)
    assert chart["nupl"].iloc[0] == pytest.approx(3.96, abs=1e-9)
    assert chart["rule"].tolist()[-3:] == ["", "outside_limits,two_of_three", "two_of_three"]
    assert chart["special_cause"].tolist() == [False] * 13 + [True, True]
    assert chart.attrs["variation_icon"] == "improvement_high"
    assert xmr([2, 1] * 6 + [2, 5, 4], polarity="down").attrs["variation_icon"] == "concern_high"
    assert xmr([2, 1] * 6 + [2, 5, 4], polarity="neutral").attrs["variation_icon"] == "neutral_high"


def test_every_point_of_a_shift_is_flagged_with_its_side():
    # 1..6 twice (mean 3.5), then seven 2s: mean (42 + 14)/19 = 2.947; the last seven points are all below it.
    values = [1, 6, 1, 6, 1, 6, 1, 6, 1, 6, 1, 6] + [2] * 7
    chart = xmr(values, polarity="up")
    assert chart["rule"].tolist()[-7:] == ["shift"] * 7
    assert chart["variation"].tolist() == ["common"] * 12 + ["concern"] * 7
    assert chart["direction"].tolist()[-7:] == [-1] * 7
    assert chart.attrs["variation_icon"] == "concern_low"


def test_variation_for_toward_zero_polarity():
    # A gap falling steadily toward zero from above is an improvement. Mean 6, mean(mR) 1, limits (3.34, 8.66):
    # the first point, 9, is above the upper limit, away from zero, and that rule takes precedence over the trend.
    chart = xmr([9, 8, 7, 6, 5, 4, 3], polarity="toward_zero")
    assert chart["variation"].tolist() == ["concern"] + ["improvement"] * 6
    assert xmr([-9, -8, -7, -6, -5, -4, -3], polarity="toward_zero")["variation"].tolist()[1:] == ["improvement"] * 6
    assert chart.attrs["variation_icon"] == "improvement_low"


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        ("up", 2.0, "pass"),
        ("up", 2.84, "pass"),  # target on the lower limit still passes
        ("up", 5.0, "hit_and_miss"),
        ("up", 8.16, "hit_and_miss"),
        ("up", 8.2, "fail"),
        ("down", 9.0, "pass"),
        ("down", 8.16, "pass"),
        ("down", 5.0, "hit_and_miss"),
        ("down", 2.8, "fail"),
        ("neutral", 5.0, None),
        ("up", None, None),
        ("toward_zero", 9.0, "pass"),  # band ±9 contains 2.84 .. 8.16
        ("toward_zero", -2.0, "fail"),  # band ±2 lies wholly below the process
        ("toward_zero", 3.0, "hit_and_miss"),
    ],
)
def test_assurance_against_limits_of_1_to_10(polarity, target, expected):
    # 1..10: mean 5.5, mean(mR) 1, limits 5.5 ± 2.66 = (2.84, 8.16)
    assert assurance(2.84, 8.16, target, polarity) == expected
    assert xmr(list(range(1, 11)), polarity=polarity, target=target).attrs["assurance"] == expected


def test_columns_and_series_index_are_kept():
    months = pd.period_range("2024-04", periods=5, freq="M")
    chart = xmr(pd.Series([0.8, 0.82, 0.79, 0.81, 0.8], index=months))
    assert list(chart.columns) == COLUMNS
    assert chart.index.equals(months)
    assert chart["special_cause"].dtype == bool
    assert chart["mr"].iloc[1:].to_numpy() == pytest.approx([0.02, 0.03, 0.02, 0.01])


@pytest.mark.parametrize(("points", "trial"), [(11, True), (12, False)])
def test_trial_limits_below_12_points(points, trial):
    chart = xmr([1, 3] * 6 if points == 12 else ([1, 3] * 6)[:points])
    assert chart.attrs["trial_limits"] is trial
    assert chart["trial_limits"].all() == trial


@pytest.mark.parametrize("values", [[], [0.5], [np.nan, np.nan, 0.5]])
def test_fewer_than_two_points_gives_no_chart(values):
    chart = xmr(values, target=0.5)
    assert len(chart) == len(values)
    assert chart.attrs["has_chart"] is False
    assert chart.attrs["assurance"] is None and chart.attrs["variation_icon"] is None
    assert chart["lpl"].isna().all() and not chart["special_cause"].any()


def test_missing_points_are_left_out_and_unflagged():
    values = [2, 1] * 6 + [2, 5, 4]
    gapped = values[:3] + [np.nan] + values[3:] + [np.nan]
    chart, plain = xmr(gapped), xmr(values)
    assert chart["mean"].iloc[0] == pytest.approx(plain["mean"].iloc[0])
    assert chart["upl"].iloc[0] == pytest.approx(plain["upl"].iloc[0])
    observed = chart[chart["value"].notna()]
    assert observed["rule"].tolist() == plain["rule"].tolist()
    gaps = chart[chart["value"].isna()]
    # A suppressed month has no variation label at all (issue 17: it read "Common cause").
    assert not gaps["special_cause"].any() and gaps["variation"].isna().all() and set(gaps["rule"]) == {""}
    assert chart.attrs["variation_icon"] is None  # the latest month is suppressed: no icon


def test_rebase_computes_limits_per_segment():
    first, second = [5, 6, 5, 7, 6, 5], [9, 10, 9, 11, 10, 12, 11]
    months = pd.period_range("2023-01", periods=13, freq="M")
    by_position = xmr(first + second, rebase_at=[6], target=8.0)
    by_label = xmr(pd.Series(first + second, index=months), rebase_at=[months[6]], target=8.0)
    by_date = xmr(pd.Series(first + second, index=months.to_timestamp()), rebase_at=["2023-06-15"], target=8.0)
    for chart in (by_position, by_label, by_date):
        assert chart["segment"].tolist() == [0] * 6 + [1] * 7
        for part, rows in ((first, slice(0, 6)), (second, slice(6, 13))):
            alone = xmr(part)
            for column in ("mean", "lpl", "upl"):
                assert chart[column].iloc[rows].tolist() == pytest.approx(alone[column].tolist()), column
            for column in ("special_cause", "rule", "variation"):
                assert chart[column].iloc[rows].tolist() == alone[column].tolist(), column
        assert np.isnan(chart["mr"].iloc[6])  # no moving range across a rebase
        # latest segment 9..12: mean 72/7 = 10.286, mean(mR) 8/6 → lpl 10.286 − 3.547 = 6.739 < 8: hit and miss
        assert chart.attrs["assurance"] == "hit_and_miss"
    assert xmr(first + second, rebase_at=[6], target=6.7).attrs["assurance"] == "pass"
    # one segment: lpl = 106/13 − 2.66·18/12 = 4.16
    assert xmr(first + second, target=6.7).attrs["assurance"] == "hit_and_miss"


def test_unknown_polarity_raises():
    with pytest.raises(ValueError):
        xmr([1, 2, 3], polarity="higher")


# Integers keep the shift exact; the narrow range gives ties, points on the mean and runs.
series_strategy = st.one_of(
    st.lists(st.integers(min_value=-1000, max_value=1000), min_size=2, max_size=40),
    st.lists(st.integers(min_value=0, max_value=4), min_size=2, max_size=40),
)


@settings(max_examples=100, deadline=None)
@given(series_strategy, st.booleans())
def test_limits_symmetric_about_mean(values, screen):
    chart = xmr(values, screen_outliers=screen)
    np.testing.assert_allclose(chart["upl"] - chart["mean"], chart["mean"] - chart["lpl"], atol=1e-9)
    np.testing.assert_allclose(chart["nupl"] - chart["mean"], chart["mean"] - chart["nlpl"], atol=1e-9)
    assert (chart["lpl"] <= chart["nlpl"]).all() and (chart["nupl"] <= chart["upl"]).all()


@settings(max_examples=100, deadline=None)
@given(series_strategy, st.integers(min_value=-1000, max_value=1000), st.booleans())
def test_flags_invariant_to_shifting_the_series(values, shift, screen):
    plain = xmr(values, screen_outliers=screen)
    moved = xmr([v + shift for v in values], screen_outliers=screen)
    assert moved["special_cause"].tolist() == plain["special_cause"].tolist()
    assert moved["rule"].tolist() == plain["rule"].tolist()
    assert moved["variation"].tolist() == plain["variation"].tolist()
