"""Small hand-built frames for the measure tests, typed as data.queries returns them, and a one-call runner."""

from __future__ import annotations

import pandas as pd

from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import Period

CAT = load_catalogue()
BOOLEAN_COLUMNS = {
    "domestic_abuse", "hate_crime", "enhanced_rights", "declined", "support_accepted", "cope_recover_improved",
    "is_victim", "required_to_attend", "attended", "witness_service_referred", "pre_trial_visit",
    "sma_quality_assured", "q_aware_of_code", "q_would_report_again",
}  # fmt: skip
VICTIM_DEFAULTS = {
    "reported_date": "2024-01-10",
    "recorded_date": None,
    "offence_group": "theft",
    "domestic_abuse": False,
    "hate_crime": False,
    "enhanced_rights": False,
    "age_band": "25-34",
    "sex": "female",
    "ethnicity": "white",
    "disability": "no",
    "preferred_language": "en",
    "area": "Newport",
    "unit": "Victim Care Unit",
    "outcome": "ongoing",
    "outcome_date": None,
}


def typed(rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame with the dtypes data.queries gives: datetime64[s] dates, nullable booleans."""
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
        elif column in BOOLEAN_COLUMNS:
            frame[column] = frame[column].astype("boolean")
        elif column.startswith("q_") or column in ("participants", "new_participants"):
            frame[column] = frame[column].astype("Int64")
    return frame


def victims(*overrides: dict) -> pd.DataFrame:
    """Victims VC-1, VC-2, ... with defaults for every attribute, each overridden by its dict."""
    rows = [{"case_id": f"VC-{i}", **VICTIM_DEFAULTS, **o} for i, o in enumerate(overrides, start=1)]
    frame = typed(rows)
    frame["case_id"] = frame["case_id"].astype("string")
    return frame


def entitlements(*rows: tuple) -> pd.DataFrame:
    """Entitlement rows from (case_id, code, trigger_date, delivered_date[, declined[, language[, unit]]])."""
    names = ["case_id", "code", "trigger_date", "delivered_date", "declined", "language", "unit"]
    records = [dict(zip(names, (*r, *([None] * (len(names) - len(r)))), strict=True)) for r in rows]
    return typed(records)


def run(
    frames: dict[str, pd.DataFrame],
    *,
    start: str,
    end: str,
    as_of: str,
    metric_ids: list[str],
    periods: list[Period] | None = None,
    portfolio: str | None = None,
    by: str | None = None,
    targets: pd.DataFrame | None = None,
    catalogue=CAT,
) -> pd.DataFrame:
    """prepare + compute over [start, end] (one period unless given) judged at as_of."""
    prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end, by=by)
    periods = periods or [Period(start, end)]
    return compute(prepared, catalogue, periods=periods, portfolio=portfolio, metric_ids=metric_ids, targets=targets)


def counts(result: pd.DataFrame, metric_id: str, group_value: str = "all", label: str | None = None) -> tuple:
    """(numerator, denominator) of one output row; a missing denominator comes back as None."""
    row = pick(result, metric_id, group_value, label)
    denominator = None if pd.isna(row["denominator"]) else float(row["denominator"])
    return float(row["numerator"]), denominator


def pick(result: pd.DataFrame, metric_id: str, group_value: str = "all", label: str | None = None) -> pd.Series:
    """The single output row of a measure and group (in the period with this label, when several)."""
    rows = result.loc[(result["metric_id"] == metric_id) & (result["group_value"] == group_value)]
    if label is not None:
        rows = rows.loc[rows["period_label"] == label]
    assert len(rows) == 1, rows
    return rows.iloc[0]
