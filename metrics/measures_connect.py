"""Connect Gwent support hub measures: referrals, self-referrals, first contact, needs assessed, support, outcomes.

Input: the prepared referrals frame (referral_date, source, first_contact_date, needs_assessed_date, support_accepted,
closed_date, cope_recover_improved, victim attributes), dates after the as-of date already blanked.
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


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the Connect Gwent measures asked for."""
    if ctx.frame("referrals") is None:
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
