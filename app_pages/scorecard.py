"""Scorecard (landing page): a portfolio's measures or the whole framework, with honest statistics; drill in."""

import logging

import streamlit as st

from auth import gate
from config.i18n import format_date, t
from ui import results_cache
from ui.as_of import sources_panel
from ui.commentary import commentary_section
from ui.filters import portfolio_picker
from ui.measure_panel import measure_panel
from ui.names import measure_name, portfolio_name
from ui.scorecard_table import display_table
from ui.tables import table_alternative

log = logging.getLogger(__name__)
FRAMEWORK = "framework"

scope = gate.require_page("scorecard")
st.title(t("pages.scorecard"))
db = results_cache.db_key()
as_of = results_cache.as_of_date(db)
if as_of is None:
    st.info(t("scorecard.no_data"))
    st.stop()

catalogue = results_cache.catalogue()
visible = scope.visible_portfolios([p.id for p in catalogue.portfolios])
choices = [(p.id, portfolio_name(p.id)) for p in catalogue.portfolios if p.id in visible]
if scope.all_portfolios:
    choices.insert(0, (FRAMEWORK, t("scorecard.framework")))
if not choices:
    st.info(t("scorecard.no_portfolios"))
    st.stop()
portfolio_id = portfolio_picker(choices)

try:
    cards = results_cache.all_scorecards(db, as_of)
except Exception:
    log.exception("scorecards failed")
    st.error(t("errors.compute_failed"))
    st.stop()

st.caption(t("scorecard.as_of", date=format_date(as_of)))
sources_panel(db)


if portfolio_id == FRAMEWORK:
    st.header(t("scorecard.framework"))
    summary = (
        cards.assign(
            green=cards["rag"].eq("green"),
            amber=cards["rag"].eq("amber"),
            red=cards["rag"].eq("red"),
            concern=cards["variation"].fillna("").str.startswith("concern"),
        )
        .groupby("portfolio_id", sort=False)[["green", "amber", "red", "concern"]]
        .sum()
        .reset_index()
    )
    names = {p.id: portfolio_name(p.id) for p in catalogue.portfolios}
    summary.insert(1, "name", summary["portfolio_id"].map(names))
    summary.columns = [t(f"scorecard.summary.{c}") for c in summary.columns]
    table_alternative(summary, t("scorecard.summary_caption"))
    st.caption(t("scorecard.framework_hint"))
    st.stop()

rows = cards.loc[cards["portfolio_id"] == portfolio_id].reset_index(drop=True)
st.header(dict(choices)[portfolio_id])
table = display_table(rows)
trend = t("scorecard.columns.trend")
st.caption(t("scorecard.caption"))
selection = st.dataframe(
    table,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="scorecard_table",
    column_config={trend: st.column_config.LineChartColumn(trend, width="small")},
    alt=t("scorecard.caption"),
)

chosen = st.query_params.get("measure")
picked = selection.selection.rows if selection else []
if picked:
    chosen = rows.at[picked[0], "metric_id"]
    st.query_params["measure"] = chosen
options = rows["metric_id"].tolist()
chosen = st.selectbox(
    t("scorecard.drill"),
    options,
    index=options.index(chosen) if chosen in options else None,
    format_func=measure_name,
    placeholder=t("scorecard.drill_placeholder"),
    key="scorecard_measure",
)
if chosen:
    st.query_params["measure"] = chosen
    measure_panel(chosen, portfolio_id, scope, rows.loc[rows["metric_id"] == chosen].iloc[0])

commentary_section(scope, portfolio_id, as_of)
