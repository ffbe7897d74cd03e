"""Victims' Code measures: compliance per entitlement code, right, MoJ area and overall; the statutory duty met
(DUTY_*) and the share of shortfalls with a good reason (EXC_SHARE); Welsh speakers served in Welsh.

Input: the prepared entitlements frame (metrics.measures.prepare): one row per group of identical instances (`n`),
with month_trigger_date (its month when in the window), code, state, exception_reason, delivered, in_welsh,
prefers_welsh and the cut and cohort columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import VCOP_COUNTS, Measure
from metrics.entitlements import SHORTFALLS
from metrics.measures_base import (
    MONTHLY_COLUMNS,
    Context,
    add_rate,
    group_values,
    labels,
    month_column,
    no_rule,
    weights,
)

REASON = "exception_reason"


def counts_of(measure: Measure) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The states a pooled entitlement measure counts: (numerator states, denominator states). VCOP_* measures
    (no params) count timely ÷ (timely + late + missed + justified): a justified instance is not timely."""
    params = {**VCOP_COUNTS, **measure.params}
    return tuple(params["numerator_states"]), tuple(params["denominator_states"])


def compliance(ctx: Context, measures: list[Measure]) -> None:
    """Every pooled entitlement measure, grouped by the states it counts (VCOP_*, DUTY_*, EXC_SHARE)."""
    families: dict[tuple, list[Measure]] = {}
    for m in measures:
        families.setdefault((counts_of(m), ctx.cut(m)), []).append(m)
    for ((numerator, denominator), cut), members in families.items():
        if cut == REASON:
            by_reason(ctx, members, numerator, denominator)
        else:
            pooled_states(ctx, members, numerator, denominator)


def pooled_states(ctx: Context, measures: list[Measure], numerator: tuple, denominator: tuple) -> None:
    """Instances in `numerator` states ÷ instances in `denominator` states, pooling each measure's codes."""
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
            "numerator": state.isin(numerator).to_numpy() * w,
            "denominator": state.isin(denominator).to_numpy() * w,
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


def by_reason(ctx: Context, measures: list[Measure], numerator: tuple, denominator: tuple) -> None:
    """A share cut by exception_reason: each reason's instances in `numerator` states over every instance in
    `denominator` states (not only that reason's), so the reasons' shares add up to the whole share. Every reason of
    the catalogue gets a row each month, used or not."""
    frame = ctx.frame("entitlements")
    if frame is None or not measures:
        return
    rows = ctx.rows("entitlements", measures[0].period_date)
    rows = rows.loc[rows["state"].notna().to_numpy()]
    w = weights(rows)
    state = rows["state"]
    reason = rows[REASON].astype("string") if REASON in rows.columns else pd.Series(pd.NA, index=rows.index)
    codes = rows["code"].astype(str).to_numpy()
    reasons = [r.code for r in ctx.catalogue.exception_reasons]
    for m in measures:
        mine = np.isin(codes, m.codes)
        months = pd.Series(rows["month"].to_numpy()[mine])
        base = (
            pd.DataFrame({"month": months, "denominator": state.isin(denominator).to_numpy()[mine] * w[mine]})
            .groupby("month", sort=False)["denominator"]
            .sum()
        )
        counted = state.isin(numerator).to_numpy()[mine] * w[mine]
        used = (
            pd.DataFrame({"month": months, "group_value": reason.to_numpy()[mine], "numerator": counted})
            .dropna(subset=["group_value"])
            .groupby(["month", "group_value"], sort=False)["numerator"]
            .sum()
        )
        grid = pd.MultiIndex.from_product([base.index, reasons], names=["month", "group_value"])
        out = used.reindex(grid, fill_value=0.0).reset_index()
        out["denominator"] = base.reindex(out["month"]).to_numpy()
        out.insert(0, "metric_id", m.id)
        ctx.monthly.append(out.reindex(columns=MONTHLY_COLUMNS))


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


def reasons_by_unit(frame: pd.DataFrame, reasons: list[str], column: str = "unit") -> pd.DataFrame:
    """Where good reasons stand in for delivery: per owing unit (or another `column`, e.g. the owning agency), its
    shortfalls (late + missed + justified) triggered in the window, how many are justified, and how often each reason
    was given; the groups with most justified first.

    `frame` is the prepared entitlements frame (cohort already applied) holding `column`. Columns: unit (the group,
    whatever `column`), shortfalls, justified, then one per reason (in `reasons` order), then top_reason (None when
    no reason was given).
    """
    inside = frame[month_column("trigger_date")].notna().to_numpy()
    rows = frame.loc[inside & frame["state"].isin(SHORTFALLS).to_numpy()]
    w = weights(rows)
    justified = (rows["state"] == "justified").to_numpy()
    reason = rows[REASON].astype("string") if REASON in rows.columns else pd.Series(pd.NA, index=rows.index)
    table = pd.DataFrame(
        {
            "unit": labels(rows[column]).to_numpy() if column in rows.columns else "unknown",
            "shortfalls": w,
            "justified": justified * w,
            "reason": reason.where(pd.Series(justified, index=rows.index)).to_numpy(),
        }
    )
    base = table.groupby("unit", sort=False)[["shortfalls", "justified"]].sum()
    used = table.dropna(subset=["reason"]).pivot_table(
        index="unit", columns="reason", values="shortfalls", aggfunc="sum", fill_value=0
    )
    used = used.reindex(index=base.index, columns=reasons, fill_value=0).fillna(0)
    out = base.join(used)
    top = used.idxmax(axis=1).where(used.max(axis=1) > 0) if len(reasons) else pd.Series(None, index=out.index)
    out["top_reason"] = top.astype(object).where(top.notna(), None)
    out = out.reset_index().sort_values(["justified", "shortfalls", "unit"], ascending=[False, False, True])
    return out.reset_index(drop=True)
