"""One measure in depth: headline with its interval, definition, SPC chart with a table alternative, linked actions."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from auth.roles import Scope
from charts.selection import with_pick
from charts.spc import spc_chart
from charts.theme import enable_theme
from config.i18n import current_language, format_number, t
from results.spc import latest_target
from ui import actions, names, results_cache, spc_decisions
from ui.drill import month_chart
from ui.formatting import format_count, format_interval, format_value, icon_label, translate
from ui.tables import table_alternative

log = logging.getLogger(__name__)


def days_text(days: int, unit: str) -> str:
    """A timescale in words: 5 working days, 1 calendar day (2 ddiwrnod gwaith in Welsh)."""
    return t(f"measure_definition.days.{unit}{'_one' if days == 1 else ''}", days=days)


def period_date_text(column: str | None) -> str:
    """The date a measure counts its rows by, in words ("the survey date"); a dash when it has none."""
    if not column:
        return "–"
    return t(f"measure_definition.period_dates.{column}")


def timescales_table(entitlements: list[dict]) -> pd.DataFrame:
    """The entitlements behind a measure: code, right, timescales in words and basis (already in the language)."""
    return pd.DataFrame(
        {
            t("measure_definition.columns.code"): [e["code"] for e in entitlements],
            t("measure_definition.columns.right"): [e["right"] for e in entitlements],
            t("measure_definition.columns.standard"): [days_text(e["standard"], e["unit"]) for e in entitlements],
            t("measure_definition.columns.enhanced"): [days_text(e["enhanced"], e["unit"]) for e in entitlements],
            t("measure_definition.columns.basis"): [e["basis"] for e in entitlements],
        }
    )


def definition_panel(metric_id: str) -> None:
    """The measure's definition, one click away: numerator, denominator, timescales, source, target, all in the
    reader's language (the catalogue holds every text in English and Welsh)."""
    d = results_cache.catalogue().definition(metric_id, current_language())
    with st.popover(t("measure.definition"), icon=":material/info:"):
        st.markdown(f"**{d['name']}** (`{d['id']}`)")
        st.markdown(t("measure.numerator", text=d["numerator"]))
        st.markdown(t("measure.denominator", text=d["denominator"]))
        st.markdown(t("measure.source", source=d["source_name"], date=period_date_text(d["period_date"])))
        target = "–" if d["target"] is None else format_value(d["target"], d["kind"])
        st.markdown(t("measure.target_polarity", target=target, polarity=t(f"measure.polarity.{d['polarity']}")))
        if d.get("entitlements"):
            table_alternative(timescales_table(d["entitlements"]), t("measure.timescales_caption"))


def headline(row: pd.Series) -> None:
    """Headline tiles of a scorecard row: value with CI, numerator/denominator, target, RAG and SPC in words."""
    kind, suppressed = row["kind"], bool(row["suppressed"])
    cols = st.columns(4)
    cols[0].metric(
        t("measure.value"),
        format_value(row["value"], kind, suppressed),
        help=t("measure.ci", interval=format_interval(row["ci_low"], row["ci_high"], kind, suppressed) or "–"),
    )
    if suppressed:
        count = t("chart.suppressed")
    elif pd.notna(row["denominator"]):
        count = t(
            "measure.of", numerator=format_number(row["numerator"]), denominator=format_number(row["denominator"])
        )
    else:
        count = format_number(row["numerator"])
    cols[1].metric(t("measure.count"), count)
    cols[2].metric(t("chart.target"), "–" if pd.isna(row["target"]) else format_value(row["target"], kind))
    cols[3].metric(t("chart.rag"), icon_label("rag", row["rag"]))
    spc_decisions.reading_icons(row["variation"], row["assurance"])


def spc_section(
    portfolio_id: str,
    metric_id: str,
    as_of,
    title: str,
    filters: tuple = (),
    row=None,
    scope: Scope | None = None,
    month_click: bool = False,
) -> None:
    """The measure's monthly XmR chart over 36 months (the scorecard's own XmR frame, results.scorecards), headed
    with the scorecard row's reading, its table alternative (with each month's process change and notes), and, for
    the unfiltered series, the suggested recalculations and the recorded decisions (ui/spc_decisions.py).

    `month_click` (pages with a period picker): a month clicked on the chart sets the page's period to that month
    (ui.drill), so the page's tables and breakdowns follow it."""
    measure = results_cache.catalogue().measure(metric_id)
    series, chart_frame = results_cache.series_spc(results_cache.db_key(), as_of, portfolio_id, metric_id, filters)
    target = latest_target(series)
    if row is not None and not filters:
        # The heading reads as the scorecard row does (a suppressed headline has no icon there, so none here).
        chart_frame = chart_frame.copy()
        chart_frame.attrs = {**chart_frame.attrs, "variation_icon": row["variation"], "assurance": row["assurance"]}
    if not chart_frame.attrs.get("has_chart"):
        st.info(t("measure.no_chart"))
        return
    enable_theme()
    y_format = ".0%" if measure.kind == "rate" else ",.0f"
    chart = spc_chart(
        chart_frame, title=title, target=target, y_format=y_format, translate=translate(), lang=current_language()
    )
    if month_click:
        month_chart(with_pick(chart, "spc_points", ["x"]), key=f"vsd_spc_month_{portfolio_id}_{metric_id}")
    else:
        st.altair_chart(chart, theme=None, width="stretch")
    st.caption(t("measure.spc_caption", months=len(series)))
    table = pd.DataFrame(
        {
            t("chart.month"): series["period_label"].astype(str),
            # A suppressed month's counts would give its rate away: they read 'fewer than 10' with it.
            t("chart.numerator"): list(map(format_count, series["numerator"], series["suppressed"])),
            t("chart.denominator"): list(map(format_count, series["denominator"], series["suppressed"])),
            t("chart.value"): [
                format_value(v, measure.kind, s) for v, s in zip(series["value"], series["suppressed"], strict=True)
            ],
            # A suppressed month has no variation: its cell stays empty rather than reading "Common cause".
            t("spc.variation"): [
                t(f"spc.point.{v}") if isinstance(v, str) and v else "" for v in chart_frame["variation"]
            ],  # fmt: skip
            t("spc.rule"): [
                ", ".join(t(f"spc.rules.{r}") for r in rules.split(",") if r) for rules in chart_frame["rule"]
            ],
            t("spc.decisions.table_notes"): spc_decisions.month_notes(chart_frame),
        }
    )
    table_alternative(table, t("measure.table_caption", name=title))
    if scope is not None and not filters:
        spc_decisions.decisions_section(portfolio_id, metric_id, chart_frame, series, scope)


def process_changes_panel(scope: Scope, portfolio_id: str | None = None) -> None:
    """For analysts (who have no scorecard): choose a portfolio and one of its measures, see its SPC chart with any
    suggested recalculation, and record process changes and notes there (the measure detail's own section)."""
    catalogue = results_cache.catalogue()
    portfolios = [p.id for p in catalogue.portfolios]
    chosen = st.selectbox(
        t("spc.decisions.portfolio"), portfolios, index=portfolios.index(portfolio_id) if portfolio_id in portfolios
        else 0, format_func=names.portfolio_name, key="vsd_spc_portfolio",
    )  # fmt: skip
    measures = list(catalogue.scorecard_measures(chosen))
    label = t("spc.decisions.measure")
    metric_id = st.selectbox(label, measures, format_func=names.measure_name, key="vsd_spc_measure")
    as_of = results_cache.as_of_date(results_cache.db_key())
    if as_of is None or metric_id is None:
        return
    try:
        spc_section(chosen, metric_id, as_of, names.measure_name(metric_id), scope=scope)
    except Exception:  # a chart fault must not take the page down or show a trace
        log.exception("SPC chart of %s/%s failed", chosen, metric_id)
        st.error(t("errors.chart_failed"))


def linked_actions_section(metric_id: str, portfolio_id: str, scope: Scope) -> None:
    """Actions raised against this measure, and (for those allowed) a way to raise one."""
    st.subheader(t("measure.actions"))
    actions.linked_actions("metric", metric_id, scope)
    actions.raise_action_button("metric", metric_id, portfolio_id, scope)


def measure_panel(
    metric_id: str,
    portfolio_id: str,
    scope: Scope,
    row: pd.Series | None = None,
    filters: tuple = (),
    month_click: bool = False,
) -> None:
    """Everything about one measure of a portfolio at the as-of date; `month_click` on pages with a period picker
    (a month clicked on the SPC chart becomes the page's period)."""
    as_of = results_cache.as_of_date(results_cache.db_key())
    name = results_cache.catalogue().measure_name(metric_id, current_language())
    st.subheader(name)
    definition_panel(metric_id)
    if row is not None:
        headline(row)
    try:
        spc_section(portfolio_id, metric_id, as_of, name, filters, row, scope=scope, month_click=month_click)
    except Exception:  # a chart fault must not take the page down or show a trace
        log.exception("SPC chart of %s/%s failed", portfolio_id, metric_id)
        st.error(t("errors.chart_failed"))
    linked_actions_section(metric_id, portfolio_id, scope)
