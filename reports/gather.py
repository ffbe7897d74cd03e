"""Gather everything an export shows from the database into ReportInputs: measures, scorecards, SPC charts, records."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import vl_convert
from sqlalchemy import Engine

from auth.roles import Scope
from charts.spc import spc_chart
from charts.theme import enable_theme
from data import audit, history, queries
from metrics import scorecard as scorecards
from metrics.catalogue import Catalogue, load_catalogue
from metrics.measures import Prepared, compute, prepare
from metrics.periods import Period, months
from metrics.spc import xmr
from reports.inputs import ReportInputs, chart_key

CHART_WORKERS = 2  # vl-convert releases the GIL; two threads keep both cores busy
MAX_LISTED_TIMESCALES = 3


def _metric_rows(prepared: Prepared, catalogue: Catalogue, portfolio_id: str, start, end) -> pd.DataFrame:
    """A portfolio's scorecard measures over [start, end] and per month, with each month's SPC result."""
    metric_ids = catalogue.scorecard_measures(portfolio_id)
    periods = [Period(start, end, "custom"), *months(start, end)]
    rows = compute(prepared, catalogue, periods=periods, portfolio=portfolio_id, metric_ids=metric_ids)
    rows = rows.loc[rows["group_value"] == "all"].copy()
    monthly = rows["period_kind"] == "month"
    rows.loc[monthly, "group"] = "month"
    rows.loc[monthly, "group_value"] = rows.loc[monthly, "period_label"]
    spc = []
    for metric_id, series in rows.loc[monthly].groupby("metric_id", sort=False):
        frame = xmr(series["value"].to_numpy(dtype=float), polarity=catalogue.measure(metric_id).polarity)
        spc.append(frame[["variation", "special_cause", "rule"]].set_axis(series.index))
    if spc:
        rows = rows.join(pd.concat(spc))
    return rows


def _definitions(catalogue: Catalogue, metric_ids: list[str]) -> pd.DataFrame:
    """The definition of every exported measure, from the catalogue."""
    out = []
    for metric_id in dict.fromkeys(metric_ids):
        d = catalogue.definition(metric_id)
        entitlements = d.get("entitlements", [])
        timescale = "; ".join(f"{e['code']}: {e['standard']} / {e['enhanced']} {e['unit']} days" for e in entitlements)
        if len(entitlements) > MAX_LISTED_TIMESCALES:  # pooled measures: each code's timescale is in its own row
            timescale = f"{len(entitlements)} entitlements pooled, each judged on its own timescale"
        out.append({**{k: d[k] for k in ("name", "numerator", "denominator", "source", "polarity", "target")},
                    "metric_id": metric_id, "timescale": timescale, "area": d["area"], "kind": d["kind"]})  # fmt: skip
    return pd.DataFrame(out)


def _chart_png(task: tuple[str, pd.DataFrame, str, str, float | None]) -> tuple[str, bytes]:
    key, series, title, polarity, target = task
    values = pd.Series(series["value"].to_numpy(dtype=float), index=series["period_label"].astype(str))
    chart = spc_chart(xmr(values, polarity=polarity, target=target), title=title, target=target)
    return key, vl_convert.vegalite_to_png(chart.to_dict(validate=False), scale=1.5)


def _charts(rows: pd.DataFrame, catalogue: Catalogue, cards: dict[str, pd.DataFrame], per_portfolio: int):
    """SPC chart PNGs of each portfolio's first headline measures that have enough points, rendered in parallel."""
    enable_theme()
    tasks = []
    for portfolio_id, card in cards.items():
        wanted = card.loc[card["has_chart"].fillna(False).astype(bool), "metric_id"].head(per_portfolio)
        for metric_id in wanted:
            series = rows.loc[
                (rows["portfolio_id"] == portfolio_id) & (rows["metric_id"] == metric_id) & (rows["group"] == "month")
            ]
            if series["value"].notna().sum() >= 2:
                target = series["target"].dropna().iloc[-1] if series["target"].notna().any() else None
                measure = catalogue.measure(metric_id)
                tasks.append((chart_key(portfolio_id, metric_id), series, measure.name, measure.polarity, target))
    with ThreadPoolExecutor(CHART_WORKERS) as pool:
        return dict(pool.map(_chart_png, tasks))


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
) -> ReportInputs:
    """ReportInputs for one period: every portfolio (or one) the scope may see, at the as-of date of the latest load.

    `scope` is the exporting user's (None: an operator's full export from the command line).
    """
    reader = scope or Scope.for_user(exported_by, {"inspector"}, ())
    catalogue = load_catalogue()
    as_of = as_of or queries.latest_as_of(engine)
    if as_of is None:
        raise ValueError("no data has been loaded, so there is nothing to export")
    end = min(end, as_of)
    portfolio_ids = [portfolio] if portfolio else [p.id for p in catalogue.portfolios]
    portfolio_ids = [p for p in portfolio_ids if reader.all_portfolios or p in reader.portfolios]
    window_start, _ = scorecards.window(as_of)
    first = min(pd.Timestamp(start), window_start)
    frames = queries.metric_frames(engine, first.date(), as_of, as_of=as_of)
    prepared = prepare(frames, catalogue, as_of=as_of, start=first, end=as_of)
    all_cards = scorecards.all_scorecards(prepared, catalogue, targets=queries.targets_frame(engine))
    cards = {
        p: all_cards.loc[all_cards["portfolio_id"] == p].rename(columns={"variation": "variation_icon"})
        for p in portfolio_ids
    }
    rows = pd.concat([_metric_rows(prepared, catalogue, p, start, end) for p in portfolio_ids], ignore_index=True)
    names = {p.id: p.name for p in catalogue.portfolios}
    return ReportInputs(
        as_of=as_of,
        period_start=start,
        period_end=end,
        portfolios={p: names[p] for p in portfolio_ids},
        metric_rows=rows,
        definitions=_definitions(catalogue, rows["metric_id"].tolist()),
        scorecards=cards,
        charts=_charts(rows, catalogue, cards, ReportInputs.charts_per_portfolio),
        actions=history.action_plan_frame(engine),
        audit=audit.audit_frame(engine, reader, start=start),
        loads=history.load_history(engine),
        lang=lang,
        publication=publication,
        scope=None if reader.all_portfolios else sorted(reader.portfolios),
        exported_by=exported_by,
        catalogue_version=catalogue.version,
    )
