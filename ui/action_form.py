"""One action in full: details, the edit form with optimistic locking and "what changed", closing, evidence, timeline.

The form remembers the version it was opened at (session state). Saving names that version; when someone else saved
in between, the save is refused and the page shows field by field what you read, your value and what is saved now.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import t
from config.safe_text import plain
from data import actions as svc
from rules.permissions import can_edit_action
from rules.workflow import (
    ACTION_MOVES,
    AccessDenied,
    NotFound,
    StaleEdit,
    WorkflowError,
    normalise_milestones,
    parse_milestones,
    stale_differences,
)
from ui.accountability import (
    as_date,
    changes_lines,
    error_text,
    field_label,
    flash,
    local_time,
    status_label,
    value_text,
)
from ui.actions import portfolio_names, source_text
from ui.db import get_engine
from ui.evidence import evidence_section
from ui.tables import table_alternative

FORM_FIELDS = ("title", "description", "owner", "due_date", "status", "milestones")
BASE_KEY = "vsd_act_base"
STALE_KEY = "vsd_act_stale"


def form_values(action: dict[str, Any]) -> dict[str, Any]:
    """The editable fields as the form shows them (milestones as a list)."""
    values = {f: action.get(f) for f in FORM_FIELDS}
    values["milestones"] = normalise_milestones(parse_milestones(action.get("milestones")))
    values["description"] = values["description"] or None
    return values


def _base(action: dict[str, Any]) -> dict[str, Any]:
    """The version the form was opened at; a new one when another action is shown."""
    base = st.session_state.get(BASE_KEY)
    if not base or base["id"] != action["action_id"]:
        base = {"id": action["action_id"], "version": action["version"], "values": form_values(action), "draft": {}}
        st.session_state[BASE_KEY] = base
    return base


def details(action: dict[str, Any], names: dict[str, str]) -> None:
    """The action's fields, in words."""
    st.subheader(f"{plain(action['action_id'])}: {plain(action['title'])}")
    rows = [
        ("portfolio", names.get(action["portfolio"], action["portfolio"])),
        ("owner", action["owner"]),
        ("status", status_label("actions", action["status"])),
        ("created_date", value_text("created_date", action["created_date"])),
        ("due_date", value_text("due_date", action["due_date"])),
        ("completed_date", value_text("completed_date", action["completed_date"])),
        ("source_type", source_text(action["source_type"], action["source_ref"])),
        ("meeting_ref", action["meeting_ref"] or "–"),
        ("closure_note", action["closure_note"] or "–"),
    ]
    for field, text in rows:
        st.markdown(f"**{field_label(field)}:** {plain(text)}")
    if action["description"]:
        st.markdown(plain(action["description"]))
    milestones = parse_milestones(action["milestones"])
    if milestones:
        frame = pd.DataFrame(
            {
                t("actions.milestone_columns.title"): [m["title"] for m in milestones],
                t("actions.milestone_columns.due"): [value_text("due_date", m.get("due")) for m in milestones],
                t("actions.milestone_columns.done"): [
                    t("actions.yes_text") if m.get("done") else t("actions.no_text") for m in milestones
                ],  # fmt: skip
            }
        )
        table_alternative(frame, t("actions.milestones_caption"), key=f"vsd_act_ms_{action['action_id']}")


def stale_panel(action: dict[str, Any]) -> None:
    """After a refused save: what changed since you opened the form, and the two ways on."""
    stale = st.session_state.get(STALE_KEY)
    if not stale or stale["id"] != action["action_id"]:
        return
    current = form_values(stale["current"])
    rows = stale_differences(stale["read"], stale["mine"], current)
    st.warning(t("actions.stale_title", version=stale["current"]["version"]))
    frame = pd.DataFrame(
        {
            t("actions.stale_columns.field"): [field_label(r["field"]) for r in rows],
            t("actions.stale_columns.read"): [value_text(r["field"], r["read"]) for r in rows],
            t("actions.stale_columns.yours"): [value_text(r["field"], r["yours"]) for r in rows],
            t("actions.stale_columns.theirs"): [value_text(r["field"], r["theirs"]) for r in rows],
            t("actions.stale_columns.clash"): [t("actions.yes_text") if r["clash"] else "" for r in rows],
        }
    )
    table_alternative(frame, t("actions.stale_caption"), key="vsd_act_stale_table")
    keep, drop = st.columns(2)
    if keep.button(t("actions.stale_keep"), key="vsd_act_stale_keep", type="primary"):
        draft = {f: v for f, v in stale["mine"].items() if v != stale["read"].get(f)}
        st.session_state[BASE_KEY] = {"id": action["action_id"], "version": stale["current"]["version"],
                                      "values": current, "draft": draft}  # fmt: skip
        st.session_state.pop(STALE_KEY)
        st.rerun()
    if drop.button(t("actions.stale_discard"), key="vsd_act_stale_discard"):
        st.session_state.pop(STALE_KEY)
        st.session_state.pop(BASE_KEY, None)
        st.rerun()


def _milestone_editor(values: list[dict], key: str) -> list[dict]:
    frame = pd.DataFrame(
        {
            "title": pd.Series([m["title"] for m in values], dtype="object"),
            "due": pd.Series([as_date(m.get("due")) for m in values], dtype="object"),
            "done": pd.Series([bool(m.get("done")) for m in values], dtype="bool"),
        }
    )
    edited = st.data_editor(
        frame, num_rows="dynamic", hide_index=True, key=key,
        column_config={
            "title": st.column_config.TextColumn(t("actions.milestone_columns.title"), max_chars=200),
            "due": st.column_config.DateColumn(t("actions.milestone_columns.due"), format="DD/MM/YYYY"),
            "done": st.column_config.CheckboxColumn(t("actions.milestone_columns.done")),
        },
        alt=t("actions.fields.milestones"),
    )  # fmt: skip
    return normalise_milestones(edited.to_dict("records"))


def edit_form(scope: Scope, action: dict[str, Any], meeting_ref: str | None) -> None:
    """Edit and move the action, saved against the version the form was opened at."""
    base = _base(action)
    start = base["values"] | base["draft"]
    k = f"{action['action_id']}_{base['version']}"
    if base["version"] < action["version"] and not st.session_state.get(STALE_KEY):
        st.info(t("actions.newer_version", read=base["version"], latest=action["version"]))
        if st.button(t("actions.load_latest"), key=f"vsd_act_reload_{k}"):
            st.session_state.pop(BASE_KEY, None)
            st.rerun()
    moves = [base["values"]["status"], *(s for s in ACTION_MOVES.get(base["values"]["status"], ()) if s != "closed")]
    with st.form(f"vsd_act_edit_{k}"):
        st.markdown(f"**{t('actions.edit_title', version=base['version'])}**")
        mine = {
            "title": st.text_input(field_label("title"), value=start["title"], max_chars=200, key=f"vsd_act_title_{k}"),
            "description": st.text_area(
                field_label("description"), value=start["description"] or "", key=f"vsd_act_description_{k}"
            ).strip()
            or None,
            "owner": st.text_input(field_label("owner"), value=start["owner"], max_chars=100, key=f"vsd_act_owner_{k}"),
            "due_date": st.date_input(
                field_label("due_date"), value=as_date(start["due_date"]), format="DD/MM/YYYY", key=f"vsd_act_due_{k}"
            ),
            "status": st.selectbox(
                field_label("status"),
                moves,
                index=moves.index(start["status"]) if start["status"] in moves else 0,
                format_func=lambda s: status_label("actions", s),
                key=f"vsd_act_status_{k}",
            ),  # fmt: skip
            "milestones": _milestone_editor(start["milestones"], f"vsd_act_milestones_{k}"),
        }
        note = st.text_area(t("actions.fields.note"), key=f"vsd_act_note_{k}", help=t("actions.note_help"))
        submitted = st.form_submit_button(t("actions.save"), key=f"vsd_act_save_{action['action_id']}", type="primary")
    if not submitted:
        return
    changes = {f: v for f, v in mine.items() if v != base["values"][f]}
    try:
        saved = svc.update_action(
            get_engine(), scope, action["action_id"], base["version"], changes, note=note, meeting_ref=meeting_ref
        )
    except StaleEdit as exc:
        st.session_state[STALE_KEY] = {"id": action["action_id"], "read": base["values"], "mine": mine,
                                       "current": exc.current}  # fmt: skip
        st.rerun()
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    st.session_state.pop(BASE_KEY, None)
    flash("success", t("actions.saved", action_id=saved["action_id"], version=saved["version"]))
    st.rerun()


def close_form(scope: Scope, action: dict[str, Any], evidence_count: int, meeting_ref: str | None) -> None:
    """Close a complete action: a closure note, and evidence already attached."""
    with st.form(f"vsd_act_close_{action['action_id']}_{action['version']}"):
        st.markdown(f"**{t('actions.close_title')}**")
        if evidence_count < 1:
            st.caption(t("actions.close_needs_evidence"))
        note = st.text_area(field_label("closure_note"), key=f"vsd_act_closure_{action['action_id']}")
        submitted = st.form_submit_button(t("actions.close"), key=f"vsd_act_close_submit_{action['action_id']}")
    if not submitted:
        return
    try:
        svc.close_action(get_engine(), scope, action["action_id"], action["version"], note, meeting_ref=meeting_ref)
    except StaleEdit:
        st.error(t("actions.errors.stale_close"))
        return
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    st.session_state.pop(BASE_KEY, None)
    flash("success", t("actions.closed", action_id=action["action_id"]))
    st.rerun()


def timeline_section(scope: Scope, action_id: str) -> None:
    """Every update, newest first: when, who, the status move, what changed and the note."""
    frame = svc.timeline(get_engine(), scope, action_id)
    moves = [
        status_label("actions", after) if before == after or before is None or before != before
        else f"{status_label('actions', before)} → {status_label('actions', after)}"
        for before, after in zip(frame["status_before"], frame["status_after"], strict=True)
    ]  # fmt: skip
    shown = pd.DataFrame(
        {
            t("actions.timeline_columns.at"): frame["at"].map(local_time),
            t("actions.timeline_columns.author"): frame["author"],
            t("actions.timeline_columns.status"): moves,
            t("actions.timeline_columns.changes"): frame["changes"].map(changes_lines),
            t("actions.timeline_columns.note"): frame["note"].fillna(""),
        }
    )
    table_alternative(shown, t("actions.timeline_caption", count=len(frame)), key=f"vsd_act_timeline_{action_id}")


def action_panel(scope: Scope, action_id: str, *, meeting_ref: str | None = None) -> None:
    """One action: details, and for those who may edit it the edit and close forms; evidence; timeline."""
    try:
        action = svc.get_action(get_engine(), scope, action_id)
    except NotFound:
        st.info(t("actions.not_found", action_id=plain(action_id)))  # the id as typed, never as Markdown
        return
    details(action, portfolio_names([action["portfolio"]]))
    editable = can_edit_action(scope, action["portfolio"], meeting_ref) and action["status"] != "closed"
    if editable:
        stale_panel(action)
        edit_form(scope, action, meeting_ref)
    elif action["status"] != "closed":
        st.caption(t("actions.read_only"))
    # Evidence comes from the action's owners (leads, admins), not from a board member changing it in a meeting.
    count = evidence_section(scope, "action", action_id, editable and can_edit_action(scope, action["portfolio"]))
    if editable and action["status"] == "complete":
        close_form(scope, action, count, meeting_ref)
    st.markdown(f"**{t('actions.timeline_title')}**")
    timeline_section(scope, action_id)
