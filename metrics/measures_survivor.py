"""Survivor voice measures: engagement events and participants; feedback accepted, implemented, fed back, time to close.

Inputs: the prepared engagement_events frame (event_date, participants) and feedback_items frame (received_date,
status as known at the as-of date, implemented_date, fed_back_date). Not case-based: the cohort does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_direct, add_monthly, add_rate, for_each_period, in_window, no_rule

ACCEPTED = ("accepted", "implemented")


def days_to_close(ctx: Context, measure: Measure, frame: pd.DataFrame) -> None:
    """Median calendar days from received to implemented, over the implemented items received in each period."""
    out = []
    for number, _, rows in for_each_period(ctx, frame, measure.period_date):
        done = rows.loc[rows["implemented_date"].notna()]
        days = (done["implemented_date"] - done["received_date"]).dt.days
        out.append(
            {
                "period": number,
                "group_value": "all",
                "numerator": float(len(days)),
                "denominator": np.nan,
                "value": float(days.median()) if len(days) else np.nan,
            }
        )
    add_direct(ctx, measure, pd.DataFrame(out))


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
            decided = status.ne("received").fillna(False).to_numpy(bool)
            if m.id == "SE_FEEDBACK_ACCEPTED":
                add_rate(ctx, m, rows, status.isin(ACCEPTED).to_numpy(), decided)
            elif m.id == "SE_FEEDBACK_IMPLEMENTED":
                add_rate(ctx, m, rows, status.eq("implemented").fillna(False).to_numpy(bool), status.isin(ACCEPTED))
            elif m.id == "SE_FED_BACK":
                add_rate(ctx, m, rows, rows["fed_back_date"].notna().to_numpy(), decided)
            else:
                no_rule(m)
