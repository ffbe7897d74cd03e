"""config/sources.py declares each source once; the rooms that need a fact about a source read it from there."""

from __future__ import annotations

from config import sources
from data import history, queries, snapshot
from data.models import CONTRACT_TABLES, Base
from metrics import measures
from metrics.catalogue import load_catalogue


def test_every_fact_names_a_real_table_and_column():
    for source in sources.SOURCES:
        columns = Base.metadata.tables[source.table].c
        named = {source.dated_by, *source.fetch_dates, *source.own_attributes, *source.later_dates}
        if source.table == "special_measures":
            columns = [*columns, *Base.metadata.tables["witnesses"].c]  # fetched with its witness's trial date
        fetched_with = {"quality_reviews": "entitlements", "referral_needs": "referrals"}  # STATUTORY.md §3, §6
        if source.table in fetched_with:
            columns = [*columns, *Base.metadata.tables[fetched_with[source.table]].c]
        named.discard("")  # a table dated by its parent
        assert named <= {c.name for c in columns}, source.table


def test_sources_follow_the_load_order_of_the_contract_tables():
    tables = [s.table for s in sources.SOURCES]
    assert len(set(tables)) == len(tables)
    assert [t for t in tables if t in CONTRACT_TABLES] == list(CONTRACT_TABLES)


def test_the_catalogue_defines_exactly_the_measured_sources():
    assert set(load_catalogue().sources) == set(sources.MEASURED)


def test_the_rooms_read_the_one_declaration():
    assert queries.SOURCE_ORDER == measures.SOURCES == sources.MEASURED
    assert queries.LIVE_SOURCES == sources.LIVE
    assert set(snapshot.SNAPSHOT_SOURCES) | set(sources.LIVE) == set(sources.MEASURED)
    assert not set(snapshot.SNAPSHOT_SOURCES) & set(sources.LIVE)
    assert queries.OWN is measures.OWN_ATTRIBUTES is sources.OWN_ATTRIBUTES
    assert snapshot.FETCH_DATES is sources.FETCH_DATES and measures.LATER_DATES is sources.LATER_DATES
    assert history.SOURCES is sources.SOURCES
    assert "config/sources.py" in snapshot.JUDGING_MODULES  # a changed fact gives snapshots a new key


def test_label_keys_exist_in_both_languages():
    from config.i18n import catalogue

    for lang in ("en", "cy"):
        assert [s.label_key for s in sources.SOURCES if s.label_key not in catalogue(lang)] == [], lang
