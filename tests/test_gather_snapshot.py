"""Exports take their prepared frames from the metrics snapshot a load wrote (results/frames.prepared): the
same numbers as fetching every row, without fetching the snapshot's sources; the database otherwise."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data import queries
from data import snapshot as snapshots
from metrics.catalogue import load_catalogue
from metrics.scorecard import window
from reports.gather import gather
from results.frames import prepared as prepared_frames
from tests.conftest import SMALL_DEMO_AS_OF

CAT = load_catalogue()
AS_OF = SMALL_DEMO_AS_OF


@pytest.fixture
def loaded(small_demo):
    """200 demo victims (36 months to 31 March 2024), snapshots kept in tmp_path."""
    return small_demo


@pytest.fixture
def fetched(monkeypatch):
    """The sources each database fetch asked for (None: every source)."""
    calls: list[tuple[str, ...] | None] = []
    real = queries.metric_frames

    def recording(*args, **kwargs):
        calls.append(kwargs.get("sources"))
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "metric_frames", recording)
    return calls


def rows_of(engine) -> pd.DataFrame:
    inputs = gather(engine, start=dt.date(2024, 1, 1), end=AS_OF, portfolio="vcop", with_cases=False)
    return inputs.metric_rows.sort_values(["metric_id", "group", "group_value", "period_start"]).reset_index(drop=True)


def test_an_export_reads_the_snapshot_and_gives_the_database_numbers(loaded, fetched):
    without = rows_of(loaded)  # no snapshot written yet: every source fetched
    assert fetched == [None]
    snapshots.refresh_snapshot(loaded, CAT)
    fetched.clear()
    with_snapshot = rows_of(loaded)
    # Only the sources edited in the app were read from the database; victims and entitlements came from Parquet.
    assert fetched == [queries.LIVE_SOURCES]
    assert not {"victims", "entitlements"} & set(queries.LIVE_SOURCES)
    assert len(with_snapshot) > 0
    pd.testing.assert_frame_equal(with_snapshot, without)


def test_a_window_before_the_snapshot_is_fetched_and_an_export_never_writes_one(loaded, fetched):
    first = pd.Timestamp(window(AS_OF)[0]) - pd.DateOffset(months=1)
    prepared = prepared_frames(loaded, CAT, AS_OF, first, AS_OF)
    assert prepared.start == first
    assert fetched == [None]  # no snapshot: fetched from the database
    assert not list(snapshots.cache_dir(loaded).glob("metrics-*"))  # and none was written by the export
    snapshots.refresh_snapshot(loaded, CAT)
    fetched.clear()
    prepared_frames(loaded, CAT, AS_OF, first, AS_OF)
    assert fetched == [None]  # the snapshot starts at the scorecard window, after this export's first month


def test_an_export_states_the_catalogues_thresholds_and_margins(loaded, monkeypatch):
    from reports import gather as gathering

    stats = CAT.statistics.model_copy(
        update={"suppression_threshold": 20, "publication_threshold": 10, "amber_margin": 0.025}
    )
    monkeypatch.setattr(gathering, "load_catalogue", lambda: CAT.model_copy(update={"statistics": stats}))
    inputs = gather(loaded, start=dt.date(2024, 1, 1), end=AS_OF, portfolio="vcop", with_cases=False)
    assert (inputs.rate_threshold, inputs.publication_threshold) == (20, 10)
    assert (inputs.amber_margin, inputs.amber_margin_relative) == (0.025, 0.05)
