"""The case list of late and missed entitlements: access checked before any read, the portfolio's cohort applied,
and states, elapsed days and timescales worked out by hand (March 2024: Good Friday is the 29th, after as-of)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert

from auth.roles import Scope
from data.cases import AccessDenied, missed_and_late, portfolio_codes, resolve_codes
from data.models import Entitlement, Victim
from metrics.catalogue import load_catalogue

START, END, AS_OF = dt.date(2024, 3, 1), dt.date(2024, 3, 31), dt.date(2024, 3, 28)  # as-of is a Thursday

LEAD_DA = Scope.for_user("lead.da", ["lead"], ["vawg_da"])
LEAD_WCU = Scope.for_user("lead.wcu", ["lead"], ["witness_care", "special_measures"])
BOARD = Scope.for_user("board", ["board"])
INSPECTOR = Scope.for_user("inspector", ["inspector"])


def _victim(case_id: str, domestic_abuse: bool, enhanced: bool, unit: str, area: str) -> dict:
    return {
        "case_id": case_id, "crime_ref": f"CR-{case_id}", "reported_date": dt.date(2024, 2, 1),
        "offence_group": "violence_with_injury", "domestic_abuse": domestic_abuse, "hate_crime": False,
        "enhanced_rights": enhanced, "enhanced_reason": "vulnerable" if enhanced else None, "age_band": "25-34",
        "sex": "female", "ethnicity": "white", "disability": "no", "preferred_language": "en", "area": area,
        "unit": unit, "outcome": "ongoing", "outcome_date": None,
    }  # fmt: skip


VICTIMS = [
    _victim("VC-DA1", True, False, "Public Protection Unit", "Newport"),
    _victim("VC-DA2", True, True, "Public Protection Unit", "Torfaen"),
    _victim("VC-OT1", False, False, "Response East", "Caerphilly"),
]
S = "R6_SUSPECT_UPDATE"  # 5 working days standard, 1 enhanced
# entitlement_id, case_id, code, trigger, delivered, declined, own unit
ENTITLEMENTS = [
    ("E01", "VC-DA1", S, "2024-03-01", "2024-03-08", False, None),  # 5 wd (4–8 Mar): timely
    ("E02", "VC-DA1", S, "2024-03-01", "2024-03-11", False, None),  # 6 wd > 5: late
    ("E03", "VC-DA2", S, "2024-03-04", "2024-03-06", False, None),  # 2 wd > 1 (enhanced): late
    ("E04", "VC-DA2", S, "2024-03-18", None, False, None),  # 8 wd to as-of > 1 (enhanced): missed
    ("E05", "VC-DA1", S, "2024-03-22", None, False, None),  # 4 wd to as-of ≤ 5: pending, not listed
    ("E06", "VC-DA1", S, "2024-03-04", None, True, None),  # declined: excluded
    ("E07", "VC-DA1", S, "2024-03-11", "2024-04-10", False, None),  # delivered after as-of: 13 wd, missed
    ("E08", "VC-OT1", S, "2024-03-01", None, False, None),  # not domestic abuse: 19 wd, missed
    ("E09", "VC-DA1", "R2_RECORDED", "2024-03-01", "2024-03-03", False, None),  # 2 calendar days > 1: late
    ("E10", "VC-DA1", S, "2024-02-20", None, False, None),  # before the period
    ("E11", "VC-DA1", S, "2024-03-29", None, False, None),  # after as-of, inside the period
    ("E12", "VC-DA1", S, "2024-03-04", None, False, "CID Newport"),  # owed by CID: 18 wd, missed
    ("E13", "VC-DA1", "R8_HEARING_INFO", "2024-03-04", None, False, "Witness Care Unit"),  # 18 wd > 1: missed
]


@pytest.fixture
def seeded(engine):
    """The handmade victims and entitlements in a fresh database."""
    rows = [
        {
            "entitlement_id": eid,
            "case_id": case,
            "code": code,
            "trigger_date": dt.date.fromisoformat(trigger),
            "delivered_date": dt.date.fromisoformat(delivered) if delivered else None,
            "declined": declined,
            "language": None,
            "unit": unit,
        }  # fmt: skip
        for eid, case, code, trigger, delivered, declined, unit in ENTITLEMENTS
    ]
    with engine.begin() as conn:
        conn.execute(insert(Victim), VICTIMS)
        conn.execute(insert(Entitlement), rows)
    return engine


def listed(frame) -> list[tuple]:
    """(entitlement_id, state, elapsed, timescale, day_unit, unit, delivered) of each row, in the list's order."""
    return [
        (r.entitlement_id, r.state, int(r.elapsed), int(r.timescale), r.day_unit, r.unit,
         None if pd.isna(r.delivered_date) else r.delivered_date.date())
        for r in frame.itertuples()
    ]  # fmt: skip


DA_R6 = [
    ("E02", "late", 6, 5, "working", "Public Protection Unit", dt.date(2024, 3, 11)),
    ("E12", "missed", 18, 5, "working", "CID Newport", None),
    ("E03", "late", 2, 1, "working", "Public Protection Unit", dt.date(2024, 3, 6)),
    ("E07", "missed", 13, 5, "working", "Public Protection Unit", None),
    ("E04", "missed", 8, 1, "working", "Public Protection Unit", None),
]
R2_LATE = [("E09", "late", 2, 1, "calendar", "Public Protection Unit", dt.date(2024, 3, 3))]
R8_MISSED = [("E13", "missed", 18, 1, "working", "Witness Care Unit", None)]
ALL_R6 = DA_R6[:1] + [("E08", "missed", 19, 5, "working", "Response East", None)] + DA_R6[1:]


@pytest.mark.parametrize(
    ("scope", "portfolio", "codes", "cuts", "expected"),
    [
        (LEAD_DA, "vawg_da", S, None, DA_R6),
        (LEAD_DA, "vawg_da", f"VCOP_{S}", None, DA_R6),
        (LEAD_DA, "vawg_da", S, {"unit": "CID Newport"}, DA_R6[1:2]),
        (LEAD_DA, "vawg_da", S, {"enhanced_rights": "true"}, [DA_R6[2], DA_R6[4]]),
        (LEAD_DA, "vawg_da", S, {"area": "Torfaen"}, [DA_R6[2], DA_R6[4]]),
        (LEAD_DA, "vawg_da", 2, None, R2_LATE),
        (BOARD, "vcop", S, None, ALL_R6),
        (INSPECTOR, "vcop", S, {"enhanced_rights": False}, [ALL_R6[0], ALL_R6[1], ALL_R6[2], ALL_R6[4]]),
        (BOARD, "vawg_da", S, None, DA_R6),
        (LEAD_WCU, "witness_care", "R8_HEARING_INFO", None, R8_MISSED),
    ],
)  # fmt: skip
def test_case_list_holds_the_cohorts_late_and_missed_instances(seeded, scope, portfolio, codes, cuts, expected):
    frame = missed_and_late(seeded, scope, portfolio, codes, START, END, AS_OF, cuts)
    assert listed(frame) == expected


def test_case_list_carries_pseudonymous_references_only(seeded):
    frame = missed_and_late(seeded, LEAD_DA, "vawg_da", S, START, END, AS_OF)
    assert list(frame.columns) == [
        "case_id", "entitlement_id", "code", "trigger_date", "delivered_date", "state", "elapsed", "timescale",
        "day_unit", "enhanced_rights", "unit", "area",
    ]  # fmt: skip
    assert set(frame["case_id"]) == {"VC-DA1", "VC-DA2"}
    assert list(frame["area"]) == ["Newport", "Newport", "Torfaen", "Newport", "Torfaen"]


def test_an_empty_list_keeps_its_columns(seeded):
    frame = missed_and_late(seeded, LEAD_DA, "vawg_da", S, START, END, AS_OF, {"area": "Monmouthshire"})
    assert frame.empty and "state" in frame.columns


@pytest.mark.parametrize(
    ("scope", "portfolio", "codes", "code"),
    [
        (LEAD_WCU, "vawg_da", S, "vcop.cases.forbidden"),  # not their portfolio
        (LEAD_WCU, "vcop", S, "vcop.cases.forbidden"),  # all victims is not theirs either
        (LEAD_DA, "rasso", S, "vcop.cases.forbidden"),
        (LEAD_WCU, "witness_care", S, "vcop.cases.not_in_portfolio"),  # R6 is not on the WCU scorecard
        (LEAD_WCU, "special_measures", "R8_HEARING_INFO", "vcop.cases.not_in_portfolio"),  # no VCOP measures
        (BOARD, "witness_care", 6, "vcop.cases.not_in_portfolio"),
        (Scope.for_user("nobody", []), "vcop", S, "vcop.cases.forbidden"),
    ],
)
def test_access_is_refused_before_anything_is_read(scope, portfolio, codes, code):
    # No engine at all: a refusal must come from the scope check, before any connection is made.
    with pytest.raises(AccessDenied) as refused:
        missed_and_late(None, scope, portfolio, codes, START, END, AS_OF)
    assert refused.value.code == code
    assert refused.value.params["portfolio"] == portfolio


def test_a_refusal_is_a_permission_error(seeded):
    with pytest.raises(PermissionError):
        missed_and_late(seeded, LEAD_WCU, "vawg_da", S, START, END, AS_OF)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("R6_SUSPECT_UPDATE", ("R6_SUSPECT_UPDATE",)),
        ("VCOP_R4_REFERRAL", ("R4_REFERRAL",)),
        (6, ("R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE", "R6_CPS_DECISION", "R6_VRR_ACK", "R6_VRR_DECISION")),
        ("8", ("R8_HEARING_INFO", "R8_EVIDENCE_REQUIRED", "R8_BAIL_OUTCOME", "R8_SM_OUTCOME")),
        (["R1_NEEDS_COMMS", "R1_NEEDS_COMMS", "R2_RECORDED"], ("R1_NEEDS_COMMS", "R2_RECORDED")),
    ],
)
def test_codes_are_resolved_from_a_code_a_right_or_a_list(asked, expected):
    assert resolve_codes(load_catalogue(), asked) == expected


@pytest.mark.parametrize("asked", ["R99_NOTHING", 13, [], "VCOP_OVERALL"])
def test_unknown_codes_and_rights_are_refused(asked):
    with pytest.raises(KeyError):
        resolve_codes(load_catalogue(), asked)


@pytest.mark.parametrize(
    ("portfolio", "expected"),
    [
        ("witness_care", {"R8_HEARING_INFO", "R8_EVIDENCE_REQUIRED", "R8_BAIL_OUTCOME", "R8_SM_OUTCOME",
                          "R9_OUTCOME_INFO", "R10_EXPENSES_INFO", "R11_VCS_REFERRAL", "R11_RELEASE_INFO"}),
        ("special_measures", set()),
        ("vawg_da", {e.code for e in load_catalogue().entitlements}),  # VCOP_OVERALL is on its scorecard
    ],
)  # fmt: skip
def test_a_portfolios_case_data_is_the_codes_its_scorecard_measures(portfolio, expected):
    assert set(portfolio_codes(load_catalogue(), portfolio)) == expected


def test_filtering_by_an_unknown_column_is_refused(seeded):
    with pytest.raises(ValueError):
        missed_and_late(seeded, LEAD_DA, "vawg_da", S, START, END, AS_OF, {"crime_ref": "CR-VC-DA1"})


@pytest.fixture
def demo_loaded(engine, tmp_path):
    """A small generated demo dataset loaded into a fresh database (both backends)."""
    from data.demo import write_demo
    from data.ingest import import_paths

    write_demo(tmp_path, cases=400, seed=11, months=12)
    assert all(r.ok for r in import_paths(engine, [tmp_path], loaded_by="test"))
    return engine


@pytest.mark.parametrize("portfolio", ["vcop", "vawg_da", "witness_care"])
def test_dropping_surely_timely_and_pending_rows_in_sql_changes_no_row(demo_loaded, monkeypatch, portfolio):
    """The SQL pre-filter only saves work: the list equals the one judged from every instance in pandas."""
    import data.cases as cases
    from data.queries import latest_as_of

    as_of = latest_as_of(demo_loaded)
    start = as_of - dt.timedelta(days=365)
    codes = portfolio_codes(load_catalogue(), portfolio)
    filtered = missed_and_late(demo_loaded, BOARD, portfolio, codes, start, as_of, as_of)
    monkeypatch.setattr(cases, "_surely_not_shown", lambda *args: [])
    everything = missed_and_late(demo_loaded, BOARD, portfolio, codes, start, as_of, as_of)
    assert len(filtered) > 20  # the demo has late and missed instances to compare
    pd.testing.assert_frame_equal(filtered, everything)


def test_a_long_range_is_read_by_a_scan_with_the_same_rows_in_the_same_order(demo_loaded, monkeypatch):
    """A year's list on SQLite sorts by date(trigger_date) so the planner scans instead of walking the date index:
    the same rows in the same order (oldest trigger, then case, then entitlement) as the plain column and range."""
    import data.cases as cases
    from data.queries import latest_as_of

    as_of = latest_as_of(demo_loaded)
    start = as_of - dt.timedelta(days=365)
    codes = portfolio_codes(load_catalogue(), "vcop")
    scanned = missed_and_late(demo_loaded, BOARD, "vcop", codes, start, as_of, as_of)
    if demo_loaded.dialect.name == "sqlite":
        key = cases._oldest_first(demo_loaded, start, as_of)
        assert str(key.compile(demo_loaded)).startswith("date(")
    monkeypatch.setattr(cases, "_oldest_first", lambda *args: cases.E.c.trigger_date)
    monkeypatch.setattr(cases, "_between", lambda engine, column, first, last: (column >= first) & (column <= last))
    indexed = missed_and_late(demo_loaded, BOARD, "vcop", codes, start, as_of, as_of)
    assert len(scanned) > 20
    pd.testing.assert_frame_equal(scanned, indexed)
    keys = list(zip(scanned["trigger_date"], scanned["case_id"], scanned["entitlement_id"], strict=True))
    assert keys == sorted(keys)
