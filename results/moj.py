"""The MoJ quarterly return: monthly rate rows pooled into financial quarters (numerators and denominators summed,
never percentages averaged), with the catalogue's interval, suppression and RAG."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue
from metrics.periods import Period, financial_quarter, last_complete_month
from metrics.rag import rag
from metrics.rates import wilson, z_for

MOJ_QUARTERS = 4


def last_quarters(as_of: dt.date, count: int = MOJ_QUARTERS) -> list[Period]:
    """The latest `count` complete financial quarters up to the as-of date, oldest first."""
    last = last_complete_month(as_of).end
    quarter = financial_quarter(last)
    if quarter.end > last:
        quarter = financial_quarter(quarter.start - pd.Timedelta(days=1))
    out = [quarter]
    while len(out) < count:
        out.insert(0, financial_quarter(out[0].start - pd.Timedelta(days=1)))
    return out


def quarterly(monthly: pd.DataFrame, quarters: Sequence[Period], catalogue: Catalogue) -> pd.DataFrame:
    """Monthly rate rows pooled into quarters: Wilson interval at the catalogue's confidence level, suppression under
    its threshold, RAG with its amber margin. Target: the quarter's last month's."""
    stats = catalogue.statistics
    months = monthly.loc[monthly["period_kind"] == "month"].copy()
    starts = pd.to_datetime(months["period_start"])
    months["quarter"] = None
    for quarter in quarters:
        months.loc[((starts >= quarter.start) & (starts <= quarter.end)).to_numpy(), "quarter"] = quarter.label
    months = months.loc[months["quarter"].notna()].sort_values("period_start")
    pooled = (
        months.groupby(["metric_id", "quarter"], sort=False)
        .agg(
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
            target=("target", "last"),
            polarity=("polarity", "first"),
        )  # fmt: skip
        .reset_index()
    )
    low, high = wilson(pooled["numerator"], pooled["denominator"], z=z_for(stats.confidence))
    suppressed = ~(pooled["denominator"] >= stats.suppression_threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (pooled["numerator"] / pooled["denominator"]).where(~suppressed)
    pooled["value"] = value
    pooled["ci_low"] = low.where(~suppressed)
    pooled["ci_high"] = high.where(~suppressed)
    pooled["suppressed"] = suppressed
    pooled["rag"] = rag(pooled["value"], pooled["target"], pooled["polarity"], stats.amber_margin)
    pooled["kind"] = "rate"
    measures = {m: i for i, m in enumerate(dict.fromkeys(monthly["metric_id"]))}
    order = {q.label: i for i, q in enumerate(quarters)}
    pooled = pooled.assign(_m=pooled["metric_id"].map(measures), _q=pooled["quarter"].map(order))
    return pooled.sort_values(["_m", "_q"]).drop(columns=["_m", "_q"]).reset_index(drop=True)
