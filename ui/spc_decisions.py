"""SPC decisions on a measure's detail (issue 17): the suggested recalculation, recording and withdrawing process
changes, annotating months, and the icons of the reading with their words.

Every write goes through data.spc_decisions (role checks, audit row); nothing is recalculated until someone entitled
records a reason. Reasons and notes are user text: shown through config.safe_text.plain wherever Markdown renders.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from auth.roles import Scope
from charts.icons import assurance_svg, variation_svg
from charts.theme import month_label
from config.i18n import current_language, t
from config.safe_text import plain
from data import spc_decisions
from rules.permissions import can_annotate_spc, can_decide_spc
from rules.workflow import AccessDenied, WorkflowError
from ui import results_cache
from ui.accountability import error_text, flash, show_flash
from ui.db import get_engine
from ui.formatting import icon_label, translate

ICON_SIZE = 40


def reading_icons(variation, assurance) -> None:
    """The variation and assurance icons (the project's MDC-style SVG) each with its words beside it."""
    cols = st.columns(2)
    for col, kind, value, svg in (
        (cols[0], "variation", variation, variation_svg(_text(variation), translate(), ICON_SIZE)),
        (cols[1], "assurance", assurance, assurance_svg(_text(assurance), translate(), ICON_SIZE)),
    ):
        with col:
            icon, words = st.columns([1, 7], vertical_alignment="center")
            if svg:
                icon.image(svg, width=ICON_SIZE)
            words.markdown(f"**{t(f'spc.decisions.{kind}_label')}**: {icon_label(kind, value)}")


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _month(value) -> str:
    return month_label(pd.Timestamp(value), current_language())


def month_notes(frame: pd.DataFrame) -> list[str]:
    """Per point of an XmR frame: its process change and notes as plain text (for the chart's table)."""
    by_month: dict[str, list[str]] = {}
    for month, reason in frame.attrs.get("rebases") or ():
        by_month.setdefault(month, []).append(t("spc.decisions.table_rebase", reason=reason))
    for month, note in frame.attrs.get("annotations") or ():
        by_month.setdefault(month, []).append(note)
    index = pd.DatetimeIndex(frame.index) if len(frame) else pd.DatetimeIndex([])
    return ["; ".join(by_month.get(stamp.date().isoformat(), [])) for stamp in index]


def _write(action, success: str) -> None:
    """Run a write; on success leave a message and run the page again (the readings change at once)."""
    try:
        action()
    except (AccessDenied, WorkflowError) as refused:
        st.error(error_text(refused))
        return
    flash("success", success)
    st.rerun()


def suggestions(portfolio_id: str, metric_id: str, frame: pd.DataFrame, scope: Scope) -> None:
    """Each suggested recalculation, in words for everyone; with a reason box and a button for whoever may decide."""
    entitled = can_decide_spc(scope, portfolio_id)
    for month in frame.attrs.get("suggested_rebases") or ():
        label = _month(month)
        if not entitled:
            st.info(t("spc.decisions.suggestion_readonly", month=label))
            continue
        st.warning(t("spc.decisions.suggestion", month=label))
        key = f"vsd_spc_accept_{portfolio_id}_{metric_id}_{month}"
        with st.form(key=key, border=False):
            reason = st.text_input(t("spc.decisions.reason"), help=t("spc.decisions.reason_help"), key=f"{key}_r")
            if st.form_submit_button(t("spc.decisions.accept", month=label)):
                _write(
                    lambda month=month, reason=reason: spc_decisions.record_rebase(
                        get_engine(), scope, results_cache.catalogue(), metric_id, month, reason,
                        portfolio_id=portfolio_id, suggested=True),
                    t("spc.decisions.recorded", month=label),
                )  # fmt: skip


def _in_force(portfolio_id: str, metric_id: str) -> pd.DataFrame:
    rebases = spc_decisions.rebases_frame(get_engine())
    if rebases.empty:
        return rebases
    everywhere = rebases["portfolio_id"].isna()
    mine = (rebases["metric_id"] == metric_id) & (everywhere | (rebases["portfolio_id"] == portfolio_id))
    return rebases.loc[mine]


def decisions_section(portfolio_id: str, metric_id: str, frame: pd.DataFrame, series: pd.DataFrame, scope: Scope):
    """Suggestions, the process changes in force (withdraw), and the forms to record one or annotate a month."""
    show_flash()
    suggestions(portfolio_id, metric_id, frame, scope)
    may_decide, may_note = can_decide_spc(scope, portfolio_id), can_annotate_spc(scope, portfolio_id)
    in_force = _in_force(portfolio_id, metric_id)
    with st.expander(t("spc.decisions.heading"), expanded=False):
        if in_force.empty:
            st.caption(t("spc.decisions.none"))
        for row in in_force.itertuples(index=False):
            where = t("spc.decisions.every_portfolio") if pd.isna(row.portfolio_id) else ""
            text = t("spc.decisions.listed", month=_month(row.month), reason=plain(row.reason),
                     who=plain(row.created_by), where=where)  # fmt: skip
            left, right = st.columns([6, 1], vertical_alignment="center")
            left.markdown(text)
            if can_decide_spc(scope, None if pd.isna(row.portfolio_id) else row.portfolio_id):
                if right.button(t("spc.decisions.withdraw"), key=f"vsd_spc_withdraw_{row.id}"):
                    _write(lambda rid=int(row.id): spc_decisions.withdraw_rebase(get_engine(), scope, rid),
                           t("spc.decisions.withdrawn", month=_month(row.month)))  # fmt: skip
        months = [m for m in pd.DatetimeIndex(series["period_start"]).sort_values()]
        if not months or not (may_decide or may_note):
            return
        labels = {m.date().isoformat(): _month(m) for m in months}
        if may_decide:
            _record_form(portfolio_id, metric_id, labels, scope)
        if may_note:
            _annotate_form(portfolio_id, metric_id, labels, scope)


def _record_form(portfolio_id: str, metric_id: str, labels: dict[str, str], scope: Scope) -> None:
    st.markdown(f"**{t('spc.decisions.record_heading')}**")
    key = f"vsd_spc_rebase_{portfolio_id}_{metric_id}"
    with st.form(key=key, border=False):
        month = st.selectbox(t("spc.decisions.month"), list(labels)[1:], format_func=labels.get, key=f"{key}_m")
        reason = st.text_input(t("spc.decisions.reason"), help=t("spc.decisions.reason_help"), key=f"{key}_r")
        whole = st.checkbox(t("spc.decisions.whole_portfolio"), key=f"{key}_all")
        # Analysts and admins may record a change of the measure's process wherever it is reported.
        everywhere = can_decide_spc(scope, None) and st.checkbox(t("spc.decisions.every_portfolio_choice"),
                                                                key=f"{key}_everywhere")  # fmt: skip
        if st.form_submit_button(t("spc.decisions.record")):
            catalogue = results_cache.catalogue()
            measures = list(catalogue.scorecard_measures(portfolio_id)) if whole else [metric_id]
            where = None if everywhere else portfolio_id
            _write(
                lambda: spc_decisions.record_rebases(get_engine(), scope, catalogue, measures, month, reason,
                                                     portfolio_id=where),
                t("spc.decisions.recorded", month=labels.get(month, month)),
            )  # fmt: skip


def _annotate_form(portfolio_id: str, metric_id: str, labels: dict[str, str], scope: Scope) -> None:
    st.markdown(f"**{t('spc.decisions.annotate_heading')}**")
    key = f"vsd_spc_note_{portfolio_id}_{metric_id}"
    with st.form(key=key, border=False):
        month = st.selectbox(t("spc.decisions.note_month"), list(labels), format_func=labels.get, key=f"{key}_m")
        note = st.text_input(t("spc.decisions.note"), help=t("spc.decisions.note_help"), key=f"{key}_n")
        if st.form_submit_button(t("spc.decisions.annotate")):
            _write(
                lambda: spc_decisions.record_annotation(get_engine(), scope, results_cache.catalogue(), metric_id,
                                                        month, note, portfolio_id=portfolio_id),
                t("spc.decisions.annotated", month=labels.get(month, month)),
            )  # fmt: skip
