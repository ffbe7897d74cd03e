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


def crimes(street: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct Crime ID (anti-social behaviour rows, with no ID, dropped) from street-file rows.

    A crime counts in the month it first appears; its last outcome is the one in the latest file that lists it.
    """
    rows = street.loc[street["crime_id"].notna() & street["crime_id"].astype("string").str.len().gt(0)]
    ordered = rows.sort_values(["crime_id", "file_month", "month"], kind="stable")
    first = ordered.drop_duplicates("crime_id", keep="first").set_index("crime_id")
    last = ordered.drop_duplicates("crime_id", keep="last").set_index("crime_id")
    first_month = ordered.groupby("crime_id")["month"].min()
    return pd.DataFrame(
        {
            "crime_id": first.index,
            "month": pd.to_datetime(first_month.reindex(first.index).to_numpy() + "-01").astype("datetime64[s]"),
            "area": first["local_authority"].to_numpy(),
            "crime_type": first["crime_type"].to_numpy() if "crime_type" in first else None,
            "last_outcome": last["last_outcome"].reindex(first.index).to_numpy(),
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
            unresolved = outcome.isna() | outcome.eq("") | outcome.isin(m.params.get("unresolved", []))
            add_rate(ctx, m, rows, truth(outcome.eq(m.params["outcome"])), ~unresolved.to_numpy())
        else:
            no_rule(m)
