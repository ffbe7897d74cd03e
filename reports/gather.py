"""Gather everything an export shows from the database into ReportInputs: measures, scorecards, SPC charts, records
and the case-level extracts, for the exporting user's scope.

Where the time goes (200,000 victims, see BENCHMARKS.md "Exports"): fetching and preparing the 36-month window the
scorecards need, then charts. So the window is fetched once with only the victim columns measures use (or taken from
the caller's already prepared frames), the measures of portfolios that share a cohort are computed once for the
scorecard and the export periods together, SPC results are shared between identical series, and each distinct chart
is rendered once (reports.chart_images).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from auth.roles import Scope
from charts.spc import decision_notes
from config.i18n import t
from data import audit, history, queries
from data.cases import missed_and_late_of_portfolios, portfolio_codes
from data.commentary import in_language, read_commentary
from data.feedback import list_feedback
from metrics import scorecard as windows
from metrics.catalogue import Catalogue, load_catalogue
from metrics.measures import Prepared
from reports.board_pack import chart_order
from reports.chart_images import ChartTask, chart_task, render_charts
from reports.inputs import ReportInputs, chart_key
from results import frames
from results.scorecards import Scorecards, as_shown, scorecards_and_period
from results.spc import load_decisions

MAX_LISTED_TIMESCALES = 3
# Progress steps, in order, with the share of a typical whole-framework export's time each ends at.
STEPS = {"data": 0.45, "measures": 0.6, "charts": 0.85, "cases": 0.95, "records": 1.0}
Progress = Callable[[str, float], None]


def _no_progress(step: str, fraction: float) -> None:
    """Progress is optional (the command line prints none)."""


def _definitions(catalogue: Catalogue, metric_ids: list[str], lang: str = "en") -> pd.DataFrame:
    """The definition of every exported measure, from the catalogue: name, numerator, denominator, timescale and
    source name in the language; polarity, area and kind stay codes (the workbook words polarity and kind)."""
    out = []
    for metric_id in dict.fromkeys(metric_ids):
        d = catalogue.definition(metric_id, lang)
        entitlements = d.get("entitlements", [])
        timescale = "; ".join(
            t(f"measure_definition.timescale.{e['unit']}", lang, code=e["code"], standard=e["standard"],
              enhanced=e["enhanced"])
            for e in entitlements
        )  # fmt: skip
        if len(entitlements) > MAX_LISTED_TIMESCALES:  # pooled measures: each code's timescale is in its own row
            timescale = t("measure_definition.pooled", lang, count=len(entitlements))
        out.append({**{k: d[k] for k in ("name", "numerator", "denominator", "polarity", "target")},
                    "source": d["source_name"], "metric_id": metric_id,
                    "timescale": timescale, "area": d["area"], "kind": d["kind"]})  # fmt: skip
    return pd.DataFrame(out)


def chart_tasks(
    results: Scorecards, catalogue: Catalogue, cards: dict[str, pd.DataFrame], per_portfolio: int, lang: str
) -> dict[str, ChartTask]:
    """The SPC charts of each portfolio's first `per_portfolio` measures that have a chart, concerns and reds first:
    each the scorecard's own XmR frame (36 months), headed with the scorecard row's reading."""
    tasks: dict[str, ChartTask] = {}
    for portfolio_id, card in cards.items():
        has_chart = card["has_chart"].fillna(False).astype(bool).to_numpy()
        # The board pack's order (concerns and reds first), so the charts it shows are the ones rendered.
        for i in [i for i in chart_order(card) if has_chart[i]][:per_portfolio]:
            row = card.iloc[i]
            task = chart_task(
                results.chart(portfolio_id, row["metric_id"]), title=catalogue.measure_name(row["metric_id"], lang),
                kind=row["kind"], lang=lang, target=row["target"], variation=row["variation_icon"],
                assurance=row["assurance"],
            )  # fmt: skip
            if task is not None:
                tasks[chart_key(portfolio_id, row["metric_id"])] = task
    return tasks


def chart_notes(results: Scorecards, tasks: dict[str, ChartTask], lang: str) -> dict[str, list[str]]:
    """Each rendered chart's process changes, notes and suggested recalculations as text lines, in the language."""
    out = {}
    translate = functools.partial(t, lang=lang)
    for key in tasks:
        portfolio_id, metric_id = key.split("/", 1)
        frame = results.chart(portfolio_id, metric_id)
        lines = decision_notes(frame.attrs, lang, translate) if frame is not None else []
        if lines:
            out[key] = lines
    return out


def case_extracts(
    engine: Engine, reader: Scope, catalogue: Catalogue, portfolio_ids: list[str], start, end, as_of
) -> dict[str, pd.DataFrame]:
    """Missed and late entitlement instances of each exported portfolio the reader may see the cases of.

    Read through data.cases.missed_and_late_of_portfolios, which checks the reader's scope for every portfolio before
    any SQL runs and reads them all in one query; portfolios whose scorecards measure no entitlement have no
    case-level extract.
    """
    readable = [p for p in portfolio_ids if reader.can_see_cases(p) and portfolio_codes(catalogue, p)]
    frames = missed_and_late_of_portfolios(engine, reader, readable, start, end, as_of, catalogue=catalogue)
    return {
        p: frames[p].assign(portfolio_id=p)[["portfolio_id", *frames[p].columns]] for p in portfolio_ids if p in frames
    }


def feedback_items(engine: Engine, reader: Scope, start, end, lang: str) -> pd.DataFrame:
    """ "You said, we did" items received in the period that the reader may read, in the language where written."""
    items = list_feedback(engine, reader, start=start, end=end)
    if lang == "cy":
        for column in ("summary", "we_did"):
            welsh = items[f"{column}_cy"]
            items[column] = welsh.where(welsh.notna() & welsh.astype(str).str.strip().ne(""), items[column])
    return items.drop(columns=["summary_cy", "we_did_cy"], errors="ignore")


def board_commentary(engine: Engine, reader: Scope, as_of: dt.date, portfolio_ids: list[str], lang: str) -> dict:
    """Each exported portfolio's commentary (data.commentary) on the data as of the export's date, in the pack's
    language; text written only in the other language is given under a note saying so ("(English only)")."""
    out = {}
    for portfolio, row in read_commentary(engine, reader, as_of, portfolio_ids).items():
        text, written_in = in_language(row, lang)
        if text:
            out[portfolio] = f"{t(f'report.only_{written_in}', lang)}\n{text}" if written_in else text
    return out


def gather(
    engine: Engine,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
    portfolio: str | None = None,
    scope: Scope | None = None,
    lang: str = "en",
    publication: bool = False,
    exported_by: str = "cli",
    prepared: Prepared | None = None,
    progress: Progress | None = None,
    with_cases: bool = True,
) -> ReportInputs:
    """ReportInputs for one period: every portfolio (or one) the scope may see, at the as-of date of the latest load.

    `scope` is the exporting user's (None: an operator's full export from the command line). `prepared` may hand in
    frames already prepared at this as-of date (the app's cache); they are used when their window starts early
    enough. `progress(step, fraction)` is told as each of STEPS ends. `with_cases=False` leaves the case-level
    extracts out (a board pack shows none).
    """
    progress = progress or _no_progress
    reader = scope or Scope.for_user(exported_by, {"inspector"}, ())
    catalogue = load_catalogue()
    as_of = as_of or queries.latest_as_of(engine)
    if as_of is None:
        raise ValueError("no data has been loaded, so there is nothing to export")
    end = min(end, as_of)
    if start > end:
        raise ValueError(f"the period starts ({start}) after the data's as-of date ({as_of})")
    portfolio_ids = [portfolio] if portfolio else [p.id for p in catalogue.portfolios]
    portfolio_ids = [p for p in portfolio_ids if reader.all_portfolios or p in reader.portfolios]
    if not portfolio_ids:
        raise ValueError("none of the portfolios asked for may be exported by this user")
    window_start, _ = windows.window(as_of)
    first = min(pd.Timestamp(start), window_start)
    if not frames.covers(prepared, as_of, first, as_of):
        prepared = frames.prepared(engine, catalogue, as_of, first, as_of)
    progress("data", STEPS["data"])
    results, rows = scorecards_and_period(
        prepared, catalogue, targets=queries.targets_frame(engine), portfolio_ids=portfolio_ids, period=(start, end),
        decisions=load_decisions(engine),
    )  # fmt: skip
    cards = {}
    for portfolio_id in portfolio_ids:
        card = as_shown(results.portfolio(portfolio_id))
        card["name"] = card["metric_id"].map(lambda m: catalogue.measure_name(m, lang))
        cards[portfolio_id] = card.rename(columns={"variation": "variation_icon"})
    progress("measures", STEPS["measures"])
    tasks = chart_tasks(results, catalogue, cards, ReportInputs.charts_per_portfolio, lang)
    span = STEPS["charts"] - STEPS["measures"]
    charts = render_charts(tasks, lambda done, total: progress("charts", STEPS["measures"] + span * done / total))
    progress("charts", STEPS["charts"])
    # Publication packs never carry case-level data, so it is not even read for them.
    extracts = {}
    if with_cases and not publication:
        extracts = case_extracts(engine, reader, catalogue, portfolio_ids, start, end, as_of)
    progress("cases", STEPS["cases"])
    names = {p.id: catalogue.portfolio_name(p.id, lang) for p in catalogue.portfolios}
    inputs = ReportInputs(
        as_of=as_of,
        period_start=start,
        period_end=end,
        portfolios={p: names[p] for p in portfolio_ids},
        metric_rows=rows,
        definitions=_definitions(catalogue, rows["metric_id"].tolist(), lang),
        scorecards=cards,
        charts=charts,
        chart_notes=chart_notes(results, tasks, lang),
        actions=history.action_plan_frame(engine),
        commentary=board_commentary(engine, reader, as_of, portfolio_ids, lang),
        audit=audit.audit_frame(engine, reader, start=start),
        loads=history.load_history(engine),
        case_extracts=extracts,
        feedback=feedback_items(engine, reader, start, end, lang),
        lang=lang,
        publication=publication,
        scope=None if reader.all_portfolios else sorted(reader.portfolios),
        exported_by=exported_by,
        catalogue_version=catalogue.version,
        # The catalogue's settings, so every threshold and margin a pack states is the one its numbers used.
        rate_threshold=catalogue.statistics.suppression_threshold,
        publication_threshold=catalogue.statistics.publication_threshold,
        amber_margin=catalogue.statistics.amber_margin,
        amber_margin_relative=catalogue.statistics.amber_margin_relative,
        aged_to=audit.local_today(),
    )
    progress("records", STEPS["records"])
    return inputs
