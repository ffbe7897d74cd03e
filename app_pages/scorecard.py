"""Scorecard (landing page): a portfolio's measures or the whole framework, with honest statistics; drill in."""

import logging

import streamlit as st

from auth import gate
from config.i18n import format_date, t
from ui import results_cache
from ui.as_of import sources_panel
from ui.board_view import framework_summary
from ui.commentary import commentary_section
from ui.filters import portfolio_picker
from ui.measure_panel import measure_panel
from ui.names import measure_name, portfolio_name
from ui.scorecard_table import MEASURE_KEY, ROW_HEIGHT, TABLE_KEY, display_table, grid_columns, pick_row
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
    framework_summary(cards, scope, {p.id: p.lead for p in catalogue.portfolios})
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
    summary.insert(0, "name", summary.pop("portfolio_id").map(portfolio_name))
    summary.columns = [t(f"scorecard.summary.{c}") for c in summary.columns]
    table_alternative(summary, t("scorecard.summary_caption"))
    st.caption(t("scorecard.framework_hint"))
    st.stop()

rows = cards.loc[cards["portfolio_id"] == portfolio_id].reset_index(drop=True)
st.header(dict(choices)[portfolio_id])
table = display_table(rows)
options = rows["metric_id"].tolist()
if st.session_state.get(MEASURE_KEY) not in [*options, None]:
    # The box kept another portfolio's measure: start this portfolio with none (or the link's) chosen.
    del st.session_state[MEASURE_KEY]
st.caption(t("scorecard.caption"))
st.dataframe(
    table,
    hide_index=True,
    on_select=lambda: pick_row(tuple(options)),
    selection_mode="single-row",
    key=TABLE_KEY,
    column_config=grid_columns(table),
    row_height=ROW_HEIGHT,
    alt=t("scorecard.caption"),
)

wanted = st.query_params.get("measure")
if wanted in options and st.session_state.get(MEASURE_KEY) is None:
    # A link's ?measure= opens the page at that measure, even when an earlier run of this session drew the box empty
    # (a sign-in from the link, a run cut short): an empty box must not drop the measure the URL still names.
    st.session_state[MEASURE_KEY] = wanted
chosen = st.selectbox(
    t("scorecard.drill"),
    options,
    # The box's own state (a row picked, a matrix cell clicked, the link's measure set above) decides what is shown.
    index=None,
    format_func=measure_name,
    placeholder=t("scorecard.drill_placeholder"),
    key=MEASURE_KEY,
)
if chosen:
    st.query_params["measure"] = chosen
    measure_panel(chosen, portfolio_id, scope, rows.loc[rows["metric_id"] == chosen].iloc[0])
else:
    st.query_params.pop("measure", None)

commentary_section(scope, portfolio_id, as_of)
