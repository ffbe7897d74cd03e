"""Witness care and special measures worked by hand."""

from __future__ import annotations

import pytest

from metrics.periods import months
from tests.measures_fixtures import counts, run, typed, victims

VICTIMS = victims({"domestic_abuse": True, "area": "Newport"}, {"area": "Torfaen"}, {"area": "Torfaen"})
WINDOW = {"start": "2024-01-01", "end": "2024-03-31", "as_of": "2024-03-20"}
WITNESS = {
    "case_id": "VC-1", "is_victim": True, "court": "crown", "charge_date": "2023-10-01", "plea": "not_guilty",
    "needs_assessment_date": None, "trial_date": "2024-02-05", "required_to_attend": None, "attended": None,
    "trial_outcome": None, "ineffective_reason": None, "witness_service_referred": None,
}  # fmt: skip


def witnesses(rows):
    return typed([{"witness_id": f"W{i}", **WITNESS, **r} for i, r in enumerate(rows)])


def test_attendance_counts_required_witnesses_at_trials_held():
    rows = (
        [{"required_to_attend": True, "attended": True, "trial_outcome": "effective"}] * 3
        + [{"required_to_attend": True, "attended": False, "trial_outcome": "ineffective"}]
        + [{"required_to_attend": True, "attended": None, "trial_outcome": None}]  # trial not held yet
        + [{"required_to_attend": False, "attended": None, "trial_outcome": "effective"}]  # not required
        + [{"required_to_attend": True, "attended": True, "trial_outcome": "effective", "trial_date": "2024-03-25"}]
    )  # the last: trial after the as-of date
    frames = {"victims": VICTIMS, "witnesses": witnesses(rows)}
    assert counts(run(frames, metric_ids=["WCU_ATTENDANCE"], **WINDOW), "WCU_ATTENDANCE") == (3, 4)


def test_needs_assessment_and_witness_service_are_over_not_guilty_pleas():
    rows = [
        {"needs_assessment_date": "2024-01-10", "witness_service_referred": True},
        {"needs_assessment_date": "2024-01-10", "witness_service_referred": False},
        {"needs_assessment_date": "2024-03-25", "witness_service_referred": True},  # assessed after the as-of date
        {"needs_assessment_date": None, "witness_service_referred": None},
        {"plea": "guilty", "needs_assessment_date": "2024-01-10", "witness_service_referred": True},
        {"plea": None, "needs_assessment_date": "2024-01-10"},
    ]
    frames = {"victims": VICTIMS, "witnesses": witnesses(rows)}
    result = run(frames, metric_ids=["WCU_NEEDS_ASSESSMENT", "WCU_WITNESS_SERVICE"], **WINDOW)
    assert counts(result, "WCU_NEEDS_ASSESSMENT") == (2, 4)  # rows 1 and 2; row 3 is assessed too late
    assert counts(result, "WCU_WITNESS_SERVICE") == (2, 4)


def test_ineffective_trials_count_distinct_cases():
    absent = {"trial_outcome": "ineffective", "ineffective_reason": "prosecution_witness_absent"}
    rows = [
        {"case_id": "VC-1", **absent},  # two witnesses absent on one case: one case
        {"case_id": "VC-1", **absent},
        {"case_id": "VC-2", "trial_outcome": "ineffective", "ineffective_reason": "defence"},
        {"case_id": "VC-3", "trial_outcome": "effective"},
        {"case_id": "VC-3", "trial_outcome": "effective", "trial_date": "2024-03-04"},  # same case, another month
        {"case_id": "VC-2", "trial_outcome": None},
    ]
    frames = {"victims": VICTIMS, "witnesses": witnesses(rows)}
    whole = run(frames, metric_ids=["WCU_INEFFECTIVE_WITNESS"], **WINDOW)
    assert counts(whole, "WCU_INEFFECTIVE_WITNESS") == (1, 3)  # VC-3 once, though its trials span two months
    monthly = run(frames, metric_ids=["WCU_INEFFECTIVE_WITNESS"], periods=months("2024-01-01", "2024-03-31"), **WINDOW)
    assert counts(monthly, "WCU_INEFFECTIVE_WITNESS", label="2024-02") == (1, 3)
    assert counts(monthly, "WCU_INEFFECTIVE_WITNESS", label="2024-03") == (0, 1)
    assert counts(monthly, "WCU_INEFFECTIVE_WITNESS", label="2024-01") == (0, 0)
    by_area = run(frames, metric_ids=["WCU_INEFFECTIVE_WITNESS"], by="area", **WINDOW)
    assert counts(by_area, "WCU_INEFFECTIVE_WITNESS", "Torfaen") == (0, 2)
    assert counts(by_area, "WCU_INEFFECTIVE_WITNESS", "Newport") == (1, 1)


SM = {
    "witness_id": "W1", "eligibility": "s17_4A_domestic_abuse", "identified_date": "2024-01-15",
    "discussed_date": None, "sma_quality_assured": None, "application_date": None, "decision": None,
    "decision_date": None, "case_id": "VC-1", "trial_date": "2024-04-15",
}  # fmt: skip


def special_measures(rows):
    return typed([{"sm_id": f"S{i}", **SM, **r} for i, r in enumerate(rows)])


def test_discussed_over_eligible_by_identified_date():
    rows = [
        {"discussed_date": "2024-01-20"},
        {"discussed_date": "2024-03-25"},  # discussed after the as-of date: not yet
        {"discussed_date": None},
        {"eligibility": "not_eligible", "discussed_date": "2024-01-20"},
        {"identified_date": "2023-12-31", "discussed_date": "2024-01-02"},  # identified before the window
    ]
    frames = {"victims": VICTIMS, "special_measures": special_measures(rows)}
    assert counts(run(frames, metric_ids=["SM_DISCUSSED"], **WINDOW), "SM_DISCUSSED") == (1, 3)


def test_quality_assured_and_granted_by_application_date():
    applied = [  # (quality assured, decision, decision date), all applied for on 1 February
        (True, "granted", "2024-02-10"),
        (False, "partly_granted", "2024-02-10"),
        (None, "refused", "2024-02-10"),
        (True, "withdrawn", "2024-02-10"),
        (True, "granted", "2024-03-25"),
    ]
    rows = [
        {"application_date": "2024-02-01", "sma_quality_assured": qa, "decision": d, "decision_date": when}
        for qa, d, when in applied
    ]
    rows.append({"application_date": None, "sma_quality_assured": True})  # no application
    frames = {"victims": VICTIMS, "special_measures": special_measures(rows)}
    result = run(frames, metric_ids=["SM_QA", "SM_GRANTED"], **WINDOW)
    assert counts(result, "SM_QA") == (3, 5)
    assert counts(result, "SM_GRANTED") == (2, 3)  # the decision dated after the as-of date is not known yet


@pytest.mark.parametrize(
    ("application", "trial", "in_time"),
    [
        ("2024-02-01", "2024-02-29", True),  # exactly 28 days before
        ("2024-02-02", "2024-02-29", False),  # 27 days before
        ("2024-01-05", "2024-03-15", True),
    ],
)
def test_applications_made_28_days_before_trial(application, trial, in_time):
    rows = [
        {"application_date": application, "trial_date": trial},
        {"application_date": "2024-02-01", "trial_date": None},
    ]
    frames = {"victims": VICTIMS, "special_measures": special_measures(rows)}
    assert counts(run(frames, metric_ids=["SM_TIMELY"], **WINDOW), "SM_TIMELY") == (int(in_time), 1)


def test_cohort_follows_the_witness_case():
    rows = [{"discussed_date": "2024-01-20", "case_id": "VC-1"}, {"discussed_date": None, "case_id": "VC-2"}]
    frames = {"victims": VICTIMS, "special_measures": special_measures(rows)}
    assert counts(run(frames, metric_ids=["SM_DISCUSSED"], **WINDOW), "SM_DISCUSSED") == (1, 2)
    da = run(frames, metric_ids=["SM_DISCUSSED"], portfolio="vawg_da", **WINDOW)
    assert counts(da, "SM_DISCUSSED") == (1, 1)
