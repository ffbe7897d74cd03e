"""Public outcomes from police.uk open data: recorded crimes and the "Unable to prosecute suspect" share.

Input: the prepared police.uk frame, one row per distinct Crime ID: month (the first of the month it first appears in
a street file), area (local authority of that first row) and last_outcome (from the latest file the crime appears in).
Not case-based: the cohort does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_monthly, add_rate, no_rule, truth

UNRESOLVED = ("Under investigation", "Awaiting court outcome", "Status update unavailable")


def crimes(street: pd.DataFrame, unresolved: tuple[str, ...] = UNRESOLVED) -> pd.DataFrame:
    """One row per distinct Crime ID (anti-social behaviour rows, with no ID, dropped) from street-file rows.

    A crime counts in the month it first appears. Its last outcome comes from the latest file that lists it; where
    that file lists it more than once with different outcomes, a resolved outcome is preferred to an unresolved or
    blank one, then the row listed first (`id`, the load order) wins.
    """
    rows = street.loc[street["crime_id"].notna() & street["crime_id"].astype("string").str.len().gt(0)]
    outcome = rows["last_outcome"].astype("string").fillna("")
    rank = np.where(outcome.eq("").to_numpy(), 2, np.where(outcome.isin(list(unresolved)).to_numpy(), 1, 0))
    order = rows.assign(_rank=rank, _id=rows["id"] if "id" in rows.columns else np.arange(len(rows)))
    latest_first = order.sort_values(["crime_id", "file_month", "_rank", "_id"], ascending=[True, False, True, True])
    last = latest_first.drop_duplicates("crime_id", keep="first").set_index("crime_id")
    first = order.sort_values(["crime_id", "month", "file_month", "_id"]).drop_duplicates("crime_id")
    first = first.set_index("crime_id")
    last = last.reindex(first.index)
    return pd.DataFrame(
        {
            "crime_id": first.index,
            "month": pd.to_datetime(first["month"].astype(str).to_numpy() + "-01").astype("datetime64[s]"),
            "area": first["local_authority"].to_numpy(),
            "crime_type": first["crime_type"].to_numpy() if "crime_type" in first else None,
            "last_outcome": last["last_outcome"].to_numpy(),
        }
    ).reset_index(drop=True)


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the police.uk measures asked for."""
    frame = ctx.frame("policeuk_street")
    if frame is None:
        return
    for m in measures:
        rows = ctx.rows("policeuk_street", m.period_date)
        if m.id == "PUB_CRIMES":
            add_monthly(ctx, m, rows, np.ones(len(rows)))
        elif m.id == "PUB_UNABLE_TO_PROSECUTE":
            outcome = rows["last_outcome"].astype("string").str.strip()
            unresolved = outcome.isna() | outcome.eq("") | outcome.isin(m.params.get("unresolved", list(UNRESOLVED)))
            add_rate(ctx, m, rows, truth(outcome.eq(m.params["outcome"])), ~unresolved.to_numpy())
        else:
            no_rule(m)
