"""SPC of a measure's monthly series with the catalogue's settings: the one place an XmR result is computed.

Every chart, table, icon and pack reads the frame made here, so the reading under a chart is always the chart's own.
The series is indexed by month (period start), so configured rebase dates fall between the right points and charts
label the months in the reader's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue
from metrics.spc import xmr

SPC_COLUMNS = ["variation", "special_cause", "rule"]


def latest_target(series: pd.DataFrame):
    """The target of a series' latest month that has one (None when none has)."""
    targets = series["target"].dropna() if "target" in series else pd.Series(dtype=float)
    return float(targets.iloc[-1]) if len(targets) else None


def spc_frame(values: pd.Series, metric_id: str, catalogue: Catalogue, target=None) -> pd.DataFrame:
    """XmR of monthly values (index: month starts; suppressed months NaN) with the catalogue's outlier screening,
    rebase dates and the trial-limits rule, judged against `target` for assurance."""
    settings = catalogue.statistics
    return xmr(
        values,
        polarity=catalogue.measure(metric_id).polarity,
        target=None if target is None or pd.isna(target) else float(target),
        screen_outliers=settings.spc_screen_outliers,
        rebase_at=list(settings.rebase_dates) or None,
    )


def series_spc(monthly: pd.DataFrame, metric_id: str, catalogue: Catalogue, target=None) -> pd.DataFrame:
    """The XmR frame of one measure's monthly rows (period_start, value[, target]), oldest first. `target` defaults to
    the latest month's."""
    series = monthly.sort_values("period_start")
    values = pd.Series(series["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(series["period_start"]))
    return spc_frame(values, metric_id, catalogue, latest_target(series) if target is None else target)


def icons(frame: pd.DataFrame, suppressed: bool = False) -> dict:
    """The SPC reading of an XmR frame: variation and assurance icons (none for a suppressed headline), trial limits
    and whether there is a chart at all."""
    return {
        "variation": None if suppressed else frame.attrs.get("variation_icon"),
        "assurance": None if suppressed else frame.attrs.get("assurance"),
        "trial_limits": bool(frame.attrs.get("trial_limits")),
        "has_chart": bool(frame.attrs.get("has_chart")),
    }


def status(monthly: pd.DataFrame, metric_ids, catalogue: Catalogue) -> pd.DataFrame:
    """Variation and assurance of each measure's monthly series, as the scorecard reads them."""
    return status_of({m: series_spc(monthly.loc[monthly["metric_id"] == m], m, catalogue) for m in metric_ids})


def with_monthly_spc(rows: pd.DataFrame, catalogue: Catalogue, memo: dict | None = None) -> pd.DataFrame:
    """Rows with each monthly row's SPC point (variation, special_cause, rule) joined on; other rows get none.
    `memo` shares results between identical series (portfolios with one cohort)."""
    memo = {} if memo is None else memo
    monthly = rows["period_kind"] == "month"
    parts = []
    for metric_id, series in rows.loc[monthly].groupby("metric_id", sort=False):
        series = series.sort_values("period_start")
        values = series["value"].to_numpy(dtype=float)
        target = latest_target(series)
        key = (metric_id, values.tobytes(), tuple(series["period_start"].astype(str)), target)
        if key not in memo:
            memo[key] = series_spc(series, metric_id, catalogue, target)[SPC_COLUMNS]
        parts.append(memo[key].set_axis(series.index))
    return rows.join(pd.concat(parts)) if parts else rows.assign(**{c: np.nan for c in SPC_COLUMNS})


def status_of(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Variation and assurance of XmR frames by measure id."""
    out = [{"metric_id": metric_id, **icons(frame)} for metric_id, frame in frames.items()]
    return pd.DataFrame(out, columns=["metric_id", "variation", "assurance", "trial_limits", "has_chart"])
