"""The board's whole-framework summary, readable in 30 seconds: the Making Data Count summary matrix (every measure
placed by its variation and assurance icons, each one a button that opens it) and, per portfolio, the measures that
are red or show special cause concern with the portfolio's lead and the open action that covers each."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import t
from config.safe_text import plain
from data import actions as action_store
from results.board import ASSURANCE_CLASSES, VARIATION_CLASSES, matrix_counts, needs_attention, summary_matrix
from ui.accountability import day, status_label
from ui.db import get_engine
from ui.formatting import icon_label
from ui.names import measure_names, portfolio_name
from ui.tables import table_alternative

PORTFOLIO_KEY = "filter_portfolio"  # ui.filters.portfolio_picker's widget
MEASURE_KEY = "scorecard_measure"  # the Scorecard page's measure box
QUIET = ("common_cause", "none")  # matrix rows whose cells start folded


def open_measure(portfolio_id: str, metric_id: str) -> None:
    """Callback of a matrix button: the Scorecard page shows that portfolio with that measure open (and the URL says
    so). It runs before the page, so the widgets are set before they are drawn."""
    st.session_state[PORTFOLIO_KEY] = portfolio_id
    st.session_state[MEASURE_KEY] = metric_id
    st.query_params.update({"portfolio": portfolio_id, "measure": metric_id})


def variation_heading(kind: str) -> str:
    """A matrix row's heading: its class in words (with the icon's symbol, so colour is never needed)."""
    return t(f"scorecard.matrix.variation.{kind}")


def assurance_heading(kind: str) -> str:
    """A matrix column's heading."""
    return t(f"scorecard.matrix.assurance.{kind}")


def matrix_table(counts: pd.DataFrame) -> pd.DataFrame:
    """The table alternative of the matrix: how many measures sit in each cell, headed in words."""
    table = counts.copy()
    table.index = [variation_heading(v) for v in table.index]
    table.columns = [assurance_heading(a) for a in table.columns]
    return table.rename_axis(t("scorecard.matrix.variation_axis")).reset_index()


def summary_matrix_section(cards: pd.DataFrame) -> None:
    """The matrix: assurance across, variation down; each cell lists its measures (name and portfolio) as buttons."""
    matrix = summary_matrix(cards)
    names = measure_names(matrix["metric_id"])
    st.subheader(t("scorecard.matrix.title"))
    st.caption(t("scorecard.matrix.caption"))
    heads = st.columns(len(ASSURANCE_CLASSES))
    for column, kind in zip(heads, ASSURANCE_CLASSES, strict=True):
        column.markdown(f"**{assurance_heading(kind)}**")
    for variation in VARIATION_CLASSES:
        row = matrix.loc[matrix["variation_class"] == variation]
        if row.empty and variation == "neutral":
            continue  # a row no measure is in says nothing; the other four always show, to keep the matrix's shape
        st.markdown(f"**{variation_heading(variation)}**")
        cells = st.columns(len(ASSURANCE_CLASSES))
        for cell, assurance in zip(cells, ASSURANCE_CLASSES, strict=True):
            members = row.loc[row["assurance_class"] == assurance]
            count = t("scorecard.matrix.count", count=len(members))
            if members.empty:
                cell.container(border=True).caption(count)
                continue
            # Special cause (act or learn) opens at once; the quiet rows fold away behind their count.
            box = cell.expander(count, expanded=variation not in QUIET)
            for _, item in members.iterrows():
                label = f"{names.get(item['metric_id'], item['metric_id'])} · {portfolio_name(item['portfolio_id'])}"
                box.button(
                    plain(label),
                    key=f"vsd_matrix_{item['portfolio_id']}_{item['metric_id']}",
                    on_click=open_measure,
                    args=(item["portfolio_id"], item["metric_id"]),
                    type="tertiary",
                    help=t("scorecard.matrix.open_help"),
                )
    table_alternative(matrix_table(matrix_counts(matrix)), t("scorecard.matrix.table_caption"), key="vsd_matrix_table")


def reason_text(red: bool, concern: bool) -> str:
    """Why a measure is listed: red, special cause concern, or both (in words)."""
    parts = ([icon_label("rag", "red")] if red else []) + ([t("scorecard.attention.concern")] if concern else [])
    return "; ".join(parts)


def action_text(item: pd.Series) -> str:
    """The open action covering a measure in words, or that there is none."""
    if not item["action_id"]:
        return t("scorecard.attention.no_action")
    return t(
        "scorecard.attention.action",
        action_id=plain(item["action_id"]),
        status=status_label("actions", item["action_status"]),
        owner=plain(str(item["action_owner"] or "–")),
        due=day(item["action_due"]),
    )


def attention_table(attention: pd.DataFrame) -> pd.DataFrame:
    """One portfolio's attention list as people read it: measure, why it is listed, the covering action."""
    names = measure_names(attention["metric_id"])
    return pd.DataFrame(
        {
            t("scorecard.attention.columns.measure"): [names.get(m, m) for m in attention["metric_id"]],
            t("scorecard.attention.columns.why"): [
                reason_text(r, c) for r, c in zip(attention["red"], attention["concern"], strict=True)
            ],
            t("scorecard.attention.columns.action"): [action_text(r) for _, r in attention.iterrows()],
        }
    )


def attention_section(cards: pd.DataFrame, scope: Scope, leads: dict[str, str]) -> None:
    """Per portfolio (its name and lead as a heading), the red and special-cause-concern measures with the covering
    action: wrapping tables, so they fit a laptop screen without scrolling sideways."""
    st.subheader(t("scorecard.attention.title"))
    st.caption(t("scorecard.attention.caption"))
    actions = action_store.list_actions(get_engine(), scope, source_type="metric")
    attention = needs_attention(cards, actions)
    if attention.empty:
        st.info(t("scorecard.attention.none"))
        return
    for portfolio_id, items in attention.groupby("portfolio_id", sort=False):
        lead = plain(leads.get(portfolio_id) or "–")
        st.markdown(t("scorecard.attention.heading", portfolio=plain(portfolio_name(portfolio_id)), lead=lead))
        st.table(attention_table(items).set_index(t("scorecard.attention.columns.measure")))


def framework_summary(cards: pd.DataFrame, scope: Scope, leads: dict[str, str]) -> None:
    """The whole-framework view: what needs attention first, then the matrix to open any measure."""
    attention_section(cards, scope, leads)
    summary_matrix_section(cards)
