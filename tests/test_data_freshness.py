"""The app's caches never outlive a change to what they were computed from: an action raised in any session shows at
once in every cached scorecard (ui/results_cache.py keys every measure computation on the sources' fingerprint), and
so does a new load."""

from __future__ import annotations

import datetime as dt

from data import actions, queries
from tests.accountability_support import LEAD_DA
from ui import results_cache


def overdue_actions(db: str, as_of: dt.date) -> tuple[float, float]:
    cards = results_cache.all_scorecards(db, as_of)
    row = cards.loc[(cards["portfolio_id"] == "inspection") & (cards["metric_id"] == "ACT_OVERDUE")].iloc[0]
    return float(row["numerator"]), float(row["denominator"])


def test_an_action_raised_shows_at_once_in_the_cached_scorecard(seeded_copy):
    db = results_cache.db_key()
    as_of = results_cache.as_of_date(db)
    before_version = queries.live_version(seeded_copy)
    numerator, denominator = overdue_actions(db, as_of)
    assert overdue_actions(db, as_of) == (numerator, denominator)  # served from the cache
    # Raised 30 days before the as-of date and due 10 days before it, not done: open and overdue at the period end.
    actions.create_action(
        seeded_copy, LEAD_DA, title="Weekly audit of victim updates", portfolio="vawg_da", owner="DA lead",
        due_date=as_of - dt.timedelta(days=10), today=as_of - dt.timedelta(days=30),
    )  # fmt: skip
    assert queries.live_version(seeded_copy) != before_version
    assert overdue_actions(db, as_of) == (numerator + 1, denominator + 1)


def test_the_live_fingerprint_moves_with_every_save(seeded_copy):
    first = queries.live_version(seeded_copy)
    assert queries.live_version(seeded_copy) == first  # nothing changed, nothing moves
    created = actions.create_action(
        seeded_copy, LEAD_DA, title="Call-backs", portfolio="vawg_da", owner="DA lead",
        due_date=dt.date(2030, 1, 1), today=dt.date(2026, 1, 5),
    )  # fmt: skip
    second = queries.live_version(seeded_copy)
    assert second[0] == first[0] + 1 and second[3] == first[3] + 1  # one more action, version 1
    actions.update_action(seeded_copy, LEAD_DA, created["action_id"], created["version"], {"owner": "Another owner"})
    third = queries.live_version(seeded_copy)
    assert third[0] == second[0] and third[3] == second[3] + 1  # same rows, one version higher
