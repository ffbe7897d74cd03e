"""Shared pieces of the read pages: the portfolio to read, drill-down choices kept in the URL, measures over a period
with their change on the same months a year before, SPC status in words, rates by group and a measure cut by a victim
attribute with their table alternatives, and the SPC chart of any monthly series."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from auth import gate
from auth.roles import Scope
from charts.public import outcome_shares
from charts.rates import rates_with_intervals
from charts.spc import spc_chart
from charts.theme import enable_theme
from config.i18n import catalogue as messages
from config.i18n import current_language, format_date, format_number, t
from metrics import scorecard as scorecards
from metrics.measures import compute
from metrics.periods import Period as MetricPeriod
from metrics.rates import compare_periods_table
from metrics.spc import xmr
from ui import data
from ui.filters import FILTER_COLUMNS, Period, filter_pickers, filters_text, month_end, period_picker, portfolio_picker
from ui.measure_panel import format_interval, format_value, icon_label, translate
from ui.names import measure_name, measure_names, portfolio_name
from ui.tables import table_alternative

log = logging.getLogger(__name__)

CHANGE_COLUMNS = ["previous_value", "change", "change_ci_low", "change_ci_high", "change_p", "change_significant"]


def read_portfolio(scope: Scope, preferred: str) -> str | None:
    """The portfolio whose cohort the page reads (the user's own ones; `preferred` first when they may read it)."""
    catalogue = data.catalogue()
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
    filters: data.Filters = ()


def open_read_page(page_key: str, preferred_portfolio: str) -> ReadPage:
    """The shared opening of a read page: access check, title, as-of date, portfolio, period and intro caption.

    Stops the page with a message when no data is loaded or the user has no portfolio to read.
    """
    scope = gate.require_page(page_key)
    st.title(t(f"pages.{page_key}"))
    db = data.db_key()
    as_of = data.as_of_date(db)
    if as_of is None:
        st.info(t("read_pages.no_data"))
        st.stop()
    portfolio = read_portfolio(scope, preferred_portfolio)
    if portfolio is None:
        st.info(t("read_pages.no_portfolios"))
        st.stop()
    period = period_picker(as_of)
    filters = read_filters(db, as_of)
    name = portfolio_name(portfolio)
    st.caption(t("read_pages.intro", portfolio=name, period=period.label(), as_of=format_date(as_of)))
    return ReadPage(scope, db, as_of, portfolio, period, filters)


def read_filters(db: str, as_of: dt.date) -> data.Filters:
    """The filter pickers (area, unit, offence group, enhanced rights, protected characteristics) and a caption
    naming the ones applied: every number on the page is then for those victims alone."""
    filters = filter_pickers(data.filter_options(db, as_of, FILTER_COLUMNS), value_label)
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


def year_before(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same dates a year earlier (29 February becomes the 28th); a month end stays a month end."""

    def back(day: dt.date) -> dt.date:
        return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)

    earlier_end = back(end)
    return back(start), month_end(earlier_end) if end == month_end(end) else earlier_end


def headline_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The whole-period, whole-cohort row of each measure (measure_rows' "custom" period, group "all")."""
    keep = (rows["period_kind"] == "custom") & (rows["group_value"] == "all")
    return rows.loc[keep].reset_index(drop=True)


def with_change(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Headline rows with the change on an earlier period; rates are tested (Newcombe interval, pooled z test).

    A change is given only when neither period is suppressed; for counts and gaps it is the plain difference.
    """
    now = headline_rows(now)
    before = headline_rows(before).set_index("metric_id").reindex(now["metric_id"])
    both = ~(now["suppressed"].to_numpy(bool) | before["suppressed"].fillna(True).to_numpy(bool))
    rate = now["kind"].eq("rate").to_numpy() & both
    test = compare_periods_table(
        np.where(rate, now["numerator"], np.nan), np.where(rate, now["denominator"], np.nan),
        np.where(rate, before["numerator"], np.nan), np.where(rate, before["denominator"], np.nan),
    )  # fmt: skip
    plain = now["value"].to_numpy(dtype=float) - before["value"].to_numpy(dtype=float)
    out = now.copy()
    out["previous_value"] = before["value"].to_numpy(dtype=float)
    out["change"] = np.where(rate, test["diff"], np.where(both, plain, np.nan))
    out["change_ci_low"] = test["ci_low"].to_numpy()
    out["change_ci_high"] = test["ci_high"].to_numpy()
    out["change_p"] = test["p"].to_numpy()
    out["change_significant"] = pd.Series(test["significant"].to_numpy(), dtype=object).where(rate, None).to_numpy()
    return out


def whole_months_within(start: dt.date, end: dt.date, first: dt.date, last: dt.date) -> bool:
    """True when [start, end] lies in the window [first, last] and is made of its whole months (so the window's
    monthly buckets add up to it exactly)."""
    starts = first <= start and (start == first or start.day == 1)
    ends = end <= last and (end == last or end == month_end(end))
    return starts and ends


def period_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    filters: data.Filters = (),
) -> pd.DataFrame:
    """Each measure over [start, end] for the portfolio's cohort, with its change on the same months a year before."""
    return _period_rows(db, as_of, start, end, portfolio, tuple(metric_ids), data.data_version(db), tuple(filters))


@st.cache_data(ttl=data.TTL, show_spinner=False)
def _period_rows(
    db: str,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    portfolio: str,
    metric_ids: tuple[str, ...],
    version: tuple,
    filters: data.Filters = (),
) -> pd.DataFrame:
    earlier_start, earlier_end = year_before(start, end)
    first, last = (day.date() for day in scorecards.window(as_of))
    if whole_months_within(start, end, first, last) and whole_months_within(earlier_start, earlier_end, first, last):
        # Both periods come from the frames the scorecard has already prepared: no further fetch.
        prepared = data.prepared_frames(db, as_of, first, last, None, filters)
        periods = [MetricPeriod(start, end, "custom"), MetricPeriod(earlier_start, earlier_end, "custom")]
        rows = compute(
            prepared, data.catalogue(), periods=periods, portfolio=portfolio, metric_ids=list(metric_ids),
            targets=data.targets(db, version),
        )  # fmt: skip
        starts = rows["period_start"]
        return with_change(rows.loc[starts == pd.Timestamp(start)], rows.loc[starts == pd.Timestamp(earlier_start)])
    now = data.measure_rows(db, as_of, start, end, portfolio, metric_ids, filters=filters)
    before = data.measure_rows(db, as_of, earlier_start, earlier_end, portfolio, metric_ids, filters=filters)
    return with_change(now, before)


def spc_status_of(monthly: pd.DataFrame, metric_ids: Sequence[str]) -> pd.DataFrame:
    """Variation and assurance of each measure's monthly series (suppressed months left out), as the scorecard does."""
    catalogue = data.catalogue()
    stats = catalogue.statistics
    out = []
    for metric_id in metric_ids:
        series = monthly.loc[monthly["metric_id"] == metric_id].sort_values("period_start")
        targets = series["target"].dropna()
        target = float(targets.iloc[-1]) if len(targets) else None
        chart = xmr(
            pd.Series(series["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(series["period_start"])),
            screen_outliers=stats.spc_screen_outliers,
            polarity=catalogue.measure(metric_id).polarity,
            target=target,
            rebase_at=list(stats.rebase_dates) or None,
        )
        out.append(
            {
                "metric_id": metric_id,
                "variation": chart.attrs.get("variation_icon"),
                "assurance": chart.attrs.get("assurance"),
            }
        )
    return pd.DataFrame(out, columns=["metric_id", "variation", "assurance"])


def spc_status(
    db: str, as_of: dt.date, portfolio: str, metric_ids: tuple[str, ...], filters: data.Filters = ()
) -> pd.DataFrame:
    """Each measure's SPC variation and assurance over the 36 monthly points of the scorecard window."""
    return _spc_status(db, as_of, portfolio, tuple(metric_ids), data.data_version(db), tuple(filters))


@st.cache_data(ttl=data.TTL, show_spinner=False)
def _spc_status(
    db: str, as_of: dt.date, portfolio: str, metric_ids: tuple[str, ...], version: tuple, filters: data.Filters = ()
) -> pd.DataFrame:
    start, end = scorecards.window(as_of)
    rows = data.measure_rows(db, as_of, start.date(), end.date(), portfolio, metric_ids, None, True, filters)
    monthly = rows.loc[(rows["period_kind"] == "month") & (rows["group_value"] == "all")]
    return spc_status_of(monthly, metric_ids)


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


def show_chart(build: Callable[[], object], what: str) -> None:
    """Draw a chart built by `build`; a fault is logged and named, and the table alternative below still shows."""
    try:
        chart = build()
    except Exception:
        log.exception("chart failed: %s", what)
        st.error(t("errors.chart_failed"))
        return
    enable_theme()
    st.altair_chart(chart, theme=None, width="stretch")


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


def cut_section(period: Period, portfolio: str, metric_id: str, cut: str, key: str, filters: data.Filters = ()) -> None:
    """One measure over the period for each group of a cut: rates with intervals, or shares of a count."""
    db = data.db_key()
    as_of = data.as_of_date(db)
    measure = data.catalogue().measure(metric_id)
    rows = data.measure_rows(db, as_of, period.start, period.end, portfolio, (metric_id,), cut, filters=filters)
    rows = rows.loc[rows["period_kind"] == "custom"].reset_index(drop=True)
    if rows.empty or (rows["group_value"] == "all").all():
        st.info(t("read_pages.no_cut", cut=t(f"cuts.{cut}")))
        return
    labels = [value_label(cut, v) for v in rows["group_value"]]
    name = measure_name(metric_id)
    title = t("read_pages.cut_title", name=name, cut=t(f"cuts.{cut}"))
    if measure.kind == "rate":
        caption = t("read_pages.cut_caption", name=name, cut=t(f"cuts.{cut}"), period=period.label())
        rates_section(rates_frame(rows, labels), title=title, caption=caption, label_heading=t(f"cuts.{cut}"), key=key)
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


def monthly_spc(series: pd.DataFrame, metric_id: str, title: str, key: str) -> None:
    """The XmR chart of a measure's monthly rows (period_label, numerator, denominator, value, suppressed, target)."""
    measure = data.catalogue().measure(metric_id)
    stats = data.catalogue().statistics
    series = series.sort_values("period_start").reset_index(drop=True)
    targets = series["target"].dropna()
    target = float(targets.iloc[-1]) if len(targets) else None
    values = pd.Series(series["value"].to_numpy(dtype=float), index=series["period_label"].astype(str))
    frame = xmr(values, polarity=measure.polarity, target=target, screen_outliers=stats.spc_screen_outliers)
    if not frame.attrs.get("has_chart"):
        st.info(t("measure.no_chart"))
        return
    y_format = ".0%" if measure.kind == "rate" else ",.0f"
    show_chart(
        lambda: spc_chart(
            frame, title=title, target=target, y_format=y_format, translate=translate(), lang=current_language()
        ),
        title,
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
            t("spc.variation"): [t(f"spc.point.{v}") for v in frame["variation"].fillna("common")],
            t("spc.rule"): [
                ", ".join(t(f"spc.rules.{r}") for r in str(rules).split(",") if r) if isinstance(rules, str) else ""
                for rules in frame["rule"]
            ],
        }
    )
    table_alternative(table, t("measure.table_caption", name=title), key=key)
