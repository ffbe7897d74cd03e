"""The findings register's widgets: the register table, and one finding with its form, evidence and actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import t
from config.safe_text import plain
from data import findings as svc
from rules.permissions import can_edit_finding
from rules.workflow import FINDING_DONE, FINDING_KINDS, FINDING_MOVES, AccessDenied, NotFound, StaleEdit, WorkflowError
from rules.workflow import stale_differences as differences
from ui.accountability import (
    as_date,
    day,
    error_text,
    field_label,
    flash,
    history_table,
    overdue_text,
    status_label,
    value_text,
)
from ui.actions import linked_actions, portfolio_names, raise_action_button
from ui.db import get_engine
from ui.evidence import evidence_section
from ui.tables import table_alternative

BASE_KEY = "vsd_fd_base"
SELECTED_KEY = "vsd_fd_selected"
FORM_FIELDS = ("owner", "due_date", "status")


def findings_table(aged: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Aged findings (data.escalation.aged_findings) with translated headings and values, overdue in words."""
    return pd.DataFrame(
        {
            t("inspection.columns.rec_id"): aged["rec_id"],
            t("inspection.columns.source"): aged["source"],
            t("inspection.columns.kind"): aged["kind"].map(lambda k: t(f"inspection.kinds.{k}")),
            t("inspection.columns.reference"): aged["reference"].fillna(""),
            t("inspection.columns.text"): aged["text"],
            t("inspection.columns.portfolio"): aged["portfolio"].map(lambda p: names.get(p, p)),
            t("inspection.columns.owner"): aged["owner"],
            t("inspection.columns.due_date"): aged["due_date"].map(day),
            t("inspection.columns.status"): aged["status"].map(lambda s: status_label("inspection", s)),
            t("inspection.columns.overdue"): [
                overdue_text(d, e) for d, e in zip(aged["days_overdue"], aged["escalated"], strict=True)
            ],
        }
    )


def _details(finding: dict[str, Any], names: dict[str, str]) -> None:
    kind = t(f"inspection.kinds.{finding['kind']}")
    st.subheader(f"{plain(finding['rec_id'])}: {kind}")
    st.markdown(plain(finding["text"]))
    rows = [
        (t("inspection.columns.source"), finding["source"]),
        (t("inspection.columns.reference"), finding["reference"] or "–"),
        (t("inspection.columns.published_date"), day(finding["published_date"])),
        (field_label("portfolio"), names.get(finding["portfolio"], finding["portfolio"])),
        (field_label("owner"), finding["owner"]),
        (field_label("due_date"), day(finding["due_date"])),
        (field_label("status"), status_label("inspection", finding["status"])),
        (t("inspection.columns.closed_date"), day(finding["closed_date"])),
    ]
    for label, text in rows:
        st.markdown(f"**{label}:** {plain(text)}")


def _form(scope: Scope, finding: dict[str, Any]) -> None:
    """Owner, due date and status, saved against the version the form was opened at."""
    rec_id = finding["rec_id"]
    base = st.session_state.get(BASE_KEY)
    if not base or base["id"] != rec_id:
        base = {"id": rec_id, "version": finding["version"], "values": {f: finding[f] for f in FORM_FIELDS}}
        st.session_state[BASE_KEY] = base
    read = base["values"]
    k = f"{rec_id}_{base['version']}"
    moves = [read["status"], *FINDING_MOVES.get(read["status"], ())]
    with st.form(f"vsd_fd_form_{k}"):
        st.markdown(f"**{t('inspection.edit_title', version=base['version'])}**")
        mine = {
            "owner": st.text_input(field_label("owner"), value=read["owner"], max_chars=100, key=f"vsd_fd_owner_{k}"),
            "due_date": st.date_input(
                field_label("due_date"), value=as_date(read["due_date"]), format="DD/MM/YYYY", key=f"vsd_fd_due_{k}"
            ),
            "status": st.selectbox(
                field_label("status"),
                moves,
                format_func=lambda s: status_label("inspection", s),
                key=f"vsd_fd_status_{k}",
            ),  # fmt: skip
        }
        note = st.text_area(t("actions.fields.note"), key=f"vsd_fd_note_{k}")
        submitted = st.form_submit_button(t("actions.save"), key=f"vsd_fd_save_{rec_id}", type="primary")
    if not submitted:
        return
    changes = {f: v for f, v in mine.items() if v != read[f]}
    try:
        saved = svc.update_finding(get_engine(), scope, rec_id, base["version"], changes, note=note)
    except StaleEdit as exc:
        rows = differences(read, mine, {f: exc.current[f] for f in FORM_FIELDS})
        st.warning(t("actions.stale_title", version=exc.current["version"]))
        table_alternative(
            pd.DataFrame(
                {
                    t("actions.stale_columns.field"): [field_label(r["field"]) for r in rows],
                    t("actions.stale_columns.read"): [value_text(r["field"], r["read"], "inspection") for r in rows],
                    t("actions.stale_columns.yours"): [value_text(r["field"], r["yours"], "inspection") for r in rows],
                    t("actions.stale_columns.theirs"): [
                        value_text(r["field"], r["theirs"], "inspection") for r in rows
                    ],  # fmt: skip
                }
            ),
            t("actions.stale_caption"),
            key="vsd_fd_stale_table",
        )
        if st.button(t("actions.load_latest"), key="vsd_fd_reload"):
            st.session_state.pop(BASE_KEY, None)
            st.rerun()
        return
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    st.session_state.pop(BASE_KEY, None)
    flash("success", t("inspection.saved", rec_id=rec_id, status=status_label("inspection", saved["status"])))
    st.rerun()


def finding_panel(scope: Scope, rec_id: str, as_of: dt.date) -> None:
    """One finding: details, the form for its leads and admins, evidence, linked actions and history."""
    try:
        finding = svc.get_finding(get_engine(), scope, rec_id)
    except NotFound:
        st.info(t("inspection.not_found", rec_id=plain(rec_id)))  # the id as typed, never as Markdown
        return
    _details(finding, portfolio_names([finding["portfolio"]]))
    editable = can_edit_finding(scope, finding["portfolio"]) and finding["status"] not in FINDING_DONE
    if editable:
        _form(scope, finding)
    evidence_section(scope, "finding", rec_id, editable)
    linked_actions("recommendation", rec_id, scope, as_of=as_of)
    title = f"{finding['source']} {finding['reference'] or ''}".strip()[:150]
    raise_action_button("recommendation", rec_id, finding["portfolio"], scope, title=t("inspection.action_title",
                        finding=title))  # fmt: skip
    st.markdown(f"**{t('inspection.history_title')}**")
    frame = svc.finding_history(get_engine(), scope, rec_id)
    history_table(frame, "inspection", f"vsd_fd_history_{rec_id}", t("inspection.history_none"))


def new_finding_form(scope: Scope, portfolios: list[str]) -> None:
    """Record a finding from a newly published report (leads in their portfolios, admins anywhere)."""
    if not portfolios:
        return
    names = portfolio_names(portfolios)
    generation = st.session_state.get("vsd_fd_new_generation", 0)
    k = str(generation)
    with st.form(f"vsd_fd_new_{k}"):
        values = {
            "source": st.text_input(t("inspection.columns.source"), max_chars=200, key=f"vsd_fd_new_source_{k}"),
            "published_date": st.date_input(
                t("inspection.columns.published_date"), value=None, format="DD/MM/YYYY", key=f"vsd_fd_new_pub_{k}"
            ),
            "kind": st.selectbox(
                t("inspection.columns.kind"),
                FINDING_KINDS,
                format_func=lambda x: t(f"inspection.kinds.{x}"),
                key=f"vsd_fd_new_kind_{k}",
            ),  # fmt: skip
            "reference": st.text_input(t("inspection.columns.reference"), max_chars=100, key=f"vsd_fd_new_ref_{k}"),
            "text": st.text_area(t("inspection.columns.text"), max_chars=2000, key=f"vsd_fd_new_text_{k}"),
            "portfolio": st.selectbox(
                field_label("portfolio"), portfolios, format_func=lambda p: names.get(p, p), key=f"vsd_fd_new_p_{k}"
            ),
            "owner": st.text_input(field_label("owner"), max_chars=100, key=f"vsd_fd_new_owner_{k}"),
            "due_date": st.date_input(
                field_label("due_date"), value=None, format="DD/MM/YYYY", key=f"vsd_fd_new_due_{k}"
            ),
        }
        submitted = st.form_submit_button(t("inspection.create"), key="vsd_fd_new_submit", type="primary")
    if not submitted:
        return
    if values["published_date"] is None:
        st.error(t("inspection.errors.published_required"))
        return
    try:
        created = svc.create_finding(get_engine(), scope, **values)
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
        return
    st.session_state["vsd_fd_new_generation"] = generation + 1
    st.session_state[SELECTED_KEY] = created["rec_id"]
    flash("success", t("inspection.created", rec_id=created["rec_id"]))
    st.rerun()
