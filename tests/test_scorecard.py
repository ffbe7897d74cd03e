"""Scorecards: the rolling-12 headline, the change against the previous 12 months, sparkline and SPC icons."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.measures import prepare
from metrics.scorecard import scorecard_periods, window
from results.scorecards import all_scorecards, portfolio_scorecard
from tests.measures_fixtures import CAT, entitlements, victims

AS_OF = "2024-03-31"


def _month_rows(month: pd.Timestamp, total: int, timely: int):
    """R3 instances triggered on the first Monday of the month: `timely` delivered the same day, the rest never."""
    monday = month + pd.offsets.Week(weekday=0) if month.weekday() else month
    day = monday.date().isoformat()
    return [("VC-1", "R3_WRITTEN_ACK", day, day)] * timely + [("VC-1", "R3_WRITTEN_ACK", day, None)] * (total - timely)


def _frames():
    rows = []
    months = pd.date_range("2021-04-01", "2024-03-01", freq="MS")
    for i, month in enumerate(months):
        if i < 12:  # April 2021 - March 2022: 16 of 20 each month
            rows += _month_rows(month, 20, 16)
        elif i < 24:  # April 2022 - March 2023: 230 instances, 150 timely
            rows += _month_rows(month, 19 if i < 22 else 20, 12 if i < 18 else 13)
        else:  # April 2023 - March 2024: 240 instances, 180 timely
            rows += _month_rows(month, 20, 15)
    return {"victims": victims({"domestic_abuse": True}), "entitlements": entitlements(*rows)}


def _prepared():
    start, end = window(AS_OF)
    return prepare(_frames(), CAT, as_of=AS_OF, start=start, end=end)


def test_periods_and_window():
    periods = scorecard_periods(AS_OF)
    assert len(periods) == 38 and periods[0].label == "2021-04" and periods[35].label == "2024-03"
    assert [p.kind for p in periods[36:]] == ["rolling_12", "rolling_12"]
    assert [str(d.date()) for d in window(AS_OF)] == ["2021-04-01", "2024-03-31"]


def test_headline_and_significant_change():
    """METRICS.md §5: 180/240 against 150/230 gives z = 2.318, p = 0.020, difference CI (0.015, 0.179)."""
    card = portfolio_scorecard(_prepared(), CAT, "victim_care").set_index("metric_id")
    row = card.loc["VCOP_R3_WRITTEN_ACK"]
    assert (row["numerator"], row["denominator"], row["value"]) == (180, 240, 0.75)
    assert str(row["period_start"].date()) == "2023-04-01" and str(row["period_end"].date()) == "2024-03-31"
    assert row["previous_value"] == pytest.approx(150 / 230)
    assert row["change"] == pytest.approx(0.75 - 150 / 230)
    assert row["change_p"] == pytest.approx(0.020, abs=5e-4)
    assert (row["change_ci_low"], row["change_ci_high"]) == (
        pytest.approx(0.015, abs=5e-4),
        pytest.approx(0.179, abs=5e-4),
    )
    assert row["change_significant"] is True
    assert (row["target"], row["rag"]) == (0.9, "red")


def test_sparkline_and_spc_icons():
    row = portfolio_scorecard(_prepared(), CAT, "victim_care").set_index("metric_id").loc["VCOP_R3_WRITTEN_ACK"]
    spark = row["sparkline"]
    assert len(spark) == 36 and spark[0] == 0.8 and spark[-1] == 0.75 and spark[12] == pytest.approx(12 / 19)
    # The last twelve points (0.75) all sit above the mean of the 36 (about 0.73): a run, improvement for "up".
    assert row["variation"] == "improvement_high"
    # Process limits around 0.73 stay well below the 0.90 target: it will consistently fail.
    assert row["assurance"] == "fail"
    assert not row["trial_limits"] and row["has_chart"]


def test_suppressed_headline_has_no_icons_or_change():
    card = portfolio_scorecard(_prepared(), CAT, "victim_care").set_index("metric_id")
    row = card.loc["VCOP_R5_COMPENSATION_INFO"]  # no instances at all
    assert row["suppressed"] and math.isnan(row["value"])
    assert row["variation"] is None and row["assurance"] is None and row["rag"] is None
    assert math.isnan(row["change"]) and row["change_significant"] is None


def test_counts_change_without_a_test():
    events = pd.DataFrame(
        {
            "event_id": ["E1", "E2", "E3"],
            "event_date": pd.to_datetime(["2022-06-01", "2023-06-01", "2023-07-01"]).astype("datetime64[s]"),
            "participants": pd.array([4, 6, 10], dtype="Int64"),
        }
    )
    start, end = window(AS_OF)
    prepared = prepare({"engagement_events": events}, CAT, as_of=AS_OF, start=start, end=end)
    card = portfolio_scorecard(prepared, CAT, "survivor_voice").set_index("metric_id")
    assert (card.loc["SE_EVENTS", "value"], card.loc["SE_EVENTS", "previous_value"]) == (2, 1)
    assert card.loc["SE_EVENTS", "change"] == 1 and card.loc["SE_EVENTS", "change_significant"] is None
    assert card.loc["SE_PARTICIPANTS", "change"] == 12


def test_all_scorecards_cover_every_portfolio_in_order():
    cards = all_scorecards(_prepared(), CAT)
    expected = sum(len(CAT.scorecard_measures(p.id)) for p in CAT.portfolios)
    # 84 of v1; Right to Review, release information and the duty (8), quality, gaps, responses and needs (19) (#13)
    assert len(cards) == expected == 111
    assert list(dict.fromkeys(cards["portfolio_id"])) == [p.id for p in CAT.portfolios]
    overall = cards.set_index(["portfolio_id", "metric_id"])["value"]
    assert overall[("vcop", "VCOP_OVERALL")] == overall[("vawg_da", "VCOP_OVERALL")] == 0.75  # VC-1 is DA
    assert math.isnan(overall[("rasso", "VCOP_OVERALL")])  # no sexual offences: suppressed


def test_portfolio_targets_apply_per_portfolio():
    targets = pd.DataFrame(
        {
            "metric_id": ["VCOP_OVERALL"],
            "portfolio_id": ["vawg_da"],
            "target": [0.7],
            "valid_from": pd.to_datetime(["2020-01-01"]),
            "set_at": pd.to_datetime(["2020-01-01"]),
        }
    )
    cards = all_scorecards(_prepared(), CAT, targets=targets).set_index(["portfolio_id", "metric_id"])
    assert cards.loc[("vawg_da", "VCOP_OVERALL"), ["target", "rag"]].tolist() == [0.7, "green"]
    assert cards.loc[("vcop", "VCOP_OVERALL"), ["target", "rag"]].tolist() == [0.9, "red"]
