"""Connect Gwent referrals split by source (police, self, partner) per month.

The measure engine cuts by victim attributes only (METRICS.md §3), not by referral source, so the split is counted
here from the same prepared referral rows the engine counts (same window, as-of date, cohort and month), which keeps
each month's sources adding up to CG_REFERRALS.
"""

from __future__ import annotations

import pandas as pd

from metrics.catalogue import Catalogue
from metrics.measures import Prepared, cohort_mask
from metrics.measures_base import month_column

MEASURE = "CG_REFERRALS"
SOURCES = ("police", "self", "partner")


def count_by_source(referrals: pd.DataFrame, cohort: dict, month_col: str) -> pd.DataFrame:
    """Referrals in the window counted per month and source for a cohort: month, source, count (zeros included)."""
    columns = ["month", "source", "count"]
    if referrals is None or referrals.empty:
        return pd.DataFrame(columns=columns)
    rows = referrals.loc[cohort_mask(referrals, cohort)] if cohort else referrals
    rows = rows.loc[rows[month_col].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    sources = list(dict.fromkeys([*SOURCES, *sorted(rows["source"].astype(str).unique())]))
    counts = pd.crosstab(rows[month_col], rows["source"].astype(str)).reindex(columns=sources, fill_value=0)
    months = pd.date_range(rows[month_col].min(), rows[month_col].max(), freq="MS")
    counts = counts.reindex(months, fill_value=0)
    tidy = counts.rename_axis(index="month", columns="source").stack().rename("count").reset_index()
    return tidy.astype({"count": int})[columns]


def by_source(ready: Prepared, catalogue: Catalogue, portfolio: str) -> pd.DataFrame:
    """Referrals per month and source in the prepared window for the portfolio's cohort (as CG_REFERRALS counts)."""
    measure = catalogue.measure(MEASURE)
    cohort = catalogue.portfolio(portfolio).cohort
    return count_by_source(ready.frames.get(measure.source), cohort, month_column(measure.period_date))
