"""The tidy measure table behind `cli.py metrics` (METRICS.md §6): every measure for one portfolio over one period."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from metrics.catalogue import Catalogue
from metrics.measures import Prepared, prepare
from metrics.measures import compute as compute_measures
from metrics.periods import Period, months
from metrics.safety import csv_text

COLUMNS = [
    "metric_id",
    "portfolio_id",
    "group",
    "group_value",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "suppressed",
    "target",
    "rag",
]
# exception_reason cuts EXC_SHARE only (STATUTORY.md §8); other measures ignore it, as non-case measures a cohort.
BY_CHOICES = (
    "month", "area", "unit", "offence_group", "enhanced_rights", "age_band", "sex", "ethnicity", "disability",
    "preferred_language", "exception_reason",
)  # fmt: skip


def measure_table(
    frames: dict[str, pd.DataFrame],
    catalogue: Catalogue,
    *,
    start,
    end,
    as_of,
    portfolio: str = "vcop",
    by: str | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per measure × group for [start, end] judged at `as_of`, in the columns of METRICS.md §6.

    Without `by` the group is "all"; with by="month" one row per calendar month (group_value YYYY-MM); with a cut,
    one row per value of it for measures whose source carries it, and an "all" row for the others.
    """
    if by is not None and by not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}")
    catalogue.portfolio(portfolio)  # unknown portfolio: KeyError naming the known ones
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end, by=cut_of(by))
    return table_of(prepared, catalogue, start=start, end=end, portfolio=portfolio, by=by, targets=targets)


def cut_of(by: str | None) -> str | None:
    """The victim attribute a --by choice cuts by (None for the whole cohort or months)."""
    return None if by in (None, "month") else by


def table_of(
    prepared: Prepared,
    catalogue: Catalogue,
    *,
    start,
    end,
    portfolio: str = "vcop",
    by: str | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """measure_table's rows from frames already prepared (cut by cut_of(by)) for a window holding [start, end]."""
    if by is not None and by not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}")
    catalogue.portfolio(portfolio)
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    periods = months(start, end) if by == "month" else [Period(start, end, "custom", "all")]
    rows = compute_measures(prepared, catalogue, periods=periods, portfolio=portfolio, targets=targets)
    if by == "month":
        rows["group"] = "month"
        rows["group_value"] = rows["period_label"]
    return rows[COLUMNS].reset_index(drop=True)


def _plain(value):
    """A number as plain Python: whole numbers as int (counts read 12, not 12.0), None when missing."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def _text(value) -> str:
    """A number as CSV text at full precision, blank when missing."""
    plain = _plain(value)
    return "" if plain is None else repr(plain)


def to_csv(table: pd.DataFrame) -> str:
    """The table as CSV (the one formula-safe writer): ISO dates, blank where a column does not apply, suppressed as
    true/false."""
    out = pd.DataFrame(
        {
            "metric_id": table["metric_id"],
            "portfolio_id": table["portfolio_id"],
            "group": table["group"],
            "group_value": table["group_value"],
            "period_start": pd.to_datetime(table["period_start"]).dt.strftime("%Y-%m-%d"),
            "period_end": pd.to_datetime(table["period_end"]).dt.strftime("%Y-%m-%d"),
            "numerator": table["numerator"].map(_text),
            "denominator": table["denominator"].map(_text),
            "value": table["value"].map(_text),
            "ci_low": table["ci_low"].map(_text),
            "ci_high": table["ci_high"].map(_text),
            "suppressed": np.where(table["suppressed"].astype(bool), "true", "false"),
            "target": table["target"].map(_text),
            "rag": table["rag"].fillna(""),
        }
    )
    return csv_text(out)


def to_json(table: pd.DataFrame) -> str:
    """The table as a JSON list of objects: null where a column does not apply."""
    records = []
    for row in table.itertuples(index=False):
        item = {}
        for column, value in zip(COLUMNS, row, strict=True):
            if column in ("period_start", "period_end"):
                value = pd.Timestamp(value).strftime("%Y-%m-%d")
            elif column == "suppressed":
                value = bool(value)
            elif column in ("numerator", "denominator", "value", "ci_low", "ci_high", "target"):
                value = _plain(value)
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                value = None
            item[column] = value
        records.append(item)
    return json.dumps(records, indent=1)
