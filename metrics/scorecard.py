"""Portfolio scorecards: each measure's latest rolling-12-month value with CI, target, RAG, SPC icons, sparkline and
the change against the previous 12 months with its significance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue
from metrics.measures import Prepared, compute, compute_values
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


def _spc(values: np.ndarray, months: np.ndarray, polarity: str, target, catalogue: Catalogue) -> dict:
    """Variation and assurance icons of a monthly series (suppressed months, NaN, left out)."""
    chart = xmr(
        pd.Series(values, index=pd.DatetimeIndex(months)),
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


def _change(headline: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Change from the previous rolling 12 months: shown only when both periods are; tested for rates only."""
    both = ~(headline["suppressed"].to_numpy(bool) | previous["suppressed"].fillna(True).to_numpy(bool))
    rate = headline["kind"].eq("rate").to_numpy() & both
    test = compare_periods_table(
        headline["numerator"].where(rate), headline["denominator"].where(rate),
        previous["numerator"].where(rate), previous["denominator"].where(rate),
    )  # fmt: skip
    plain = headline["value"].to_numpy(dtype=float) - previous["value"].to_numpy(dtype=float)
    significant = pd.Series(test["significant"].to_numpy(), dtype=object).where(rate, None)
    return pd.DataFrame(
        {
            "change": np.where(rate, test["diff"], np.where(both, plain, np.nan)),
            "change_ci_low": test["ci_low"].to_numpy(),
            "change_ci_high": test["ci_high"].to_numpy(),
            "change_p": test["p"].to_numpy(),
            "change_significant": significant.to_numpy(),
        },
        index=headline.index,
    )


def scorecard(
    rows: pd.DataFrame, catalogue: Catalogue, portfolio_id: str, spc_memo: dict | None = None
) -> pd.DataFrame:
    """One scorecard row per measure of the portfolio, from compute() rows over scorecard_periods() (group "all").

    No RAG or SPC icon is given for a suppressed headline; a change is given only when both periods are shown, and
    is tested (Newcombe interval, pooled z) for rates only. `spc_memo` lets portfolios with the same cohort share
    SPC results (keyed by the series and target).
    """
    spc_memo = {} if spc_memo is None else spc_memo
    wanted = catalogue.scorecard_measures(portfolio_id)
    rows = rows.loc[(rows["group_value"] == "all") & rows["metric_id"].isin(wanted)]
    rolling = rows.loc[rows["period_kind"] == "rolling_12"].sort_values(["metric_id", "period_end"])
    headline = rolling.groupby("metric_id").nth(-1).set_index("metric_id")
    previous = rolling.groupby("metric_id").nth(-2).set_index("metric_id").reindex(headline.index)
    order = [m for m in wanted if m in headline.index]
    headline, previous = headline.loc[order], previous.loc[order]
    monthly = rows.loc[rows["period_kind"] == "month"].sort_values("period_start")
    series = {
        k: (g["value"].to_numpy(dtype=float), g["period_start"].to_numpy()) for k, g in monthly.groupby("metric_id")
    }
    targets, suppressed = headline["target"].to_dict(), headline["suppressed"].to_dict()
    icons = []
    for metric_id in order:
        measure = catalogue.measure(metric_id)
        values, months = series.get(metric_id, (np.array([]), np.array([], dtype="datetime64[s]")))
        target = targets[metric_id]
        key = (metric_id, values.tobytes(), None if pd.isna(target) else float(target))
        if key not in spc_memo:
            spc_memo[key] = _spc(values, months, measure.polarity, target, catalogue)
        spc = spc_memo[key]
        if suppressed[metric_id]:
            spc = {**spc, "variation": None, "assurance": None}
        icons.append({"metric_id": metric_id, "name": measure.name, "sparkline": values.tolist(), **spc})
    out = pd.DataFrame(icons, index=pd.Index(order, name="metric_id")).drop(columns="metric_id")
    out = out.join(headline[COLUMNS[3:15]]).join(_change(headline, previous))
    out["previous_value"] = previous["value"]
    out["portfolio_id"] = portfolio_id
    for column in ("rag", "variation", "assurance", "change_significant"):
        # Missing icons are None (not NaN) so that "no icon" reads the same whatever the column's inferred type.
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.reset_index().reindex(columns=COLUMNS)


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
        rows = compute_values(prepared, catalogue, periods=periods, cohort=portfolios[0].cohort, metric_ids=wanted)
        rows = rows.loc[rows["group_value"] == "all"]
        # Only the headline periods need each portfolio's targets and RAG (SPC takes the headline's target).
        headline = rows["period_kind"] == "rolling_12"
        memo: dict = {}
        for p in portfolios:
            mine = pd.concat([rows.loc[~headline], apply_targets(rows.loc[headline], catalogue, targets, p.id)])
            cards[p.id] = scorecard(mine, catalogue, p.id, memo)
    return pd.concat([cards[p.id] for p in catalogue.portfolios], ignore_index=True)
