"""Publication-mode disclosure control of metric rows and scorecards (reports/publication.py), worked by hand."""

from __future__ import annotations

import pandas as pd

from reports.publication import publish, publish_scorecard
from tests.test_reports_fixtures import metric_rows, scorecards


def _sat_months(frame: pd.DataFrame) -> pd.DataFrame:
    block = frame[(frame.metric_id == "SAT_WHOLE") & (frame.group == "month")]
    return block.set_index("group_value")


def test_small_count_and_the_cells_that_would_reveal_it_are_hidden():
    # SAT_WHOLE months (numerator/denominator): 07 30/40, 08 3/50, 09 45/60, 10 50/70; "not met" 10, 47, 15, 20.
    # 08's numerator 3 -> "<5". Its row (3 + 47 = 50) would give it back: the smallest other count, 47, goes.
    # The numerator column (months add to the published headline 128) would too: its smallest other, 30 (07), goes;
    # likewise the "not met" column: 10 (07). Every row and column then has 0 or at least 2 hidden cells.
    published, log = publish(metric_rows())
    months = _sat_months(published)
    assert months["numerator"].tolist() == ["[c]", "<5", 45, 50]
    assert months["denominator"].tolist() == [40, 50, 60, 70]
    assert months["value"].isna().tolist() == [True, True, False, False]
    assert months["rag"].isna().all()
    assert months["variation"].tolist()[:2] == [None, None]  # no SPC icon for a hidden month
    assert months["publication_hidden"].tolist() == [True, True, False, False]
    assert months["suppressed"].tolist() == [True, True, False, False]
    assert months.loc["2026-09", "value"] == 45 / 60
    hidden = {(row.group_value, row.column, row.reason) for row in log.itertuples() if row.metric_id == "SAT_WHOLE"}
    assert hidden == {
        ("2026-08", "numerator", "primary"),
        ("2026-08", "not_met", "secondary"),
        ("2026-07", "numerator", "secondary"),
        ("2026-07", "not_met", "secondary"),
    }


def test_log_never_carries_the_hidden_values():
    _, log = publish(metric_rows())
    assert "value" not in log.columns
    assert list(log.columns) == ["metric_id", "portfolio_id", "group", "group_value", "column", "reason", "detail"]


def test_blocks_without_small_counts_are_unchanged():
    rows = metric_rows()
    published, _ = publish(rows)
    before = rows[(rows.metric_id == "VCOP_OVERALL") & (rows.portfolio_id == "vcop")]
    after = published[(published.metric_id == "VCOP_OVERALL") & (published.portfolio_id == "vcop")]
    assert after["numerator"].tolist() == before["numerator"].tolist()
    assert after["value"].tolist() == before["value"].tolist()
    assert not after["publication_hidden"].any()


def test_small_base_rate_row_hides_both_cells():
    # VCOP_R4_REFERRAL 6/8: "not met" 2 -> "<5"; in its row the smallest other count, the numerator 6, goes too.
    published, _ = publish(metric_rows())
    row = published[published.metric_id == "VCOP_R4_REFERRAL"].iloc[0]
    assert (row["numerator"], row["denominator"]) == ("[c]", 8)


def test_a_count_of_one_to_four_is_hidden_with_its_value():
    rows = pd.DataFrame(
        {
            "metric_id": ["CG_REFERRALS", "CG_REFERRALS"],
            "portfolio_id": ["connect_gwent"] * 2,
            "group": ["area", "area"],
            "group_value": ["Newport", "Torfaen"],
            "numerator": [4, 0],
            "denominator": [None, None],
            "value": [4.0, 0.0],
        }
    )
    published, log = publish(rows)
    # The column of areas has one hidden cell; the only other cell is a zero, which is then hidden too.
    assert published["numerator"].tolist() == ["<5", "[c]"]
    assert published["value"].isna().all()
    assert sorted(log["reason"]) == ["primary", "secondary"]


def test_threshold_is_configuration():
    rows = pd.DataFrame(
        {"metric_id": ["X"], "portfolio_id": ["p"], "group": ["all"], "group_value": ["all"], "numerator": [7],
         "denominator": [100], "value": [0.07]}
    )  # fmt: skip
    assert publish(rows, threshold=5)[0]["numerator"].tolist() == [7]
    assert publish(rows, threshold=10)[0]["numerator"].tolist() == ["<10"]


def test_scorecard_rows_are_each_their_own_table():
    card = scorecards()["vcop"]
    extra = card.iloc[[0]].assign(metric_id="VCOP_RIGHT_1", numerator=2, denominator=30, value=2 / 30, rag="red")
    published, log = publish_scorecard(pd.concat([card, extra], ignore_index=True))
    by_metric = published.set_index("metric_id")
    # 2/30: numerator "<5", then "not met" 28 [c]; the denominator (the row total) stays.
    assert (by_metric.loc["VCOP_RIGHT_1", "numerator"], by_metric.loc["VCOP_RIGHT_1", "denominator"]) == ("<5", 30)
    for column in ("value", "ci_low", "ci_high", "rag", "variation_icon", "assurance", "change"):
        assert pd.isna(by_metric.loc["VCOP_RIGHT_1", column]), column
    assert by_metric.loc["VCOP_OVERALL", "numerator"] == 180 and by_metric.loc["VCOP_OVERALL", "value"] == 0.75
    assert by_metric.loc["PUB_CRIMES", "numerator"] == 1234
    assert set(log["metric_id"]) == {"VCOP_RIGHT_1", "VCOP_R4_REFERRAL"}


def test_empty_scorecard():
    published, log = publish_scorecard(scorecards()["vcop"].iloc[0:0])
    assert published.empty and log.empty
