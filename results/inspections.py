"""Inspection reports (STATUTORY.md §4): each report's response deadline, days left and response status, and each
graded question's latest grade, the one before and the direction. Reads data.queries, computes here."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from data import queries
from data.ingest_statutory_enums import GRADES
from metrics.catalogue import Catalogue
from metrics.measures_inspection import response_deadlines

REPORT_COLUMNS = [
    "report_id", "body", "title", "published_date", "deadline", "response_published_date", "status", "days_left",
    "findings",
]  # fmt: skip
GRADE_COLUMNS = ["question", "latest", "latest_report", "previous", "previous_report", "direction"]


def report_status(reports: pd.DataFrame, response_days: dict[str, int], as_of: dt.date) -> pd.DataFrame:
    """Each report with its deadline (published + its body's days; none for other bodies), the days left until it
    (negative when passed) while no response is published, and its status: responded_on_time, responded_late,
    overdue, due or no_deadline."""
    out = reports.copy()
    out["deadline"] = response_deadlines(out, response_days)
    today = pd.Timestamp(as_of)
    response = out["response_published_date"]
    responded = response.notna() & (response <= today)
    has_deadline = out["deadline"].notna()
    left = (out["deadline"] - today).dt.days
    status = pd.Series("no_deadline", index=out.index, dtype="object")
    status[has_deadline & responded & (response <= out["deadline"])] = "responded_on_time"
    status[has_deadline & responded & (response > out["deadline"])] = "responded_late"
    status[has_deadline & ~responded & (left < 0)] = "overdue"
    status[has_deadline & ~responded & (left >= 0)] = "due"
    out["status"] = status
    out["days_left"] = left.where(has_deadline & ~responded).astype("Int64")
    out["response_published_date"] = response.where(responded)
    return out.sort_values("published_date", ascending=False, kind="stable").reset_index(drop=True)


def grade_changes(grades: pd.DataFrame) -> pd.DataFrame:
    """Per graded question: its latest grade (most recent report grading it), the previous one and the direction
    (improved, declined, unchanged, or first when graded once). Grades rank outstanding (best) to inadequate."""
    if grades.empty:
        return pd.DataFrame(columns=GRADE_COLUMNS)
    rank = {g: i for i, g in enumerate(GRADES)}
    ordered = grades.sort_values(["question", "published_date", "report_id"], kind="stable")
    records = []
    for question, rows in ordered.groupby("question", sort=True):
        latest = rows.iloc[-1]
        previous = rows.iloc[-2] if len(rows) > 1 else None
        if previous is None:
            direction = "first"
        else:
            change = rank[str(previous["grade"])] - rank[str(latest["grade"])]
            direction = "improved" if change > 0 else "declined" if change < 0 else "unchanged"
        records.append(
            {
                "question": question,
                "latest": str(latest["grade"]),
                "latest_report": str(latest["report_id"]),
                "previous": None if previous is None else str(previous["grade"]),
                "previous_report": None if previous is None else str(previous["report_id"]),
                "direction": direction,
            }
        )
    return pd.DataFrame(records, columns=GRADE_COLUMNS)


def reports_register(engine: Engine, catalogue: Catalogue, as_of: dt.date) -> pd.DataFrame:
    """Every loaded report published by the as-of date with its deadline, status, days left and linked findings."""
    reports = queries.inspections_frame(engine, until=as_of)
    out = report_status(reports, catalogue.response_days, as_of)
    counts = queries.findings_per_report(engine)
    found = dict(zip(counts["report_id"].astype(str), counts["findings"].astype(int), strict=True))
    out["findings"] = [found.get(str(r), 0) for r in out["report_id"]]
    return out[REPORT_COLUMNS]


def graded_questions(engine: Engine) -> pd.DataFrame:
    """Each graded question's latest and previous grade and the direction."""
    return grade_changes(queries.inspection_grades_frame(engine))
