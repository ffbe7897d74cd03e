"""The demo's statutory files: the planted need improves clearly less often than every other category, and the new
files change no v1 figure (the engine gives every v1 measure the same value with or without them)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data import queries
from data.demo import write_demo
from data.demo_needs import PLANTED_NEED
from data.engine import make_engine
from data.ingest import import_paths
from data.migrate import upgrade
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import rolling_12

AS_OF = dt.date(2024, 3, 31)
V2 = ("quality_reviews", "referral_needs", "inspections")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("statutory_demo")
    write_demo(out, cases=3000, seed=5, months=24, as_of=AS_OF)
    return out


def test_the_planted_need_improves_clearly_less_often(demo):
    needs = pd.read_csv(demo / "referral_needs.csv", dtype=str, keep_default_na=False)
    outcome = needs.loc[needs["improved"] != ""]
    share = outcome.assign(improved=outcome["improved"] == "true").groupby("need")["improved"].agg(["mean", "size"])
    assert len(share) == 8 and share["size"].min() >= 30
    others = share.drop(index=PLANTED_NEED)["mean"]
    assert share.loc[PLANTED_NEED, "mean"] < others.min() - 0.15  # clearly: 15 points below the next lowest


def test_quality_reviews_fail_next_steps_most_and_updates_meet_less_often(demo):
    reviews = pd.read_csv(demo / "quality_reviews.csv", dtype=str, keep_default_na=False)
    codes = pd.read_csv(demo / "entitlements.csv", dtype=str, usecols=["entitlement_id", "code"])
    reviews = reviews.merge(codes, on="entitlement_id")
    assert (reviews.loc[reviews["result"] == "meets", "failed_criteria"] == "").all()
    assert (reviews.loc[reviews["result"] != "meets", "failed_criteria"] != "").all()  # the contract's rule
    failed = reviews["failed_criteria"].str.split(";").explode()
    assert failed[failed != ""].value_counts().index[0] == "next_steps"
    updates = reviews["code"].str.startswith("R6_")
    meets = reviews["result"] == "meets"
    assert meets[updates].mean() < meets[~updates].mean()


def test_the_new_files_change_no_v1_figure(demo, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    upgrade(engine)
    assert all(r.ok for r in import_paths(engine, [demo], loaded_by="test"))
    catalogue = load_catalogue()
    period = rolling_12(AS_OF)
    frames = queries.metric_frames(engine, period.start, period.end, as_of=AS_OF)
    engine.dispose()
    assert all(len(frames[s]) for s in V2)
    v1 = [m.id for m in catalogue.all_measures if m.source not in V2]

    def values(sources):
        ready = prepare(sources, catalogue, as_of=AS_OF, start=period.start, end=period.end)
        rows = compute(ready, catalogue, periods=[period], metric_ids=v1)
        return rows.set_index("metric_id")[["numerator", "denominator", "value", "x1", "n1", "x2", "n2"]]

    without = values({s: f for s, f in frames.items() if s not in V2})
    pd.testing.assert_frame_equal(values(frames), without)
