"""Survivor voice: the "you said, we did" pipeline (record, decide, implement, feed back) and the participants' summary.

The Survivor Engagement Co-ordinator (a lead of the survivor_voice portfolio) and admins move items through the
pipeline; other readers see the items of the portfolios they may read. The SE_* measure tiles come from the metrics
engine and are added to this page with the scorecard's tile widget.
Links: ?feedback=FB-0001 opens an item.
"""

import datetime as dt

import streamlit as st

from auth import gate
from config.i18n import format_date, t
from data.audit import local_today, record_export
from data.feedback import list_feedback, participant_items
from data.feedback_summary import summary_markdown
from rules.permissions import SURVIVOR_VOICE, can_edit_feedback, leads
from rules.workflow import FEEDBACK_STATUSES
from ui import results_cache
from ui.accountability import pick_record, show_flash, status_label
from ui.actions import portfolio_names
from ui.as_of import sources_panel
from ui.db import get_engine
from ui.downloads import download_button
from ui.feedback import SELECTED_KEY, feedback_table, item_panel, pipeline_counts, record_form, with_stage
from ui.scorecard_table import display_table, trend_column
from ui.tables import table_alternative

scope = gate.require_page("survivor_voice")
engine = get_engine()
today = local_today()
st.title(t("pages.survivor_voice"))
st.caption(t("survivor_voice.intro"))
show_flash()
names = portfolio_names(scope.portfolios)
editable = can_edit_feedback(scope)
whole_picture = scope.all_portfolios or leads(scope, SURVIVOR_VOICE)


def summary_auditor(actor: str, start: dt.date, end: dt.date, rows: int):
    """The audit of a download of the participants' summary, written when the file is made (on click)."""
    detail = {"start": start.isoformat(), "end": end.isoformat()}

    def audit(_data: bytes) -> None:
        record_export(engine, actor, "you_said_we_did", portfolio=SURVIVOR_VOICE, detail=detail, rows=rows)

    return audit


as_of = results_cache.as_of_date(results_cache.db_key())
if as_of is not None:
    # The SE_* measures of the survivor_voice portfolio, read exactly as on the Scorecard.
    st.subheader(t("survivor_voice.measures_title"))
    cards = results_cache.all_scorecards(results_cache.db_key(), as_of)
    table_alternative(
        display_table(cards.loc[cards["portfolio_id"] == SURVIVOR_VOICE].reset_index(drop=True)),
        t("survivor_voice.measures_caption", date=format_date(as_of)),
        column_config={t("scorecard.columns.trend"): trend_column(t("scorecard.columns.trend"))},
    )
    sources_panel(results_cache.db_key())

pipeline_tab, summary_tab = st.tabs([t("survivor_voice.tabs.pipeline"), t("survivor_voice.tabs.summary")])

with pipeline_tab:
    left, middle, right = st.columns(3)
    statuses = left.multiselect(
        t("survivor_voice.columns.status"), FEEDBACK_STATUSES, key="vsd_fb_statuses",
        format_func=lambda s: status_label("survivor_voice", s),
    )  # fmt: skip
    chosen_portfolios = middle.multiselect(
        t("filters.portfolio"), list(names), format_func=lambda p: names.get(p, p), key="vsd_fb_portfolios"
    )
    received = right.date_input(
        t("survivor_voice.received_between"), value=(today - dt.timedelta(days=365), today), max_value=today,
        format="DD/MM/YYYY", key="vsd_fb_received",
    )  # fmt: skip
    start, end = received if isinstance(received, tuple) and len(received) == 2 else (None, None)
    frame = with_stage(
        list_feedback(engine, scope, statuses=statuses, portfolios=chosen_portfolios, start=start, end=end)
    )
    table_alternative(pipeline_counts(frame), t("survivor_voice.counts_caption", count=len(frame)), key="vsd_fb_counts")
    table_alternative(
        feedback_table(frame, portfolio_names(frame["portfolio"].dropna())),
        t("survivor_voice.table_caption", count=len(frame)),
        key="vsd_fb_table",
    )
    if editable:
        with st.expander(t("survivor_voice.record_title"), icon=":material/add_comment:"):
            record_form(scope, list(names))
    chosen = pick_record(
        list(frame["feedback_id"]), "feedback", "vsd_fb_pick", SELECTED_KEY, t("survivor_voice.choose")
    )
    if chosen:
        item_panel(scope, chosen, today)

with summary_tab:
    if not whole_picture:
        st.info(t("survivor_voice.summary_not_yours"))
    else:
        st.caption(t("survivor_voice.summary_intro"))
        period = st.date_input(
            t("survivor_voice.summary_period"), value=(today - dt.timedelta(days=91), today), max_value=today,
            format="DD/MM/YYYY", key="vsd_fb_summary_period",
        )  # fmt: skip
        if isinstance(period, tuple) and len(period) == 2:
            items = participant_items(engine, period[0], period[1])
            text = summary_markdown(items, period[0], period[1])
            download_button(
                t("survivor_voice.summary_download"), lambda text=text: text.encode("utf-8"),  # made on click
                file_name=f"you-said-we-did-{period[0].isoformat()}-{period[1].isoformat()}.md",
                mime="text/markdown", key="vsd_fb_summary_download", icon=":material/download:",
                audit=summary_auditor(scope.username, period[0], period[1], len(items)),
            )  # fmt: skip
            with st.expander(t("survivor_voice.summary_preview"), expanded=False):
                st.markdown(text)
