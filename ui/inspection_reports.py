"""Inspection reports on the HMICFRS page (STATUTORY.md §4): each report with its response deadline, days left and
response status (HMICFRS and Victims' Commissioner reports each with their body's deadline), and each graded
question's latest grade, the one before and the direction, in words and symbols (never colour alone)."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from config.i18n import format_date, format_number, t
from results import inspections
from ui import results_cache
from ui.db import get_engine
from ui.tables import table_alternative

log = logging.getLogger(__name__)
DIRECTION_SYMBOLS = {"improved": "▲", "declined": "▼", "unchanged": "=", "first": "•"}


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else format_date(pd.Timestamp(value).date())


def status_text(row: pd.Series) -> str:
    """A report's response status in words, with the days left or overdue."""
    status = row["status"]
    if status == "due":
        return t("inspection_reports.status.due", days=format_number(int(row["days_left"])))
    if status == "overdue":
        return t("inspection_reports.status.overdue", days=format_number(-int(row["days_left"])))
    return t(f"inspection_reports.status.{status}")


def reports_table(register: pd.DataFrame) -> pd.DataFrame:
    """The reports register as people read it."""
    return pd.DataFrame(
        {
            t("inspection_reports.columns.report"): register["report_id"].astype(str),
            t("inspection_reports.columns.body"): [t(f"inspection_reports.bodies.{b}") for b in register["body"]],
            t("inspection_reports.columns.title"): register["title"].astype(str),
            t("inspection_reports.columns.published"): register["published_date"].map(_day),
            t("inspection_reports.columns.deadline"): register["deadline"].map(_day),
            t("inspection_reports.columns.response"): register["response_published_date"].map(_day),
            t("inspection_reports.columns.status"): [status_text(r) for _, r in register.iterrows()],
            t("inspection_reports.columns.findings"): [format_number(n) for n in register["findings"]],
        }
    )


def grades_table(changes: pd.DataFrame) -> pd.DataFrame:
    """Each graded question's latest and previous grade and the direction, as symbol and words."""
    return pd.DataFrame(
        {
            t("inspection_reports.columns.question"): changes["question"].astype(str),
            t("inspection_reports.columns.latest"): [t(f"inspection_reports.grades.{g}") for g in changes["latest"]],
            t("inspection_reports.columns.previous"): [
                "–" if g is None or pd.isna(g) else t(f"inspection_reports.grades.{g}") for g in changes["previous"]
            ],
            t("inspection_reports.columns.direction"): [
                f"{DIRECTION_SYMBOLS[d]} {t(f'inspection_reports.directions.{d}')}" for d in changes["direction"]
            ],
        }
    )


def reports_section(as_of: dt.date) -> None:
    """The reports register and the graded questions; "no data loaded" when no reports file has been loaded."""
    st.subheader(t("inspection_reports.title"))
    if "inspections" not in set(results_cache.source_loads(results_cache.db_key())["table_name"]):
        st.info(t("inspection_reports.no_data"))
        return
    try:
        engine = get_engine()
        register = inspections.reports_register(engine, results_cache.catalogue(), as_of)
        changes = inspections.graded_questions(engine)
    except Exception:
        log.exception("inspection reports failed")
        st.error(t("errors.compute_failed"))
        return
    days = results_cache.catalogue().response_days
    st.caption(
        t(
            "inspection_reports.intro",
            bodies=", ".join(f"{t(f'inspection_reports.bodies.{b}')} {n}" for b, n in days.items()),
        )
    )
    table_alternative(reports_table(register), t("inspection_reports.caption"), key="vsd_reports_table")
    st.subheader(t("inspection_reports.grades_title"))
    if changes.empty:
        st.info(t("inspection_reports.no_grades"))
        return
    table_alternative(grades_table(changes), t("inspection_reports.grades_caption"), key="vsd_grades_table")
