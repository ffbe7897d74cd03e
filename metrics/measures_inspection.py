"""HMICFRS findings and the action plan: open and overdue findings, overdue actions, each judged at the period end.

Inputs: the recommendations frame (published_date, due_date, status, closed_date) and the actions frame
(created_date, due_date, status, completed_date). These are stocks, not flows: a finding counts in every period at
whose end it was open. Not case-based: the cohort does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_direct, no_rule, truth

FINDING_CLOSED = ("closed", "discharged")
ACTION_DONE = ("complete", "closed")


def open_at(frame: pd.DataFrame, day: pd.Series, start: str, done: tuple[str, ...], done_date: str) -> np.ndarray:
    """Items that exist by `day` (one per row) and are not finished by then.

    An item whose status is finished counts as open before its finish date; without a finish date it is taken as
    finished throughout (its history is unknown, and counting it open would overstate the backlog).
    """
    exists = truth(frame[start] <= day)
    finished = frame["status"].isin(done).to_numpy() & truth(frame[done_date].isna() | (frame[done_date] <= day))
    return exists & ~finished


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the per-period results of the inspection and action plan measures asked for."""
    ends = pd.DataFrame(
        {
            "period": np.arange(len(ctx.periods)),
            "day": [min(p.end, ctx.as_of) for p in ctx.periods],
        }
    ).astype({"day": "datetime64[s]"})
    for m in measures:
        frame = ctx.frame(m.source)
        if frame is None:
            continue
        # Every item judged at every period end: items × periods is small (findings and actions number hundreds).
        pairs = frame.merge(ends, how="cross")
        if m.source == "recommendations":
            is_open = open_at(pairs, pairs["day"], "published_date", FINDING_CLOSED, "closed_date")
        else:
            is_open = open_at(pairs, pairs["day"], "created_date", ACTION_DONE, "completed_date")
        overdue = is_open & truth(pairs["due_date"] < pairs["day"])
        counts = pd.DataFrame({"period": pairs["period"], "open": is_open, "overdue": overdue}).groupby("period").sum()
        counts = counts.reindex(ends["period"], fill_value=0).astype(float)
        if m.id == "HM_OPEN":
            rows = pd.DataFrame({"numerator": counts["open"], "denominator": np.nan, "value": counts["open"]})
        elif m.id in ("HM_OVERDUE", "ACT_OVERDUE"):
            rows = pd.DataFrame({"numerator": counts["overdue"], "denominator": counts["open"], "value": np.nan})
        else:
            no_rule(m)
        add_direct(ctx, m, rows.reset_index().assign(group_value="all"))
