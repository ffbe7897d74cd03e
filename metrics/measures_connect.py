"""Connect Gwent support hub measures: referrals, self-referrals, first contact, needs assessed, support, outcomes,
and outcomes by category of need (CG_NEED_<NEED>, STATUTORY.md §6).

Input: the prepared referrals frame (referral_date, source, first_contact_date, needs_assessed_date, support_accepted,
closed_date, cope_recover_improved, victim attributes), dates after the as-of date already blanked; for the needs, the
prepared referral_needs frame (need, improved, its referral's referral_date and closed_date, victim attributes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.entitlements import classify
from metrics.measures_base import Context, add_many, no_rule, truth
from metrics.working_days import working_days_elapsed


def _flag(values: pd.Series) -> np.ndarray:
    return truth(values.eq(True))


def contact_states(rows: pd.DataFrame, as_of: pd.Timestamp, working_days: int) -> pd.Categorical:
    """First contact as an entitlement with a timescale: timely, late, missed (past it, no contact) or pending."""
    contact = rows["first_contact_date"]
    contacted = truth(contact.notna() & (contact <= as_of))  # a contact after the as-of date has not happened yet
    end = contact.where(contacted, as_of)
    elapsed = working_days_elapsed(rows["referral_date"], end)
    return classify(elapsed, np.full(len(rows), float(working_days)), contacted, np.zeros(len(rows), dtype=bool))


def need_outcome(rows: pd.DataFrame, need: str) -> tuple[np.ndarray, np.ndarray]:
    """(improved, counted) per need row: one category's needs on referrals closed by the as-of date whose outcome is
    recorded, and those reported met or improved. An outcome recorded before its referral is known closed (a closure
    after the as-of date was blanked) does not count yet."""
    mine = truth(rows["need"].astype("string").eq(need))
    counted = mine & truth(rows["closed_date"].notna()) & truth(rows["improved"].notna())
    return _flag(rows["improved"]) & counted, counted


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the Connect Gwent measures asked for."""
    needs = [m for m in measures if m.source == "referral_needs"]
    if needs and ctx.frame("referral_needs") is not None:
        by_date: dict[str, list] = {}
        for m in needs:
            by_date.setdefault(m.period_date, []).append(m)
        for date, group in by_date.items():
            rows = ctx.rows("referral_needs", date)
            add_many(ctx, rows, [(m, *need_outcome(rows, m.params["need"])) for m in group])
    measures = [m for m in measures if m.source == "referrals"]
    if not measures or ctx.frame("referrals") is None:
        return
    batches: dict[str, list] = {}
    for m in measures:
        rows = ctx.rows("referrals", m.period_date)
        closed = rows["closed_date"].notna().to_numpy()
        if m.id == "CG_REFERRALS":
            item = (np.ones(len(rows)), None)
        elif m.id == "CG_SELF_REFERRAL_SHARE":
            item = (rows["source"].eq("self"), np.ones(len(rows), dtype=bool))
        elif m.id == "CG_CONTACT_2WD":
            state = pd.Series(contact_states(rows, ctx.as_of, int(m.params.get("working_days", 2))))
            item = (state.eq("timely"), state.isin(["timely", "late", "missed"]))
        elif m.id == "CG_NEEDS_ASSESSED":
            item = (rows["needs_assessed_date"].notna(), closed)
        elif m.id == "CG_SUPPORT_ACCEPTED":
            item = (_flag(rows["support_accepted"]), rows["support_accepted"].notna())
        elif m.id == "CG_COPE_RECOVER":
            item = (_flag(rows["cope_recover_improved"]), closed & rows["cope_recover_improved"].notna().to_numpy())
        else:
            no_rule(m)
        batches.setdefault(m.period_date, []).append((m, *item))
    for date, items in batches.items():
        add_many(ctx, ctx.rows("referrals", date), items)
