"""Victim-level measures: attrition (outcomes by outcome date) and the language preference being recorded.

Input: the prepared victims frame (reported_date, outcome, outcome_date blanked when after the as-of date,
preferred_language and the cut columns).
"""

from __future__ import annotations

import numpy as np

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_rate, in_window, no_rule, truth


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the victim-level measures asked for."""
    frame = ctx.frame("victims")
    if frame is None:
        return
    for m in measures:
        rows = in_window(frame, m.period_date, ctx)
        if m.id.startswith("ATT_"):
            outcome = rows["outcome"].astype("string")
            concluded = outcome.notna() & outcome.ne("ongoing")
            add_rate(ctx, m, rows, truth(outcome.eq(m.params["outcome"])), concluded.to_numpy())
        elif m.id == "WL_PREFERENCE_RECORDED":
            language = rows["preferred_language"].astype("string")
            recorded = (language.notna() & language.ne("unknown")).to_numpy(bool)
            add_rate(ctx, m, rows, recorded, np.ones(len(rows), dtype=bool))
        else:
            no_rule(m)
