"""Portfolio scorecards and the measures an export shows, with their SPC results: one computation for the app, the
meeting, both packs and the CLI.

A scorecard row is a measure's latest rolling-12-month value with its interval, target, RAG, SPC icons (from the
36-month series), sparkline and the change on the previous 12 months. The XmR frame each icon was read from is
kept beside the rows, so a chart drawn anywhere is the chart the icon describes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue, Portfolio
from metrics.measures import Prepared, compute_values
from metrics.measures_finish import apply_targets
from metrics.periods import Period, months
from metrics.scorecard import COLUMNS, MONTHS, scorecard_periods
from results import spc as spcs
from results.changes import change

PERIOD_KEY = ["period_kind", "period_start", "period_end", "period_label"]


@dataclass
class Scorecards:
    """Every asked portfolio's scorecard rows (COLUMNS) and the XmR frame of each row's 36-month series."""

    rows: pd.DataFrame
    spc: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    monthly: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def portfolio(self, portfolio_id: str) -> pd.DataFrame:
        """One portfolio's rows, in scorecard order."""
        return self.rows.loc[self.rows["portfolio_id"] == portfolio_id].reset_index(drop=True)

    def chart(self, portfolio_id: str, metric_id: str) -> pd.DataFrame | None:
        """The XmR frame behind a scorecard row's SPC icons (None when the measure is not on the scorecard)."""
        return self.spc.get((portfolio_id, metric_id))

    def series(self, portfolio_id: str, metric_id: str) -> pd.DataFrame | None:
        """The monthly rows (numerator, denominator, value, suppressed, target) behind a scorecard row's chart."""
        return self.monthly.get((portfolio_id, metric_id))

    def suggested_rebases(self) -> pd.DataFrame:
        """Every scorecard series where a recalculation of the limits is suggested and not yet decided: portfolio_id,
        metric_id and month (ISO), so a summary can say which readings rest on a mixed process."""
        rows = [
            (p, m, month) for (p, m), frame in self.spc.items() for month in frame.attrs.get("suggested_rebases") or ()
        ]
        return pd.DataFrame(rows, columns=["portfolio_id", "metric_id", "month"])


def cohort_groups(catalogue: Catalogue, portfolio_ids=None) -> list[list[Portfolio]]:
    """Portfolios grouped by cohort (same cohort, same measure values), in catalogue order."""
    groups: dict[str, list[Portfolio]] = {}
    for portfolio in catalogue.portfolios:
        if portfolio_ids is None or portfolio.id in portfolio_ids:
            groups.setdefault(repr(sorted(portfolio.cohort.items())), []).append(portfolio)
    return list(groups.values())


def _period_index(rows: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(rows[PERIOD_KEY].astype({"period_kind": object, "period_label": object}))


def _period_key(period: Period) -> tuple:
    return period.kind, pd.Timestamp(period.start), pd.Timestamp(period.end), period.label


def _in_periods(rows: pd.DataFrame, periods: list[Period]) -> np.ndarray:
    wanted = pd.MultiIndex.from_tuples([_period_key(p) for p in periods], names=PERIOD_KEY)
    return np.asarray(_period_index(rows).isin(wanted))


def scorecard(
    rows: pd.DataFrame,
    catalogue: Catalogue,
    portfolio_id: str,
    memo: dict | None = None,
    decisions: spcs.Decisions | None = None,
) -> tuple[pd.DataFrame, dict, dict]:
    """One portfolio's scorecard rows from its measures over scorecard_periods() (group "all", headline targets
    applied), with the XmR frame and monthly rows of each measure.

    No RAG or SPC icon is given for a suppressed headline; a change is given only when both periods are shown, and
    is tested for rates only. `memo` lets portfolios with one cohort share SPC results (keyed by series, target and
    the recorded process changes and annotations of the measure in the portfolio).
    """
    memo = {} if memo is None else memo
    wanted = catalogue.scorecard_measures(portfolio_id)
    rows = rows.loc[(rows["group_value"] == "all") & rows["metric_id"].isin(wanted)]
    rolling = rows.loc[rows["period_kind"] == "rolling_12"].sort_values(["metric_id", "period_end"])
    headline = rolling.groupby("metric_id").nth(-1).set_index("metric_id")
    previous = rolling.groupby("metric_id").nth(-2).set_index("metric_id").reindex(headline.index)
    order = [m for m in wanted if m in headline.index]
    headline, previous = headline.loc[order], previous.loc[order]
    monthly = rows.loc[rows["period_kind"] == "month"].sort_values("period_start")
    by_measure = dict(tuple(monthly.groupby("metric_id", sort=False)))
    targets, suppressed = headline["target"].to_dict(), headline["suppressed"].to_dict()
    icons, frames, series_of = [], {}, {}
    for metric_id in order:
        series = by_measure.get(metric_id, monthly.iloc[:0])
        # The months take the headline's target: assurance asks whether the process will meet today's target.
        series = series.assign(target=targets[metric_id])
        values = series["value"].to_numpy(dtype=float)
        target = targets[metric_id]
        marks = (decisions or spcs.NO_DECISIONS).of(portfolio_id, metric_id)
        key = (metric_id, values.tobytes(), None if pd.isna(target) else float(target), marks)
        if key not in memo:
            memo[key] = spcs.series_spc(series, metric_id, catalogue, target, decisions=decisions,
                                        portfolio_id=portfolio_id)  # fmt: skip
        frames[(portfolio_id, metric_id)] = memo[key]
        series_of[(portfolio_id, metric_id)] = series.reset_index(drop=True)
        reading = spcs.icons(memo[key], bool(suppressed[metric_id]))
        icons.append({"metric_id": metric_id, "name": catalogue.measure(metric_id).name,
                      "sparkline": values.tolist(), **reading})  # fmt: skip
    out = pd.DataFrame(icons, index=pd.Index(order, name="metric_id")).drop(columns="metric_id")
    out = out.join(headline[COLUMNS[3:15]]).join(change(headline, previous, catalogue))
    out["portfolio_id"] = portfolio_id
    for column in ("rag", "variation", "assurance", "change_significant"):
        # Missing icons are None (not NaN) so that "no icon" reads the same whatever the column's inferred type.
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.reset_index().reindex(columns=COLUMNS), frames, series_of


def _with_targets(values: pd.DataFrame, catalogue: Catalogue, targets, portfolio_id: str) -> pd.DataFrame:
    """Measure values with one portfolio's targets and RAG on the headline (rolling 12) periods."""
    headline = (values["period_kind"] == "rolling_12").to_numpy()
    return pd.concat([values.loc[~headline], apply_targets(values.loc[headline], catalogue, targets, portfolio_id)])


def scorecards(
    prepared: Prepared,
    catalogue: Catalogue,
    *,
    targets: pd.DataFrame | None = None,
    portfolio_ids: list[str] | None = None,
    months_back: int = MONTHS,
    decisions: spcs.Decisions | None = None,
) -> Scorecards:
    """Every (or each asked) portfolio's scorecard at the prepared as-of date: one computation per cohort, targets
    and RAG per portfolio (a target may be set for one portfolio only), SPC with the recorded `decisions`."""
    result, _ = scorecards_and_period(prepared, catalogue, targets=targets, portfolio_ids=portfolio_ids,
                                      months_back=months_back, decisions=decisions)  # fmt: skip
    return result


def all_scorecards(
    prepared: Prepared,
    catalogue: Catalogue,
    *,
    targets: pd.DataFrame | None = None,
    months: int = MONTHS,
    decisions: spcs.Decisions | None = None,
) -> pd.DataFrame:
    """Every portfolio's scorecard rows (the whole framework)."""
    return scorecards(prepared, catalogue, targets=targets, months_back=months, decisions=decisions).rows


def portfolio_scorecard(
    prepared: Prepared, catalogue: Catalogue, portfolio_id: str, *, targets=None, months: int = MONTHS, decisions=None
) -> pd.DataFrame:
    """One portfolio's scorecard rows."""
    return scorecards(prepared, catalogue, targets=targets, portfolio_ids=[portfolio_id], months_back=months,
                      decisions=decisions).rows  # fmt: skip


def scorecards_and_period(
    prepared: Prepared,
    catalogue: Catalogue,
    *,
    targets: pd.DataFrame | None = None,
    portfolio_ids: list[str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    months_back: int = MONTHS,
    decisions: spcs.Decisions | None = None,
) -> tuple[Scorecards, pd.DataFrame]:
    """Scorecards, and (for an export over `period`) each portfolio's scorecard measures over the period and per
    month, targets and RAG applied, every month with its SPC point; both from one computation per cohort.

    A month of the export that lies in the scorecard's 36 months takes its point from the scorecard's own XmR frame,
    so the pack's month table, its chart and the scorecard's icon are one reading.
    """
    card_periods = scorecard_periods(prepared.as_of, months_back)
    export_periods = [Period(period[0], period[1], "custom"), *months(*period)] if period else []
    periods = list(dict.fromkeys([*card_periods, *export_periods]))
    order_of_period = {_period_key(p): i for i, p in enumerate(export_periods)}
    ids = portfolio_ids or [p.id for p in catalogue.portfolios]
    cards, frames, series, exported = {}, {}, {}, {}
    for group in cohort_groups(catalogue, ids):
        wanted = catalogue.expand([pattern for p in group for pattern in p.scorecard])
        values = compute_values(prepared, catalogue, periods=periods, cohort=group[0].cohort, metric_ids=wanted)
        values = values.loc[values["group_value"] == "all"]
        for_card = values.loc[_in_periods(values, card_periods)]
        memo: dict = {}
        for portfolio in group:
            rows = _with_targets(for_card, catalogue, targets, portfolio.id)
            cards[portfolio.id], more_frames, more_series = scorecard(rows, catalogue, portfolio.id, memo, decisions)
            frames |= more_frames
            series |= more_series
            if export_periods:
                mine = catalogue.scorecard_measures(portfolio.id)
                rows = values.loc[_in_periods(values, export_periods) & values["metric_id"].isin(mine).to_numpy()]
                rows = apply_targets(rows, catalogue, targets, portfolio.id)
                position = rows["metric_id"].map({m: i for i, m in enumerate(mine)}).to_numpy()
                rows = rows.iloc[np.lexsort((_period_index(rows).map(order_of_period).to_numpy(), position))]
                exported[portfolio.id] = _monthly_points(rows, frames, portfolio.id, catalogue, decisions)
    result = Scorecards(pd.concat([cards[p] for p in ids if p in cards], ignore_index=True), frames, series)
    export = pd.concat([exported[p] for p in ids if p in exported], ignore_index=True) if exported else None
    return result, export


def _monthly_points(
    rows: pd.DataFrame, frames: dict, portfolio_id: str, catalogue: Catalogue, decisions=None
) -> pd.DataFrame:
    """Export rows with monthly rows relabelled (group "month", group_value the month) and each month's SPC point:
    the scorecard's when the month is in its series, else from the export's own months."""
    rows = rows.copy()
    monthly = (rows["period_kind"] == "month").to_numpy()
    rows.loc[monthly, "group"] = "month"
    rows.loc[monthly, "group_value"] = rows.loc[monthly, "period_label"]
    for column in spcs.SPC_COLUMNS:
        rows[column] = pd.Series([None] * len(rows), index=rows.index, dtype=object)
    outside = []
    for metric_id, part in rows.loc[monthly].groupby("metric_id", sort=False):
        frame = frames.get((portfolio_id, metric_id))
        starts = pd.DatetimeIndex(part["period_start"])
        if frame is not None and starts.isin(frame.index).all():
            points = frame.reindex(starts)[spcs.SPC_COLUMNS].set_axis(part.index)
            rows.loc[part.index, spcs.SPC_COLUMNS] = points.astype(object).to_numpy()
        else:
            outside.append(part.index)
    if outside:
        index = outside[0].append(outside[1:]) if len(outside) > 1 else outside[0]
        earlier = rows.loc[index].drop(columns=spcs.SPC_COLUMNS)
        points = spcs.with_monthly_spc(earlier, catalogue, decisions=decisions, portfolio_id=portfolio_id)
        points = points[spcs.SPC_COLUMNS]
        rows.loc[index, spcs.SPC_COLUMNS] = points.astype(object).to_numpy()
    rows["special_cause"] = rows["special_cause"].where(monthly, None)
    return rows


TABLE_COLUMNS = [
    "portfolio_id", "metric_id", "name", "value", "ci_low", "ci_high", "numerator", "denominator", "suppressed",
    "target", "rag", "variation", "assurance", "change", "change_significant",
]  # fmt: skip
HIDDEN_WHEN_SUPPRESSED = ["value", "ci_low", "ci_high", "numerator", "denominator"]


def as_shown(rows: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows with a suppressed row's value, interval and counts blanked (its counts would give the value
    away): what every screen, pack and command shows."""
    shown = rows.copy()
    hidden = shown["suppressed"].fillna(False).astype(bool).to_numpy()
    for column in HIDDEN_WHEN_SUPPRESSED:
        if column in shown:
            shown[column] = shown[column].mask(hidden)
    return shown


def scorecard_table(rows: pd.DataFrame, catalogue: Catalogue, lang: str = "en") -> pd.DataFrame:
    """Scorecard rows as every reader is given them (the Scorecard page, the evidence pack's Scorecard sheet and
    `cli.py scorecard`): TABLE_COLUMNS of as_shown(rows), names in the language."""
    table = as_shown(rows).reindex(columns=TABLE_COLUMNS)
    names = rows["name"] if "name" in rows else rows["metric_id"]
    known = catalogue.measure_ids()
    # A measure since retired from the catalogue (a frozen meeting's) keeps the name it was frozen with.
    table["name"] = [catalogue.measure_name(m, lang) if m in known else n
                     for m, n in zip(rows["metric_id"], names, strict=True)]  # fmt: skip
    return table.reset_index(drop=True)
