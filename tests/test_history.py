"""The load history and source freshness queries, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert

from data.history import (
    FRESHNESS_COLUMNS,
    HISTORY_COLUMNS,
    SOURCES,
    freshness,
    freshness_status,
    load_history,
    months_between,
)
from data.ingest import import_bytes
from data.models import CONTRACT_TABLES, Base, PoliceUkStreet

VICTIM_HEADER = (
    "case_id,crime_ref,reported_date,offence_group,domestic_abuse,hate_crime,enhanced_rights,enhanced_reason,"
    "age_band,sex,ethnicity,disability,preferred_language,area,unit,outcome,outcome_date"
)


def victims_csv(*rows: tuple[str, str, str]) -> bytes:
    """A victims file: one row per (case_id, reported_date, offence_group), every other column valid."""
    lines = [VICTIM_HEADER]
    for case_id, reported, offence in rows:
        lines.append(
            f"{case_id},CR-{case_id},{reported},{offence},no,no,no,,25-34,female,white,no,en,Newport,CID,ongoing,"
        )
    return ("\n".join(lines) + "\n").encode()


def entitlements_csv(*rows: tuple[str, str, str]) -> bytes:
    """An entitlements file: one row per (entitlement_id, case_id, trigger_date)."""
    lines = ["entitlement_id,case_id,code,trigger_date,delivered_date"]
    lines += [f"{eid},{case},R2_RECORDED,{trigger}," for eid, case, trigger in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (dt.date(2025, 6, 1), dt.date(2025, 6, 30), 0),
        (dt.date(2025, 4, 30), dt.date(2025, 6, 1), 2),
        (dt.date(2025, 3, 31), dt.date(2025, 6, 1), 3),
        (dt.date(2024, 11, 15), dt.date(2025, 2, 1), 3),
        (dt.date(2025, 7, 1), dt.date(2025, 6, 30), -1),
    ],
)
def test_months_between_counts_calendar_months(earlier, later, months):
    assert months_between(earlier, later) == months


@pytest.mark.parametrize(
    ("latest", "as_of", "rows", "monthly", "status"),
    [
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30), 10, True, "current"),  # 2 months behind: not more than 2
        (dt.date(2025, 3, 31), dt.date(2025, 6, 30), 10, True, "stale"),  # 3 months behind
        (dt.date(2025, 6, 29), dt.date(2025, 6, 30), 10, True, "current"),
        (dt.date(2025, 7, 2), dt.date(2025, 6, 30), 10, True, "current"),  # data after the as-of date is not old
        (None, dt.date(2025, 6, 30), 0, True, "empty"),
        (dt.date(2023, 1, 5), dt.date(2025, 6, 30), 4, False, "register"),  # registers are never stale
        (dt.date(2025, 1, 5), None, 4, True, "unknown"),
    ],
)
def test_freshness_status(latest, as_of, rows, monthly, status):
    assert freshness_status(latest, as_of, rows, monthly) == status


def test_every_source_is_a_real_table_and_column():
    for source in SOURCES:
        # "" only for a table dated by its parent (STATUTORY.md: referral needs, inspection grades), never a feed.
        assert source.dated_by in Base.metadata.tables[source.table].c or (not source.dated_by and not source.monthly)
    assert set(CONTRACT_TABLES) <= {s.table for s in SOURCES}


def test_empty_database_has_no_history_and_empty_sources(engine):
    assert load_history(engine).empty
    assert list(load_history(engine).columns) == HISTORY_COLUMNS
    frame = freshness(engine, None)
    assert list(frame.columns) == FRESHNESS_COLUMNS
    assert len(frame) == len(SOURCES)
    assert set(frame["status"]) == {"empty"}
    assert frame["rows"].sum() == 0


def test_history_lists_every_load_newest_first_with_who_and_outcome(engine):
    good = victims_csv(("VC-1", "2025-03-04", "theft"), ("VC-2", "2025-05-20", "burglary"))
    bad = victims_csv(("VC-3", "2025-05-01", "not_an_offence"))
    first = import_bytes(engine, "victims.csv", good, loaded_by="analyst", as_of=dt.date(2025, 5, 31))[0]
    second = import_bytes(engine, "victims.csv", bad, loaded_by="admin")[0]
    third = import_bytes(engine, "victims.csv", good, loaded_by="analyst", as_of=dt.date(2025, 6, 30))[0]
    assert (first.ok, second.ok, third.ok) == (True, False, True)

    history = load_history(engine)
    assert list(history["load_id"]) == [third.load_id, second.load_id, first.load_id]
    assert list(history["loaded_by"]) == ["analyst", "admin", "analyst"]
    assert list(history["outcome"]) == ["loaded", "rejected", "loaded"]
    assert list(history["rows_inserted"]) == [0, 0, 2]
    assert list(history["rows_updated"]) == [2, 0, 0]  # the same rows again are upserted, not duplicated
    assert list(history["error_count"]) == [0, 1, 0]
    assert history["sha256"].iloc[0] == first.sha256 == third.sha256 != second.sha256
    assert history["as_of_date"].iloc[0] == dt.date(2025, 6, 30)
    assert list(load_history(engine, limit=1)["load_id"]) == [third.load_id]


def test_freshness_per_source(engine):
    victims = victims_csv(
        ("VC-1", "2025-03-04", "theft"), ("VC-2", "2025-05-20", "burglary"), ("VC-3", "2025-01-02", "robbery")
    )
    assert import_bytes(engine, "victims.csv", victims, loaded_by="analyst", as_of=dt.date(2025, 6, 30))[0].ok
    entitlements = entitlements_csv(("E-1", "VC-1", "2025-03-05"), ("E-2", "VC-3", "2025-02-11"))
    assert import_bytes(engine, "entitlements.csv", entitlements, loaded_by="analyst")[0].ok
    # A later rejected load does not count as the latest load of the table.
    assert not import_bytes(engine, "entitlements.csv", b"entitlement_id\nE-9\n", loaded_by="analyst")[0].ok
    street = PoliceUkStreet.__table__
    row = {"falls_within": "Gwent Police", "month": "2025-03", "crime_type": "Burglary"}
    with engine.begin() as conn:
        conn.execute(insert(street), [{**row, "file_month": "2025-03"}, {**row, "file_month": "2025-02"}])

    frame = freshness(engine, dt.date(2025, 6, 30)).set_index("table_name")
    history = load_history(engine).set_index("load_id")
    victims_load = history[history["table_name"] == "victims"].iloc[0]
    assert frame.loc["victims", "latest_load_at"] == victims_load["loaded_at"]
    assert frame.loc["victims", "load_as_of"] == dt.date(2025, 6, 30)
    assert frame.loc["victims", "latest_period"] == dt.date(2025, 5, 20)
    assert frame.loc["victims", "rows"] == 3
    assert frame.loc["victims", "months_behind"] == 1
    assert frame.loc["victims", "status"] == "current"

    loaded = history[(history["table_name"] == "entitlements") & (history["outcome"] == "loaded")].iloc[0]
    assert frame.loc["entitlements", "latest_load_at"] == loaded["loaded_at"]
    assert frame.loc["entitlements", "load_as_of"] == dt.date(2025, 3, 5)  # the file's latest trigger date
    assert frame.loc["entitlements", "latest_period"] == dt.date(2025, 3, 5)
    assert frame.loc["entitlements", "rows"] == 2
    assert frame.loc["entitlements", "months_behind"] == 3
    assert frame.loc["entitlements", "status"] == "stale"

    assert frame.loc["policeuk_street", "latest_period"] == dt.date(2025, 3, 1)
    assert frame.loc["policeuk_street", "rows"] == 2
    assert frame.loc["policeuk_street", "status"] == "stale"
    assert pd.isna(frame.loc["policeuk_street", "latest_load_at"])  # rows written without a recorded load

    assert frame.loc["referrals", "status"] == "empty"
    assert frame.loc["referrals", "rows"] == 0
