"""Meeting mode's service on a real database (SQLite and PostgreSQL): frozen snapshots, decisions as actions, audit."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from auth.roles import Scope
from data import actions, meetings, queries
from data.demo import write_demo
from data.ingest import import_paths
from data.models import AuditLog, Meeting
from metrics import scorecard
from metrics.catalogue import load_catalogue
from metrics.measures import prepare
from metrics.scorecard import COLUMNS
from results.scorecards import all_scorecards
from rules.workflow import AccessDenied, NotFound, WorkflowError
from tests.accountability_support import (
    ADMIN,
    BOARD,
    DAY,
    INSPECTOR,
    LEAD_DA,
    db_fixture,  # noqa: F401 (the db fixture)
)

BOARD_2 = Scope.for_user("board.two", ["board"])
AGENDA = [("vawg_da", "VAWG — domestic abuse"), ("witness_care", "Witness Care Unit")]
NOW = dt.datetime(2026, 8, 3, 9, 30)
NAN = float("nan")


def card(portfolio: str, metric_id: str, **values) -> dict:
    """One scorecard row with every column (metrics.scorecard.COLUMNS); blanks unless given."""
    row = {c: None for c in COLUMNS} | {
        "portfolio_id": portfolio, "metric_id": metric_id, "name": metric_id, "kind": "rate", "polarity": "up",
        "period_start": pd.Timestamp("2025-08-01"), "period_end": pd.Timestamp("2026-07-31"), "suppressed": False,
        "trial_limits": False, "has_chart": True, "sparkline": [],
    }  # fmt: skip
    return row | values


def hand_cards() -> pd.DataFrame:
    """Three rows on the agenda (a red rate, a suppressed rate, a count) and one of a portfolio off the agenda."""
    rows = [
        card("vawg_da", "VCOP_R6_SUSPECT_UPDATE", numerator=13.0, denominator=16.0, value=0.8125, ci_low=0.57,
             ci_high=0.93, target=0.9, rag="red", variation="common_cause", assurance="inconsistent",
             sparkline=[0.5, NAN, 0.75], previous_value=0.8625, change=-0.05, change_ci_low=-0.3, change_ci_high=0.2,
             change_p=0.7, change_significant=False),
        card("vawg_da", "SM_DISCUSSED", suppressed=True, numerator=NAN, denominator=NAN, value=NAN, ci_low=NAN,
             ci_high=NAN, target=0.95),
        card("witness_care", "CG_REFERRALS", kind="count", numerator=42.0, value=42.0, rag=None,
             sparkline=[40.0, 41.0, 42.0], has_chart=False),
        card("rasso", "SAT_WHOLE", value=0.6, rag="red"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in meetings.NUMERIC_COLUMNS:
        frame[column] = frame[column].astype(float)
    for column in ("rag", "variation", "assurance", "change_significant"):  # None for "no icon", as scorecard() gives
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def open_hand_meeting(db, scope=BOARD, **extra):
    fields = {"title": "Victim Services board", "held_on": DAY, "as_of": dt.date(2026, 7, 31),
              "scorecards": hand_cards(), "agenda": AGENDA, "today": DAY, "now": NOW} | extra  # fmt: skip
    return meetings.open_meeting(db, scope, **fields)


def audit_rows(db, entity_id):
    with db.connect() as conn:
        stmt = select(AuditLog.event, AuditLog.actor, AuditLog.entity_type, AuditLog.detail)
        return [tuple(r) for r in conn.execute(stmt.where(AuditLog.entity_id == entity_id).order_by(AuditLog.id))]


def assert_same_cards(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every column equal (NaN where NaN), sparklines value by value."""
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(
        actual.drop(columns="sparkline"), expected.drop(columns="sparkline"), check_dtype=False
    )
    assert len(actual) == len(expected)
    for got, want in zip(actual["sparkline"], expected["sparkline"], strict=True):
        np.testing.assert_array_equal(np.array(got, dtype=float), np.array(want, dtype=float))


def test_opening_a_meeting_freezes_the_agenda_portfolios_scorecards(db):
    meeting = open_hand_meeting(db)
    assert meeting == {
        "meeting_id": "MT-001", "title": "Victim Services board", "held_on": DAY, "as_of": dt.date(2026, 7, 31),
        "created_by": "board", "created_at": NOW, "status": "open", "closed_by": None, "closed_at": None,
    }  # fmt: skip
    snapshot = meetings.meeting_snapshot(db, BOARD_2, "MT-001")
    assert snapshot.agenda == tuple(AGENDA)
    assert_same_cards(snapshot.scorecards, hand_cards().iloc[:3])  # rasso is not on the agenda
    assert snapshot.portfolio_rows("witness_care")["metric_id"].tolist() == ["CG_REFERRALS"]
    suppressed = snapshot.portfolio_rows("vawg_da").iloc[1]
    assert bool(suppressed["suppressed"]) and np.isnan(suppressed["value"]) and suppressed["rag"] is None
    [(event, actor, kind, detail)] = audit_rows(db, "MT-001")
    assert (event, actor, kind) == ("meeting.open", "board", "meeting")
    assert json.loads(detail) == {"portfolios": 2, "scorecard_rows": 3}
    assert open_hand_meeting(db)["meeting_id"] == "MT-002"
    assert meetings.list_meetings(db, INSPECTOR)["meeting_id"].tolist() == ["MT-002", "MT-001"]


def live_scorecards(db) -> tuple[dt.date, pd.DataFrame]:
    """The whole framework's scorecards computed from the database now (as the app's data seam does)."""
    as_of = queries.latest_as_of(db)
    start, end = scorecard.window(as_of)
    frames = queries.metric_frames(db, start.date(), end.date(), as_of=as_of)
    catalogue = load_catalogue()
    prepared = prepare(frames, catalogue, as_of=as_of, start=start.date(), end=end.date(), by=None)
    return as_of, all_scorecards(prepared, catalogue, targets=queries.targets_frame(db))


def test_a_meeting_keeps_its_figures_after_a_new_data_load(db, tmp_path):
    write_demo(tmp_path / "first", cases=400, seed=3, months=24, as_of=dt.date(2026, 6, 30))
    assert all(r.ok for r in import_paths(db, [tmp_path / "first"], loaded_by="tests"))
    as_of, frozen = live_scorecards(db)
    catalogue = load_catalogue()
    agenda = [(p.id, p.name) for p in catalogue.portfolios]
    meetings.open_meeting(db, BOARD, title="Board", held_on=DAY, as_of=as_of, scorecards=frozen, agenda=agenda,
                          today=DAY)  # fmt: skip
    # A new load (more victims, a later as-of date) changes the live numbers...
    write_demo(tmp_path / "second", cases=600, seed=4, months=24, as_of=dt.date(2026, 7, 31))
    assert all(r.ok for r in import_paths(db, [tmp_path / "second"], loaded_by="tests"))
    new_as_of, live = live_scorecards(db)
    assert new_as_of == dt.date(2026, 7, 31)
    assert not np.allclose(live["value"].fillna(-1), frozen["value"].fillna(-1))
    # ...but a second board member opening the meeting sees exactly the numbers it was opened with.
    snapshot = meetings.meeting_snapshot(db, BOARD_2, "MT-001")
    assert [pid for pid, _ in snapshot.agenda] == [p.id for p in catalogue.portfolios]
    assert meetings.get_meeting(db, BOARD_2, "MT-001")["as_of"] == as_of == dt.date(2026, 6, 30)
    assert_same_cards(snapshot.scorecards, frozen)


def test_the_database_refuses_to_change_a_frozen_snapshot(db):
    open_hand_meeting(db)
    for values in ({"snapshot": '{"agenda": [], "rows": []}'}, {"as_of": dt.date(2026, 8, 1)}):
        with pytest.raises(DBAPIError, match="frozen"), db.begin() as conn:
            conn.execute(update(Meeting.__table__).where(Meeting.meeting_id == "MT-001").values(**values))
    assert meetings.meeting_snapshot(db, BOARD, "MT-001").scorecards["metric_id"].tolist() == [
        "VCOP_R6_SUSPECT_UPDATE", "SM_DISCUSSED", "CG_REFERRALS",
    ]  # fmt: skip


def test_decisions_become_actions_that_name_the_meeting(db):
    open_hand_meeting(db)
    decided = meetings.record_decision(
        db, BOARD, "MT-001", portfolio="vawg_da", title="Audit victim updates weekly", owner="Head of Victim Services",
        due_date=dt.date(2026, 9, 30), description="Report back to the next board", today=DAY,
        now=NOW + dt.timedelta(minutes=20),
    )  # fmt: skip
    fields = ("action_id", "portfolio", "source_type", "source_ref", "meeting_ref", "status")
    assert {k: decided[k] for k in fields} == {
        "action_id": "AC-001", "portfolio": "vawg_da", "source_type": "board", "source_ref": "MT-001",
        "meeting_ref": "MT-001", "status": "not_started",
    }  # fmt: skip
    assert actions.get_action(db, LEAD_DA, "AC-001")["meeting_ref"] == "MT-001"  # the lead now owns it
    # A change to an existing action in the meeting's name is a decision too; a lead's own update is not.
    actions.update_action(db, BOARD, "AC-001", 1, {"due_date": dt.date(2026, 10, 31)}, note="Give it a month more",
                          meeting_ref="MT-001", today=DAY, now=NOW + dt.timedelta(minutes=40))  # fmt: skip
    actions.update_action(db, LEAD_DA, "AC-001", 2, {"status": "on_track"}, today=DAY, now=NOW + dt.timedelta(hours=2))
    assert [r[:2] for r in audit_rows(db, "AC-001")] == [
        ("action.create", "board"), ("action.update", "board"), ("action.status", "lead.da"),
    ]  # fmt: skip
    assert [r[3] for r in audit_rows(db, "AC-001")[:2]] == ["meeting MT-001", "meeting MT-001 | Give it a month more"]
    decisions = meetings.meeting_decisions(db, INSPECTOR, "MT-001")
    columns = ["event", "actor", "action_id", "portfolio", "title", "owner", "status", "note"]
    assert decisions[columns].values.tolist() == [
        ["action.create", "board", "AC-001", "vawg_da", "Audit victim updates weekly", "Head of Victim Services",
         "not_started", ""],
        ["action.update", "board", "AC-001", "vawg_da", "Audit victim updates weekly", "Head of Victim Services",
         "not_started", "Give it a month more"],
    ]  # fmt: skip
    assert decisions["due_date"].tolist() == [dt.date(2026, 9, 30), dt.date(2026, 10, 31)]
    assert decisions["changes"].tolist() == [{}, {"due_date": ["2026-09-30", "2026-10-31"]}]
    assert decisions["description"].iloc[0] == "Report back to the next board"
    # Another meeting's decisions are not this one's, even with a similar id.
    for _ in range(2, 11):
        open_hand_meeting(db)
    meetings.record_decision(db, BOARD, "MT-010", portfolio="witness_care", title="Recruit", owner="WCU",
                             due_date=dt.date(2026, 9, 1), today=DAY)  # fmt: skip
    assert meetings.meeting_decisions(db, BOARD, "MT-001")["action_id"].tolist() == ["AC-001", "AC-001"]
    assert meetings.meeting_decisions(db, BOARD, "MT-010")["action_id"].tolist() == ["AC-002"]


def test_closing_a_meeting_ends_its_decisions(db):
    open_hand_meeting(db)
    actions.create_action(db, LEAD_DA, title="Call-backs", portfolio="vawg_da", owner="DA lead",
                          due_date=dt.date(2026, 9, 15), today=DAY)  # fmt: skip
    closed = meetings.close_meeting(db, BOARD_2, "MT-001", now=NOW + dt.timedelta(hours=1))
    assert (closed["status"], closed["closed_by"], closed["closed_at"]) == ("closed", "board.two", NOW.replace(hour=10))
    assert audit_rows(db, "MT-001")[-1][:2] == ("meeting.close", "board.two")
    with pytest.raises(WorkflowError, match="not_open"):
        meetings.close_meeting(db, BOARD, "MT-001")
    with pytest.raises(WorkflowError, match="not_open"):
        meetings.record_decision(db, BOARD, "MT-001", portfolio="vawg_da", title="Late", owner="X",
                                 due_date=dt.date(2026, 9, 1), today=DAY)  # fmt: skip
    # Nor can a board member use the closed meeting's name, or one that does not exist, to change actions.
    for ref in ("MT-001", "MT-999"):
        with pytest.raises(AccessDenied) as caught:
            actions.update_action(db, BOARD, "AC-001", 1, {"owner": "Board"}, meeting_ref=ref)
        assert caught.value.code == "meeting.errors.not_open"
        with pytest.raises(AccessDenied):
            actions.create_action(db, BOARD, title="T", portfolio="vawg_da", owner="O", due_date=dt.date(2026, 9, 1),
                                  meeting_ref=ref, today=DAY)  # fmt: skip
    # Nobody adds to a closed meeting's record; admins and leads still change actions in their own right.
    with pytest.raises(AccessDenied, match="not_open"):
        actions.update_action(db, ADMIN, "AC-001", 1, {"owner": "Admin"}, meeting_ref="MT-001")
    assert actions.update_action(db, ADMIN, "AC-001", 1, {"owner": "Admin"})["version"] == 2
    assert [e for e, *_ in audit_rows(db, "AC-001")] == ["action.create", "action.update"]
    assert meetings.meeting_decisions(db, BOARD, "MT-001").empty


@pytest.mark.parametrize("scope", [LEAD_DA, INSPECTOR, ADMIN, Scope.for_user("analyst", ["analyst"])])
def test_only_board_members_run_meetings(db, scope):
    with pytest.raises(AccessDenied, match="board_only"):
        open_hand_meeting(db, scope)
    open_hand_meeting(db)
    for attempt in (
        lambda: meetings.close_meeting(db, scope, "MT-001"),
        lambda: meetings.record_decision(db, scope, "MT-001", portfolio="vawg_da", title="T", owner="O",
                                         due_date=dt.date(2026, 9, 1), today=DAY),
    ):  # fmt: skip
        with pytest.raises(AccessDenied, match="board_only"):
            attempt()
    readers = {"inspector", "admin"}
    if scope.username in readers:
        assert meetings.get_meeting(db, scope, "MT-001")["status"] == "open"
    else:
        with pytest.raises(AccessDenied):
            meetings.get_meeting(db, scope, "MT-001")
        with pytest.raises(AccessDenied):
            meetings.meeting_decisions(db, scope, "MT-001")
    assert [e for e, *_ in audit_rows(db, "MT-001")] == ["meeting.open"]


def test_what_a_meeting_refuses(db):
    with pytest.raises(WorkflowError, match="held_before_today"):
        open_hand_meeting(db, held_on=DAY - dt.timedelta(days=1))
    with pytest.raises(WorkflowError, match="title_required"):
        open_hand_meeting(db, title="  ")
    with pytest.raises(WorkflowError, match="bad_agenda"):
        open_hand_meeting(db, agenda=[("vawg_da", "DA"), ("vawg_da", "DA again")])
    with pytest.raises(NotFound):
        meetings.get_meeting(db, BOARD, "MT-001")
    open_hand_meeting(db)
    with pytest.raises(WorkflowError, match="not_on_agenda"):
        meetings.record_decision(db, BOARD, "MT-001", portfolio="rasso", title="T", owner="O",
                                 due_date=dt.date(2026, 9, 1), today=DAY)  # fmt: skip
    with pytest.raises(WorkflowError, match="due_before_created"):
        meetings.record_decision(db, BOARD, "MT-001", portfolio="vawg_da", title="T", owner="O",
                                 due_date=DAY - dt.timedelta(days=1), today=DAY)  # fmt: skip
    assert actions.list_actions(db, ADMIN).empty
