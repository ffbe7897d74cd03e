"""Funnel plot limits (Spiegelhalter 2005) checked against numbers worked out by hand, and the funnel of a breakdown."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.funnel import Z998, classify, funnel_curve, funnel_points, limits, overall_rate
from metrics.rates import Z95
from results.funnel import cut_funnel


@pytest.mark.parametrize(
    ("p0", "n", "z", "low", "high"),
    [
        # p0 = 0.8, n = 100: sqrt(0.8 × 0.2 / 100) = 0.04; 1.959964 × 0.04 = 0.0783986; 3.090232 × 0.04 = 0.1236093
        (0.8, 100, Z95, 0.7216014, 0.8783986),
        (0.8, 100, Z998, 0.6763907, 0.9236093),
        # n = 400: sqrt(0.16 / 400) = 0.02; the funnel narrows by half when the base is four times larger
        (0.8, 400, Z95, 0.7608007, 0.8391993),
        (0.8, 400, Z998, 0.7381954, 0.8618046),
        # p0 = 0.5, n = 25: sqrt(0.25 / 25) = 0.1; 3.090232 × 0.1 = 0.3090232
        (0.5, 25, Z998, 0.1909768, 0.8090232),
        # p0 = 0.95, n = 20: sqrt(0.0475 / 20) = 0.0487340; 3.090232 × 0.0487340 = 0.1505995, so the top clamps to 1
        (0.95, 20, Z998, 0.7994005, 1.0),
    ],
)
def test_binomial_limits_match_the_hand_worked_values(p0, n, z, low, high):
    (lo,), (hi,) = limits(p0, n, z)
    assert lo == pytest.approx(low, abs=1e-6)
    assert hi == pytest.approx(high, abs=1e-6)


def test_the_z_values_are_the_two_sided_95_and_99_8_percent_points():
    assert Z95 == pytest.approx(1.959964, abs=1e-6)
    assert Z998 == pytest.approx(3.090232, abs=1e-6)


@pytest.mark.parametrize(
    ("rate", "n", "expected"),
    [
        (0.80, 100, "inside"),
        (0.71, 100, "low_95"),  # below 0.7216 but above 0.6764
        (0.88, 100, "high_95"),  # above 0.8784 but below 0.9236
        (0.67, 100, "low_99_8"),
        (0.93, 100, "high_99_8"),
        (0.75, 400, "low_95"),  # the same shortfall is an outlier on a bigger base: 0.75 < 0.7608
        (0.75, 25, "inside"),  # …and noise on a small one: 0.8 ± 0.157 at 95%
    ],
)
def test_a_group_is_placed_by_its_own_base(rate, n, expected):
    assert classify(rate, n, 0.8) == expected


def test_points_use_the_pooled_rate_and_their_own_limits():
    groups = pd.DataFrame({"group_value": ["A", "B", "C"], "numerator": [80, 300, 20], "denominator": [100, 400, 25]})
    assert overall_rate(groups["numerator"], groups["denominator"]) == pytest.approx(400 / 525)
    points = funnel_points(groups, 0.8)
    assert points["rate"].tolist() == [0.8, 0.75, 0.8]
    assert points["position"].tolist() == ["inside", "low_95", "inside"]
    assert points.loc[1, "low_95"] == pytest.approx(0.7608007, abs=1e-6)
    assert points.loc[0, "high_99.8"] == pytest.approx(0.9236093, abs=1e-6)


def test_the_curve_narrows_as_the_base_grows():
    curve = funnel_curve(0.8, 10, 1000)
    widths = (curve["high_95"] - curve["low_95"]).to_numpy()
    assert curve["base"].iloc[0] == 10 and curve["base"].iloc[-1] == 1000
    assert all(a > b for a, b in zip(widths, widths[1:], strict=False))
    assert widths[-1] == pytest.approx(2 * Z95 * math.sqrt(0.16 / 1000), abs=1e-9)


def test_a_breakdown_funnel_hides_suppressed_groups_but_pools_them():
    rows = pd.DataFrame(
        {
            "group_value": ["all", "Newport", "Torfaen", "Tiny"],
            "numerator": [400, 300, 95, 5],
            "denominator": [505, 400, 100, 5],
            "suppressed": [False, False, False, True],
        }
    )
    funnel = cut_funnel(rows)
    assert funnel.overall == pytest.approx(400 / 505)  # 300 + 95 + 5 over 400 + 100 + 5; the "all" row is not a group
    assert funnel.points["group_value"].tolist() == ["Newport", "Torfaen"]
    assert funnel.suppressed == ("Tiny",)
    assert "Tiny" not in funnel.points.to_string()
    # p0 = 0.79208; Torfaen's 95% at n = 100: sqrt(0.79208 × 0.20792 / 100) = 0.040582; × 3.090232 = 0.125408
    assert funnel.points.loc[1, "high_99.8"] == pytest.approx(0.79208 + 0.125408, abs=1e-5)
    # Newport 0.75 at n = 400: sqrt(0.79208 × 0.20792 / 400) = 0.020291; × 1.959964 = 0.039770, so the 95% floor is
    # 0.75231 (just above 0.75) and the 99.8% floor 0.72938: low_95. Torfaen 0.95 is above 0.79208 + 0.125408.
    assert funnel.points["position"].tolist() == ["low_95", "high_99_8"]


def test_no_funnel_without_a_group_to_show():
    rows = pd.DataFrame({"group_value": ["all"], "numerator": [5], "denominator": [5], "suppressed": [True]})
    assert cut_funnel(rows) is None


def test_the_funnel_chart_names_its_points_and_tells_outliers_by_shape_as_well_as_colour():
    from charts.funnel import funnel_chart

    rows = pd.DataFrame(
        {
            "group_value": ["newport", "torfaen", "caerphilly"],
            "numerator": [300, 95, 80],
            "denominator": [400, 100, 100],
            "suppressed": [False, False, False],
        }
    )
    funnel = cut_funnel(rows)
    labels = {"newport": "Newport", "torfaen": "Torfaen", "caerphilly": "Caerphilly"}
    spec = funnel_chart(funnel.points, funnel.curve, funnel.overall, title="R6 by area", labels=labels).to_dict()
    layers = {layer["name"]: layer for layer in spec["layer"]}
    assert set(layers) == {"funnel_limits", "funnel_overall", "funnel_points", "funnel_names"}
    names = layers["funnel_names"]
    assert names["encoding"]["text"]["field"] == "label"
    shown = [row["label"] for row in spec["datasets"][names["data"]["name"]]]
    assert shown == ["Newport", "Torfaen", "Caerphilly"]
    points = layers["funnel_points"]["encoding"]
    assert points["shape"]["field"] == points["color"]["field"] == "position_label"  # shape repeats the colour
    low, high = points["y"]["scale"]["domain"]
    assert 0 <= low < min(funnel.points["rate"]) and max(funnel.points["rate"]) < high <= 1


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_funnel_word_is_translated(lang):
    from charts.funnel import ENGLISH
    from config.i18n import catalogue

    assert set(ENGLISH) <= set(catalogue(lang))
