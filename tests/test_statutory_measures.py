"""The statutory measures worked by hand on small frames (STATUTORY.md §3-§6): CG_NEED_<NEED>, the gap for every
group and SAT_REPORT_AGAIN, QUAL_MEETS and QUAL_UPDATES_MEETS, HM_RESPONSE_ON_TIME; which criteria fail most."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.measures_quality import failed_criteria
from tests.measures_fixtures import CAT, counts, pick, run, typed, victims

WINDOW = {"start": "2024-03-01", "end": "2024-04-30", "as_of": "2024-04-10"}


# ---------------------------------------------------------------- CG_NEED_<NEED> (§6)


def test_every_category_of_need_has_its_measure():
    ids = [m.id for m in CAT.all_measures if m.id.startswith("CG_NEED_")]
    assert len(ids) == 8 and "CG_NEED_FINANCE_BENEFITS" in ids
    assert CAT.measure("CG_NEED_DRUGS_ALCOHOL").target == 0.75
    assert set(ids) <= set(CAT.scorecard_measures("connect_gwent"))


def needs(rows):
    base = {"case_id": "VC-1", "referral_date": "2024-03-04", "closed_date": "2024-03-30", "improved": None,
            "age_band": None, "sex": None, "ethnicity": None, "disability": None, "area": None}  # fmt: skip
    frame = typed([{"referral_id": f"R{i}", **base, **r} for i, r in enumerate(rows)])
    frame["improved"] = frame["improved"].astype("boolean")
    return frame


def test_need_outcomes_count_closed_referrals_with_the_outcome_recorded():
    rows = [
        {"need": "drugs_alcohol", "improved": True},
        {"need": "drugs_alcohol", "improved": True},
        {"need": "drugs_alcohol", "improved": False},
        {"need": "drugs_alcohol", "improved": None},  # outcome not recorded: not counted
        {"need": "drugs_alcohol", "improved": True, "closed_date": None},  # still open: not counted
        {"need": "drugs_alcohol", "improved": True, "closed_date": "2024-04-20"},  # closes after the as-of date
        {"need": "drugs_alcohol", "improved": True, "referral_date": "2024-02-20"},  # referral before the window
        {"need": "finance_benefits", "improved": False},
        {"need": "finance_benefits", "improved": True, "case_id": None, "area": "Torfaen"},  # self-referral
    ]
    frames = {"victims": victims({"area": "Newport"}), "referral_needs": needs(rows)}
    ids = ["CG_NEED_DRUGS_ALCOHOL", "CG_NEED_FINANCE_BENEFITS", "CG_NEED_SOCIAL_INTERACTION"]
    result = run(frames, metric_ids=ids, **WINDOW)
    assert counts(result, "CG_NEED_DRUGS_ALCOHOL") == (2, 3)
    assert counts(result, "CG_NEED_FINANCE_BENEFITS") == (1, 2)
    assert counts(result, "CG_NEED_SOCIAL_INTERACTION") == (0, 0)
    assert bool(pick(result, "CG_NEED_SOCIAL_INTERACTION")["suppressed"])  # never 0%
    by_area = run(frames, metric_ids=["CG_NEED_FINANCE_BENEFITS"], by="area", **WINDOW)
    assert counts(by_area, "CG_NEED_FINANCE_BENEFITS", "Torfaen") == (1, 1)  # a self-referral's own area
    assert counts(by_area, "CG_NEED_FINANCE_BENEFITS", "Newport") == (0, 1)


def test_need_measures_without_the_file_are_absent_not_zero():
    result = run({"victims": victims({})}, metric_ids=["CG_NEED_DRUGS_ALCOHOL"], **WINDOW)
    row = pick(result, "CG_NEED_DRUGS_ALCOHOL")
    assert (row["numerator"], row["denominator"], bool(row["suppressed"])) == (0, 0, True)


# ---------------------------------------------------------------- every group (§5)


def surveys(rows):
    base = {"case_id": None, "survey_date": "2024-03-15", "q_whole_experience": 6, "q_would_report_again": None,
            "age_band": "25-34", "sex": "female", "ethnicity": "white", "disability": "no", "area": "Newport",
            "offence_group": "theft"}  # fmt: skip
    return typed([{"response_id": f"S{i}", **base, **r} for i, r in enumerate(rows)])


def test_the_gap_is_generalised_by_column_with_newcombe_intervals():
    # Not disabled: 8 of 10 satisfied (5-7); disabled: 3 of 10 satisfied; unknown disability counts in neither.
    rows = [{"disability": "no", "q_whole_experience": 7 if i < 8 else 2} for i in range(10)]
    rows += [{"disability": "yes", "q_whole_experience": 5 if i < 3 else 4} for i in range(10)]
    rows += [{"disability": "unknown", "q_whole_experience": 7}, {"disability": "yes", "q_whole_experience": None}]
    result = run({"survey_responses": surveys(rows)}, metric_ids=["SAT_GAP_DISABILITY"], **WINDOW)
    row = pick(result, "SAT_GAP_DISABILITY")
    assert (row["x1"], row["n1"], row["x2"], row["n2"]) == (8, 10, 3, 10)
    assert row["value"] == pytest.approx(0.5)
    # Newcombe hybrid score interval of 8/10 - 3/10, built from the two Wilson intervals (0.4902, 0.9433) and
    # (0.1078, 0.6032): (0.5 - sqrt((0.8-0.4902)^2 + (0.6032-0.3)^2), 0.5 + sqrt((0.9433-0.8)^2 + (0.3-0.1078)^2)).
    assert row["ci_low"] == pytest.approx(0.0664, abs=5e-4)
    assert row["ci_high"] == pytest.approx(0.7397, abs=5e-4)


@pytest.mark.parametrize(
    ("metric_id", "reference", "comparison"),
    [
        ("SAT_GAP_AGE", {"age_band": "65+"}, {"age_band": "18-24"}),
        ("SAT_GAP_SEX", {"sex": "male"}, {"sex": "female"}),
        ("SAT_GAP_ETHNICITY", {"ethnicity": "white"}, {"ethnicity": "asian"}),
    ],
)
def test_each_group_gap_compares_its_own_column(metric_id, reference, comparison):
    rows = [{**reference, "q_whole_experience": 6}] * 3 + [{**reference, "q_whole_experience": 1}]
    rows += [{**comparison, "q_whole_experience": 6}] + [{**comparison, "q_whole_experience": 1}] * 3
    row = pick(run({"survey_responses": surveys(rows)}, metric_ids=[metric_id], **WINDOW), metric_id)
    assert (row["x1"], row["n1"], row["x2"], row["n2"]) == (3, 4, 1, 4)
    assert bool(row["suppressed"])  # four answers a side: fewer than 10, no value shown


def test_would_report_again():
    rows = [{"q_would_report_again": True}] * 3 + [{"q_would_report_again": False}, {"q_would_report_again": None}]
    frame = surveys(rows)
    frame["q_would_report_again"] = frame["q_would_report_again"].astype("boolean")
    assert counts(run({"survey_responses": frame}, metric_ids=["SAT_REPORT_AGAIN"], **WINDOW), "SAT_REPORT_AGAIN") == (
        3,
        4,
    )


# ---------------------------------------------------------------- quality (§3)


def reviews(rows):
    base = {"case_id": "VC-1", "review_date": "2024-03-20", "result": "meets", "failed_criteria": None,
            "code": "R6_SUSPECT_UPDATE"}  # fmt: skip
    return typed([{"review_id": f"Q{i}", "entitlement_id": f"E{i}", **base, **r} for i, r in enumerate(rows)])


QUALITY = [
    {"result": "meets"},
    {"result": "meets", "code": "R3_WRITTEN_ACK"},
    {"result": "partly_meets", "failed_criteria": "empathetic;next_steps"},
    {"result": "does_not_meet", "failed_criteria": "next_steps;accurate", "code": "R6_DECISION_UPDATE"},
    {"result": "does_not_meet", "failed_criteria": "next_steps", "code": "R4_REFERRAL", "case_id": "VC-2"},
    {"result": "meets", "review_date": "2024-04-20"},  # after the as-of date
]


def test_quality_meets_all_and_updates_only():
    frames = {"victims": victims({}, {"domestic_abuse": True}), "quality_reviews": reviews(QUALITY)}
    result = run(frames, metric_ids=["QUAL_MEETS", "QUAL_UPDATES_MEETS"], **WINDOW)
    assert counts(result, "QUAL_MEETS") == (2, 5)
    assert counts(result, "QUAL_UPDATES_MEETS") == (1, 3)  # reviews of R6_* instances only
    # Case-based: the vawg_da portfolio (domestic abuse) keeps VC-2's one review.
    da = run(frames, metric_ids=["QUAL_MEETS"], portfolio="vawg_da", **WINDOW)
    assert counts(da, "QUAL_MEETS") == (0, 1)


def test_which_criteria_fail_most():
    table = failed_criteria(reviews(QUALITY[:5]))
    assert table.to_dict("records") == [
        {"criterion": "next_steps", "failures": 3, "share": 1.0},
        {"criterion": "accurate", "failures": 1, "share": pytest.approx(1 / 3)},
        {"criterion": "empathetic", "failures": 1, "share": pytest.approx(1 / 3)},
    ]


def test_quality_is_on_the_scorecards_statutory_md_names():
    for portfolio in ("vcop", "victim_care"):
        assert {"QUAL_MEETS", "QUAL_UPDATES_MEETS"} <= set(CAT.scorecard_measures(portfolio))
    assert "QUAL_UPDATES_MEETS" in CAT.scorecard_measures("vawg_da")


# ---------------------------------------------------------------- inspection responses (§4)


def reports(rows):
    frame = typed([{"report_id": f"IR-{i}", "title": "t", **r} for i, r in enumerate(rows)])
    frame["response_published_date"] = pd.to_datetime(frame["response_published_date"]).astype("datetime64[s]")
    return frame


def test_responses_on_time_count_reports_whose_deadline_has_passed():
    rows = [
        {"body": "hmicfrs", "published_date": "2024-01-05", "response_published_date": "2024-03-01"},  # day 56: on time
        {"body": "hmicfrs", "published_date": "2024-01-05", "response_published_date": "2024-03-02"},  # day 57: late
        {"body": "victims_commissioner", "published_date": "2024-01-20", "response_published_date": None},  # missed
        {"body": "hmicfrs", "published_date": "2024-03-01", "response_published_date": None},  # due 26 April: not yet
        {"body": "cjji", "published_date": "2024-01-10", "response_published_date": None},  # no deadline for cjji
    ]
    result = run({"inspections": reports(rows)}, metric_ids=["HM_RESPONSE_ON_TIME"], start="2024-01-01",
                 end="2024-04-30", as_of="2024-04-10")  # fmt: skip
    assert counts(result, "HM_RESPONSE_ON_TIME") == (1, 3)


def test_the_groups_are_on_the_scorecards_statutory_md_names():
    assert {"SAT_GAP_DISABILITY", "SAT_GAP_AGE", "SAT_GAP_SEX", "SAT_REPORT_AGAIN"} <= set(
        CAT.scorecard_measures("victims_first")
    )
    assert "SAT_GAP_DISABILITY" in CAT.scorecard_measures("hate_crime")
    assert "HM_RESPONSE_ON_TIME" in CAT.scorecard_measures("inspection")
