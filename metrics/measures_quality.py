"""Quality of delivery (STATUTORY.md §3): dip-sample reviews that meet the standard, all or of some entitlements.

Input: the prepared quality_reviews frame (review_date, result, failed_criteria, the reviewed instance's code and its
victim's attributes). Case-based: the cohort and cuts come from the reviewed instance's victim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_many, no_rule, truth

MEETS = "meets"


def reviewed(rows: pd.DataFrame, measure: Measure) -> np.ndarray:
    """The reviews a measure counts: every review, or those of codes starting `params.code_prefix` (R6_: updates)."""
    prefix = measure.params.get("code_prefix")
    if prefix is None:
        return np.ones(len(rows), dtype=bool)
    return truth(rows["code"].astype("string").str.startswith(str(prefix)))


def meets(rows: pd.DataFrame, measure: Measure) -> tuple[np.ndarray, np.ndarray]:
    """(meets the standard, reviewed) per review."""
    counted = reviewed(rows, measure)
    return truth(rows["result"].astype("string").eq(MEETS)) & counted, counted


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the quality measures asked for."""
    if ctx.frame("quality_reviews") is None:
        return
    batches: dict[str, list] = {}
    for m in measures:
        if m.id not in ("QUAL_MEETS", "QUAL_UPDATES_MEETS") and "code_prefix" not in m.params:
            no_rule(m)
        batches.setdefault(m.period_date, []).append((m, *meets(ctx.rows(m.source, m.period_date), m)))
    for date, items in batches.items():
        add_many(ctx, ctx.rows("quality_reviews", date), items)


def failed_criteria(reviews: pd.DataFrame) -> pd.DataFrame:
    """How often each criterion fails: criterion, failures (reviews naming it), share of the reviews not meeting the
    standard that name it; most failed first. `reviews` holds result and failed_criteria."""
    columns = ["criterion", "failures", "share"]
    if reviews is None or reviews.empty:
        return pd.DataFrame(columns=columns)
    short = reviews.loc[reviews["result"].astype("string").ne(MEETS).fillna(False).to_numpy(dtype=bool)]
    items = short["failed_criteria"].astype("string").dropna().str.split(";").explode().str.strip()
    items = items[items != ""]
    if items.empty:
        return pd.DataFrame(columns=columns)
    counts = items.value_counts().rename_axis("criterion").reset_index(name="failures")
    counts["share"] = counts["failures"] / len(short)
    return counts.sort_values(["failures", "criterion"], ascending=[False, True], kind="stable").reset_index(drop=True)[
        columns
    ]
