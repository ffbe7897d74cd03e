"""SPC as Making Data Count practises it (issue 17 item 1): segments, readings from the current segment, suggested
rebases, fixed baselines and suppressed months, with numbers worked out by hand and from ../shared/reference/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics.catalogue import load_catalogue
from metrics.spc import LIMIT, shift_starts, xmr
from results.spc import Decisions, Mark, spc_frame

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "stats_reference.json"

# Two processes, the second ten higher. By hand:
#   A = 10 12 11 13 12 14 11 12: mean 95/8 = 11.875; moving ranges 2 1 2 1 2 3 1 → mean 12/7 = 1.714286;
#       limits 11.875 ± 2.66 × 1.714286 = 11.875 ± 4.56 → 7.315 and 16.435.
#   B = A + 10: mean 21.875, the same moving ranges → 17.315 and 26.435.
#   One segment over both: mean 270/16 = 16.875; moving ranges A's 12, |20 − 12| = 8, B's 12 → 32/15 = 2.133333;
#       limits 16.875 ± 5.674667 → 11.200333 and 22.549667.
A = [10, 12, 11, 13, 12, 14, 11, 12]
B = [value + 10 for value in A]
MONTHS = pd.date_range("2025-01-01", periods=16, freq="MS")


def test_two_segments_by_hand():
    chart = xmr(A + B, rebase_at=[8], target=18.0)
    assert chart["segment"].tolist() == [0] * 8 + [1] * 8
    for rows, mean, low, high in ((slice(0, 8), 11.875, 7.315, 16.435), (slice(8, 16), 21.875, 17.315, 26.435)):
        assert chart["mean"].iloc[rows].tolist() == pytest.approx([mean] * 8)
        assert chart["lpl"].iloc[rows].tolist() == pytest.approx([low] * 8)
        assert chart["upl"].iloc[rows].tolist() == pytest.approx([high] * 8)
    # Within their own limits neither process has a special cause: no run of 7, no trend, nothing beyond two sigma
    # (B's two-sigma lines are 21.875 ± 3.04 = 18.835 and 24.915).
    assert not chart["special_cause"].any() and set(chart["variation"]) == {"common"}
    # The readings come from segment B alone: its latest point is common cause, and 17.315 < 18 <= 26.435.
    assert chart.attrs["variation_icon"] == "common_cause"
    assert chart.attrs["assurance"] == "hit_and_miss"
    assert xmr(A + B, rebase_at=[8], target=17.0).attrs["assurance"] == "pass"  # 17 <= lpl 17.315
    assert xmr(A + B, rebase_at=[8], target=27.0).attrs["assurance"] == "fail"  # 27 > upl 26.435
    assert chart.attrs["trial_limits"] is True  # 8 points in the current segment
    assert chart.attrs["suggested_rebases"] == []  # the change is recorded: nothing to suggest


def test_one_segment_over_a_shift_reads_the_mixture():
    chart = xmr(A + B, target=18.0)
    assert chart["mean"].iloc[0] == pytest.approx(16.875)
    assert chart["lpl"].iloc[0] == pytest.approx(16.875 - LIMIT * 32 / 15)
    assert chart["upl"].iloc[0] == pytest.approx(22.549667, abs=1e-6)
    # Every A point is below the mixed mean (a run of 8: concern), every B point above (improvement).
    assert chart["variation"].tolist() == ["concern"] * 8 + ["improvement"] * 8
    assert chart.attrs["variation_icon"] == "improvement_high"
    assert chart.attrs["assurance"] == "hit_and_miss"  # lpl 11.2 < 18 <= upl 22.5
    # B's run is a shift, but A has only 8 points: too few for a baseline of its own, so nothing is suggested.
    assert chart.attrs["suggested_rebases"] == [] == shift_starts(chart)
    # With 12 points before it (A and A's first four), the run starting at B is suggested, and only it: the run
    # that opens the series is the series' own level.
    assert xmr(A + A[:4] + B).attrs["suggested_rebases"] == [12]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 1, 2, 1, 2, 1, 2, 1, 2], []),  # no run of 7
        ([1, 2] * 6 + [20] * 7, [12]),  # a run of 7 above after a 12-point baseline
        ([1, 2] * 6 + [20] * 6, []),  # six are not enough
        ([1, 2] * 5 + [20] * 7, []),  # ten points are too few for a baseline before the change
        ([1, 2] * 6 + [30, np.nan, 31, 30, 31, np.nan, 30, 31, 30], [12]),  # gaps are skipped, not breaks
    ],
)
def test_shift_starts(values, expected):
    assert shift_starts(xmr(values)) == expected


def test_suggestions_read_the_latest_segment_only():
    # A run in the first segment is history once a later change is recorded.
    assert xmr(A + A + B).attrs["suggested_rebases"] == [16]
    assert xmr(A + A + B + A, rebase_at=[24]).attrs["suggested_rebases"] == []
    # In the latest segment (B B A after a change at 8), A's run below starts 16 points in: suggested at 24.
    assert xmr(A + B + B + A, rebase_at=[8]).attrs["suggested_rebases"] == [24]


def test_suppressed_months_get_no_variation_label():
    values = A + [np.nan] + B[:-1] + [np.nan]
    chart = xmr(values, rebase_at=[9])
    gaps = chart[chart["value"].isna()]
    assert gaps["variation"].isna().all() and not gaps["special_cause"].any()
    assert chart["variation"].notna().sum() == 15
    assert chart.attrs["variation_icon"] is None  # the latest month is suppressed: no reading from it


def test_fixed_baseline_by_hand():
    values = A + [20, 22]
    fixed = xmr(values, baseline_points=8)
    # Limits from the first 8 points (7.315 – 16.435), fixed: 20 and 22 are beyond them.
    assert fixed["upl"].tolist() == pytest.approx([16.435] * 10)
    # (both beyond the limits, so beyond two sigma as well: the 2023 two-in-three rule)
    assert fixed["rule"].iloc[-2:].tolist() == ["outside_limits,two_of_three"] * 2
    assert fixed.attrs["variation_icon"] == "improvement_high" and fixed.attrs["trial_limits"] is True
    # Unfixed: mean 137/10 = 13.7, mean mR 22/9 → upl 13.7 + 6.502 = 20.202: 20 is inside.
    free = xmr(values)
    assert free["upl"].iloc[0] == pytest.approx(13.7 + LIMIT * 22 / 9)
    assert "outside_limits" not in free["rule"].iloc[-2]
    # A different N gives different limits: the first 4 points 10 12 11 13 → mean 11.5, mR 5/3 → upl 15.9333.
    assert xmr(values, baseline_points=4)["upl"].iloc[0] == pytest.approx(11.5 + LIMIT * 5 / 3)
    with pytest.raises(ValueError):
        xmr(values, baseline_points=1)


def _reference(name: str) -> dict:
    cases = json.loads(REFERENCE.read_text())["xmr_cases"]
    return next(case for case in cases if case["name"].startswith(name))


def test_rebased_series_matches_the_reference_facets():
    """NHSRplotthedots' two facets of rnorm(20) are the two segments of one series rebased at point 10."""
    first, second = _reference("facet 0"), _reference("facet 1")
    chart = xmr(first["values"] + second["values"], rebase_at=[10], screen_outliers=True)
    for case, rows in ((first, slice(0, 10)), (second, slice(10, 20))):
        for column in ("mean", "lpl", "upl"):
            assert chart[column].iloc[rows].tolist() == pytest.approx(
                [case["expected"][column]] * 10, abs=case["tolerance"]
            ), (case["name"], column)


CATALOGUE = load_catalogue()
METRIC = "VCOP_R6_SUSPECT_UPDATE"


def test_results_apply_recorded_rebases_per_portfolio():
    values = pd.Series([v / 100 for v in A + A[:4] + B], index=pd.date_range("2025-01-01", periods=20, freq="MS"))
    change = Mark(METRIC, "vawg_da", dt.date(2026, 1, 1), "Public Protection Unit took over")
    note = Mark(METRIC, None, dt.date(2025, 3, 1), "new system live")
    decisions = Decisions(rebases=(change,), annotations=(note,))
    mine = spc_frame(values, METRIC, CATALOGUE, 0.9, decisions=decisions, portfolio_id="vawg_da")
    assert mine["segment"].tolist() == [0] * 12 + [1] * 8
    assert mine["mean"].iloc[-1] == pytest.approx(0.21875)
    assert mine.attrs["rebases"] == (("2026-01-01", "Public Protection Unit took over"),)
    assert mine.attrs["annotations"] == (("2025-03-01", "new system live"),)
    assert mine.attrs["suggested_rebases"] == ()
    # Another portfolio's chart of the measure keeps one segment, suggests the change and carries the all-portfolio
    # annotation only.
    other = spc_frame(values, METRIC, CATALOGUE, 0.9, decisions=decisions, portfolio_id="victim_care")
    assert set(other["segment"]) == {0}
    assert other.attrs["suggested_rebases"] == ("2026-01-01",)
    assert other.attrs["rebases"] == () and other.attrs["annotations"] == (("2025-03-01", "new system live"),)


def test_catalogue_fixed_baseline_changes_the_limits():
    values = pd.Series([v / 100 for v in A + [20, 22]], index=MONTHS[:10])
    plain = spc_frame(values, METRIC, CATALOGUE)
    statistics = CATALOGUE.statistics.model_copy(update={"spc_fixed_baselines": {METRIC: 8}})
    fixed = spc_frame(values, METRIC, CATALOGUE.model_copy(update={"statistics": statistics}))
    assert plain["upl"].iloc[0] == pytest.approx(0.137 + LIMIT * 0.22 / 9)
    assert fixed["upl"].iloc[0] == pytest.approx(0.16435)
    assert fixed["special_cause"].iloc[-1] and not plain["special_cause"].iloc[-2]


def test_catalogue_refuses_a_baseline_under_two_points():
    from metrics.catalogue import Statistics

    with pytest.raises(ValueError):
        Statistics(spc_fixed_baselines={METRIC: 1})


def _rebased_frame() -> pd.DataFrame:
    values = pd.Series([v / 100 for v in A + B], index=MONTHS)
    decisions = Decisions(
        rebases=(Mark(METRIC, None, dt.date(2025, 9, 1), "PPU took over"),),
        annotations=(Mark(METRIC, None, dt.date(2025, 3, 1), "new system live"),),
    )
    return spc_frame(values, METRIC, CATALOGUE, 0.9, decisions=decisions, portfolio_id="vawg_da")


def test_the_chart_draws_the_break_and_the_notes_with_their_reasons():
    from charts.spc import decision_notes, spc_chart

    frame = _rebased_frame()
    spec = spc_chart(frame, title="R6").to_dict()
    layers = {layer.get("name"): layer for layer in spec["layer"]}
    assert {"spc_rebases", "spc_rebase_tags", "spc_notes", "spc_note_tags"} <= set(layers)
    rebase_rows = spec["datasets"][layers["spc_rebases"]["data"]["name"]]
    assert [row["text"] for row in rebase_rows] == ["Process change from Sep 2025: PPU took over"]
    assert rebase_rows[0]["x"].startswith("2025-08-17")  # drawn between August and September
    assert spec["title"]["subtitle"][-3:] == [
        "Process change from Sep 2025: PPU took over",
        "Note 1 (Mar 2025): new system live",
        "Limits and readings from Sep 2025 on (the current process)",
    ]
    assert "Process change from Sep 2025: PPU took over." in spec["description"]
    cy = decision_notes(frame.attrs, "cy", {"spc.process_change": "Newid yn y broses o {month}: {reason}"})
    assert cy[0] == "Newid yn y broses o Medi 2025: PPU took over"
    suggested = decision_notes({"suggested_rebases": ("2026-04-01",)}, "en")
    assert suggested == ["A shift starts in Apr 2026: recalculating the limits from there is suggested, not decided"]


def test_suppressed_points_have_no_label_on_the_chart():
    from charts.spc import spc_points

    frame = xmr(pd.Series(A[:5] + [np.nan] + A[5:], index=pd.date_range("2025-01-01", periods=9, freq="MS")))
    data, _ = spc_points(frame)
    assert data["variation_label"].tolist()[5] == "" and data["variation_label"].tolist()[4] == "Common cause"


def test_both_packs_carry_the_decisions():
    import io

    import pypdf

    from reports.board_pack import build_board_pack
    from reports.chart_images import chart_task, task_chart
    from reports.gather import chart_notes
    from reports.inputs import chart_key
    from results.scorecards import Scorecards
    from tests.test_reports_fixtures import make_inputs

    frame = _rebased_frame()
    task = chart_task(frame, title="R6", kind="rate", lang="en", target=0.9, variation="common_cause",
                      assurance="hit_and_miss")  # fmt: skip
    # The evidence pack's and board pack's images are drawn from the task: the break and its reason are in it.
    assert "Process change from Sep 2025: PPU took over" in task_chart(task).to_json()
    key = chart_key("vawg_da", METRIC)
    results = Scorecards(pd.DataFrame(), {("vawg_da", METRIC): frame})
    assert results.suggested_rebases().empty  # recorded: nothing left to suggest
    mixed = spc_frame(pd.Series([v / 100 for v in A + A[:4] + B], index=pd.date_range("2025-01-01", periods=20,
                                freq="MS")), METRIC, CATALOGUE)  # fmt: skip
    pending = Scorecards(pd.DataFrame(), {("victim_care", METRIC): mixed}).suggested_rebases()
    assert pending.values.tolist() == [["victim_care", METRIC, "2026-01-01"]]
    notes = chart_notes(results, {key: task}, "en")
    assert notes[key][0] == "Process change from Sep 2025: PPU took over"
    base = make_inputs()
    other = next(iter(base.charts))
    text = "".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(build_board_pack(make_inputs(chart_notes={other: notes[key]})))).pages
    )
    assert "Process change from Sep 2025: PPU took over" in text and "Note 1 (Mar 2025): new system live" in text
