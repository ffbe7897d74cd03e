"""The board's escalation list and the PCC's 56-day response deadlines (also for meeting mode to show)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import t
from data.audit import local_today
from data.escalation import escalation_list, record_response, report_deadlines
from rules.permissions import can_record_response
from rules.workflow import ESCALATE_AFTER_DAYS, PCC_RESPONSE_DAYS, AccessDenied, WorkflowError
from ui.accountability import day, error_text, flash, status_label
from ui.actions import portfolio_names
from ui.db import get_engine
from ui.tables import table_alternative


def escalation_table(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The escalation list with translated headings: what, id, title, portfolio, owner, due, status, days overdue."""
    sections = {"action": "actions", "finding": "inspection"}
    return pd.DataFrame(
        {
            t("inspection.escalation_columns.kind"): frame["kind"].map(lambda k: t(f"inspection.item_kinds.{k}")),
            t("inspection.escalation_columns.id"): frame["id"],
            t("inspection.escalation_columns.title"): frame["title"],
            t("inspection.escalation_columns.portfolio"): frame["portfolio"].map(lambda p: names.get(p, p)),
            t("inspection.escalation_columns.owner"): frame["owner"],
            t("inspection.escalation_columns.due_date"): frame["due_date"].map(day),
            t("inspection.escalation_columns.status"): [
                status_label(sections[k], s) for k, s in zip(frame["kind"], frame["status"], strict=True)
            ],
            t("inspection.escalation_columns.days_overdue"): frame["days_overdue"].astype("int64"),
        }
    )


def deadline_state(row: pd.Series) -> str:
    """A report's PCC response state in words."""
    state = row["state"]
    if state == "due":
        return t("inspection.deadline_states.due", days=int(row["days_remaining"]))
    if state == "overdue":
        return t("inspection.deadline_states.overdue", days=int(row["days_overdue"]))
    if state == "responded_late":
        return t(
            "inspection.deadline_states.responded_late", days=int(row["days_late"]), date=day(row["response_date"])
        )
    return t("inspection.deadline_states.responded", date=day(row["response_date"]))


def escalation_section(scope: Scope, as_of: dt.date) -> None:
    """Items overdue by more than 30 days, longest first."""
    frame = escalation_list(get_engine(), scope, as_of)
    st.subheader(t("inspection.escalation_title"))
    st.caption(t("inspection.escalation_intro", days=ESCALATE_AFTER_DAYS, date=day(as_of)))
    if frame.empty:
        st.success(t("inspection.escalation_none"))
        return
    table_alternative(
        escalation_table(frame, portfolio_names(frame["portfolio"])),
        t("inspection.escalation_caption", count=len(frame), date=day(as_of)),
        key="vsd_escalation_table",
    )


def deadlines_section(scope: Scope, as_of: dt.date) -> None:
    """Each report's PCC response deadline (published + 56 days) and where it stands; the response form."""
    st.subheader(t("inspection.deadlines_title"))
    st.caption(t("inspection.deadlines_intro", days=PCC_RESPONSE_DAYS))
    frame = report_deadlines(get_engine(), as_of)
    if frame.empty:
        st.caption(t("inspection.deadlines_none"))
        return
    shown = pd.DataFrame(
        {
            t("inspection.deadline_columns.source"): frame["source"],
            t("inspection.deadline_columns.published"): frame["published_date"].map(day),
            t("inspection.deadline_columns.deadline"): frame["deadline"].map(day),
            t("inspection.deadline_columns.state"): [deadline_state(row) for _, row in frame.iterrows()],
        }
    )
    table_alternative(shown, t("inspection.deadlines_caption", count=len(frame)), key="vsd_deadlines_table")
    if can_record_response(scope):
        response_form(scope, list(frame["source"]))


def response_form(scope: Scope, sources: list[str]) -> None:
    """Record the date the PCC published a response to a report."""
    with st.form("vsd_pcc_response"):
        st.markdown(f"**{t('inspection.response_title')}**")
        source = st.selectbox(t("inspection.deadline_columns.source"), sources, key="vsd_pcc_source")
        when = st.date_input(
            t("inspection.response_date"), value=local_today(), max_value=local_today(), format="DD/MM/YYYY",
            key="vsd_pcc_date",
        )  # fmt: skip
        submitted = st.form_submit_button(t("inspection.response_save"), key="vsd_pcc_submit")
    if not submitted:
        return
    try:
        record_response(get_engine(), scope, source, when)
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
        return
    flash("success", t("inspection.response_saved", source=source, date=day(when)))
    st.rerun()
