"""Change between two periods: the Newcombe interval and pooled z test for rates (at the catalogue's confidence
level), the plain difference for counts and gaps, nothing when either period is suppressed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue
from metrics.periods import month_end
from metrics.rates import compare_periods_table, z_for

CHANGE_COLUMNS = ["previous_value", "change", "change_ci_low", "change_ci_high", "change_p", "change_significant"]


def change(now: pd.DataFrame, before: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """CHANGE_COLUMNS for aligned rows of two periods (same index, one row per measure)."""
    both = ~(now["suppressed"].to_numpy(bool) | before["suppressed"].fillna(True).to_numpy(bool))
    rate = now["kind"].eq("rate").to_numpy() & both
    confidence = catalogue.statistics.confidence
    test = compare_periods_table(
        np.where(rate, now["numerator"], np.nan), np.where(rate, now["denominator"], np.nan),
        np.where(rate, before["numerator"], np.nan), np.where(rate, before["denominator"], np.nan),
        z=z_for(confidence), alpha=1 - confidence,
    )  # fmt: skip
    plain = now["value"].to_numpy(dtype=float) - before["value"].to_numpy(dtype=float)
    significant = pd.Series(test["significant"].to_numpy(), dtype=object).where(rate, None)
    return pd.DataFrame(
        {
            "previous_value": before["value"].to_numpy(dtype=float),
            "change": np.where(rate, test["diff"], np.where(both, plain, np.nan)),
            "change_ci_low": test["ci_low"].to_numpy(),
            "change_ci_high": test["ci_high"].to_numpy(),
            "change_p": test["p"].to_numpy(),
            "change_significant": significant.to_numpy(),
        },
        index=now.index,
    )


def headline_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The whole-period, whole-cohort row of each measure (the "custom" period, group "all")."""
    keep = (rows["period_kind"] == "custom") & (rows["group_value"] == "all")
    return rows.loc[keep].reset_index(drop=True)


def with_change(now: pd.DataFrame, before: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Headline rows of a period with the change on an earlier period's."""
    now = headline_rows(now)
    before = headline_rows(before).set_index("metric_id").reindex(now["metric_id"]).set_axis(now.index)
    return pd.concat([now, change(now, before, catalogue)], axis=1)


def year_before(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same dates a year earlier (29 February becomes the 28th); a month end stays a month end."""

    def back(day: dt.date) -> dt.date:
        return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)

    earlier_end = back(end)
    return back(start), month_end(earlier_end) if end == month_end(end) else earlier_end
