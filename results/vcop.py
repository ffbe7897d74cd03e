"""The Victims' Code page's figures beyond the measure rows: where good reasons stand in for delivery, by unit
(STATUTORY.md §1), and compliance and the duty grouped by owning agency (STATUTORY.md §7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics import measures_vcop
from metrics.catalogue import Catalogue
from metrics.measures import Prepared, cohort_mask
from metrics.rag import rag
from metrics.rates import wilson, z_for

# The two families pooled by agency: timely delivery (VCOP_<CODE>) and the duty met (DUTY_<CODE>).
FAMILIES = ("VCOP", "DUTY")
AGENCY_COLUMNS = [
    "owner", "family", "numerator", "denominator", "value", "ci_low", "ci_high", "suppressed", "target", "rag", "kind",
]  # fmt: skip


def reasons_by_unit(ready: Prepared, catalogue: Catalogue, portfolio: str, by: str = "unit") -> pd.DataFrame:
    """Per owing unit (by="unit", the window prepared cut by unit) or owning agency (by="owner", the catalogue's owner
    of each code), for the portfolio's cohort: shortfalls, justified, each reason's count, the most used reason, and
    the share of shortfalls justified (suppressed under the catalogue's threshold, like every rate)."""
    reasons = [r.code for r in catalogue.exception_reasons]
    frame = ready.frames.get("entitlements")
    if frame is not None and by == "owner":
        owners = {e.code: e.owner for e in catalogue.entitlements}
        frame = frame.assign(owner=frame["code"].astype(str).map(owners))
    if frame is None or by not in frame.columns:
        return pd.DataFrame(columns=["unit", "shortfalls", "justified", *reasons, "top_reason", "share"])
    cohort = catalogue.portfolio(portfolio).cohort
    if cohort:
        frame = frame.loc[cohort_mask(frame, cohort)]
    table = measures_vcop.reasons_by_unit(frame, reasons, by)
    shown = table["shortfalls"] >= catalogue.statistics.suppression_threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share"] = (table["justified"] / table["shortfalls"]).where(shown)
    return table


def by_agency(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Compliance and the duty per owning agency (police, cps, wcu, probation ...): the whole-period rows of each
    agency's VCOP_<CODE> and DUTY_<CODE> pooled (numerators and denominators summed, never rates averaged), with the
    Wilson interval at the catalogue's confidence, suppression under its threshold and RAG against the family's
    default target. An agency with no instances has a row with denominator 0 (shown as no data)."""
    stats = catalogue.statistics
    owners = list(dict.fromkeys(e.owner for e in catalogue.entitlements))
    whole = rows.loc[rows["group_value"] == "all"].drop_duplicates("metric_id").set_index("metric_id")
    records = []
    for family in FAMILIES:
        target = (
            catalogue.vcop_measures.target if family == "VCOP" else getattr(catalogue.duty_measures, "target", None)
        )
        for owner in owners:
            ids = [f"{family}_{e.code}" for e in catalogue.entitlements if e.owner == owner]
            ids = [i for i in ids if i in whole.index]
            if not ids:
                continue
            part = whole.loc[ids]
            records.append((owner, family, part["numerator"].sum(), part["denominator"].sum(), target))
    out = pd.DataFrame(records, columns=["owner", "family", "numerator", "denominator", "target"])
    low, high = wilson(out["numerator"], out["denominator"], z=z_for(stats.confidence))
    suppressed = ~(out["denominator"] >= stats.suppression_threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = (out["numerator"] / out["denominator"]).where(~suppressed)
    out["ci_low"] = pd.Series(low, index=out.index).where(~suppressed)
    out["ci_high"] = pd.Series(high, index=out.index).where(~suppressed)
    out["suppressed"] = suppressed
    out["rag"] = rag(out["value"], out["target"], "up", stats.amber_margin) if len(out) else []
    out["kind"] = "rate"
    return out.reindex(columns=AGENCY_COLUMNS)
