"""Victims' Code measures: compliance per entitlement code, right, MoJ area and overall; Welsh speakers served in Welsh.

Input: the prepared entitlements frame (metrics.measures.prepare): one row per group of identical instances (`n`),
with month_trigger_date (its month when in the window), code, state, delivered, in_welsh, prefers_welsh and the cut
and cohort columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.entitlements import COUNTED
from metrics.measures_base import MONTHLY_COLUMNS, Context, add_rate, group_values, no_rule, weights


def compliance(ctx: Context, measures: list[Measure]) -> None:
    """Timely ÷ (timely + late + missed) for every VCOP measure, pooling the instances of each measure's codes."""
    frame = ctx.frame("entitlements")
    if frame is None or not measures:
        return
    rows = ctx.rows("entitlements", measures[0].period_date)
    rows = rows.loc[rows["state"].notna().to_numpy()]
    w = weights(rows)
    state = rows["state"]
    per_code = pd.DataFrame(
        {
            "month": rows["month"].to_numpy(),
            "group_value": group_values(rows, ctx.cut(measures[0])).to_numpy(),
            "code": rows["code"].astype(str).to_numpy(),
            "numerator": (state == "timely").to_numpy() * w,
            "denominator": state.isin(COUNTED).to_numpy() * w,
        }
    )
    per_code = per_code.groupby(["month", "group_value", "code"], sort=False).sum().reset_index()
    # Which measures each code's instances count towards (a code sits in its own, its right's, overall, MoJ).
    membership = pd.DataFrame([(m.id, code) for m in measures for code in m.codes], columns=["metric_id", "code"])
    pooled = (
        per_code.merge(membership, on="code")
        .groupby(["metric_id", "month", "group_value"], sort=False)[["numerator", "denominator"]]
        .sum()
        .reset_index()
    )
    ctx.monthly.append(pooled.reindex(columns=MONTHLY_COLUMNS))


def served_in_welsh(ctx: Context, measure: Measure) -> None:
    """Entitlements delivered in Welsh ÷ entitlements delivered, for victims whose preferred language is Welsh."""
    frame = ctx.frame("entitlements")
    if frame is None:
        return
    rows = ctx.rows("entitlements", measure.period_date)
    rows = rows.loc[rows["prefers_welsh"].to_numpy(dtype=bool) & rows["delivered"].to_numpy(dtype=bool)]
    add_rate(ctx, measure, rows, rows["in_welsh"].to_numpy(dtype=bool), np.ones(len(rows), dtype=bool))


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the entitlement-based measures asked for."""
    compliance(ctx, [m for m in measures if m.codes])
    for m in measures:
        if m.id == "WL_CY_DELIVERED_IN_CY":
            served_in_welsh(ctx, m)
        elif not m.codes:
            no_rule(m)
