"""Shared action-plan widgets: the action table, the new-action form, "raise an action" and the linked actions list.

Other pages call `raise_action_button(source_type, source_ref, portfolio, scope)` beside a failing measure, a finding
or a feedback item, and `linked_actions(source_type, source_ref, scope)` to list what was raised from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import current_language, format_date, t
from config.safe_text import plain
from data import actions as svc
from data.audit import local_today
from rules.permissions import can_edit_action, is_admin
from rules.workflow import ACTION_DONE, ACTION_SOURCES, AccessDenied, NotFound, WorkflowError, with_ageing
from ui import navigation
from ui.accountability import day, error_text, flash, overdue_text, status_label
from ui.db import get_engine
from ui.names import measure_names
from ui.portfolios import portfolio_choices
from ui.tables import table_alternative

SELECTED_KEY = "vsd_act_selected"
GENERATION_KEY = "vsd_act_new_generation"


def portfolio_names(extra: Sequence[str] = ()) -> dict[str, str]:
    """Portfolio id -> name in the current language (catalogue names, plus any id it lacks)."""
    return portfolio_choices(extra, current_language())


def source_text(source_type: str, source_ref) -> str:
    """'Measure: Suspect updates within timescale', 'Inspection finding HM-003', 'Board decision'…: a measure by its
    name in the reader's language (its id is internal; the definition pop-over names it)."""
    label = t(f"actions.sources.{source_type}")
    if not isinstance(source_ref, str) or not source_ref:
        return label
    if source_type == "metric" and (name := measure_names([source_ref]).get(source_ref)):
        return t("actions.source_measure", name=name)
    return f"{label} {source_ref}"


def actions_table(aged: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Aged actions (data.escalation.aged_actions) with translated headings and values, overdue in words."""
    return pd.DataFrame(
        {
            t("actions.columns.action_id"): aged["action_id"],
            t("actions.columns.title"): aged["title"],
            t("actions.columns.portfolio"): aged["portfolio"].map(lambda p: names.get(p, p)),
            t("actions.columns.owner"): aged["owner"],
            t("actions.columns.due_date"): aged["due_date"].map(day),
            t("actions.columns.status"): aged["status"].map(lambda s: status_label("actions", s)),
            t("actions.columns.overdue"): [
                overdue_text(d, e) for d, e in zip(aged["days_overdue"], aged["escalated"], strict=True)
            ],
            t("actions.columns.source"): [
                source_text(s, r) for s, r in zip(aged["source_type"], aged["source_ref"], strict=True)
            ],
        }
    )


def editable_portfolios(scope: Scope, meeting_ref: str | None = None) -> list[str]:
    """The portfolios in which this user may raise an action (all of them for admins and board in a meeting)."""
    names = portfolio_names(scope.portfolios)
    return [p for p in names if can_edit_action(scope, p, meeting_ref)] if not is_admin(scope) else list(names)


def new_action_form(
    scope: Scope,
    key: str,
    *,
    portfolio: str | None = None,
    source_type: str = "other",
    source_ref: str | None = None,
    title: str = "",
    meeting_ref: str | None = None,
    fixed_source: bool = False,
) -> None:
    """The form that raises an action; on success the new action is selected and the page runs again."""
    choices = editable_portfolios(scope, meeting_ref)
    if portfolio is not None:
        choices = [portfolio] if can_edit_action(scope, portfolio, meeting_ref) else []
    if not choices:
        return
    names = portfolio_names(choices)
    generation = st.session_state.get(f"{GENERATION_KEY}_{key}", 0)
    k = f"{key}_{generation}"  # a new generation after each success gives an empty form
    with st.form(f"vsd_act_new_{k}"):
        values = {
            "title": st.text_input(t("actions.fields.title"), value=title, max_chars=200, key=f"vsd_act_new_title_{k}"),
            "description": st.text_area(t("actions.fields.description"), key=f"vsd_act_new_description_{k}"),
            "portfolio": st.selectbox(
                t("actions.fields.portfolio"), choices, format_func=lambda p: names.get(p, p), key=f"vsd_act_new_p_{k}"
            ),
            "owner": st.text_input(t("actions.fields.owner"), max_chars=100, key=f"vsd_act_new_owner_{k}"),
            "due_date": st.date_input(
                t("actions.fields.due_date"),
                value=None,
                min_value=local_today(),
                format="DD/MM/YYYY",
                key=f"vsd_act_new_due_{k}",
            ),  # fmt: skip
        }
        if fixed_source:
            st.caption(t("actions.raised_from", source=plain(source_text(source_type, source_ref))))
        else:
            sources = [s for s in ACTION_SOURCES if s != "board" or meeting_ref]
            source_type = st.selectbox(
                t("actions.fields.source_type"), sources, index=sources.index("other"),
                format_func=lambda s: t(f"actions.sources.{s}"), key=f"vsd_act_new_source_{k}",
            )  # fmt: skip
            source_ref = st.text_input(
                t("actions.fields.source_ref"), help=t("actions.source_ref_help"), key=f"vsd_act_new_ref_{k}"
            )
        note = st.text_area(t("actions.fields.note"), key=f"vsd_act_new_note_{k}")
        submitted = st.form_submit_button(t("actions.create"), key=f"vsd_act_new_submit_{key}", type="primary")
    if not submitted:
        return
    if values["due_date"] is None:
        st.error(t("actions.errors.due_required"))
        return
    try:
        created = svc.create_action(
            get_engine(), scope, **values, source_type=source_type, source_ref=source_ref or None,
            meeting_ref=meeting_ref, note=note,
        )  # fmt: skip
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    st.session_state[f"{GENERATION_KEY}_{key}"] = generation + 1
    st.session_state[SELECTED_KEY] = created["action_id"]
    flash("success", t("actions.created", action_id=created["action_id"]))
    st.rerun()


def raise_action_button(
    source_type: str,
    source_ref: str,
    portfolio: str,
    scope: Scope,
    *,
    title: str = "",
    meeting_ref: str | None = None,
    key: str | None = None,
) -> None:
    """A "Raise an action" pop-over with the form prefilled; nothing for users who may not raise one here."""
    if not can_edit_action(scope, portfolio, meeting_ref):
        return
    key = key or f"{source_type}_{source_ref}"
    with st.popover(t("actions.raise"), icon=":material/add_task:", key=f"vsd_act_raise_{key}"):
        new_action_form(
            scope, f"raise_{key}", portfolio=portfolio, source_type=source_type, source_ref=source_ref,
            title=title, meeting_ref=meeting_ref, fixed_source=True,
        )  # fmt: skip


def linked_actions(source_type: str, source_ref: str, scope: Scope, *, as_of: dt.date | None = None) -> int:
    """The actions raised from this measure, finding or feedback item that the user may read; returns how many."""
    frame = svc.linked_actions(get_engine(), scope, source_type, source_ref)
    st.markdown(f"**{t('actions.linked_title')}**")
    if frame.empty:
        st.caption(t("actions.linked_none"))
        return 0
    aged_to = as_of or local_today()
    aged = with_ageing(frame, aged_to, ACTION_DONE)
    table_alternative(
        actions_table(aged, portfolio_names(aged["portfolio"])),
        t("actions.linked_caption", count=len(aged), source=source_text(source_type, source_ref))
        + " "
        + t("actions.ages_counted_to", date=format_date(aged_to)),
        key=f"vsd_act_linked_{source_type}_{source_ref}",
    )
    entry = next((e for e in navigation.REGISTRY if e.key == "inspection"), None)
    if entry is not None and scope.can_open("inspection"):
        for action_id in aged["action_id"]:
            st.page_link(
                navigation.page(entry), label=t("actions.open", action_id=plain(action_id)),
                icon=":material/open_in_new:", query_params={"action": action_id},
            )  # fmt: skip
    return len(aged)
