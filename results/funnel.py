"""A breakdown's funnel plot from its measure rows (one per group of a cut): each shown group's rate against its
base with 95% and 99.8% limits around the overall rate (metrics.funnel), so a unit or area is called an outlier only
when chance is an unlikely explanation."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.funnel import funnel_curve, funnel_points, overall_rate


@dataclass(frozen=True)
class Funnel:
    """The funnel of one breakdown: points (group_value, numerator, denominator, rate, overall, low_/high_95,
    low_/high_99.8, position), the limit lines (curve), the overall rate and the groups too small to show."""

    points: pd.DataFrame
    curve: pd.DataFrame
    overall: float
    suppressed: tuple[str, ...]


def cut_funnel(rows: pd.DataFrame) -> Funnel | None:
    """The funnel of a rate's rows by group (results.measures.measure_rows cut `by` a column). The centre line is
    the pooled rate of every group, suppressed ones included (a pooled rate reveals none of them); a suppressed
    group gets no point. None when no group has a rate to show."""
    groups = rows.loc[rows["group_value"].astype(str) != "all"]
    groups = groups.loc[groups["denominator"].fillna(0) > 0]
    if groups.empty:
        return None
    p0 = overall_rate(groups["numerator"], groups["denominator"])
    hidden = groups["suppressed"].fillna(False).astype(bool).to_numpy()
    shown = groups.loc[~hidden, ["group_value", "numerator", "denominator"]]
    if shown.empty or pd.isna(p0):
        return None
    points = funnel_points(shown.astype({"group_value": str}), p0)
    curve = funnel_curve(p0, points["denominator"].min() * 0.8, points["denominator"].max() * 1.1)
    return Funnel(points, curve, p0, tuple(str(g) for g in groups.loc[hidden, "group_value"]))
