"""Finishing measure rows: values, Wilson and Newcombe intervals, suppression, targets and RAG, in catalogue order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue, Measure
from metrics.measures_base import ALL, DIRECT_COLUMNS, Context, rollup
from metrics.rag import rag
from metrics.rates import compare_periods_table, wilson, z_for
from metrics.suppression import primary

OUTPUT_COLUMNS = [
    "metric_id",
    "portfolio_id",
    "group",
    "group_value",
    "period_start",
    "period_end",
    "period_kind",
    "period_label",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "suppressed",
    "target",
    "rag",
    "kind",
    "polarity",
    "x1",
    "n1",
    "x2",
    "n2",
]
COMPONENTS = ["numerator", "denominator", "x1", "n1", "x2", "n2"]


def _components(ctx: Context) -> pd.DataFrame:
    """Monthly components rolled up into periods, plus the modules' direct per-period rows."""
    parts = [rollup(ctx)] + [d for d in ctx.direct if len(d)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=DIRECT_COLUMNS + ["x1", "n1", "x2", "n2"])
    return pd.concat(parts, ignore_index=True).reindex(columns=DIRECT_COLUMNS + ["x1", "n1", "x2", "n2"])


def _complete(rows: pd.DataFrame, measures: list[Measure], periods: int) -> pd.DataFrame:
    """One row per measure × period × group seen for that measure; a period without records gets zero counts."""
    seen = rows[["metric_id", "group_value"]].drop_duplicates()
    wanted = pd.DataFrame({"metric_id": [m.id for m in measures]})
    groups = wanted.merge(seen, on="metric_id", how="left").fillna({"group_value": ALL})
    grid = groups.merge(pd.DataFrame({"period": np.arange(periods)}), how="cross")
    out = grid.merge(rows, on=["metric_id", "period", "group_value"], how="left")
    kind = out["metric_id"].map({m.id: m.kind for m in measures})
    for column in COMPONENTS:
        applies = kind.eq("difference") if column in ("x1", "n1", "x2", "n2") else ~kind.eq("difference")
        if column == "denominator":
            applies &= kind.eq("rate")
        out[column] = out[column].where(~(applies & out[column].isna()), 0.0)
    return out


def resolve_targets(rows: pd.DataFrame, defaults: pd.Series, targets: pd.DataFrame | None, portfolio: str | None):
    """Each row's target: the catalogue default, overridden by the `targets` table.

    A targets row applies from its valid_from; of the rows applying at a period's end, a portfolio-specific one beats a
    global one (portfolio_id blank), then the latest valid_from (then the latest set_at) wins.
    """
    target = rows["metric_id"].map(defaults).astype(float)
    if targets is None or targets.empty:
        return target
    t = targets.copy()
    t["valid_from"] = pd.to_datetime(t["valid_from"])
    applies = t["portfolio_id"].isna() | (t["portfolio_id"] == portfolio) if portfolio else t["portfolio_id"].isna()
    t = t.loc[applies]
    t = t.assign(specific=t["portfolio_id"].notna(), set_at=pd.to_datetime(t.get("set_at", pd.NaT)))
    candidates = rows[["metric_id", "period_end"]].reset_index(names="row").merge(t, on="metric_id")
    candidates = candidates.loc[candidates["valid_from"] <= candidates["period_end"]]
    if candidates.empty:
        return target
    chosen = candidates.sort_values(["specific", "valid_from", "set_at"]).groupby("row")["target"].last()
    return target.where(~target.index.isin(chosen.index), chosen.reindex(target.index))


def finish(ctx: Context, measures: list[Measure]) -> pd.DataFrame:
    """Tidy output rows: value, confidence interval and suppression for every measure × period × group.

    Targets and RAG are left blank here: apply_targets() adds them for a portfolio.
    """
    catalogue: Catalogue = ctx.catalogue
    stats = catalogue.statistics
    rows = _complete(_components(ctx), measures, len(ctx.periods))
    kind = rows["metric_id"].map({m.id: m.kind for m in measures})
    rows["kind"] = kind
    rows["polarity"] = rows["metric_id"].map({m.id: m.polarity for m in measures})
    rate, difference = kind.eq("rate"), kind.eq("difference")
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = rows["numerator"] / rows["denominator"].where(rows["denominator"] > 0)
    value = rows["value"].astype(float)
    value = value.where(~kind.isin(["count", "sum"]), rows["numerator"])
    value = value.where(~rate, proportion)
    low, high = wilson(rows["numerator"].where(rate), rows["denominator"].where(rate), z=_z(stats.confidence))
    compared = compare_periods_table(
        rows["x1"], rows["n1"], rows["x2"], rows["n2"], z=_z(stats.confidence), alpha=1 - stats.confidence
    )
    value = value.where(~difference, compared["diff"])
    rows["ci_low"] = low.where(rate, compared["ci_low"].where(difference))
    rows["ci_high"] = high.where(rate, compared["ci_high"].where(difference))
    threshold = stats.suppression_threshold
    smallest_group = np.fmin(rows["n1"].to_numpy(dtype=float), rows["n2"].to_numpy(dtype=float))
    suppressed = (rate & primary(rows["numerator"], rows["denominator"], threshold)) | (
        difference & primary(pd.Series(smallest_group), pd.Series(smallest_group), threshold).to_numpy()
    )
    rows["suppressed"] = suppressed.astype(bool)
    rows["value"] = value.where(~rows["suppressed"])
    rows.loc[rows["suppressed"], ["ci_low", "ci_high"]] = np.nan
    number = rows["period"].to_numpy(dtype=int)
    for attribute in ("start", "end", "kind", "label"):
        rows[f"period_{attribute}"] = np.array([getattr(p, attribute) for p in ctx.periods], dtype=object)[number]
    rows["period_start"] = pd.to_datetime(rows["period_start"])
    rows["period_end"] = pd.to_datetime(rows["period_end"])
    # A cut measure with no records at all has no groups: its single row is the "all" row.
    cut = rows["metric_id"].map({m.id: ctx.cut(m) or ALL for m in measures})
    rows["group"] = cut.where(rows["group_value"] != ALL, ALL)
    order = rows["metric_id"].map({m.id: i for i, m in enumerate(measures)})
    rows = rows.assign(_order=order).sort_values(["_order", "period", "group_value"]).reset_index(drop=True)
    return rows.reindex(columns=OUTPUT_COLUMNS)


def apply_targets(
    rows: pd.DataFrame, catalogue: Catalogue, targets: pd.DataFrame | None, portfolio: str | None
) -> pd.DataFrame:
    """Rows with the target (catalogue default, or the targets table's) and RAG for one portfolio."""
    stats = catalogue.statistics
    defaults = pd.Series({m.id: m.target for m in catalogue.all_measures}, dtype=float)
    out = rows.copy()
    out["target"] = resolve_targets(out, defaults, targets, portfolio).to_numpy()
    ratio = out["kind"].isin(["rate", "difference"]).to_numpy()
    margin = np.where(ratio, stats.amber_margin, stats.amber_margin_relative * out["target"].abs())
    out["rag"] = rag(out["value"], out["target"], out["polarity"], margin)
    out["portfolio_id"] = portfolio
    return out


_z = z_for
