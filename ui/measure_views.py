"""Shared pieces of the read pages: the portfolio to read, drill-down choices kept in the URL, measures over a period
with their change on the same months a year before, SPC status in words, rates by group and a measure cut by a victim
attribute with their table alternatives, and the SPC chart of any monthly series."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from auth import gate
from auth.roles import Scope
from charts.funnel import funnel_chart
from charts.public import outcome_shares
from charts.rates import rates_with_intervals
from charts.selection import with_pick
from charts.spc import spc_chart
from charts.theme import enable_theme
from config.i18n import catalogue as messages
from config.i18n import current_language, format_date, format_number, t
from results.funnel import Funnel, cut_funnel
from results.spc import latest_target
from ui import results_cache
from ui.as_of import sources_panel
from ui.drill import group_chart, month_chart
from ui.filters import FILTER_COLUMNS, Period, filter_pickers, filters_text, period_picker, portfolio_picker
from ui.formatting import format_interval, format_value, icon_label, translate
from ui.names import measure_name, measure_names, portfolio_name
from ui.tables import table_alternative

log = logging.getLogger(__name__)


def read_portfolio(scope: Scope, preferred: str) -> str | None:
    """The portfolio whose cohort the page reads (the user's own ones; `preferred` first when they may read it)."""
    catalogue = results_cache.catalogue()
    visible = scope.visible_portfolios([p.id for p in catalogue.portfolios])
    choices = [(p.id, portfolio_name(p.id)) for p in catalogue.portfolios if p.id in visible]
    if not choices:
        return None
    if st.query_params.get("portfolio") not in visible:
        # A portfolio this page cannot show (e.g. the scorecard's whole framework) gives way to the page's default.
        st.query_params.pop("portfolio", None)
    return portfolio_picker(choices, default=preferred if preferred in visible else None)


@dataclass(frozen=True)
class ReadPage:
    """What every read page starts from: who, which database and as-of date, which portfolio and period."""

    scope: Scope
    db: str
    as_of: dt.date
    portfolio: str
    period: Period
    filters: results_cache.Filters = ()


def open_read_page(page_key: str, preferred_portfolio: str) -> ReadPage:
    """The shared opening of a read page: access check, title, as-of date, portfolio, period and intro caption.

    Stops the page with a message when no data is loaded or the user has no portfolio to read.
    """
    scope = gate.require_page(page_key)
    st.title(t(f"pages.{page_key}"))
    db = results_cache.db_key()
    as_of = results_cache.as_of_date(db)
    if as_of is None:
        st.info(t("read_pages.no_data"))
        st.stop()
    portfolio = read_portfolio(scope, preferred_portfolio)
    if portfolio is None:
        st.info(t("read_pages.no_portfolios"))
        st.stop()
    period = period_picker(as_of, earliest=results_cache.data_start(db, as_of))
    filters = read_filters(db, as_of)
    name = portfolio_name(portfolio)
    st.caption(t("read_pages.intro", portfolio=name, period=period.label(), as_of=format_date(as_of)))
    sources_panel(db)
    return ReadPage(scope, db, as_of, portfolio, period, filters)


def read_filters(db: str, as_of: dt.date) -> results_cache.Filters:
    """The filter pickers (area, unit, offence group, enhanced rights, protected characteristics) and a caption
    naming the ones applied: every number on the page is then for those victims alone."""
    filters = filter_pickers(results_cache.filter_options(db, as_of, FILTER_COLUMNS), value_label)
    if filters:
        st.caption(t("read_pages.filtered", filters=filters_text(filters, value_label)))
    return filters


def param_select(
    label: str, options: Sequence[str], param: str, default: str, key: str, format_func: Callable[[str], str]
) -> str:
    """A select box whose choice lives in the URL (?param=value), so a link reopens the same drill-down."""
    options = list(options)
    wanted = st.query_params.get(param) or default
    index = options.index(wanted) if wanted in options else (options.index(default) if default in options else 0)
    chosen = st.selectbox(label, options, index=index, format_func=format_func, key=key)
    st.query_params[param] = chosen
    return chosen


def value_label(cut: str, value) -> str:
    """A group value in words: its translation when the catalogue has one (ethnicity, sex…), else the value itself."""
    known = messages(current_language())
    for key in (f"read_pages.values.{cut}.{value}", f"read_pages.values.any.{value}"):
        if key in known:
            return known[key]
    return str(value).replace("_", " ")


def points(value) -> str:
    """A difference of proportions in signed percentage points: +3.1 points."""
    return t("read_pages.points", value=f"{value * 100:+.1f}")


def p_text(p) -> str:
    """A p value in the notation both languages use: p = 0.020, or p < 0.001."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def change_text(row: pd.Series) -> str:
    """The change on the year before in words, with its interval and whether it is statistically significant."""
    change = row["change"]
    if change is None or pd.isna(change):
        return "–"
    if row["kind"] == "rate":
        verdict = t("read_pages.significant") if row["change_significant"] else t("read_pages.not_significant")
        return t(
            "read_pages.change_rate",
            change=points(change),
            low=points(row["change_ci_low"]),
            high=points(row["change_ci_high"]),
            verdict=verdict,
            p=p_text(row["change_p"]),
        )
    if row["kind"] == "difference":
        return points(change)
    return f"{change:+,.0f}" if float(change).is_integer() else f"{change:+,.1f}"


def base_text(row: pd.Series) -> str:
    """ "x of n" for a shown rate, the count for a count; nothing for a suppressed rate (its counts stay hidden)."""
    if row["kind"] == "difference":
        if bool(row["suppressed"]) or pd.isna(row["n1"]):
            return ""
        return t("read_pages.two_bases", n1=format_number(row["n1"]), n2=format_number(row["n2"]))
    if bool(row["suppressed"]):
        return ""
    if pd.isna(row["denominator"]):
        return format_number(row["numerator"])
    return t("measure.of", numerator=format_number(row["numerator"]), denominator=format_number(row["denominator"]))


def measure_table(rows: pd.DataFrame, status: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measures as people read them: value, interval, base, target, RAG, SPC and change, every icon in words."""
    names = measure_names(rows["metric_id"])
    status = status if status is not None else pd.DataFrame(columns=["metric_id", "variation", "assurance"])
    icons = status.set_index("metric_id").reindex(rows["metric_id"])
    suppressed = rows["suppressed"].to_numpy(bool)
    # A suppressed headline takes no SPC icon, as it takes no RAG.
    variation = [None if s else v for v, s in zip(icons["variation"], suppressed, strict=True)]
    assurance = [None if s else v for v, s in zip(icons["assurance"], suppressed, strict=True)]
    return pd.DataFrame(
        {
            t("read_pages.columns.measure"): rows["metric_id"].map(names),
            t("read_pages.columns.value"): [
                format_value(v, k, s) for v, k, s in zip(rows["value"], rows["kind"], suppressed, strict=True)
            ],
            t("read_pages.columns.ci"): [
                format_interval(lo, hi, k, s)
                for lo, hi, k, s in zip(rows["ci_low"], rows["ci_high"], rows["kind"], suppressed, strict=True)
            ],
            t("read_pages.columns.base"): [base_text(r) for _, r in rows.iterrows()],
            t("read_pages.columns.target"): [
                "–" if pd.isna(v) else format_value(v, k) for v, k in zip(rows["target"], rows["kind"], strict=True)
            ],
            t("read_pages.columns.rag"): [icon_label("rag", v) for v in rows["rag"]],
            t("read_pages.columns.variation"): [icon_label("variation", v) for v in variation],
            t("read_pages.columns.assurance"): [icon_label("assurance", v) for v in assurance],
            t("read_pages.columns.change"): [change_text(r) for _, r in rows.iterrows()],
        }
    )


def rates_frame(rows: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """The frame charts.rates draws: one labelled row per measure or group."""
    frame = rows[["value", "ci_low", "ci_high", "numerator", "denominator", "suppressed", "target", "rag"]].copy()
    frame.insert(0, "label", list(labels))
    return frame.reset_index(drop=True)


def rates_table(frame: pd.DataFrame, label_heading: str) -> pd.DataFrame:
    """The table alternative of a rates chart: rate, interval, base and RAG in words; suppressed rows say so."""
    suppressed = frame["suppressed"].to_numpy(bool)
    return pd.DataFrame(
        {
            label_heading: frame["label"],
            t("chart.rate"): [format_value(v, "rate", s) for v, s in zip(frame["value"], suppressed, strict=True)],
            t("chart.ci"): [
                format_interval(lo, hi, "rate", s)
                for lo, hi, s in zip(frame["ci_low"], frame["ci_high"], suppressed, strict=True)
            ],
            t("read_pages.columns.base"): [
                "" if s else t("measure.of", numerator=format_number(n), denominator=format_number(d))
                for n, d, s in zip(frame["numerator"], frame["denominator"], suppressed, strict=True)
            ],
            t("chart.target"): ["–" if pd.isna(v) else format_value(v, "rate") for v in frame["target"]],
            t("chart.rag"): [icon_label("rag", v) for v in frame["rag"]],
        }
    )


def show_chart(build: Callable[[], object], what: str, draw: Callable[[object], None] | None = None) -> None:
    """Draw a chart built by `build` (with `draw` when it is clickable: ui.drill); a fault is logged and named, and
    the table alternative below still shows."""
    try:
        chart = build()
    except Exception:
        log.exception("chart failed: %s", what)
        st.error(t("errors.chart_failed"))
        return
    if draw is not None:
        draw(chart)
        return
    enable_theme()
    st.altair_chart(chart, theme=None, width="stretch")


def funnel_table(funnel: Funnel, cut: str) -> pd.DataFrame:
    """The funnel plot's table alternative: each group's rate, base, its 95% and 99.8% limits and where it falls."""
    points = funnel.points
    return pd.DataFrame(
        {
            t(f"cuts.{cut}"): [value_label(cut, v) for v in points["group_value"]],
            t("chart.rate"): [format_value(v, "rate") for v in points["rate"]],
            t("funnel.base"): [format_number(n) for n in points["denominator"]],
            t("funnel.limit_95"): [
                format_interval(lo, hi, "rate") for lo, hi in zip(points["low_95"], points["high_95"], strict=True)
            ],
            t("funnel.limit_99_8"): [
                format_interval(lo, hi, "rate") for lo, hi in zip(points["low_99.8"], points["high_99.8"], strict=True)
            ],
            t("funnel.position_heading"): [t(f"funnel.position.{p}") for p in points["position"]],
        }
    )


def funnel_section(rows: pd.DataFrame, cut: str, name: str, key: str) -> None:
    """The breakdown's funnel plot (results.funnel): which group is an outlier against the overall rate, given its
    base; a point clicked filters the page to that group. Then its table alternative."""
    funnel = cut_funnel(rows)
    if funnel is None:
        return
    title = t("funnel.title", name=name, cut=t(f"cuts.{cut}"))
    labels = {str(v): value_label(cut, v) for v in funnel.points["group_value"]}
    show_chart(
        lambda: with_pick(
            funnel_chart(
                funnel.points, funnel.curve, funnel.overall, title=title, labels=labels, translate=translate()
            ),
            "funnel_points",
            ["group_value"],
        ),  # fmt: skip
        title,
        draw=lambda chart: group_chart(chart, f"{key}_chart", cut, "group_value"),
    )
    caption = t("funnel.caption", overall=format_value(funnel.overall, "rate"))
    if funnel.suppressed:
        caption += " " + t("funnel.suppressed", groups=", ".join(value_label(cut, g) for g in funnel.suppressed))
    table_alternative(funnel_table(funnel, cut), caption, key=key)


def rates_section(frame: pd.DataFrame, *, title: str, caption: str, label_heading: str, key: str) -> None:
    """Rates with 95% intervals as bars (RAG in words, target ticks), then the same numbers as a table."""
    show_chart(
        # One decimal, as in the table: a whole-number label could read "90%" beside a 90% target the rate misses.
        lambda: rates_with_intervals(
            frame, title=title, suppressed_label=t("chart.suppressed"), value_format=".1%", translate=translate()
        ),
        title,
    )
    table_alternative(rates_table(frame, label_heading), caption, key=key)


def cut_section(
    period: Period, portfolio: str, metric_id: str, cut: str, key: str, filters: results_cache.Filters = ()
) -> None:
    """One measure over the period for each group of a cut: rates with intervals, or shares of a count."""
    db = results_cache.db_key()
    as_of = results_cache.as_of_date(db)
    measure = results_cache.catalogue().measure(metric_id)
    rows = results_cache.measure_rows(
        db, as_of, period.start, period.end, portfolio, (metric_id,), cut, filters=filters
    )
    rows = rows.loc[rows["period_kind"] == "custom"].reset_index(drop=True)
    if rows.empty or (rows["group_value"] == "all").all():
        st.info(t("read_pages.no_cut", cut=t(f"cuts.{cut}")))
        return
    labels = [value_label(cut, v) for v in rows["group_value"]]
    name = measure_name(metric_id)
    title = t("read_pages.cut_title", name=name, cut=t(f"cuts.{cut}"))
    if measure.kind == "rate":
        caption = t("read_pages.cut_caption", name=name, cut=t(f"cuts.{cut}"), period=period.label())
        frame = rates_frame(rows, labels)
        # A bar clicked filters the page to its group (?f_<cut>=value): the SPC chart and case list follow it.
        values = dict(zip(labels, rows["group_value"].astype(str), strict=True))
        show_chart(
            lambda: with_pick(
                rates_with_intervals(
                    frame,
                    title=title,
                    suppressed_label=t("chart.suppressed"),
                    value_format=".1%",
                    translate=translate(),
                ),
                "rates_bars",
                ["label"],
            ),  # fmt: skip
            title,
            draw=lambda chart: group_chart(chart, f"{key}_bars", cut, "label", values),
        )
        table_alternative(rates_table(frame, t(f"cuts.{cut}")), caption, key=key)
        funnel_section(rows, cut, name, key=f"{key}_funnel")
        return
    counts = pd.DataFrame({"category": labels, "count": rows["numerator"].astype(int).to_numpy()})
    show_chart(lambda: outcome_shares(counts, title=title, category="category", translate=translate()), title)
    table = pd.DataFrame(
        {
            t(f"cuts.{cut}"): counts["category"],
            t("chart.count"): counts["count"],
            t("chart.share"): [format_value(c / counts["count"].sum(), "rate") for c in counts["count"]]
            if counts["count"].sum()
            else "–",
        }
    )
    table_alternative(table, t("read_pages.count_cut_caption", name=name, cut=t(f"cuts.{cut}")), key=key)


def monthly_spc(series: pd.DataFrame, frame: pd.DataFrame, metric_id: str, title: str, key: str) -> None:
    """The XmR chart of a measure's monthly rows (period_label, numerator, denominator, value, suppressed, target)
    drawn from its XmR frame (results.spc), with the table alternative."""
    measure = results_cache.catalogue().measure(metric_id)
    series = series.sort_values("period_start").reset_index(drop=True)
    target = latest_target(series)
    if not frame.attrs.get("has_chart"):
        st.info(t("measure.no_chart"))
        return
    y_format = ".0%" if measure.kind == "rate" else ",.0f"
    show_chart(
        # A month clicked sets the page's period to that month (ui.drill): tables and the case list follow it.
        lambda: with_pick(
            spc_chart(
                frame, title=title, target=target, y_format=y_format, translate=translate(), lang=current_language()
            ),
            "spc_points",
            ["x"],
        ),  # fmt: skip
        title,
        draw=lambda chart: month_chart(chart, f"{key}_chart"),
    )
    st.caption(
        t("read_pages.spc_latest", variation=icon_label("variation", frame.attrs.get("variation_icon")))
        + (" " + t("spc.trial_limits") if frame.attrs.get("trial_limits") else "")
    )
    table = pd.DataFrame(
        {
            t("chart.month"): series["period_label"].astype(str),
            t("chart.numerator"): [
                "" if s and measure.kind == "rate" else format_number(n)
                for n, s in zip(series["numerator"], series["suppressed"], strict=True)
            ],
            t("chart.denominator"): [
                "" if s or pd.isna(d) else format_number(d)
                for d, s in zip(series["denominator"], series["suppressed"], strict=True)
            ],
            t("chart.value"): [
                format_value(v, measure.kind, s) for v, s in zip(series["value"], series["suppressed"], strict=True)
            ],
            # A suppressed month has no variation: an empty cell, never "Common cause" (issue 17).
            t("spc.variation"): [t(f"spc.point.{v}") if isinstance(v, str) and v else "" for v in frame["variation"]],
            t("spc.rule"): [
                ", ".join(t(f"spc.rules.{r}") for r in str(rules).split(",") if r) if isinstance(rules, str) else ""
                for rules in frame["rule"]
            ],
        }
    )
    table_alternative(table, t("measure.table_caption", name=title), key=key)
