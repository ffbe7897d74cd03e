"""HMICFRS findings and the action plan: open and overdue findings, overdue actions, each judged at the period end;
responses to published reports within their deadline (HM_RESPONSE_ON_TIME, STATUTORY.md §4).

Inputs: the recommendations frame (published_date, due_date, status, closed_date) and the actions frame
(created_date, due_date, status, completed_date). These are stocks, not flows: a finding counts in every period at
whose end it was open. Not case-based: the cohort does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_direct, add_many, no_rule, truth

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


def response_deadlines(reports: pd.DataFrame, response_days: dict[str, int]) -> pd.Series:
    """Each report's response deadline: published_date + its body's days (NaT for a body with no deadline)."""
    days = reports["body"].astype("string").map(lambda b: response_days.get(str(b)) if pd.notna(b) else None)
    offsets = pd.to_timedelta(pd.to_numeric(days, errors="coerce"), unit="D")
    return (reports["published_date"] + offsets).astype("datetime64[s]")


def response_on_time(reports: pd.DataFrame, response_days: dict[str, int], as_of) -> tuple[np.ndarray, np.ndarray]:
    """(on time, due) per report: due when its deadline has passed by the as-of date; on time when its response was
    published by the deadline."""
    deadline = response_deadlines(reports, response_days)
    due = truth(deadline.notna() & (deadline <= pd.Timestamp(as_of)))
    response = reports["response_published_date"]
    return due & truth(response.notna() & (response <= deadline)), due


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the per-period results of the inspection and action plan measures asked for."""
    reports = [m for m in measures if m.source == "inspections"]
    if reports and ctx.frame("inspections") is not None:
        for m in reports:
            rows = ctx.rows("inspections", m.period_date)
            add_many(ctx, rows, [(m, *response_on_time(rows, ctx.catalogue.response_days, ctx.as_of))])
    measures = [m for m in measures if m.source != "inspections"]
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
