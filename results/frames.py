"""Prepared frames for a window: from the metrics snapshot when it is current and holds the window, else fetched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from data import queries
from data import snapshot as snapshots
from metrics import scorecard as windows
from metrics.catalogue import Catalogue
from metrics.measures import Prepared, prepare, victim_columns

Filters = tuple[tuple[str, str], ...]  # (column, value) pairs narrowing every number


def as_of_date(engine: Engine) -> dt.date | None:
    """The dashboard's as-of date: that of the case extract (data.queries.dashboard_as_of decides it)."""
    return queries.latest_as_of(engine)


def source_loads(engine: Engine) -> pd.DataFrame:
    """Each source's latest load: its as-of date and when it was loaded (shown beside the as-of date)."""
    return queries.source_loads(engine)


def prepared(
    engine: Engine,
    catalogue: Catalogue,
    as_of: dt.date,
    start,
    end,
    *,
    by: str | None = None,
    filters: Filters = (),
    snapshot: Callable[[], snapshots.Snapshot] | None = None,
) -> Prepared:
    """Every source frame for [start, end], prepared at `as_of` (entitlement states judged then), cut `by` a column
    and narrowed to the victims matching `filters`.

    The scorecard window with no cut and no filter has its frames stored ready in the snapshot. Otherwise the
    snapshot serves them (data.snapshot.prepared_from: each source when first used, entitlements and victims from the
    frames it keeps per cut when the window is of whole months, else from its judged rows): `snapshot()` gives it
    (the app's cached copy, asked for only when needed), else it is read from the files, never written here, so an
    export at an earlier as-of date cannot replace the app's. A window the snapshot does not hold is fetched.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if by is None and not filters and (start, end) == windows.window(as_of):
        ready = snapshots.scorecard_prepared(engine, catalogue, as_of)
        if ready is not None:
            return ready
    snapshot = snapshot() if snapshot is not None else snapshots.read_snapshot(engine, catalogue, as_of)
    if snapshot is not None:
        ready = snapshots.prepared_from(snapshot, engine, catalogue, start=start, end=end, by=by, filters=dict(filters))
        if ready is not None:  # None: the window starts before the snapshot does
            return ready
    # Filters need every victim attribute; otherwise only the ones measures use (and the cut) are fetched.
    columns = None if filters else victim_columns(catalogue, by)
    frames = queries.metric_frames(engine, start.date(), end.date(), as_of=as_of, victim_columns=columns)
    return prepare(frames, catalogue, as_of=as_of, start=start, end=end, by=by, filters=dict(filters))


def covers(ready: Prepared | None, as_of: dt.date, start, end) -> bool:
    """Whether prepared frames (uncut, unfiltered) at `as_of` hold the window [start, end]."""
    if ready is None or ready.by is not None or ready.as_of != pd.Timestamp(as_of):
        return False
    return ready.start <= pd.Timestamp(start) and ready.end >= pd.Timestamp(end)
