"""Survivor voice measures: engagement events and participants; feedback accepted, implemented, fed back, time to close.

Inputs: the prepared engagement_events frame (event_date, participants) and feedback_items frame (received_date,
status as known at the as-of date, implemented_date, fed_back_date). Not case-based: the cohort does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_direct, add_monthly, add_rate, in_window, no_rule, per_period, truth

ACCEPTED = ("accepted", "implemented")


def days_to_close(ctx: Context, measure: Measure, frame: pd.DataFrame) -> None:
    """Median calendar days from received to implemented, over the implemented items received in each period."""
    rows = in_window(frame, measure.period_date, ctx)
    done = rows.loc[rows["implemented_date"].notna().to_numpy()]
    days = pd.DataFrame(
        {"month": done["month"].to_numpy(), "days": (done["implemented_date"] - done["received_date"]).dt.days}
    )
    per = per_period(ctx, days).groupby("period")["days"]
    result = pd.DataFrame({"numerator": per.size().astype(float), "value": per.median().astype(float)})
    add_direct(ctx, measure, result.reset_index().assign(group_value="all", denominator=np.nan))


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the components of the survivor voice measures asked for."""
    for m in measures:
        frame = ctx.frame(m.source)
        if frame is None:
            continue
        if m.id == "SE_DAYS_TO_CLOSE":
            days_to_close(ctx, m, frame)
            continue
        rows = in_window(frame, m.period_date, ctx)
        if m.id == "SE_EVENTS":
            add_monthly(ctx, m, rows, np.ones(len(rows)))
        elif m.id == "SE_PARTICIPANTS":
            add_monthly(ctx, m, rows, pd.to_numeric(rows[m.params.get("column", "participants")]).fillna(0))
        else:
            status = rows["status"]
            decided = truth(status.ne("received"))
            if m.id == "SE_FEEDBACK_ACCEPTED":
                add_rate(ctx, m, rows, status.isin(ACCEPTED).to_numpy(), decided)
            elif m.id == "SE_FEEDBACK_IMPLEMENTED":
                add_rate(ctx, m, rows, truth(status.eq("implemented")), status.isin(ACCEPTED))
            elif m.id == "SE_FED_BACK":
                add_rate(ctx, m, rows, rows["fed_back_date"].notna().to_numpy(), decided)
            else:
                no_rule(m)
