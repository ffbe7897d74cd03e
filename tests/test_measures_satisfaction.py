"""Satisfaction measures worked by hand: answers 5–7 of 1–7, the ethnicity gap with a Newcombe interval, awareness."""

from __future__ import annotations

import math

import pytest

from metrics.rates import compare_periods
from tests.measures_fixtures import counts, pick, run, typed, victims

VICTIMS = victims(
    {"domestic_abuse": True, "ethnicity": "black", "area": "Caerphilly"},  # VC-1
    {"ethnicity": "white", "area": "Torfaen"},  # VC-2
)
WINDOW = {"start": "2024-01-01", "end": "2024-03-31", "as_of": "2024-04-30"}
SAT = ["SAT_EASE", "SAT_ACTIONS", "SAT_INFORMED", "SAT_TREATMENT", "SAT_WHOLE", "SAT_GAP_ETHNICITY", "SAT_CODE_AWARE"]


def survey(rows):
    questions = ["q_ease_of_contact", "q_actions_taken", "q_kept_informed", "q_treatment", "q_whole_experience"]
    base = {"case_id": None, "survey_date": "2024-02-01", "ethnicity": "white", "area": "Newport"}
    base |= {q: None for q in questions} | {"q_aware_of_code": None}
    return typed([{**base, **r} for r in rows])


def test_whole_experience_counts_answers_five_to_seven():
    # Answers 7 7 6 5 5 4 3 2 1 1 and two not asked: 5 satisfied of 10 answered.
    answers = [7, 7, 6, 5, 5, 4, 3, 2, 1, 1, None, None]
    frames = {"victims": VICTIMS, "survey_responses": survey([{"q_whole_experience": a} for a in answers])}
    row = pick(run(frames, metric_ids=["SAT_WHOLE"], **WINDOW), "SAT_WHOLE")
    assert (row["numerator"], row["denominator"], row["value"]) == (5, 10, 0.5)
    assert (row["target"], row["rag"]) == (0.8, "red")


@pytest.mark.parametrize(
    ("metric_id", "question"),
    [
        ("SAT_EASE", "q_ease_of_contact"),
        ("SAT_ACTIONS", "q_actions_taken"),
        ("SAT_INFORMED", "q_kept_informed"),
        ("SAT_TREATMENT", "q_treatment"),
    ],
)
def test_each_stage_reads_its_own_question(metric_id, question):
    # 6 5 4 on this question (2 satisfied of 3); the other questions are left unanswered.
    frames = {"victims": VICTIMS, "survey_responses": survey([{question: a} for a in (6, 5, 4)])}
    result = run(frames, metric_ids=SAT, **WINDOW)
    assert counts(result, metric_id) == (2, 3)
    others = [m for m in ("SAT_EASE", "SAT_ACTIONS", "SAT_INFORMED", "SAT_TREATMENT") if m != metric_id]
    assert all(counts(result, m) == (0, 0) for m in others)


def test_awareness_of_the_code():
    answers = [True] * 4 + [False] * 6 + [None] * 2
    frames = {"victims": VICTIMS, "survey_responses": survey([{"q_aware_of_code": a} for a in answers])}
    row = pick(run(frames, metric_ids=["SAT_CODE_AWARE"], **WINDOW), "SAT_CODE_AWARE")
    assert (row["numerator"], row["denominator"], row["value"], row["rag"]) == (4, 10, 0.4, "red")


def _gap_frames(minority_answers):
    white = [{"q_whole_experience": 6, "ethnicity": "white"}] * 16 + [
        {"q_whole_experience": 2, "ethnicity": "white"}
    ] * 4
    minority = [{"q_whole_experience": a, "ethnicity": e} for a, e in minority_answers]
    unknown = [{"q_whole_experience": 7, "ethnicity": "unknown"}] * 5  # in neither group
    return {"victims": VICTIMS, "survey_responses": survey(white + minority + unknown)}


def test_ethnicity_gap_is_a_difference_with_a_newcombe_interval():
    # White 16/20 = 0.80; minority (asian, black, mixed, other) 5/10 = 0.50: gap 0.30.
    minority = [(7, "asian")] * 3 + [(5, "black")] * 2 + [(3, "mixed")] * 3 + [(1, "other")] * 2
    row = pick(run(_gap_frames(minority), metric_ids=["SAT_GAP_ETHNICITY"], **WINDOW), "SAT_GAP_ETHNICITY")
    assert row["value"] == pytest.approx(0.30)
    expected = compare_periods(16, 20, 5, 10)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(expected["ci_low"]), pytest.approx(expected["ci_high"]))
    assert row["ci_low"] < 0.30 < row["ci_high"]
    assert math.isnan(row["numerator"]) and math.isnan(row["denominator"])
    assert (row["suppressed"], row["polarity"], row["rag"]) == (False, "toward_zero", "red")


def test_ethnicity_gap_suppressed_when_a_group_is_under_ten():
    minority = [(7, "asian")] * 9
    row = pick(run(_gap_frames(minority), metric_ids=["SAT_GAP_ETHNICITY"], **WINDOW), "SAT_GAP_ETHNICITY")
    assert row["suppressed"] and math.isnan(row["value"]) and row["rag"] is None


def test_linked_victims_attributes_win_and_cohort_applies():
    rows = [
        {"case_id": "VC-1", "q_whole_experience": 7, "ethnicity": "white", "area": "Newport"},  # victim: black
        {"case_id": "VC-2", "q_whole_experience": 1},
        {"case_id": None, "q_whole_experience": 6, "area": "Monmouthshire"},  # unlinked: keeps its own area
    ]
    frames = {"victims": VICTIMS, "survey_responses": survey(rows)}
    by_area = run(frames, metric_ids=["SAT_WHOLE"], by="area", **WINDOW)
    assert counts(by_area, "SAT_WHOLE", "Caerphilly") == (1, 1)
    assert counts(by_area, "SAT_WHOLE", "Torfaen") == (0, 1)
    assert counts(by_area, "SAT_WHOLE", "Monmouthshire") == (1, 1)
    by_ethnicity = run(frames, metric_ids=["SAT_WHOLE"], by="ethnicity", **WINDOW)
    assert counts(by_ethnicity, "SAT_WHOLE", "black") == (1, 1)
    da = run(frames, metric_ids=["SAT_WHOLE"], portfolio="vawg_da", **WINDOW)
    assert counts(da, "SAT_WHOLE") == (1, 1)  # only VC-1 is domestic abuse; the unlinked response cannot be


def test_surveys_outside_the_window_or_after_as_of_do_not_count():
    rows = [
        {"survey_date": "2023-12-31", "q_whole_experience": 7},
        {"survey_date": "2024-01-01", "q_whole_experience": 7},
        {"survey_date": "2024-03-31", "q_whole_experience": 1},
        {"survey_date": "2024-04-01", "q_whole_experience": 7},
    ]
    frames = {"victims": VICTIMS, "survey_responses": survey(rows)}
    assert counts(run(frames, metric_ids=["SAT_WHOLE"], **WINDOW), "SAT_WHOLE") == (1, 2)
    cut_short = {**WINDOW, "as_of": "2024-02-15"}
    assert counts(run(frames, metric_ids=["SAT_WHOLE"], **cut_short), "SAT_WHOLE") == (1, 1)
