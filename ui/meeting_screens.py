"""Meeting mode's screens: the overview, one portfolio (frozen scorecard, overdue actions, decisions, the decision
form) and the record of decisions with its downloads and the closing of the meeting.

Scorecards come from the meeting's snapshot, never from the live data; actions are live (they are what the meeting
changes), aged at today's date. Every change goes through data/ (which checks again that the meeting is open and the
user is a board member) and is audited there; each download is audited here.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import current_language, format_date, t
from data import meetings
from data.audit import local_today, record_export
from data.escalation import aged_actions
from data.meetings import OPEN, Snapshot
from reports.meeting_record import agenda_summary, decisions_table, record_csv, record_pdf, summary_table
from rules.permissions import can_run_meeting
from rules.workflow import ACTION_DONE, AccessDenied, NotFound, WorkflowError
from ui.accountability import error_text, flash
from ui.action_form import action_panel
from ui.actions import actions_table
from ui.db import get_engine
from ui.downloads import download_button
from ui.escalation import escalation_section
from ui.scorecard_table import display_table
from ui.tables import table_alternative

log = logging.getLogger(__name__)
GENERATION_KEY = "vsd_meeting_decision_generation"


def overview_screen(scope: Scope, meeting: dict, snapshot: Snapshot, names: dict[str, str]) -> None:
    """The framework as the agenda: each portfolio's RAG counts from the frozen figures, and the escalation list."""
    st.subheader(t("meeting.overview_title"))
    agenda = [(pid, names.get(pid, name)) for pid, name in snapshot.agenda]
    summary = agenda_summary(snapshot.scorecards, agenda)
    table_alternative(
        summary_table(summary, current_language()),
        t("meeting.summary_caption", date=format_date(meeting["as_of"])),
        key="vsd_meeting_summary",
    )
    escalation_section(scope, local_today())


def _decisions(scope: Scope, meeting: dict) -> pd.DataFrame:
    return meetings.meeting_decisions(get_engine(), scope, meeting["meeting_id"])


def decision_form(scope: Scope, meeting: dict, portfolio: str, name: str) -> None:
    """Record a decision of the meeting as an action of this portfolio."""
    generation = st.session_state.get(f"{GENERATION_KEY}_{portfolio}", 0)
    k = f"{portfolio}_{generation}"  # a new generation after each decision gives an empty form
    with st.form(f"vsd_meeting_decision_{k}"):
        st.markdown(f"**{t('meeting.decision.title', name=name)}**")
        title = st.text_input(t("meeting.decision.fields.title"), max_chars=200, key=f"vsd_meeting_dec_title_{k}")
        description = st.text_area(t("meeting.decision.fields.description"), key=f"vsd_meeting_dec_desc_{k}")
        owner = st.text_input(t("meeting.decision.fields.owner"), max_chars=100, key=f"vsd_meeting_dec_owner_{k}")
        due = st.date_input(
            t("meeting.decision.fields.due_date"), value=None, min_value=local_today(), format="DD/MM/YYYY",
            key=f"vsd_meeting_dec_due_{k}",
        )  # fmt: skip
        submitted = st.form_submit_button(t("meeting.decision.save"), key=f"vsd_meeting_dec_save_{portfolio}",
                                          type="primary")  # fmt: skip
    if not submitted:
        return
    if due is None:
        st.error(t("actions.errors.due_required"))
        return
    try:
        created = meetings.record_decision(
            get_engine(), scope, meeting["meeting_id"], portfolio=portfolio, title=title, owner=owner, due_date=due,
            description=description,
        )  # fmt: skip
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    st.session_state[f"{GENERATION_KEY}_{portfolio}"] = generation + 1
    flash("success", t("meeting.decision.saved", action_id=created["action_id"]))
    st.rerun()


def change_action(scope: Scope, meeting: dict, aged: pd.DataFrame) -> None:
    """Change one of the portfolio's actions as a decision of the meeting (the change names the meeting)."""
    open_ids = aged.loc[~aged["status"].isin(ACTION_DONE), "action_id"].tolist()
    if not open_ids:
        return
    titles = dict(zip(aged["action_id"], aged["title"], strict=True))
    with st.expander(t("meeting.change_title"), icon=":material/edit_note:"):
        chosen = st.selectbox(
            t("meeting.change_choose"), open_ids, index=None, format_func=lambda a: f"{a}: {titles[a]}",
            placeholder=t("meeting.change_placeholder"), key=f"vsd_meeting_change_{aged['portfolio'].iloc[0]}",
        )  # fmt: skip
        if chosen:
            action_panel(scope, chosen, meeting_ref=meeting["meeting_id"])


def frozen_scorecard(meeting: dict, rows: pd.DataFrame, portfolio: str, name: str) -> None:
    """The portfolio's scorecard from the snapshot, as the Scorecard page shows a live one."""
    try:
        table = display_table(rows)
    except Exception:  # e.g. a measure since removed from the catalogue: say so, never show a trace
        log.exception("the frozen scorecard of %s could not be shown", portfolio)
        st.error(t("errors.compute_failed"))
        return
    trend = t("scorecard.columns.trend")
    table_alternative(
        table,
        t("meeting.scorecard_caption", name=name, date=format_date(meeting["as_of"])),
        column_config={trend: st.column_config.LineChartColumn(trend, width="small")},
        key=f"vsd_meeting_card_{portfolio}",
    )


def portfolio_screen(scope: Scope, meeting: dict, snapshot: Snapshot, portfolio: str, names: dict[str, str]) -> None:
    """One portfolio: its frozen scorecard, its overdue and escalated actions, and the decisions taken on it."""
    name = names.get(portfolio, portfolio)
    st.subheader(name)
    rows = snapshot.portfolio_rows(portfolio)
    if rows.empty:
        st.caption(t("meeting.no_measures"))
    else:
        frozen_scorecard(meeting, rows, portfolio, name)
    today = local_today()
    aged = aged_actions(get_engine(), scope, today, portfolios=[portfolio])
    late = aged.loc[aged["overdue"]]
    st.markdown(f"**{t('meeting.overdue_title')}**")
    if late.empty:
        st.caption(t("meeting.overdue_none", date=format_date(today)))
    else:
        table_alternative(
            actions_table(late, names),
            t("meeting.overdue_caption", count=len(late), escalated=int(late["escalated"].sum()),
              date=format_date(today)),
            key=f"vsd_meeting_overdue_{portfolio}",
        )  # fmt: skip
    decisions = _decisions(scope, meeting)
    mine = decisions.loc[decisions["portfolio"] == portfolio]
    st.markdown(f"**{t('meeting.decisions_title')}**")
    if mine.empty:
        st.caption(t("meeting.decisions_none"))
    else:
        table_alternative(
            decisions_table(mine, names, current_language()),
            t("meeting.decisions_caption", count=len(mine), name=name),
            key=f"vsd_meeting_decisions_{portfolio}",
        )
    if meeting["status"] == OPEN and can_run_meeting(scope):
        decision_form(scope, meeting, portfolio, name)
        if not aged.empty:
            change_action(scope, meeting, aged)


def _auditor(engine, actor: str, meeting_id: str, kind: str, rows: int):
    """The audit of a download of the record, written when it is made (on click): every export is in the trail."""

    def audit(_data: bytes) -> None:
        record_export(engine, actor, "meeting_record", detail={"meeting": meeting_id, "format": kind}, rows=rows)

    return audit


def close_form(scope: Scope, meeting: dict) -> None:
    """Close the meeting: after this no decision can be recorded in it."""
    with st.form("vsd_meeting_close"):
        st.markdown(f"**{t('meeting.close_title')}**")
        sure = st.checkbox(t("meeting.close_confirm"), key="vsd_meeting_close_sure")
        submitted = st.form_submit_button(t("meeting.close"), key="vsd_meeting_close_submit")
    if not submitted:
        return
    if not sure:
        st.warning(t("meeting.close_unconfirmed"))
        return
    try:
        meetings.close_meeting(get_engine(), scope, meeting["meeting_id"])
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    flash("success", t("meeting.closed", meeting=meeting["meeting_id"]))
    st.rerun()


def record_screen(scope: Scope, meeting: dict, snapshot: Snapshot, names: dict[str, str]) -> None:
    """Every decision of the meeting, the record to download (CSV and PDF, audited) and closing the meeting."""
    st.subheader(t("meeting.record_title"))
    lang = current_language()
    decisions = _decisions(scope, meeting)
    if decisions.empty:
        st.caption(t("meeting.record_none"))
    else:
        table_alternative(
            decisions_table(decisions, names, lang), t("meeting.record_caption", count=len(decisions)),
            key="vsd_meeting_record",
        )  # fmt: skip
    engine, meeting_id = get_engine(), meeting["meeting_id"]
    agenda = [(pid, names.get(pid, name)) for pid, name in snapshot.agenda]
    summary = agenda_summary(snapshot.scorecards, agenda)
    csv_col, pdf_col = st.columns(2)
    # Both files are made on click (ui/downloads.py): nothing is stored for the browser before, and the PDF is not
    # drawn on every run of the page.
    download_button(
        t("meeting.download_csv"), lambda: record_csv(meeting, decisions, names, lang),
        file_name=f"meeting-record-{meeting_id}.csv", mime="text/csv", key="vsd_meeting_download_csv",
        audit=_auditor(engine, scope.username, meeting_id, "csv", len(decisions)), container=csv_col,
        icon=":material/download:",
    )  # fmt: skip
    download_button(
        t("meeting.download_pdf"), lambda: record_pdf(meeting, decisions, summary, names, lang),
        file_name=f"meeting-record-{meeting_id}.pdf", mime="application/pdf", key="vsd_meeting_download_pdf",
        audit=_auditor(engine, scope.username, meeting_id, "pdf", len(decisions)), container=pdf_col,
        icon=":material/picture_as_pdf:",
    )  # fmt: skip
    if meeting["status"] == OPEN and can_run_meeting(scope):
        close_form(scope, meeting)
