"""Survivor voice measures worked by hand: events, participants, feedback and the median time to close."""

from __future__ import annotations

import math

import pandas as pd

from metrics.periods import months
from tests.measures_fixtures import counts, pick, run, typed

WINDOW = {"start": "2024-01-01", "end": "2024-03-31", "as_of": "2024-03-31"}
FEEDBACK = {"event_id": None, "received_date": "2024-01-15", "status": "received", "decision_date": None,
            "implemented_date": None, "fed_back_date": None}  # fmt: skip


def feedback(rows):
    return typed([{"feedback_id": f"F{i}", **FEEDBACK, **r} for i, r in enumerate(rows)])


def test_events_and_participants_by_month():
    events = typed(
        [
            {"event_id": "E1", "event_date": "2024-01-10", "participants": 12},
            {"event_id": "E2", "event_date": "2024-01-24", "participants": 8},
            {"event_id": "E3", "event_date": "2024-03-05", "participants": 5},
            {"event_id": "E4", "event_date": "2024-04-02", "participants": 50},  # after the window
        ]
    )
    result = run({"engagement_events": events}, metric_ids=["SE_EVENTS", "SE_PARTICIPANTS"],
                 periods=months("2024-01-01", "2024-03-31"), **WINDOW)  # fmt: skip
    assert counts(result, "SE_EVENTS", label="2024-01") == (2, None)
    assert counts(result, "SE_EVENTS", label="2024-02") == (0, None)
    assert pick(result, "SE_PARTICIPANTS", label="2024-01")["value"] == 20
    assert pick(result, "SE_PARTICIPANTS", label="2024-03")["value"] == 5


def test_feedback_rates():
    rows = [
        {"status": "received"},
        {"status": "not_accepted", "decision_date": "2024-01-20", "fed_back_date": "2024-01-25"},
        {"status": "accepted", "decision_date": "2024-01-20"},
        {"status": "implemented", "decision_date": "2024-01-20", "implemented_date": "2024-02-14",
         "fed_back_date": "2024-02-20"},
        {"status": "implemented", "decision_date": "2024-01-20", "implemented_date": "2024-04-10"},  # after as-of
        {"status": "accepted", "decision_date": "2024-04-05"},  # decided after the as-of date: still received
    ]  # fmt: skip
    metric_ids = ["SE_FEEDBACK_ACCEPTED", "SE_FEEDBACK_IMPLEMENTED", "SE_FED_BACK"]
    result = run({"feedback_items": feedback(rows)}, metric_ids=metric_ids, **WINDOW)
    # As at 31 March: received 2 (rows 1 and 6), not_accepted 1, accepted 2 (rows 3 and 5), implemented 1.
    assert counts(result, "SE_FEEDBACK_ACCEPTED") == (3, 4)
    assert counts(result, "SE_FEEDBACK_IMPLEMENTED") == (1, 3)
    assert counts(result, "SE_FED_BACK") == (2, 4)


def test_median_days_to_close_per_period():
    rows = [
        {"status": "implemented", "received_date": "2024-01-01", "implemented_date": "2024-01-11"},  # 10 days
        {"status": "implemented", "received_date": "2024-01-10", "implemented_date": "2024-02-09"},  # 30 days
        {"status": "implemented", "received_date": "2024-02-01", "implemented_date": "2024-03-22"},  # 50 days
        {"status": "implemented", "received_date": "2024-02-01", "implemented_date": "2024-05-01"},  # after as-of
        {"status": "accepted", "received_date": "2024-02-01"},
    ]
    whole = run({"feedback_items": feedback(rows)}, metric_ids=["SE_DAYS_TO_CLOSE"], **WINDOW)
    row = pick(whole, "SE_DAYS_TO_CLOSE")
    assert (row["value"], row["numerator"], row["target"], row["rag"]) == (30, 3, 90, "green")
    assert math.isnan(row["denominator"]) and not row["suppressed"]
    monthly = run({"feedback_items": feedback(rows)}, metric_ids=["SE_DAYS_TO_CLOSE"],
                  periods=months("2024-01-01", "2024-03-31"), **WINDOW)  # fmt: skip
    assert pick(monthly, "SE_DAYS_TO_CLOSE", label="2024-01")["value"] == 20  # median of 10 and 30
    assert pick(monthly, "SE_DAYS_TO_CLOSE", label="2024-02")["value"] == 50
    assert math.isnan(pick(monthly, "SE_DAYS_TO_CLOSE", label="2024-03")["value"])


def test_median_rag_uses_a_relative_margin():
    """Target 90 days, polarity down: 94 days is within 5% (amber), 95 days is not (red)."""

    def rag_for(days):
        closed = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=days)).date().isoformat()
        rows = [{"status": "implemented", "received_date": "2024-01-01", "implemented_date": closed}]
        result = run({"feedback_items": feedback(rows)}, metric_ids=["SE_DAYS_TO_CLOSE"],
                     start="2024-01-01", end="2024-12-31", as_of="2024-12-31")  # fmt: skip
        return pick(result, "SE_DAYS_TO_CLOSE")["rag"]

    assert (rag_for(90), rag_for(94), rag_for(95)) == ("green", "amber", "red")


def test_days_to_close_is_the_median_not_the_mean():
    # 4, 10, 20 and 100 days: the median is 15 (halfway between 10 and 20); the mean would be 33.5.
    rows = [
        {"status": "implemented", "received_date": "2024-01-01", "implemented_date": "2024-01-05"},
        {"status": "implemented", "received_date": "2024-01-02", "implemented_date": "2024-01-12"},
        {"status": "implemented", "received_date": "2024-01-03", "implemented_date": "2024-01-23"},
        {"status": "implemented", "received_date": "2024-01-04", "implemented_date": "2024-04-13"},
    ]
    one_month = {"start": "2024-01-01", "end": "2024-01-31", "as_of": "2024-04-30"}
    row = pick(
        run({"feedback_items": feedback(rows)}, metric_ids=["SE_DAYS_TO_CLOSE"], **one_month), "SE_DAYS_TO_CLOSE"
    )
    assert (row["value"], row["numerator"]) == (15, 4)
    # Three items, 4, 10 and 100 days: median 10, mean 38.
    row = pick(run({"feedback_items": feedback(rows[:2] + rows[3:])}, metric_ids=["SE_DAYS_TO_CLOSE"], **one_month),
               "SE_DAYS_TO_CLOSE")  # fmt: skip
    assert (row["value"], row["numerator"]) == (10, 3)
