"""The statutory sections on the pages, on the seeded demo database (one AppTest per page view): outcomes by need
with the planted need lowest, the gap for every characteristic, compliance next to quality with the failing
criteria, and the reports with deadlines and grades."""

from __future__ import annotations

import pandas as pd

from data.demo_needs import PLANTED_NEED
from tests.apptest_support import open_page, sign_in


def frame_with(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_connect_gwent_shows_outcomes_by_need_with_the_planted_need_lowest(seeded_reading_env):
    at = open_page(sign_in("board"), "app_pages/connect_gwent.py")
    assert not at.exception
    table = frame_with(at, "Category of need")
    assert len(table) == 8
    assert any("Lowest: **Finance and benefits**" in m.value for m in at.markdown), PLANTED_NEED


def test_satisfaction_shows_the_gap_for_every_characteristic(seeded_reading_env):
    at = open_page(sign_in("board"), "app_pages/satisfaction.py")
    assert not at.exception
    table = frame_with(at, "Characteristic")
    assert list(table["Characteristic"]) == ["Ethnicity", "Disability", "Age band", "Sex"]
    assert set(table["Verdict"]) <= {"statistically significant", "not statistically significant", "fewer than 10"}


def test_victims_code_shows_compliance_next_to_quality(seeded_reading_env):
    at = open_page(sign_in("inspector"), "app_pages/victims_code.py")
    assert not at.exception
    beside = frame_with(at, "Meets the standard")
    assert {"Delivered on time", "Reviews"} <= set(beside.columns) and len(beside) >= 18
    criteria = frame_with(at, "Criterion")
    assert criteria["Criterion"].iloc[0] == "Next steps explained"  # the demo's most failed criterion


def test_inspection_page_shows_reports_deadlines_and_grades(seeded_reading_env):
    at = open_page(sign_in("inspector"), "app_pages/inspection.py")
    assert not at.exception
    reports = frame_with(at, "Response published")
    statuses = " | ".join(reports["Status"])
    # Judged at the page's own date (today by default), after the demo data's as-of date.
    assert "Overdue by" in statuses and "No response deadline" in statuses
    assert "Response published on time" in statuses and "Response published late" in statuses
    grades = frame_with(at, "Latest grade").set_index("Question")
    assert grades.loc["Protecting vulnerable people", "Direction"] == "▼ Declined"
    assert grades.loc["Responding to the public", "Direction"] == "▲ Improved"
