"""police.uk open data's measures (PUB_*) in their own window: police.uk publishes months behind the force's own
extracts, so its as-of date is the end of the latest month loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from metrics.catalogue import Catalogue
from metrics.measures import Prepared, compute, prepare
from metrics.periods import Period, months
from results.changes import CHANGE_COLUMNS, headline_rows, with_change, year_before

SOURCE = "policeuk_street"
MEASURES = ("PUB_CRIMES", "PUB_UNABLE_TO_PROSECUTE")


def public_prepared(street: pd.DataFrame, catalogue: Catalogue, as_of, start, end, by: str | None) -> Prepared:
    """The police.uk crimes prepared for [start, end] at the police.uk as-of date."""
    return prepare({SOURCE: street}, catalogue, as_of=as_of, start=start, end=end, by=by)


def public_rows(
    ready: Prepared, catalogue: Catalogue, start, end, *, monthly: bool = False, targets: pd.DataFrame | None = None
) -> pd.DataFrame:
    """PUB_* measure rows for [start, end] (and each of its months when `monthly`)."""
    periods = [Period(start, end, "custom")] + (months(start, end) if monthly else [])
    return compute(ready, catalogue, periods=periods, metric_ids=list(MEASURES), targets=targets)


def public_with_change(
    rows_for: Callable[[dt.date, dt.date], pd.DataFrame], catalogue: Catalogue, first: dt.date, start, end
) -> pd.DataFrame:
    """PUB_* headline rows with the change on the same months a year before, when those months are all loaded
    (months before the first one loaded would count as zero crimes, not as unknown: then no comparison)."""
    now = rows_for(start, end)
    earlier_start, earlier_end = year_before(start, end)
    if earlier_start < first:
        out = headline_rows(now)
        for column in CHANGE_COLUMNS:
            out[column] = None
        return out
    return with_change(now, rows_for(earlier_start, earlier_end), catalogue)
