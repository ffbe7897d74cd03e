"""The process warm-up (ui/warmup.py): one background thread per process and database that leaves every scorecard in
the cache the landing page reads, the same numbers the metrics engine gives; off when VSD_WARM_UP=0."""

from __future__ import annotations

import pandas as pd

from tests.test_page_scorecard import expected_cards  # noqa: F401  (fixture)
from ui import results_cache, warmup


def test_the_warm_up_leaves_every_scorecard_cached(seeded_app_env, expected_cards, monkeypatch):  # noqa: F811
    monkeypatch.setenv("VSD_WARM_UP", "1")
    db = results_cache.db_key()
    calls = []
    real = results_cache.scorecards
    monkeypatch.setattr(results_cache, "scorecards", lambda *a, **k: calls.append(1) or real(*a, **k))
    thread = warmup.start()
    assert thread is not None and thread.name == "vsd-warm-up"
    thread.join(timeout=300)
    assert not thread.is_alive() and calls == [1]
    assert warmup.start() is thread  # once per process and database
    # The landing page's own call is now a cache hit with the engine's numbers.
    cards = results_cache.all_scorecards(db, results_cache.as_of_date(db))
    assert calls == [1]
    pd.testing.assert_frame_equal(cards, expected_cards)


def test_the_warm_up_can_be_turned_off(seeded_app_env, monkeypatch):
    monkeypatch.setenv("VSD_WARM_UP", "0")
    assert warmup.start() is None
