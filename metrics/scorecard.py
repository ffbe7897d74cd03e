"""What a scorecard is: its columns, its periods and the window its frames cover (results/scorecards.py computes it).

A scorecard row is a measure's latest rolling-12-month value with CI, target, RAG, SPC icons, sparkline and the
change against the previous 12 months with its significance."""

from __future__ import annotations

import pandas as pd

from metrics.periods import Period, recent_months, rolling_12

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
