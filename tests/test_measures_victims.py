"""Victim-level measures worked by hand: attrition by outcome date and the language preference recorded."""

from __future__ import annotations

from tests.measures_fixtures import counts, run, victims

WINDOW = {"start": "2024-01-01", "end": "2024-03-31", "as_of": "2024-03-20"}


def test_attrition_by_outcome_date():
    frames = {
        "victims": victims(
            {"outcome": "evidential_victim_declined", "outcome_date": "2024-01-10"},
            {"outcome": "evidential_victim_declined", "outcome_date": "2024-02-10", "domestic_abuse": True},
            {"outcome": "charged", "outcome_date": "2024-02-11", "domestic_abuse": True},
            {"outcome": "no_suspect", "outcome_date": "2024-03-01"},
            {"outcome": "ongoing", "outcome_date": None},
            {"outcome": "charged", "outcome_date": "2024-03-25"},  # after the as-of date
            {"outcome": "charged", "outcome_date": "2023-12-31"},  # before the window
        )
    }
    result = run(frames, metric_ids=["ATT_VICTIM_DECLINED", "ATT_CHARGED"], **WINDOW)
    assert counts(result, "ATT_VICTIM_DECLINED") == (2, 4)
    assert counts(result, "ATT_CHARGED") == (1, 4)
    da = run(frames, metric_ids=["ATT_VICTIM_DECLINED"], portfolio="vawg_da", **WINDOW)
    assert counts(da, "ATT_VICTIM_DECLINED") == (1, 2)


def test_language_preference_recorded_by_reported_date():
    frames = {
        "victims": victims(
            {"preferred_language": "en", "reported_date": "2024-01-05"},
            {"preferred_language": "cy", "reported_date": "2024-01-05"},
            {"preferred_language": "other", "reported_date": "2024-02-05"},
            {"preferred_language": "unknown", "reported_date": "2024-02-05"},
            {"preferred_language": "unknown", "reported_date": "2023-12-05"},  # before the window
        )
    }
    result = run(frames, metric_ids=["WL_PREFERENCE_RECORDED"], by="area", **WINDOW)
    assert counts(result, "WL_PREFERENCE_RECORDED", "Newport") == (3, 4)
