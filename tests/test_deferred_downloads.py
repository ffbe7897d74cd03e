"""Downloads (issue #15, items 2 and 5): no case-level or export bytes reach Streamlit's media store before the user
clicks (the button carries no URL, only a deferred id), and each download is audited at the moment it is made: the
case list, the MoJ return, evidence files, the record of decisions, exports, the audit trail and the participants'
summary. A click is answered as the server answers it (ui/downloads.py, tests/download_support.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from data import actions
from data.evidence import attach_evidence
from data.models import AuditLog
from tests.accountability_support import (
    LEAD_DA,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    open_page,
)
from tests.download_support import click_download, media_fixture, not_stored_before_the_click  # noqa: F401
from tests.test_page_exports import RESULT_KEY, build, export_audit, exports_db, open_exports  # noqa: F401
from tests.test_page_meeting import meeting  # noqa: F401 (the meeting fixture)
from tests.test_page_victims_code import CASE_COLUMN, CODE, frame_with, open_victims_code

PDF = b"%PDF-1.4\n%%EOF\n"


def exports(engine, event: str) -> list:
    with engine.connect() as conn:
        stmt = select(AuditLog.actor, AuditLog.portfolio, AuditLog.detail).where(AuditLog.event == event)
        return conn.execute(stmt.order_by(AuditLog.id)).all()


@pytest.mark.slow  # AppTest on the seeded demo database: the Victims' Code page with its case list
def test_the_case_list_and_the_moj_return_are_made_and_audited_only_on_click(seeded_copy, media):
    at = open_victims_code("lead.da", portfolio="vawg_da", code=CODE, cases="1")
    assert not at.exception
    cases = frame_with(at, CASE_COLUMN)
    refs = set(cases[CASE_COLUMN])
    assert refs, "the lead sees their case list"
    # Before any click: no file holding a case reference is in the media store, and nothing was audited.
    assert not [ref for ref in refs if ref in media.stored_text()]
    for key in ("vcop_cases_download", "vcop_moj_download"):
        not_stored_before_the_click(at, key, media)
    assert exports(seeded_copy, "export.vcop_cases") == exports(seeded_copy, "export.moj_return") == []

    data = click_download(at, "vcop_cases_download", media).decode("utf-8-sig")
    assert refs <= {line.split(",")[0] for line in data.splitlines()[1:]}
    [(actor, portfolio, detail)] = exports(seeded_copy, "export.vcop_cases")
    assert (actor, portfolio, json.loads(detail)["rows"]) == ("lead.da", "vawg_da", len(cases))

    moj = click_download(at, "vcop_moj_download", media).decode("utf-8-sig")
    assert moj.startswith("Measure,Quarter")
    [(actor, portfolio, detail)] = exports(seeded_copy, "export.moj_return")
    assert (actor, portfolio) == ("lead.da", "vawg_da")
    assert json.loads(detail)["rows"] == len(moj.splitlines()) - 1


def test_an_evidence_file_is_handed_over_and_audited_only_on_click(app_db, media):
    actions.create_action(app_db, LEAD_DA, title="Call-backs", portfolio="vawg_da", owner="DA lead",
                          due_date=dt.date(2026, 9, 15), today=dt.date(2026, 6, 1))  # fmt: skip
    attach_evidence(app_db, LEAD_DA, "action", "AC-001", "audit.pdf", PDF, note="September audit")
    at = open_page("board", "app_pages/inspection.py", action="AC-001")
    key = "vsd_ev_download_action_AC-001"
    not_stored_before_the_click(at, key, media)
    assert not [name for name, _data in media.stored if name == "audit.pdf"]
    assert exports(app_db, "export.evidence_file") == []
    assert click_download(at, key, media) == PDF
    [(actor, _portfolio, detail)] = exports(app_db, "export.evidence_file")
    assert actor == "board"
    assert json.loads(detail) | {"sha256": "-"} == {
        "entity_type": "action", "entity_id": "AC-001", "evidence_id": 1, "file": "audit.pdf", "bytes": len(PDF),
        "sha256": "-",
    }  # fmt: skip


def test_the_record_of_decisions_is_made_and_audited_only_on_click(meeting, media):  # noqa: F811
    at = open_page("board", "app_pages/meeting.py", meeting="MT-001", item="3")
    for key in ("vsd_meeting_download_csv", "vsd_meeting_download_pdf"):
        not_stored_before_the_click(at, key, media)
    assert exports(meeting, "export.meeting_record") == []
    assert click_download(at, "vsd_meeting_download_csv", media).decode("utf-8-sig").startswith("Meeting,Meeting title")
    assert click_download(at, "vsd_meeting_download_pdf", media).startswith(b"%PDF-")
    assert [(a, json.loads(d)) for a, _p, d in exports(meeting, "export.meeting_record")] == [
        ("board", {"meeting": "MT-001", "format": "csv", "rows": 0}),
        ("board", {"meeting": "MT-001", "format": "pdf", "rows": 0}),
    ]


def test_a_download_whose_audit_cannot_be_written_is_refused(app_db, media, monkeypatch):
    actions.create_action(app_db, LEAD_DA, title="Call-backs", portfolio="vawg_da", owner="DA lead",
                          due_date=dt.date(2026, 9, 15), today=dt.date(2026, 6, 1))  # fmt: skip
    attach_evidence(app_db, LEAD_DA, "action", "AC-001", "audit.pdf", PDF)
    at = open_page("board", "app_pages/inspection.py", action="AC-001")

    def broken(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("ui.evidence.record_export", broken)
    with pytest.raises(Exception, match="audit log unavailable"):
        click_download(at, "vsd_ev_download_action_AC-001", media)


@pytest.mark.slow  # AppTest: builds an evidence pack on the seeded demo database
def test_an_export_reaches_the_media_store_only_when_downloaded_and_each_download_is_audited(
    exports_db,  # noqa: F811
    media,
):
    at = build(open_exports("inspector"), portfolio="witness_care")
    result = at.session_state[RESULT_KEY]
    assert not [name for name, _data in media.stored if name == result.file_name]
    not_stored_before_the_click(at, "vsd_export_download", media)
    assert [r.event for r in export_audit(exports_db)] == ["export.evidence"]  # the build, with its SHA-256
    assert click_download(at, "vsd_export_download", media) == result.data
    built, downloaded = export_audit(exports_db)
    assert (downloaded.actor, downloaded.event, downloaded.portfolio) == (
        "inspector",
        "export.download",
        "witness_care",
    )
    assert json.loads(downloaded.detail) == {"kind": "evidence", "file": result.file_name, "sha256": result.sha256}
