"""The statutory tables the pages show, worked by hand: report deadlines, days left and status; grade directions;
quality by entitlement beside timeliness; every gap measure with its significance."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metrics.catalogue import load_catalogue
from results.gaps import gap_measures
from results.inspections import grade_changes, report_status
from results.quality import compliance_beside_quality, quality_by_code

DAYS = {"hmicfrs": 56, "victims_commissioner": 56}


def _dates(values):
    return pd.to_datetime(pd.Series(values)).astype("datetime64[s]")


def test_report_deadlines_days_left_and_status():
    reports = pd.DataFrame(
        {
            "report_id": ["A", "B", "C", "D", "E"],
            "body": ["hmicfrs", "hmicfrs", "victims_commissioner", "victims_commissioner", "cjji"],
            "title": ["a", "b", "c", "d", "e"],
            "published_date": _dates(["2026-01-05", "2026-01-05", "2026-09-01", "2026-10-20", "2026-01-01"]),
            "response_published_date": _dates(["2026-03-02", "2026-03-03", None, None, None]),
        }
    )
    out = report_status(reports, DAYS, dt.date(2026, 11, 1)).set_index("report_id")
    # 5 January + 56 days = 2 March: a response that day is on time, a day later is late.
    assert out.loc["A", "deadline"] == pd.Timestamp("2026-03-02")
    assert out.loc["A", "status"] == "responded_on_time" and out.loc["B", "status"] == "responded_late"
    # 1 September + 56 = 27 October: 5 days overdue on 1 November; 20 October + 56 = 15 December: 44 days left.
    assert (out.loc["C", "status"], out.loc["C", "days_left"]) == ("overdue", -5)
    assert (out.loc["D", "status"], out.loc["D", "days_left"]) == ("due", 44)
    assert out.loc["E", "status"] == "no_deadline" and pd.isna(out.loc["E", "deadline"])


def test_each_questions_latest_previous_grade_and_direction():
    grades = pd.DataFrame(
        {
            "report_id": ["P1", "P1", "P1", "P2", "P2", "P3"],
            "question": ["Investigating", "Responding", "Protecting", "Investigating", "Responding", "Protecting"],
            "grade": ["adequate", "good", "requires_improvement", "good", "inadequate", "requires_improvement"],
            "published_date": _dates(["2023-01-01"] * 3 + ["2025-06-01"] * 2 + ["2026-01-01"]),
        }
    )
    got = grade_changes(grades).set_index("question")
    assert got.loc["Investigating", ["latest", "previous", "direction"]].tolist() == ["good", "adequate", "improved"]
    assert got.loc["Responding", ["latest", "previous", "direction"]].tolist() == ["inadequate", "good", "declined"]
    assert got.loc["Protecting", "direction"] == "unchanged" and got.loc["Protecting", "latest_report"] == "P3"
    single = grade_changes(grades.iloc[[0]])
    assert single.loc[0, "direction"] == "first" and single.loc[0, "previous"] is None


def test_quality_by_entitlement_beside_timeliness():
    catalogue = load_catalogue()
    reviews = pd.DataFrame(
        {
            "code": ["R6_SUSPECT_UPDATE"] * 12 + ["R3_WRITTEN_ACK"] * 3,
            "result": ["meets"] * 9 + ["partly_meets", "does_not_meet", "does_not_meet"] + ["meets"] * 3,
        }
    )
    by_code = quality_by_code(reviews, catalogue).set_index("code")
    assert by_code.loc["R6_SUSPECT_UPDATE", ["meets", "reviews"]].tolist() == [9, 12]
    assert by_code.loc["R6_SUSPECT_UPDATE", "value"] == pytest.approx(0.75)
    # Wilson 95% interval of 9/12: (0.4677, 0.9111).
    assert by_code.loc["R6_SUSPECT_UPDATE", "ci_low"] == pytest.approx(0.4677, abs=5e-4)
    assert by_code.loc["R6_SUSPECT_UPDATE", "ci_high"] == pytest.approx(0.9111, abs=5e-4)
    assert bool(by_code.loc["R3_WRITTEN_ACK", "suppressed"]) and pd.isna(by_code.loc["R3_WRITTEN_ACK", "value"])
    vcop = pd.DataFrame(
        {
            "metric_id": ["VCOP_R6_SUSPECT_UPDATE", "VCOP_R3_WRITTEN_ACK", "VCOP_R4_REFERRAL"],
            "value": [0.9, 0.8, 0.7],
            "suppressed": [False, False, False],
            "denominator": [100, 50, 40],
        }
    )
    beside = compliance_beside_quality(vcop, quality_by_code(reviews, catalogue), catalogue).set_index("code")
    assert beside.loc["R6_SUSPECT_UPDATE", ["timely_value", "quality_value", "reviews"]].tolist() == [0.9, 0.75, 12]
    assert beside.loc["R4_REFERRAL", "reviews"] == 0 and bool(beside.loc["R4_REFERRAL", "quality_suppressed"])


def test_every_gap_measure_with_its_significance():
    rows = pd.DataFrame(
        {
            "metric_id": ["SAT_GAP_DISABILITY", "SAT_GAP_SEX", "SAT_WHOLE"],
            "x1": [180, 4, None], "n1": [240, 8, None], "x2": [150, 9, None], "n2": [230, 12, None],
            "value": [180 / 240 - 150 / 230, None, 0.8], "ci_low": [0.015, None, 0.7], "ci_high": [0.179, None, 0.9],
            "suppressed": [False, True, False],
        }
    )  # fmt: skip
    got = gap_measures(rows, {"SAT_GAP_DISABILITY": "disability", "SAT_GAP_SEX": "sex"}).set_index("metric_id")
    # METRICS.md §5's example: 180/240 against 150/230 gives z = 2.318, p = 0.020: significant.
    assert got.loc["SAT_GAP_DISABILITY", "p"] == pytest.approx(0.020, abs=5e-4)
    assert bool(got.loc["SAT_GAP_DISABILITY", "significant"])
    assert got.loc["SAT_GAP_DISABILITY", "column"] == "disability"
    assert bool(got.loc["SAT_GAP_SEX", "suppressed"]) and not bool(got.loc["SAT_GAP_SEX", "significant"])
    assert pd.isna(got.loc["SAT_GAP_SEX", "diff"]) and "SAT_WHOLE" not in got.index
