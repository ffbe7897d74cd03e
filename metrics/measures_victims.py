"""Victim-level measures: attrition (outcomes by outcome date) and the language preference being recorded.

Input: the prepared victims frame (reported_date, outcome, outcome_date blanked when after the as-of date,
preferred_language and the cut columns).
"""

from __future__ import annotations

import numpy as np

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_many, no_rule


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the victim-level measures asked for."""
    if ctx.frame("victims") is None:
        return
    batches: dict[str, list] = {}
    for m in measures:
        rows = ctx.rows("victims", m.period_date)
        if m.id.startswith("ATT_"):
            outcome = rows["outcome"]
            concluded = outcome.notna() & outcome.ne("ongoing")
            item = (outcome.eq(m.params["outcome"]), concluded)
        elif m.id == "WL_PREFERENCE_RECORDED":
            language = rows["preferred_language"]
            item = (language.notna() & language.ne("unknown"), np.ones(len(rows), dtype=bool))
        else:
            no_rule(m)
        batches.setdefault(m.period_date, []).append((m, *item))
    for date, items in batches.items():
        add_many(ctx, ctx.rows("victims", date), items)
