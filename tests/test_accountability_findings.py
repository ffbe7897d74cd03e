"""Inspection findings, evidence files, ageing, the board's escalation list and the PCC's 56-day deadlines."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import update

from data import actions, escalation, evidence, findings
from data.models import EvidenceFile
from rules.workflow import AccessDenied, NotFound, StaleEdit, WorkflowError
from tests.accountability_support import (
    ADMIN,
    BOARD,
    DAY,
    INSPECTOR,
    LEAD_DA,
    LEAD_INSPECTION,
    LEAD_WCU,
    db_fixture,  # noqa: F401 (the db fixture)
    seed_finding,
)

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


def test_a_finding_moves_through_its_workflow_with_evidence(db):
    seed_finding(db, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 2), due_date=dt.date(2026, 9, 1))
    step = findings.transition_finding(db, LEAD_DA, "HM-001", 1, "in_progress", note="Owner briefed")
    assert (step["status"], step["version"]) == ("in_progress", 2)
    with pytest.raises(WorkflowError, match="inspection.errors.evidence_required"):
        findings.transition_finding(db, LEAD_DA, "HM-001", 2, "evidence_submitted")
    meta = evidence.attach_evidence(db, LEAD_DA, "finding", "HM-001", "dip-sample.png", PNG, note="Dip sample")
    assert (meta["content_type"], meta["size_bytes"], meta["uploaded_by"]) == ("image/png", 32, "lead.da")
    assert meta["sha256"] == hashlib.sha256(PNG).hexdigest()
    findings.transition_finding(db, LEAD_DA, "HM-001", 2, "evidence_submitted")
    with pytest.raises(WorkflowError, match="inspection.errors.bad_move"):
        findings.transition_finding(db, LEAD_DA, "HM-001", 3, "open")
    closed = findings.transition_finding(db, LEAD_DA, "HM-001", 3, "closed", today=dt.date(2026, 10, 2))
    assert (closed["status"], closed["closed_date"], closed["version"]) == ("closed", dt.date(2026, 10, 2), 4)
    with pytest.raises(WorkflowError, match="inspection.errors.final"):
        findings.update_finding(db, ADMIN, "HM-001", 4, {"owner": "Someone else"})
    with pytest.raises(WorkflowError, match="evidence.errors.closed"):
        evidence.attach_evidence(db, LEAD_DA, "finding", "HM-001", "late.pdf", PDF)
    history = findings.finding_history(db, BOARD, "HM-001")
    assert history["event"].tolist() == [
        "finding.status", "evidence.attach", "finding.status", "finding.status",
    ]  # fmt: skip
    assert history["detail"].tolist()[0] == "Owner briefed"


def test_finding_access_and_locking(db):
    seed_finding(db, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 2))
    seed_finding(db, "HM-002", "HMICFRS PEEL 2025", dt.date(2026, 3, 2), portfolio="witness_care")
    assert findings.list_findings(db, LEAD_DA)["rec_id"].tolist() == ["HM-001"]
    assert findings.list_findings(db, INSPECTOR)["rec_id"].tolist() == ["HM-001", "HM-002"]
    with pytest.raises(NotFound):
        findings.get_finding(db, LEAD_DA, "HM-002")
    with pytest.raises(AccessDenied):
        findings.update_finding(db, INSPECTOR, "HM-001", 1, {"owner": "Inspector"})
    with pytest.raises(AccessDenied):
        evidence.attach_evidence(db, BOARD, "finding", "HM-001", "x.pdf", PDF)
    findings.update_finding(db, LEAD_DA, "HM-001", 1, {"owner": "DA lead", "due_date": dt.date(2026, 12, 1)})
    with pytest.raises(StaleEdit) as caught:
        findings.update_finding(db, ADMIN, "HM-001", 1, {"due_date": dt.date(2027, 1, 1)})
    assert (caught.value.current["owner"], caught.value.current["version"]) == ("DA lead", 2)
    with pytest.raises(WorkflowError, match="due_before_published"):
        findings.update_finding(db, LEAD_DA, "HM-001", 2, {"due_date": dt.date(2026, 1, 1)})


def test_findings_are_recorded_in_the_app(db):
    made = findings.create_finding(
        db, LEAD_WCU, source="HMICFRS Witness care 2026", published_date=dt.date(2026, 7, 1),
        kind="area_for_improvement", text="Needs assessments are not recorded consistently.",
        portfolio="witness_care", owner="WCU manager", due_date=dt.date(2027, 1, 31), reference="AFI 3",
    )  # fmt: skip
    assert (made["rec_id"], made["status"], made["version"]) == ("HM-001", "open", 1)
    with pytest.raises(AccessDenied):
        findings.create_finding(
            db, LEAD_DA, source="X", published_date=dt.date(2026, 7, 1), kind="recommendation", text="T",
            portfolio="witness_care", owner="O",
        )  # fmt: skip
    with pytest.raises(WorkflowError, match="bad_kind"):
        findings.create_finding(
            db, ADMIN, source="X", published_date=dt.date(2026, 7, 1), kind="praise", text="T",
            portfolio="witness_care", owner="O",
        )  # fmt: skip


def test_evidence_is_stored_listed_and_read_back_with_its_hash(db):
    seed_finding(db, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 2))
    first = evidence.attach_evidence(db, LEAD_DA, "finding", "HM-001", "C:\\docs\\plan.pdf", PDF)
    evidence.attach_evidence(db, ADMIN, "finding", "HM-001", "photo.png", PNG)
    listed = evidence.list_evidence(db, INSPECTOR, "finding", "HM-001")
    assert listed[["file_name", "content_type", "size_bytes", "uploaded_by"]].values.tolist() == [
        ["plan.pdf", "application/pdf", len(PDF), "lead.da"], ["photo.png", "image/png", len(PNG), "admin"],
    ]  # fmt: skip
    assert "content" not in listed.columns
    meta, content = evidence.read_evidence(db, BOARD, int(first["id"]))
    assert (content, meta["sha256"]) == (PDF, hashlib.sha256(PDF).hexdigest())
    with pytest.raises(NotFound):
        evidence.read_evidence(db, LEAD_WCU, int(first["id"]))
    with pytest.raises(WorkflowError, match="evidence.errors.mismatch"):
        evidence.attach_evidence(db, LEAD_DA, "finding", "HM-001", "plan.png", PDF)
    with pytest.raises(WorkflowError, match="evidence.errors.too_large"):
        evidence.attach_evidence(db, LEAD_DA, "finding", "HM-001", "plan.pdf", PDF, max_bytes=10)
    with db.begin() as conn:  # tampering behind the app's back is caught on read
        conn.execute(update(EvidenceFile.__table__).where(EvidenceFile.id == first["id"]).values(content=PDF + b"x"))
    with pytest.raises(WorkflowError, match="evidence.errors.corrupt"):
        evidence.read_evidence(db, BOARD, int(first["id"]))


def test_escalation_list_holds_items_overdue_by_more_than_30_days(db):
    seed_finding(db, "HM-001", "PEEL", dt.date(2026, 3, 2), due_date=dt.date(2026, 8, 31))  # 61 days at 31 Oct
    seed_finding(db, "HM-002", "PEEL", dt.date(2026, 3, 2), due_date=dt.date(2026, 10, 15))  # 16 days: not yet
    seed_finding(db, "HM-003", "PEEL", dt.date(2026, 3, 2), due_date=dt.date(2026, 5, 1), status="closed")
    seed_finding(db, "HM-004", "PEEL", dt.date(2026, 3, 2), portfolio="witness_care", due_date=dt.date(2026, 7, 1))
    for due in (dt.date(2026, 9, 15), dt.date(2026, 10, 1), dt.date(2026, 9, 30)):
        actions.create_action(db, LEAD_DA, title=f"Due {due}", portfolio="vawg_da", owner="DA", due_date=due, today=DAY)
    as_of = dt.date(2026, 10, 31)
    board = escalation.escalation_list(db, BOARD, as_of)
    assert board[["kind", "id", "days_overdue"]].values.tolist() == [
        ["finding", "HM-004", 122], ["finding", "HM-001", 61], ["action", "AC-001", 46], ["action", "AC-003", 31],
    ]  # fmt: skip
    lead = escalation.escalation_list(db, LEAD_DA, as_of)
    assert lead["id"].tolist() == ["HM-001", "AC-001", "AC-003"]
    aged = escalation.aged_actions(db, LEAD_DA, as_of).set_index("action_id")
    assert aged.loc["AC-002", ["days_overdue", "overdue", "escalated"]].tolist() == [30, True, False]
    assert escalation.escalation_list(db, LEAD_DA, dt.date(2026, 9, 1)).empty


def test_pcc_deadlines_and_responses(db):
    seed_finding(db, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 9))
    seed_finding(db, "HM-002", "HMICFRS PEEL 2025", dt.date(2026, 3, 2))
    seed_finding(db, "HM-003", "Spotlight: victims", dt.date(2026, 4, 1), portfolio="witness_care")
    frame = escalation.report_deadlines(db, dt.date(2026, 5, 10)).set_index("source")
    assert frame.loc["HMICFRS PEEL 2025", ["deadline", "state", "days_overdue"]].tolist() == [
        dt.date(2026, 4, 27), "overdue", 13,
    ]  # fmt: skip
    assert frame.loc["Spotlight: victims", ["deadline", "state", "days_remaining"]].tolist() == [
        dt.date(2026, 5, 27), "due", 17,
    ]  # fmt: skip
    with pytest.raises(AccessDenied):
        escalation.record_response(db, LEAD_DA, "HMICFRS PEEL 2025", dt.date(2026, 4, 30), today=dt.date(2026, 5, 10))
    with pytest.raises(WorkflowError, match="bad_response_date"):
        escalation.record_response(
            db, LEAD_INSPECTION, "HMICFRS PEEL 2025", dt.date(2026, 3, 1), today=dt.date(2026, 5, 10)
        )
    escalation.record_response(
        db, LEAD_INSPECTION, "HMICFRS PEEL 2025", dt.date(2026, 4, 30), today=dt.date(2026, 5, 10)
    )
    escalation.record_response(db, ADMIN, "HMICFRS PEEL 2025", dt.date(2026, 4, 29), today=dt.date(2026, 5, 10))
    frame = escalation.report_deadlines(db, dt.date(2026, 5, 10)).set_index("source")
    assert frame.loc["HMICFRS PEEL 2025", ["response_date", "state", "days_late"]].tolist() == [
        dt.date(2026, 4, 29), "responded_late", 2,
    ]  # fmt: skip
