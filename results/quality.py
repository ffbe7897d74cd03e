"""Quality of delivery beside timeliness (STATUTORY.md §3): dip-sample reviews meeting the standard per entitlement
code, which criteria fail most, and each entitlement's compliance next to its quality.

Counted from the same prepared quality_reviews rows the engine counts QUAL_MEETS from (same window, as-of date,
cohort and month), so the codes' reviews add up to QUAL_MEETS's base.
"""

from __future__ import annotations

import pandas as pd

from metrics.catalogue import Catalogue
from metrics.measures import Prepared, cohort_mask
from metrics.measures_base import month_column
from metrics.measures_quality import MEETS, failed_criteria
from metrics.rates import proportion, wilson, z_for

MEASURE = "QUAL_MEETS"
QUALITY_COLUMNS = ["code", "meets", "reviews", "value", "ci_low", "ci_high", "suppressed"]


def reviews_in_period(ready: Prepared, catalogue: Catalogue, portfolio: str) -> pd.DataFrame | None:
    """The reviews QUAL_MEETS counts for the portfolio's cohort over the prepared window; None when none are loaded."""
    frame = ready.frames.get("quality_reviews")
    if frame is None:
        return None
    measure = catalogue.measure(MEASURE)
    cohort = catalogue.portfolio(portfolio).cohort
    rows = frame.loc[cohort_mask(frame, cohort)] if cohort else frame
    return rows.loc[rows[month_column(measure.period_date)].notna().to_numpy()]


def quality_by_code(reviews: pd.DataFrame | None, catalogue: Catalogue) -> pd.DataFrame:
    """Per entitlement code: reviews meeting the standard ÷ reviews, with the Wilson interval; fewer than the
    suppression threshold of reviews is suppressed (no value, never 0%)."""
    if reviews is None or reviews.empty:
        return pd.DataFrame(columns=QUALITY_COLUMNS)
    met = reviews["result"].astype("string").eq(MEETS).fillna(False)
    counts = (
        pd.DataFrame({"code": reviews["code"].astype(str), "meets": met.astype(int), "reviews": 1})
        .groupby("code", sort=True)[["meets", "reviews"]]
        .sum()
        .reset_index()
    )
    low, high = wilson(counts["meets"], counts["reviews"], z_for(catalogue.statistics.confidence))
    suppressed = counts["reviews"] < catalogue.statistics.suppression_threshold
    counts["value"] = proportion(counts["meets"], counts["reviews"]).where(~suppressed)
    counts["ci_low"] = pd.Series(low).where(~suppressed)
    counts["ci_high"] = pd.Series(high).where(~suppressed)
    counts["suppressed"] = suppressed
    return counts[QUALITY_COLUMNS]


def criteria_failing(reviews: pd.DataFrame | None) -> pd.DataFrame:
    """Which criteria fail most among the period's reviews (metrics.measures_quality.failed_criteria)."""
    return failed_criteria(reviews)


def compliance_beside_quality(vcop_rows: pd.DataFrame, quality: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Each entitlement's timeliness (VCOP_<CODE> over the period) beside its quality (reviews meeting the standard).

    `vcop_rows` are the pipeline's period rows of the VCOP_<CODE> measures; a code with no reviews has no quality.
    """
    timely = vcop_rows.set_index("metric_id")
    by_code = quality.set_index("code") if len(quality) else pd.DataFrame(columns=QUALITY_COLUMNS).set_index("code")
    records = []
    for e in catalogue.entitlements:
        metric_id = f"VCOP_{e.code}"
        if metric_id not in timely.index:
            continue
        t_row = timely.loc[metric_id]
        q_row = by_code.loc[e.code] if e.code in by_code.index else None
        records.append(
            {
                "code": e.code,
                "right": e.right,
                "timely_value": t_row["value"],
                "timely_suppressed": bool(t_row["suppressed"]),
                "timely_base": t_row["denominator"],
                "quality_value": None if q_row is None else q_row["value"],
                "quality_ci_low": None if q_row is None else q_row["ci_low"],
                "quality_ci_high": None if q_row is None else q_row["ci_high"],
                "quality_suppressed": True if q_row is None else bool(q_row["suppressed"]),
                "reviews": 0 if q_row is None else int(q_row["reviews"]),
            }
        )
    return pd.DataFrame(records)
