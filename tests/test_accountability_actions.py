"""Actions on a real database (SQLite and PostgreSQL): access, workflow, optimistic locking, timeline and audit."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select

from data import actions
from data.evidence import attach_evidence
from data.models import ActionUpdate, AuditLog
from rules.workflow import AccessDenied, NotFound, StaleEdit, WorkflowError, stale_differences
from tests.accountability_support import (
    ADMIN,
    ANALYST,
    BOARD,
    DAY,
    INSPECTOR,
    LEAD_DA,
    LEAD_WCU,
    db_fixture,  # noqa: F401 (the db fixture)
    seed_feedback,
    seed_finding,
    seed_meeting,
)

PDF = b"%PDF-1.4\n%%EOF\n"


def new_action(engine, scope=LEAD_DA, portfolio="vawg_da", **extra):
    fields = {"title": "Call back within 2 days", "portfolio": portfolio, "owner": "DA lead",
              "due_date": dt.date(2026, 9, 15), "today": DAY} | extra  # fmt: skip
    return actions.create_action(engine, scope, **fields)


def audit_rows(engine, entity_id):
    with engine.connect() as conn:
        stmt = select(AuditLog.event, AuditLog.actor, AuditLog.portfolio).where(AuditLog.entity_id == entity_id)
        return [tuple(r) for r in conn.execute(stmt.order_by(AuditLog.id))]


def test_a_lead_creates_an_action_in_their_portfolio(db):
    created = new_action(db, description="  Weekly audit of call-backs  ", note="Raised at the DA board")
    assert created | {} == {
        "action_id": "AC-001", "title": "Call back within 2 days", "description": "Weekly audit of call-backs",
        "portfolio": "vawg_da", "owner": "DA lead", "source_type": "other", "source_ref": None,
        "created_date": DAY, "due_date": dt.date(2026, 9, 15), "status": "not_started", "completed_date": None,
        "milestones": None, "closure_note": None, "meeting_ref": None, "version": 1,
    }  # fmt: skip
    assert actions.get_action(db, LEAD_DA, "AC-001") == created
    assert new_action(db)["action_id"] == "AC-002"
    line = actions.timeline(db, LEAD_DA, "AC-001").iloc[0]
    assert (line["author"], line["status_before"], line["status_after"], line["note"]) == (
        "lead.da", None, "not_started", "Raised at the DA board",
    )  # fmt: skip
    assert audit_rows(db, "AC-001") == [("action.create", "lead.da", "vawg_da")]


@pytest.mark.parametrize(
    ("scope", "portfolio", "meeting_ref", "code"),
    [(LEAD_DA, "witness_care", None, "actions.errors.not_your_portfolio"),
     (BOARD, "vawg_da", None, "actions.errors.meeting_only"), (INSPECTOR, "vawg_da", None, "actions.errors.read_only"),
     (INSPECTOR, "vawg_da", "VB-2026-10", "actions.errors.read_only"),
     (ANALYST, "vawg_da", None, "actions.errors.read_only"), (ADMIN, "witness_care", None, None),
     (BOARD, "witness_care", "VB-2026-10", None), (LEAD_WCU, "special_measures", None, None)],
)  # fmt: skip
def test_who_may_create_an_action(db, scope, portfolio, meeting_ref, code):
    seed_meeting(db, "VB-2026-10")  # board members act only in the name of an open meeting
    if code is None:
        created = new_action(db, scope, portfolio, meeting_ref=meeting_ref)
        assert created["meeting_ref"] == meeting_ref
        return
    with pytest.raises(AccessDenied) as caught:
        new_action(db, scope, portfolio, meeting_ref=meeting_ref)
    assert caught.value.code == code
    assert actions.list_actions(db, ADMIN).empty


def test_a_lead_cannot_read_or_change_another_portfolios_action(db):
    new_action(db)
    new_action(db, LEAD_WCU, "witness_care")
    assert actions.list_actions(db, LEAD_WCU)["action_id"].tolist() == ["AC-002"]
    assert actions.list_actions(db, BOARD)["action_id"].tolist() == ["AC-001", "AC-002"]
    with pytest.raises(NotFound):
        actions.get_action(db, LEAD_WCU, "AC-001")
    with pytest.raises(NotFound):
        actions.update_action(db, LEAD_WCU, "AC-001", 1, {"title": "Taken over"})
    with pytest.raises(AccessDenied):  # nor move their own action into a portfolio that is not theirs
        actions.update_action(db, LEAD_WCU, "AC-002", 1, {"portfolio": "vawg_da"})
    with pytest.raises(AccessDenied, match="read_only"):
        actions.update_action(db, INSPECTOR, "AC-001", 1, {"title": "Inspected"})
    with pytest.raises(AccessDenied, match="meeting_only"):
        actions.update_action(db, BOARD, "AC-001", 1, {"title": "Board edit"})
    seed_meeting(db, "VB-2026-10")
    assert (
        actions.update_action(db, BOARD, "AC-001", 1, {"owner": "Board chair"}, meeting_ref="VB-2026-10")["owner"]
        == "Board chair"
    )
    assert actions.get_action(db, ADMIN, "AC-002")["title"] == "Call back within 2 days"


def test_the_whole_workflow_with_timeline_and_audit(db):
    new_action(db)
    v2 = actions.transition_action(db, LEAD_DA, "AC-001", 1, "on_track", note="Started", today=DAY)
    v3 = actions.update_action(db, LEAD_DA, "AC-001", 2, {"status": "at_risk", "due_date": dt.date(2026, 9, 30)})
    v4 = actions.transition_action(db, LEAD_DA, "AC-001", 3, "complete", today=dt.date(2026, 9, 20))
    assert [v["version"] for v in (v2, v3, v4)] == [2, 3, 4]
    assert v4["completed_date"] == dt.date(2026, 9, 20)
    with pytest.raises(WorkflowError, match="evidence_required"):
        actions.close_action(db, LEAD_DA, "AC-001", 4, "Call-backs now within 2 days")
    with pytest.raises(WorkflowError, match="closure_note_required"):
        actions.close_action(db, LEAD_DA, "AC-001", 4, "   ")
    attach_evidence(db, LEAD_DA, "action", "AC-001", "audit.pdf", PDF, note="September audit")
    closed = actions.close_action(db, LEAD_DA, "AC-001", 4, "Call-backs now within 2 days")
    assert (closed["status"], closed["version"], closed["closure_note"]) == (
        "closed", 5, "Call-backs now within 2 days",
    )  # fmt: skip
    assert closed["completed_date"] == dt.date(2026, 9, 20)  # closing keeps the completion date
    with pytest.raises(WorkflowError, match="actions.errors.closed"):
        actions.update_action(db, ADMIN, "AC-001", 5, {"title": "Reopened?"})
    with pytest.raises(WorkflowError, match="evidence.errors.closed"):
        attach_evidence(db, LEAD_DA, "action", "AC-001", "late.pdf", PDF)

    line = actions.timeline(db, LEAD_DA, "AC-001")
    assert line[["status_before", "status_after"]].fillna("–").values.tolist()[::-1] == [
        ["–", "not_started"], ["not_started", "on_track"], ["on_track", "at_risk"], ["at_risk", "complete"],
        ["complete", "complete"], ["complete", "closed"],
    ]  # fmt: skip
    assert line["changes"].tolist()[::-1] == [
        {}, {}, {"due_date": ["2026-09-15", "2026-09-30"]}, {"completed_date": [None, "2026-09-20"]},
        {"evidence": [None, "audit.pdf"]}, {"closure_note": [None, "Call-backs now within 2 days"]},
    ]  # fmt: skip
    assert [e for e, _, _ in audit_rows(db, "AC-001")] == [
        "action.create", "action.status", "action.status", "action.status", "evidence.attach", "action.close",
    ]  # fmt: skip
    with db.connect() as conn:
        before, after = conn.execute(
            select(AuditLog.before_json, AuditLog.after_json).where(AuditLog.event == "action.close")
        ).one()
    assert (json.loads(before)["status"], json.loads(after)["status"], json.loads(after)["version"]) == (
        "complete", "closed", 5,
    )  # fmt: skip


def test_reopening_a_completed_action_clears_its_completion_date(db):
    new_action(db)
    actions.transition_action(db, LEAD_DA, "AC-001", 1, "on_track")
    actions.transition_action(db, LEAD_DA, "AC-001", 2, "complete", today=dt.date(2026, 9, 1))
    reopened = actions.transition_action(db, LEAD_DA, "AC-001", 3, "off_track", note="The fix did not hold")
    assert (reopened["status"], reopened["completed_date"]) == ("off_track", None)


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"status": "complete"}, "actions.errors.bad_move"), ({"status": "closed"}, "actions.errors.bad_move"),
     ({"title": "  "}, "actions.errors.title_required"), ({"title": "x" * 201}, "actions.errors.title_required"),
     ({"due_date": dt.date(2026, 8, 2)}, "actions.errors.due_before_created"),
     ({"closure_note": "early"}, "actions.errors.closure_note_only_when_closing"),
     ({"source_ref": "VCOP_R1"}, "actions.errors.not_editable"), ({}, "actions.errors.nothing_to_save"),
     ({"title": "Call back within 2 days"}, "actions.errors.nothing_to_save")],
)  # fmt: skip
def test_refused_updates_change_nothing(db, changes, code):
    new_action(db)
    with pytest.raises(WorkflowError) as caught:
        actions.update_action(db, LEAD_DA, "AC-001", 1, changes)
    assert caught.value.code == code
    assert actions.get_action(db, LEAD_DA, "AC-001")["version"] == 1
    assert len(actions.timeline(db, LEAD_DA, "AC-001")) == 1


def test_a_second_save_from_the_same_version_is_refused_with_the_current_row(db):
    base = new_action(db)
    saved = actions.update_action(db, LEAD_DA, "AC-001", 1, {"owner": "Alex", "due_date": dt.date(2026, 9, 30)})
    mine = {"title": "Call back within 1 day", "due_date": dt.date(2026, 10, 15)}
    with pytest.raises(StaleEdit) as caught:
        actions.update_action(db, LEAD_DA, "AC-001", 1, mine)
    stale = caught.value
    assert (stale.expected_version, stale.current["version"], stale.current["owner"]) == (1, 2, "Alex")
    assert stale.current == saved and stale.attempted == mine
    assert stale_differences(base, mine, stale.current) == [
        {"field": "title", "read": "Call back within 2 days", "yours": "Call back within 1 day",
         "theirs": "Call back within 2 days", "clash": False},
        {"field": "owner", "read": "DA lead", "yours": "DA lead", "theirs": "Alex", "clash": False},
        {"field": "due_date", "read": dt.date(2026, 9, 15), "yours": dt.date(2026, 10, 15),
         "theirs": dt.date(2026, 9, 30), "clash": True},
    ]  # fmt: skip
    assert actions.get_action(db, LEAD_DA, "AC-001") == saved  # the refused save changed nothing
    again = actions.update_action(db, LEAD_DA, "AC-001", 2, mine)
    assert (again["version"], again["owner"], again["title"]) == (3, "Alex", "Call back within 1 day")


def test_concurrent_saves_from_the_same_version_let_exactly_one_through(db):
    new_action(db)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(owner: str) -> None:
        barrier.wait()
        try:
            actions.update_action(db, LEAD_DA, "AC-001", 1, {"owner": owner})
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(name,)) for name in ("Alex", "Sam")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    assert actions.get_action(db, LEAD_DA, "AC-001")["version"] == 2
    with db.connect() as conn:
        assert len(conn.execute(select(ActionUpdate.id)).all()) == 2  # create + the one save


def test_actions_raised_from_a_finding_feedback_or_measure_are_linked_both_ways(db):
    seed_finding(db, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 2))
    seed_feedback(db, "FB-0001")
    new_action(db, source_type="recommendation", source_ref="HM-001")
    new_action(db, source_type="feedback", source_ref="FB-0001")
    new_action(db, source_type="metric", source_ref="VCOP_R6_UPDATES")
    new_action(db, ADMIN, "witness_care", source_type="metric", source_ref="VCOP_R6_UPDATES")
    linked = actions.linked_actions(db, LEAD_DA, "metric", "VCOP_R6_UPDATES")
    assert linked["action_id"].tolist() == ["AC-003"]  # the witness care one is not the lead's to see
    assert actions.linked_actions(db, BOARD, "metric", "VCOP_R6_UPDATES")["action_id"].tolist() == ["AC-003", "AC-004"]
    assert actions.linked_actions(db, BOARD, "recommendation", "HM-001")["action_id"].tolist() == ["AC-001"]
    assert actions.linked_actions(db, BOARD, "feedback", "FB-0001")["action_id"].tolist() == ["AC-002"]
    with pytest.raises(WorkflowError, match="unknown_source"):
        new_action(db, source_type="recommendation", source_ref="HM-999")
    with pytest.raises(WorkflowError, match="source_ref_required"):
        new_action(db, source_type="metric")


def test_milestones_are_saved_with_the_action(db):
    new_action(db, milestones=[{"title": "Draft script", "due": dt.date(2026, 8, 20), "done": False}])
    saved = actions.update_action(
        db, LEAD_DA, "AC-001", 1, {"milestones": [{"title": "Draft script", "due": "2026-08-20", "done": True}]}
    )
    assert json.loads(saved["milestones"]) == [{"done": True, "due": "2026-08-20", "title": "Draft script"}]
    change = actions.timeline(db, LEAD_DA, "AC-001").iloc[0]["changes"]
    assert list(change) == ["milestones"]
