"""The "you said, we did" widgets: the pipeline table, recording feedback, the next step for an item, its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import t
from config.safe_text import plain
from data import feedback as svc
from data.audit import local_today
from rules.permissions import SURVIVOR_VOICE, can_edit_feedback
from rules.workflow import FEEDBACK_STAGES, AccessDenied, NotFound, StaleEdit, WorkflowError, feedback_stage
from ui.accountability import day, error_text, flash, history_table, status_label
from ui.actions import linked_actions, portfolio_names, raise_action_button
from ui.db import get_engine

SELECTED_KEY = "vsd_fb_selected"


def stage_label(stage: str) -> str:
    """A pipeline stage in words."""
    return t(f"survivor_voice.stages.{stage}")


def with_stage(frame: pd.DataFrame) -> pd.DataFrame:
    """The feedback frame with its pipeline stage."""
    out = frame.copy()
    out["stage"] = [
        feedback_stage(s, None if pd.isna(f) else f) for s, f in zip(out["status"], out["fed_back_date"], strict=True)
    ]
    return out


def pipeline_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """How many items are at each stage (every stage listed, zeros included)."""
    counts = frame["stage"].value_counts() if len(frame) else pd.Series(dtype="int64")
    return pd.DataFrame(
        {
            t("survivor_voice.columns.stage"): [stage_label(s) for s in FEEDBACK_STAGES],
            t("survivor_voice.columns.items"): [int(counts.get(s, 0)) for s in FEEDBACK_STAGES],
        }
    )


def feedback_table(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The items with translated headings and values."""
    return pd.DataFrame(
        {
            t("survivor_voice.columns.feedback_id"): frame["feedback_id"],
            t("survivor_voice.fields.received_date"): frame["received_date"].map(day),
            t("survivor_voice.fields.theme"): frame["theme"],
            t("actions.fields.portfolio"): frame["portfolio"].map(lambda p: "" if pd.isna(p) else names.get(p, p)),
            t("survivor_voice.fields.summary"): frame["summary"],
            t("survivor_voice.columns.status"): frame["status"].map(lambda s: status_label("survivor_voice", s)),
            t("survivor_voice.columns.stage"): frame["stage"].map(stage_label),
            t("survivor_voice.fields.we_did"): frame["we_did"].fillna(""),
            t("survivor_voice.fields.fed_back_date"): frame["fed_back_date"].map(day),
        }
    )


def record_form(scope: Scope, portfolios: list[str]) -> None:
    """Record a new "you said" item (no personal data: it is checked before it is stored)."""
    names = portfolio_names(portfolios)
    generation = st.session_state.get("vsd_fb_new_generation", 0)
    k = str(generation)
    with st.form(f"vsd_fb_new_{k}"):
        values = {
            "received_date": st.date_input(
                t("survivor_voice.fields.received_date"),
                value=local_today(),
                max_value=local_today(),
                format="DD/MM/YYYY",
                key=f"vsd_fb_new_received_{k}",
            ),  # fmt: skip
            "theme": st.text_input(t("survivor_voice.fields.theme"), max_chars=100, key=f"vsd_fb_new_theme_{k}"),
            "summary": st.text_area(
                t("survivor_voice.fields.summary"),
                max_chars=500,
                help=t("survivor_voice.no_personal_data"),
                key=f"vsd_fb_new_summary_{k}",
            ),  # fmt: skip
            "summary_cy": st.text_area(
                t("survivor_voice.fields.summary_cy"), max_chars=500, key=f"vsd_fb_new_summary_cy_{k}"
            ),
            "portfolio": st.selectbox(
                t("actions.fields.portfolio"),
                ["", *portfolios],
                key=f"vsd_fb_new_portfolio_{k}",
                format_func=lambda p: names.get(p, p) if p else t("survivor_voice.no_portfolio"),
            ),  # fmt: skip
            "event_id": st.text_input(t("survivor_voice.fields.event_id"), key=f"vsd_fb_new_event_{k}"),
        }
        submitted = st.form_submit_button(t("survivor_voice.record"), key="vsd_fb_new_submit", type="primary")
    if not submitted:
        return
    try:
        created = svc.record_feedback(get_engine(), scope, **values)
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
        return
    st.session_state["vsd_fb_new_generation"] = generation + 1
    st.session_state[SELECTED_KEY] = created["feedback_id"]
    flash("success", t("survivor_voice.recorded", feedback_id=created["feedback_id"]))
    st.rerun()


def _attempt(change, success: str) -> None:
    """Run one pipeline step; report a refusal where the form is, or rerun with the success message."""
    try:
        change()
    except StaleEdit as exc:
        st.error(t("survivor_voice.stale", version=exc.current.get("version")))
        return
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    flash("success", success)
    st.rerun()


def step_form(scope: Scope, item: dict[str, Any]) -> None:
    """The next step for this item: decide, implement, or feed back; saved against the version shown."""
    fid, version, stage = item["feedback_id"], item["version"], feedback_stage(item["status"], item["fed_back_date"])
    engine, k = get_engine(), f"{item['feedback_id']}_{item['version']}"
    if stage == "to_decide":
        with st.form(f"vsd_fb_decide_{k}"):
            st.markdown(f"**{t('survivor_voice.decide_title')}**")
            accepted = st.radio(
                t("survivor_voice.decision"), [True, False], horizontal=True, key=f"vsd_fb_accept_{k}",
                format_func=lambda a: t("survivor_voice.accept" if a else "survivor_voice.decline"),
            )  # fmt: skip
            when = st.date_input(t("survivor_voice.fields.decision_date"), value=local_today(),
                                 format="DD/MM/YYYY", key=f"vsd_fb_decided_{k}")  # fmt: skip
            we_did = st.text_area(t("survivor_voice.fields.we_did"), key=f"vsd_fb_decide_we_did_{k}")
            submitted = st.form_submit_button(t("survivor_voice.save_decision"), key=f"vsd_fb_decide_submit_{fid}")
        if submitted:
            _attempt(
                lambda: svc.decide(engine, scope, fid, version, accepted, decision_date=when, we_did=we_did or None),
                t("survivor_voice.decided", feedback_id=fid),
            )
        return
    if stage == "to_implement":
        with st.form(f"vsd_fb_implement_{k}"):
            st.markdown(f"**{t('survivor_voice.implement_title')}**")
            when = st.date_input(t("survivor_voice.fields.implemented_date"), value=local_today(),
                                 format="DD/MM/YYYY", key=f"vsd_fb_implemented_{k}")  # fmt: skip
            we_did = st.text_area(t("survivor_voice.fields.we_did"), value=item["we_did"] or "", key=f"vsd_fb_did_{k}")
            we_did_cy = st.text_area(t("survivor_voice.fields.we_did_cy"), value=item["we_did_cy"] or "",
                                     key=f"vsd_fb_did_cy_{k}")  # fmt: skip
            submitted = st.form_submit_button(t("survivor_voice.save_implemented"), key=f"vsd_fb_impl_submit_{fid}")
        if submitted:
            _attempt(
                lambda: svc.implement(engine, scope, fid, version, implemented_date=when, we_did=we_did,
                                      we_did_cy=we_did_cy or None),
                t("survivor_voice.implemented", feedback_id=fid),
            )  # fmt: skip
    if stage in ("to_implement", "to_feed_back") and item["fed_back_date"] is None:
        with st.form(f"vsd_fb_feedback_{k}"):
            st.markdown(f"**{t('survivor_voice.feed_back_title')}**")
            when = st.date_input(t("survivor_voice.fields.fed_back_date"), value=local_today(),
                                 format="DD/MM/YYYY", key=f"vsd_fb_told_{k}")  # fmt: skip
            we_did = st.text_area(t("survivor_voice.fields.we_did"), value=item["we_did"] or "",
                                  key=f"vsd_fb_told_did_{k}")  # fmt: skip
            we_did_cy = st.text_area(t("survivor_voice.fields.we_did_cy"), value=item["we_did_cy"] or "",
                                     key=f"vsd_fb_told_did_cy_{k}")  # fmt: skip
            submitted = st.form_submit_button(t("survivor_voice.save_fed_back"), key=f"vsd_fb_told_submit_{fid}")
        if submitted:
            _attempt(
                lambda: svc.feed_back(engine, scope, fid, version, fed_back_date=when, we_did=we_did or None,
                                      we_did_cy=we_did_cy or None),
                t("survivor_voice.fed_back", feedback_id=fid),
            )  # fmt: skip


def translate_form(scope: Scope, item: dict[str, Any]) -> None:
    """Add or correct the Welsh versions (what participants read in the Welsh half of the summary)."""
    fid, k = item["feedback_id"], f"{item['feedback_id']}_{item['version']}"
    with st.expander(t("survivor_voice.translate_title"), icon=":material/translate:"):
        with st.form(f"vsd_fb_translate_{k}"):
            summary_cy = st.text_area(t("survivor_voice.fields.summary_cy"), value=item["summary_cy"] or "",
                                      key=f"vsd_fb_tr_summary_{k}")  # fmt: skip
            we_did_cy = st.text_area(t("survivor_voice.fields.we_did_cy"), value=item["we_did_cy"] or "",
                                     key=f"vsd_fb_tr_did_{k}")  # fmt: skip
            submitted = st.form_submit_button(t("actions.save"), key=f"vsd_fb_tr_submit_{fid}")
        if submitted:
            changes = {"summary_cy": summary_cy or None, "we_did_cy": we_did_cy or None}
            _attempt(
                lambda: svc.edit_feedback(get_engine(), scope, fid, item["version"], changes),
                t("survivor_voice.translated", feedback_id=fid),
            )


def item_panel(scope: Scope, feedback_id: str, as_of: dt.date) -> None:
    """One item: what was said and done, its next step for the co-ordinator, linked actions, history."""
    try:
        item = svc.get_feedback(get_engine(), scope, feedback_id)
    except NotFound:
        st.info(t("survivor_voice.not_found", feedback_id=plain(feedback_id)))  # the id as typed, never as Markdown
        return
    stage = feedback_stage(item["status"], item["fed_back_date"])
    st.subheader(f"{plain(feedback_id)}: {plain(item['theme'])}")
    rows = [
        (t("survivor_voice.fields.summary"), item["summary"]),
        (t("survivor_voice.fields.summary_cy"), item["summary_cy"] or "–"),
        (t("survivor_voice.columns.status"), status_label("survivor_voice", item["status"])),
        (t("survivor_voice.columns.stage"), stage_label(stage)),
        (t("survivor_voice.fields.received_date"), day(item["received_date"])),
        (t("survivor_voice.fields.decision_date"), day(item["decision_date"])),
        (t("survivor_voice.fields.implemented_date"), day(item["implemented_date"])),
        (t("survivor_voice.fields.fed_back_date"), day(item["fed_back_date"])),
        (t("survivor_voice.fields.we_did"), item["we_did"] or "–"),
        (t("survivor_voice.fields.we_did_cy"), item["we_did_cy"] or "–"),
    ]
    for label, text in rows:
        st.markdown(f"**{label}:** {plain(text)}")
    if can_edit_feedback(scope):
        step_form(scope, item)
        translate_form(scope, item)
    linked_actions("feedback", feedback_id, scope, as_of=as_of)
    if item["status"] in ("accepted", "implemented"):
        raise_action_button(
            "feedback", feedback_id, item["portfolio"] or SURVIVOR_VOICE, scope,
            title=t("survivor_voice.action_title", theme=item["theme"])[:200],
        )  # fmt: skip
    st.markdown(f"**{t('actions.history_title')}**")
    frame = svc.feedback_history(get_engine(), scope, feedback_id)
    history_table(frame, "survivor_voice", f"vsd_fb_history_{feedback_id}", t("survivor_voice.history_none"))
