"""Survivor voice measures: engagement events and participants; feedback accepted, implemented, fed back, time to close.

Inputs: the prepared engagement_events frame (event_date, participants) and feedback_items frame (received_date,
status as known at the as-of date, implemented_date, fed_back_date). Not case-based: the cohort does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_direct, add_many, no_rule, per_period

ACCEPTED = ("accepted", "implemented")


def days_to_close(ctx: Context, measure: Measure, rows: pd.DataFrame) -> None:
    """Median calendar days from received to implemented, over the implemented items received in each period."""
    done = rows.loc[rows["implemented_date"].notna().to_numpy()]
    days = pd.DataFrame(
        {"month": done["month"].to_numpy(), "days": (done["implemented_date"] - done["received_date"]).dt.days}
    )
    per = per_period(ctx, days).groupby("period")["days"]
    result = pd.DataFrame({"numerator": per.size().astype(float), "value": per.median().astype(float)})
    add_direct(ctx, measure, result.reset_index().assign(group_value="all", denominator=np.nan))


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the components of the survivor voice measures asked for."""
    batches: dict[tuple[str, str], list] = {}
    for m in measures:
        if ctx.frame(m.source) is None:
            continue
        rows = ctx.rows(m.source, m.period_date)
        if m.id == "SE_DAYS_TO_CLOSE":
            days_to_close(ctx, m, rows)
            continue
        status = rows["status"] if "status" in rows.columns else None
        if m.id == "SE_EVENTS":
            item = (np.ones(len(rows)), None)
        elif m.id == "SE_PARTICIPANTS":
            item = (pd.to_numeric(rows[m.params.get("column", "participants")]).fillna(0).to_numpy(float), None)
        elif m.id == "SE_FEEDBACK_ACCEPTED":
            item = (status.isin(ACCEPTED), status.ne("received"))
        elif m.id == "SE_FEEDBACK_IMPLEMENTED":
            item = (status.eq("implemented"), status.isin(ACCEPTED))
        elif m.id == "SE_FED_BACK":
            item = (rows["fed_back_date"].notna(), status.ne("received"))
        else:
            no_rule(m)
        batches.setdefault((m.source, m.period_date), []).append((m, *item))
    for (source, date), items in batches.items():
        add_many(ctx, ctx.rows(source, date), items)
