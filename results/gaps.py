"""Gaps between groups of a cut (satisfaction by ethnicity, sex, age…): the reference group's rate minus each other
group's and the pooled groups', with Newcombe intervals and the pooled z test."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.rates import compare_periods_table, proportion, z_for

# "unknown" is missing data, not a group of people: it is neither compared nor pooled.
NOT_A_GROUP = frozenset({"unknown"})
POOLED = "pooled"
GAP_COLUMNS = ["group", "members", "x1", "n1", "x2", "n2", "p1", "p2", "diff", "ci_low", "ci_high", "z", "p"]


def group_gaps(
    rows: pd.DataFrame,
    reference: str,
    pooled: Sequence[str],
    threshold: int,
    pooled_label: str = POOLED,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Reference rate minus each other group's, and minus the pooled groups': Newcombe interval and pooled z test at
    the `confidence` level (the catalogue's: pass catalogue.statistics.confidence).

    `rows` holds group_value, numerator (satisfied) and denominator (answered) per group. A comparison in which
    either group has fewer than `threshold` answers is suppressed (as the gap measure is): no numbers, not significant.
    """
    counts = rows.assign(group_value=rows["group_value"].astype(str)).set_index("group_value")
    if reference not in counts.index:
        return pd.DataFrame(columns=[*GAP_COLUMNS, "significant", "suppressed"])
    x1, n1 = float(counts.at[reference, "numerator"]), float(counts.at[reference, "denominator"])
    others = [g for g in counts.index if g != reference and g not in NOT_A_GROUP and g != "all"]
    comparisons = [(g, [g]) for g in others]
    if len(pooled) > 1:  # one pooled group would only repeat its own row
        comparisons.append((pooled_label, list(pooled)))
    frame = pd.DataFrame(
        {
            "group": [name for name, _ in comparisons],
            "members": [members for _, members in comparisons],
            "x1": x1,
            "n1": n1,
            "x2": [float(counts["numerator"].reindex(members).sum()) for _, members in comparisons],
            "n2": [float(counts["denominator"].reindex(members).sum()) for _, members in comparisons],
        }
    )
    test = compare_periods_table(
        frame["x1"], frame["n1"], frame["x2"], frame["n2"], z=z_for(confidence), alpha=1 - confidence
    )
    frame["p1"] = proportion(frame["x1"], frame["n1"])
    frame["p2"] = proportion(frame["x2"], frame["n2"])
    frame["suppressed"] = np.fmin(frame["n1"], frame["n2"]) < threshold
    for column in ("diff", "ci_low", "ci_high", "z", "p"):
        frame[column] = test[column].where(~frame["suppressed"])
    frame["significant"] = test["significant"] & ~frame["suppressed"]
    return frame


MEASURE_GAP_COLUMNS = ["metric_id", "column", "x1", "n1", "x2", "n2", "p1", "p2", "diff", "ci_low", "ci_high", "p"]


def gap_measures(rows: pd.DataFrame, columns: dict[str, str], confidence: float = 0.95) -> pd.DataFrame:
    """Every gap measure's period row (metric_id, x1, n1, x2, n2, value, ci_low, ci_high, suppressed, from the
    measure pipeline) with both groups' rates and the pooled z test's p and verdict: one row per characteristic.

    `columns` maps each gap measure to the characteristic it compares (its `params.column`). The difference and its
    Newcombe interval are the pipeline's own; a suppressed gap (a group under the threshold) has no numbers and is
    never significant.
    """
    wanted = rows.loc[rows["metric_id"].isin(list(columns))].reset_index(drop=True)
    if wanted.empty:
        return pd.DataFrame(columns=[*MEASURE_GAP_COLUMNS, "significant", "suppressed"])
    counts = [wanted[c].astype(float).fillna(0.0) for c in ("x1", "n1", "x2", "n2")]
    test = compare_periods_table(*counts, z=z_for(confidence), alpha=1 - confidence)
    suppressed = wanted["suppressed"].astype(bool)
    out = pd.DataFrame(
        {
            "metric_id": wanted["metric_id"],
            "column": wanted["metric_id"].map(columns),
            "x1": counts[0],
            "n1": counts[1],
            "x2": counts[2],
            "n2": counts[3],
            "p1": proportion(counts[0], counts[1]).where(~suppressed),
            "p2": proportion(counts[2], counts[3]).where(~suppressed),
            "diff": wanted["value"].astype(float).where(~suppressed),
            "ci_low": wanted["ci_low"].astype(float).where(~suppressed),
            "ci_high": wanted["ci_high"].astype(float).where(~suppressed),
            "p": test["p"].where(~suppressed),
        }
    )
    out["significant"] = test["significant"].fillna(False).astype(bool) & ~suppressed
    out["suppressed"] = suppressed
    return out
