"""Portfolio scorecards: each measure's latest rolling-12-month value with CI, target, RAG, SPC icons, sparkline and
the change against the previous 12 months with its significance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue
from metrics.measures import Prepared, compute
from metrics.measures_finish import apply_targets
from metrics.periods import Period, recent_months, rolling_12
from metrics.rates import compare_periods_table
from metrics.spc import xmr

MONTHS = 36
COLUMNS = [
    "portfolio_id",
    "metric_id",
    "name",
    "kind",
    "polarity",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "suppressed",
    "target",
    "rag",
    "variation",
    "assurance",
    "trial_limits",
    "has_chart",
    "sparkline",
    "previous_value",
    "change",
    "change_ci_low",
    "change_ci_high",
    "change_p",
    "change_significant",
]


def scorecard_periods(as_of, months: int = MONTHS) -> list[Period]:
    """The periods a scorecard needs: the last `months` complete months, then this and the previous rolling 12."""
    return [*recent_months(as_of, months), rolling_12(as_of), rolling_12(as_of, back=1)]


def window(as_of, months: int = MONTHS) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The date window to fetch and prepare for scorecards: the first of the monthly series to the as-of date."""
    first = min(recent_months(as_of, months)[0].start, rolling_12(as_of, back=1).start)
    return first, pd.Timestamp(as_of)


def _spc(series: pd.DataFrame, polarity: str, target: float | None, catalogue: Catalogue) -> dict:
    """Variation and assurance icons of a monthly series (suppressed months left out)."""
    values = pd.Series(series["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(series["period_start"]))
    chart = xmr(
        values,
        screen_outliers=catalogue.statistics.spc_screen_outliers,
        polarity=polarity,
        target=None if target is None or pd.isna(target) else float(target),
        rebase_at=list(catalogue.statistics.rebase_dates) or None,
    )
    return {
        "variation": chart.attrs.get("variation_icon"),
        "assurance": chart.attrs.get("assurance"),
        "trial_limits": bool(chart.attrs.get("trial_limits")),
        "has_chart": bool(chart.attrs.get("has_chart")),
    }


def scorecard(rows: pd.DataFrame, catalogue: Catalogue, portfolio_id: str) -> pd.DataFrame:
    """One scorecard row per measure of the portfolio, from compute() rows over scorecard_periods() (group "all").

    No RAG or SPC icon is given for a suppressed headline; a change is given only when both periods are shown, and
    is tested (Newcombe interval, pooled z) for rates only.
    """
    rows = rows.loc[rows["group_value"] == "all"]
    by_metric = dict(tuple(rows.groupby("metric_id", sort=False)))
    out = []
    for metric_id in catalogue.scorecard_measures(portfolio_id):
        mine = by_metric.get(metric_id)
        if mine is None:
            continue
        measure = catalogue.measure(metric_id)
        monthly = mine.loc[mine["period_kind"] == "month"].sort_values("period_start")
        rolling = mine.loc[mine["period_kind"] == "rolling_12"].sort_values("period_end")
        current, previous = rolling.iloc[-1], (rolling.iloc[-2] if len(rolling) > 1 else None)
        record = {
            "portfolio_id": portfolio_id,
            "metric_id": metric_id,
            "name": measure.name,
            "kind": measure.kind,
            "polarity": measure.polarity,
            **{c: current[c] for c in COLUMNS[5:15]},
            "sparkline": monthly["value"].tolist(),
            "previous_value": np.nan if previous is None else previous["value"],
        }
        icons = _spc(monthly, measure.polarity, current["target"], catalogue)
        if current["suppressed"]:
            icons = {**icons, "variation": None, "assurance": None}
        record.update(icons)
        record.update(_change(measure.kind, current, previous))
        out.append(record)
    return pd.DataFrame(out, columns=COLUMNS)


def _change(kind: str, current: pd.Series, previous: pd.Series | None) -> dict:
    """The change from the previous rolling 12 months, with a significance test for rates."""
    empty = {"change": np.nan, "change_ci_low": np.nan, "change_ci_high": np.nan, "change_p": np.nan}
    if previous is None or current["suppressed"] or previous["suppressed"]:
        return {**empty, "change_significant": None}
    if kind != "rate":
        return {**empty, "change": current["value"] - previous["value"], "change_significant": None}
    test = compare_periods_table(
        [current["numerator"]], [current["denominator"]], [previous["numerator"]], [previous["denominator"]]
    ).iloc[0]
    return {
        "change": test["diff"],
        "change_ci_low": test["ci_low"],
        "change_ci_high": test["ci_high"],
        "change_p": test["p"],
        "change_significant": bool(test["significant"]),
    }


def portfolio_scorecard(
    prepared: Prepared,
    catalogue: Catalogue,
    portfolio_id: str,
    *,
    targets: pd.DataFrame | None = None,
    months: int = MONTHS,
) -> pd.DataFrame:
    """A portfolio's scorecard computed from prepared frames (window() wide) at the prepared as-of date."""
    rows = compute(
        prepared,
        catalogue,
        periods=scorecard_periods(prepared.as_of, months),
        portfolio=portfolio_id,
        metric_ids=catalogue.scorecard_measures(portfolio_id),
        targets=targets,
    )
    return scorecard(rows, catalogue, portfolio_id)


def all_scorecards(
    prepared: Prepared, catalogue: Catalogue, *, targets: pd.DataFrame | None = None, months: int = MONTHS
) -> pd.DataFrame:
    """Every portfolio's scorecard (the whole framework).

    Portfolios sharing a cohort share one computation of their measures; targets and RAG are then applied per
    portfolio (a target may be set for one portfolio only).
    """
    periods = scorecard_periods(prepared.as_of, months)
    by_cohort: dict[str, list] = {}
    for p in catalogue.portfolios:
        by_cohort.setdefault(repr(sorted(p.cohort.items())), []).append(p)
    cards = {}
    for portfolios in by_cohort.values():
        wanted = catalogue.expand([pattern for p in portfolios for pattern in p.scorecard])
        rows = compute(prepared, catalogue, periods=periods, portfolio=portfolios[0].id, metric_ids=wanted)
        rows = rows.loc[rows["group_value"] == "all"]
        for p in portfolios:
            mine = apply_targets(rows, catalogue, targets, p.id)
            cards[p.id] = scorecard(mine, catalogue, p.id)
    return pd.concat([cards[p.id] for p in catalogue.portfolios], ignore_index=True)
