"""The fair anchor (bench/bench_anchor.py): DuckDB's persisted database of the demo rows gives every cell of both
queries (VCOP per code × month, VCOP per code by area) as the app's own path does. No timing is asserted."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from bench import bench_anchor
from data.demo import write_demo
from data.engine import make_engine
from data.ingest import import_paths
from data.migrate import upgrade


@pytest.fixture
def loaded(tmp_path, monkeypatch):
    """2,000 demo victims (36 months to 31 March 2024) in a fresh SQLite file; its snapshots in tmp_path."""
    demo, url = tmp_path / "demo", f"sqlite:///{tmp_path / 'anchor.sqlite3'}"
    write_demo(demo, cases=2000, seed=11, months=36, as_of=dt.date(2024, 3, 31))
    engine = make_engine(url)
    upgrade(engine)
    assert all(r.ok for r in import_paths(engine, [demo], loaded_by="test"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VSD_CACHE_DIR", str(tmp_path / "cache"))
    return url, demo, tmp_path


def test_duckdb_persisted_gives_every_cell_of_both_queries(loaded):
    url, demo, tmp_path = loaded
    duck = tmp_path / "anchor.duckdb"
    measured = bench_anchor.run(url, demo, tmp_path / "cache", duck, repeats=1, drop=False, spawn=False)
    assert measured["build"]["built"] and measured["build"]["rows"]["victims"] == 2000
    assert measured["snapshot"]["written"]  # import_paths alone writes none: the anchor makes it current first
    for query in bench_anchor.QUERIES:
        theirs, ours = (part["frame"] for part in measured["results"][query])
        cells, differing = bench_anchor.compare(ours, theirs)
        assert differing == 0, query
        assert cells == 2 * len(ours) >= 2 * len(theirs) > 0  # ours also lists a code with no instances (as 0)
        assert theirs["denominator"].sum() > 0 and theirs["numerator"].sum() > 0
    months = measured["results"]["month"][0]["frame"]["key"]
    assert months.min() == pd.Timestamp("2021-04-01") and months.max() == pd.Timestamp("2024-03-01")
    assert set(measured["results"]["area"][1]["frame"]["key"]) == set(pd.read_csv(demo / "victims.csv")["area"])
    assert "cells equal" in bench_anchor.report(measured, 1)
    # A second run reuses the database file it built and the snapshot it made current.
    assert not bench_anchor.build_duckdb(duck, demo, measured["as_of"])["built"]
    assert not bench_anchor.ensure_snapshot(url)["written"]


def test_a_changed_differing_cell_is_counted():
    ours = pd.DataFrame({"code": ["A", "A"], "key": ["x", "y"], "numerator": [1, 2], "denominator": [3, 4]})
    theirs = ours.assign(numerator=[1, 3]).iloc[[1, 0]]
    assert bench_anchor.compare(ours, theirs) == (4, 1)
    assert bench_anchor.compare(ours, theirs.iloc[:1]) == (4, 3)  # a group DuckDB lacks counts as 0 there
