"""HMICFRS findings and the action plan: stocks judged at each period's end, worked by hand."""

from __future__ import annotations

import math

from metrics.periods import months
from tests.measures_fixtures import counts, pick, run, typed

WINDOW = {"start": "2024-01-01", "end": "2024-03-31", "as_of": "2024-03-15"}
PERIODS = months("2024-01-01", "2024-03-31")


def findings():
    base = {"source": "HMICFRS PEEL 2023-25", "kind": "recommendation", "portfolio": "vcop", "owner": "lead"}
    rows = [
        {"rec_id": "A", "published_date": "2023-06-01", "due_date": "2024-01-31", "status": "open",
         "closed_date": None},
        {"rec_id": "B", "published_date": "2023-06-01", "due_date": "2024-06-30", "status": "in_progress",
         "closed_date": None},
        {"rec_id": "C", "published_date": "2023-06-01", "due_date": "2024-01-15", "status": "closed",
         "closed_date": "2024-02-10"},  # open at the end of January, closed by the end of February
        {"rec_id": "D", "published_date": "2024-02-20", "due_date": "2024-02-25", "status": "discharged",
         "closed_date": "2024-03-10"},  # open only at the end of February
        {"rec_id": "E", "published_date": "2023-01-01", "due_date": None, "status": "closed", "closed_date": None},
        {"rec_id": "F", "published_date": "2024-03-20", "due_date": "2024-03-21", "status": "open",
         "closed_date": None},
    ]  # fmt: skip
    return typed([{**base, **r} for r in rows])


def test_open_and_overdue_findings_at_each_month_end():
    result = run({"recommendations": findings()}, metric_ids=["HM_OPEN", "HM_OVERDUE"], periods=PERIODS, **WINDOW)
    # 31 Jan: A (due that day: not yet overdue), B, C (overdue) open.  29 Feb: A (overdue), B, D (overdue).
    # March is judged at the as-of date, 15 March: A (overdue), B; F is published after it.
    assert counts(result, "HM_OPEN", label="2024-01") == (3, None)
    assert pick(result, "HM_OPEN", label="2024-02")["value"] == 3
    assert counts(result, "HM_OPEN", label="2024-03") == (2, None)
    assert counts(result, "HM_OVERDUE", label="2024-01") == (1, 3)
    assert counts(result, "HM_OVERDUE", label="2024-02") == (2, 3)
    assert counts(result, "HM_OVERDUE", label="2024-03") == (1, 2)
    assert pick(result, "HM_OVERDUE", label="2024-03")["suppressed"]  # two open findings: fewer than 10


def test_overdue_actions():
    rows = [
        {"created_date": "2024-01-05", "due_date": "2024-02-01", "status": "on_track", "completed_date": None},
        {"created_date": "2024-01-05", "due_date": "2024-01-20", "status": "complete", "completed_date": "2024-02-15"},
        {"created_date": "2024-01-05", "due_date": "2024-04-01", "status": "at_risk", "completed_date": None},
        {"created_date": "2024-02-10", "due_date": "2024-02-12", "status": "closed", "completed_date": None},
    ]
    base = {"portfolio": "vcop", "owner": "lead", "source_type": "metric", "source_ref": None}
    actions = typed([{"action_id": f"A{i}", **base, **r} for i, r in enumerate(rows)])
    result = run({"actions": actions}, metric_ids=["ACT_OVERDUE"], periods=PERIODS, **WINDOW)
    # 31 Jan: A0 (not yet due), A1 (overdue), A2 open -> 1 of 3.  29 Feb: A0 overdue, A2 -> 1 of 2 (A1 complete).
    assert counts(result, "ACT_OVERDUE", label="2024-01") == (1, 3)
    assert counts(result, "ACT_OVERDUE", label="2024-02") == (1, 2)
    row = pick(result, "ACT_OVERDUE", label="2024-02")
    assert row["suppressed"] and math.isnan(row["value"])


def test_inspection_measures_ignore_the_cohort():
    result = run({"recommendations": findings()}, metric_ids=["HM_OPEN"], portfolio="vawg_da", periods=PERIODS,
                 **WINDOW)  # fmt: skip
    assert counts(result, "HM_OPEN", label="2024-01") == (3, None)
