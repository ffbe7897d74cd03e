"""Pure rules of the accountability workflows: moves, ageing, PCC deadlines, stale differences, file types, access."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from data.filetypes import MB, check_upload, detect, max_evidence_bytes, safe_name
from rules import permissions as perm
from rules.workflow import (
    ACTION_MOVES,
    FINDING_MOVES,
    WorkflowError,
    check_action_close,
    check_move,
    days_overdue,
    dump_milestones,
    feedback_stage,
    is_escalated,
    looks_personal,
    parse_milestones,
    pcc_deadlines,
    stale_differences,
    with_ageing,
)
from tests.accountability_support import ADMIN, ANALYST, BOARD, INSPECTOR, LEAD_DA, LEAD_INSPECTION, LEAD_SV

ACTION_CASES = [
    ("not_started", "on_track", True), ("not_started", "at_risk", True), ("not_started", "off_track", True),
    ("not_started", "complete", False), ("not_started", "closed", False), ("on_track", "at_risk", True),
    ("at_risk", "off_track", True), ("off_track", "on_track", True), ("on_track", "complete", True),
    ("on_track", "closed", False), ("complete", "closed", True), ("complete", "at_risk", True),
    ("complete", "not_started", False), ("closed", "on_track", False), ("closed", "complete", False),
    ("on_track", "on_track", True),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after", "allowed"), ACTION_CASES)
def test_action_moves(before, after, allowed):
    if allowed:
        check_move(ACTION_MOVES, "actions", before, after)
        return
    with pytest.raises(WorkflowError) as caught:
        check_move(ACTION_MOVES, "actions", before, after)
    assert caught.value.code == "actions.errors.bad_move"
    assert caught.value.params == {"before": f"actions.status.{before}", "after": f"actions.status.{after}"}


FINDING_CASES = [
    ("open", "in_progress", True), ("open", "evidence_submitted", False), ("open", "closed", False),
    ("in_progress", "evidence_submitted", True), ("in_progress", "closed", False),
    ("evidence_submitted", "closed", True), ("evidence_submitted", "discharged", True),
    ("evidence_submitted", "in_progress", True), ("closed", "open", False), ("discharged", "in_progress", False),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after", "allowed"), FINDING_CASES)
def test_finding_moves(before, after, allowed):
    if allowed:
        check_move(FINDING_MOVES, "inspection", before, after)
    else:
        with pytest.raises(WorkflowError, match="inspection.errors.bad_move"):
            check_move(FINDING_MOVES, "inspection", before, after)


def test_unknown_status_is_refused():
    with pytest.raises(WorkflowError) as caught:
        check_move(ACTION_MOVES, "actions", "on_track", "done")
    assert caught.value.code == "actions.errors.unknown_status"


@pytest.mark.parametrize(
    ("note", "evidence", "code"),
    [(None, 1, "actions.errors.closure_note_required"), ("  ", 2, "actions.errors.closure_note_required"),
     ("Done", 0, "actions.errors.evidence_required"), ("Done", 1, None)],
)  # fmt: skip
def test_closing_needs_a_note_and_evidence(note, evidence, code):
    if code is None:
        check_action_close(note, evidence)
    else:
        with pytest.raises(WorkflowError, match=code):
            check_action_close(note, evidence)


AS_OF = dt.date(2026, 10, 31)


@pytest.mark.parametrize(
    ("due", "done", "days", "escalated"),
    [
        (dt.date(2026, 9, 15), False, 46, True),  # 15 days of September left + 31 of October
        (dt.date(2026, 9, 30), False, 31, True),
        (dt.date(2026, 10, 1), False, 30, False),  # exactly 30 days: overdue, not yet escalated
        (dt.date(2026, 10, 30), False, 1, False),
        (dt.date(2026, 10, 31), False, 0, False),  # due today is not overdue
        (dt.date(2026, 12, 1), False, 0, False),
        (dt.date(2026, 1, 1), True, 0, False),  # finished items never age
        (None, False, 0, False),
    ],
)
def test_days_overdue_and_escalation(due, done, days, escalated):
    assert days_overdue(due, AS_OF, done) == days
    assert is_escalated(days) is escalated


def test_with_ageing_on_a_frame():
    frame = pd.DataFrame(
        {
            "due_date": [dt.date(2026, 9, 15), dt.date(2026, 10, 1), dt.date(2026, 8, 1), None],
            "status": ["off_track", "at_risk", "complete", "on_track"],
        }
    )
    aged = with_ageing(frame, AS_OF, ("complete", "closed"))
    assert aged["days_overdue"].tolist() == [46, 30, 0, 0]
    assert aged["overdue"].tolist() == [True, True, False, False]
    assert aged["escalated"].tolist() == [True, False, False, False]


def test_pcc_deadline_is_the_earliest_publication_plus_56_days():
    findings = pd.DataFrame(
        {
            "source": ["PEEL 2026", "PEEL 2026", "Victims 2025", "Spotlight 2026"],
            "published_date": [dt.date(2026, 3, 9), dt.date(2026, 3, 2), dt.date(2025, 11, 3), dt.date(2026, 4, 1)],
        }
    )
    responses = {"Victims 2025": dt.date(2025, 12, 29)}
    frame = pcc_deadlines(findings, responses, dt.date(2026, 4, 20)).set_index("source")
    # 2 March + 56 days = 27 April; 20 April leaves 7 days
    assert frame.loc["PEEL 2026", "deadline"] == dt.date(2026, 4, 27)
    assert (frame.loc["PEEL 2026", "state"], frame.loc["PEEL 2026", "days_remaining"]) == ("due", 7)
    # 3 November 2025 + 56 = 29 December 2025: responded on the day
    assert frame.loc["Victims 2025", "deadline"] == dt.date(2025, 12, 29)
    assert (frame.loc["Victims 2025", "state"], frame.loc["Victims 2025", "days_late"]) == ("responded", 0)
    later = pcc_deadlines(findings, {"Spotlight 2026": dt.date(2026, 5, 30)}, dt.date(2026, 5, 10)).set_index("source")
    assert (later.loc["PEEL 2026", "state"], later.loc["PEEL 2026", "days_overdue"]) == ("overdue", 13)
    # 1 April + 56 = 27 May; a response on 30 May is 3 days late
    assert (later.loc["Spotlight 2026", "state"], later.loc["Spotlight 2026", "days_late"]) == ("responded_late", 3)
    assert list(later.index) == ["Spotlight 2026", "PEEL 2026", "Victims 2025"]  # newest report first


def test_stale_differences_show_their_changes_and_clashes():
    base = {"title": "A", "owner": "Sam", "due_date": dt.date(2026, 9, 1), "status": "on_track", "version": 1}
    mine = {"title": "A (revised)", "owner": "Sam", "due_date": dt.date(2026, 9, 30)}
    current = {"title": "A", "owner": "Alex", "due_date": dt.date(2026, 9, 15), "status": "on_track", "version": 2}
    rows = stale_differences(base, mine, current)
    assert rows == [
        {"field": "title", "read": "A", "yours": "A (revised)", "theirs": "A", "clash": False},
        {"field": "owner", "read": "Sam", "yours": "Sam", "theirs": "Alex", "clash": False},
        {"field": "due_date", "read": dt.date(2026, 9, 1), "yours": dt.date(2026, 9, 30),
         "theirs": dt.date(2026, 9, 15), "clash": True},
    ]  # fmt: skip


def test_milestones_round_trip_and_drop_blank_rows():
    stored = dump_milestones(
        [
            {"title": " Draft policy ", "due": dt.date(2026, 9, 1), "done": True},
            {"title": "", "due": None, "done": False},
            {"title": "Brief staff", "due": float("nan"), "done": float("nan")},
        ]
    )
    assert parse_milestones(stored) == [
        {"title": "Draft policy", "due": "2026-09-01", "done": True},
        {"title": "Brief staff", "due": None, "done": False},
    ]
    assert dump_milestones([]) is None and parse_milestones(None) == [] and parse_milestones("not json") == []
    with pytest.raises(WorkflowError, match="bad_milestone"):
        dump_milestones([{"title": "x", "due": "31/02/2026"}])


@pytest.mark.parametrize(
    ("text", "personal"),
    [("Contact me on jo.bloggs@example.org", True), ("Ring 07700 900123 please", True),
     ("I live at NP20 1AB", True), ("Call 01633 838111", True), ("Updates came too late after court", False),
     ("We met 12 times in 2025", False), (None, False)],
)  # fmt: skip
def test_personal_data_is_spotted(text, personal):
    assert looks_personal(text) is personal


@pytest.mark.parametrize(
    ("status", "fed_back", "stage"),
    [("received", None, "to_decide"), ("accepted", None, "to_implement"),
     ("accepted", dt.date(2026, 1, 1), "to_implement"), ("implemented", None, "to_feed_back"),
     ("not_accepted", None, "to_feed_back"), ("implemented", dt.date(2026, 1, 1), "done")],
)  # fmt: skip
def test_feedback_stage(status, fed_back, stage):
    assert feedback_stage(status, fed_back) == stage


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    ("scope", "portfolio", "meeting", "allowed"),
    [(LEAD_DA, "vawg_da", None, True), (LEAD_DA, "witness_care", None, False), (ADMIN, "witness_care", None, True),
     (BOARD, "vawg_da", None, False), (BOARD, "vawg_da", "VB-2026-10", True), (INSPECTOR, "vawg_da", None, False),
     (INSPECTOR, "vawg_da", "VB-2026-10", False), (ANALYST, "vawg_da", None, False)],
)  # fmt: skip
def test_who_may_edit_actions(scope, portfolio, meeting, allowed):
    assert perm.can_edit_action(scope, portfolio, meeting) is allowed


def test_who_may_edit_findings_feedback_and_read_the_audit_trail():
    assert [perm.can_edit_finding(s, "vawg_da") for s in (LEAD_DA, LEAD_SV, ADMIN, BOARD)] == [True, False, True, False]
    assert [perm.can_edit_feedback(s) for s in (LEAD_SV, LEAD_DA, ADMIN, BOARD, INSPECTOR)] == [
        True, False, True, False, False,
    ]  # fmt: skip
    assert [perm.can_read_audit(s) for s in (INSPECTOR, ADMIN, BOARD, LEAD_DA)] == [True, True, False, False]
    assert [perm.can_record_response(s) for s in (LEAD_INSPECTION, LEAD_DA, ADMIN)] == [True, False, True]
    assert perm.can_read_feedback(LEAD_SV, "witness_care") and not perm.can_read_feedback(LEAD_DA, "witness_care")


# ---------------------------------------------------------------- file types


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _content_types(part: str, main: str) -> str:
    return (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="{part}" ContentType="application/{main}.main+xml"/></Types>'
    )


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "evidence"
    book.save(buffer)
    return buffer.getvalue()


DOCX = _zip(
    {
        "[Content_Types].xml": _content_types(
            "/word/document.xml", "vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        "word/document.xml": "<w/>",
    }
)
DOCM = _zip(
    {
        "[Content_Types].xml": _content_types("/word/document.xml", "vnd.ms-word.document.macroEnabled"),
        "word/document.xml": "<w/>",
    }
)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
CSV = b"measure,value\nVCOP_R6,0.82\n\"Kept informed, monthly\",0.9\n"  # fmt: skip


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (DOCX, "docx"), (_xlsx(), "xlsx"), (CSV, "csv"),
     ("\ufeffa;b\n1;2\n".encode(), "csv"), (b"a\tb\nc\td\n", "csv"), (DOCM, None),
     (_zip({"readme.txt": "hello"}), None), (b"MZ\x90\x00\x03" + bytes(40), None), (b"one column\nonly\n", None),
     (b"a,b\n1,2,3\n", None), ("caf\xe9,b\n1,2\n".encode("latin-1"), None), (b"a,b\x00\n1,2\n", None)],
)  # fmt: skip
def test_detect_reads_the_content_not_the_name(content, kind):
    assert detect(content) == kind


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("report.pdf", PDF, None), ("photo.JPG", JPEG, None), ("photo.jpeg", JPEG, None), ("plan.docx", DOCX, None),
     ("data.csv", CSV, None), ("photo.png", PDF, "evidence.errors.mismatch"), ("plan.docx", _xlsx(),
     "evidence.errors.mismatch"), ("macro.docx", DOCM, "evidence.errors.unrecognised"),
     ("tool.exe", b"MZ" + bytes(10), "evidence.errors.bad_extension"), ("noext", PDF, "evidence.errors.bad_extension"),
     ("empty.pdf", b"", "evidence.errors.empty"), ("big.pdf", PDF + bytes(50_000), "evidence.errors.too_large")],
)  # fmt: skip
def test_check_upload(name, content, code):
    if code is None:
        kind, content_type = check_upload(name, content, max_bytes=50_000)
        assert content_type.startswith(("application/", "image/", "text/"))
        return
    with pytest.raises(WorkflowError) as caught:
        check_upload(name, content, max_bytes=50_000)
    assert caught.value.code == code


def test_mismatch_and_size_messages_carry_what_was_found():
    with pytest.raises(WorkflowError) as caught:
        check_upload("photo.png", PDF, max_bytes=MB)
    assert caught.value.params == {"extension": "png", "detected": "pdf"}
    with pytest.raises(WorkflowError) as caught:
        check_upload("big.pdf", PDF + bytes(3 * MB), max_bytes=2 * MB)
    assert caught.value.params == {"size": "3.0", "maximum": "2"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, 10 * MB), ({"VSD_EVIDENCE_MAX_MB": "2"}, 2 * MB), ({"VSD_EVIDENCE_MAX_MB": "0.5"}, 524_288),
     ({"VSD_EVIDENCE_MAX_MB": "lots"}, 10 * MB), ({"VSD_EVIDENCE_MAX_MB": "0"}, 10 * MB),
     ({"VSD_EVIDENCE_MAX_MB": " "}, 10 * MB)],
)  # fmt: skip
def test_size_limit_setting(env, expected):
    assert max_evidence_bytes(env) == expected


@pytest.mark.parametrize(
    ("name", "safe"),
    [("C:\\Users\\x\\report.pdf", "report.pdf"), ("../../etc/passwd.csv", "passwd.csv"), ("a\x00b\n.pdf", "ab.pdf"),
     ("", "evidence"), ("x" * 300 + ".pdf", "x" * 251 + ".pdf")],
)  # fmt: skip
def test_safe_name(name, safe):
    assert safe_name(name) == safe
