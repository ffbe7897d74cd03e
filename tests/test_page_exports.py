"""The Exports page: who may open it and build what, packs that verify, audit rows with the file's SHA-256, a lead's
pack without other portfolios' cases, formula text neutralised, Welsh packs, and a fault shown without a trace."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from data.feedback import record_feedback
from data.models import AuditLog, Victim
from metrics.catalogue import load_catalogue
from reports.manifest import sha256_hex, verify_pack
from reports.safety import needs_neutralising
from tests.apptest_support import can_open, sign_in
from tests.test_reports_fixtures import HYPERLINK

PAGE = "app_pages/exports.py"
RESULT_KEY = "vsd_export_result"
_AUDIT_FLOOR: dict[int, int] = {}  # engine -> the last audit id before the test, see exports_db


@pytest.fixture
def exports_db(seeded_copy):
    """A private copy of the seeded demo database (exports write audit rows), with a formula-like feedback item."""
    engine = seeded_copy
    # The shared seeded file may hold other tests' exports, and the audit log is append-only on every database
    # (migrations 0002 and 0005): count only the rows written after this point.
    with engine.connect() as conn:
        _AUDIT_FLOOR[id(engine)] = conn.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))
    coordinator = Scope.for_user("lead.sv", ["lead"], ["survivor_voice"])
    for portfolio in ("witness_care", "vawg_da"):
        record_feedback(engine, coordinator, received_date=dt.date(2026, 9, 1), theme="Court", summary=HYPERLINK,
                        portfolio=portfolio)  # fmt: skip
    return engine


def open_exports(username: str) -> AppTest:
    at = sign_in(username)
    at.switch_page(PAGE)
    return at.run()


def build(at: AppTest, **choices) -> AppTest:
    """Set the form's choices (widget key suffix -> value) and build the export."""
    for name, value in choices.items():
        widget = at.selectbox(key="vsd_export_portfolio") if name == "portfolio" else at.radio(key=f"vsd_export_{name}")
        widget.set_value(value)
    at.button(key="vsd_export_build").click().run(timeout=600)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.download_button(key="vsd_export_download")
    return at


def export_audit(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        since = AuditLog.id > _AUDIT_FLOOR.get(id(engine), 0)
        return conn.execute(select(AuditLog).where(AuditLog.event.like("export.%"), since).order_by(AuditLog.id)).all()


def pack_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("inspector", True), ("board", True), ("lead.da", True), ("lead.wcu", True), ("analyst", False), ("admin", False)],
)
def test_only_leads_board_and_inspectors_open_exports(seeded_reading_env, username, allowed):
    assert can_open(sign_in(username), PAGE) is allowed


def test_direct_run_is_refused_for_other_roles(seeded_reading_env):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=30)
    at.session_state["vsd_scope"] = Scope.for_user("admin", ["admin"])
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.button


@pytest.mark.slow
def test_an_inspector_builds_an_evidence_pack_that_verifies_and_is_audited(exports_db, tmp_path):
    at = open_exports("inspector")
    assert at.radio(key="vsd_export_kind").options == ["Evidence pack (zip)"]
    at = build(at, portfolio="witness_care")
    result = at.session_state[RESULT_KEY]
    path = tmp_path / result.file_name
    path.write_bytes(result.data)
    assert verify_pack(path, expected_manifest_sha256=result.detail["manifest_sha256"]).ok
    (row,) = export_audit(exports_db)
    detail = json.loads(row.detail)
    assert (row.actor, row.event, row.portfolio) == ("inspector", "export.evidence", "witness_care")
    assert detail["sha256"] == sha256_hex(result.data)
    files = pack_files(result.data)
    assert sorted(n for n in files if n.startswith("cases/")) == ["cases/witness_care.csv"]
    cells = [c for row in csv.reader(io.StringIO(files["cases/witness_care.csv"].decode("utf-8-sig"))) for c in row]
    assert len(cells) > 13 and not [c for c in cells if needs_neutralising(c)]  # a header and at least one case
    book = openpyxl.load_workbook(io.BytesIO(files["metrics.xlsx"]))
    summaries = [cell.value for row in book["You said, we did"].iter_rows() for cell in row]
    assert "'" + HYPERLINK in summaries and HYPERLINK not in summaries


@pytest.mark.slow
def test_a_board_member_builds_a_board_pack(exports_db):
    at = open_exports("board")
    assert at.radio(key="vsd_export_kind").options == ["Board pack (PDF)"]
    result = build(at, portfolio="witness_care").session_state[RESULT_KEY]
    text = pdf_text(result.data)
    assert "Witness Care Unit" in text and "VAWG — domestic abuse" not in text
    (row,) = export_audit(exports_db)
    assert (row.actor, row.event) == ("board", "export.board")
    assert json.loads(row.detail)["sha256"] == sha256_hex(result.data)


@pytest.mark.slow
def test_a_leads_packs_hold_only_their_portfolio_and_its_cases(exports_db):
    at = open_exports("lead.da")
    assert at.selectbox(key="vsd_export_portfolio").options == ["VAWG — domestic abuse"]
    evidence = build(at).session_state[RESULT_KEY]
    files = pack_files(evidence.data)
    assert sorted(n for n in files if n.startswith("cases/")) == ["cases/vawg_da.csv"]
    rows = list(csv.DictReader(io.StringIO(files["cases/vawg_da.csv"].decode("utf-8-sig"))))
    with exports_db.connect() as conn:
        domestic = set(conn.execute(select(Victim.case_id).where(Victim.domestic_abuse.is_(True))).scalars())
    assert rows and {r["portfolio_id"] for r in rows} == {"vawg_da"}
    assert {r["case_id"] for r in rows} <= domestic  # no other portfolio's (non-domestic-abuse) case
    assert json.loads(files["manifest.json"])["portfolios"] == ["vawg_da"]
    board = build(at, kind="board", lang="cy").session_state[RESULT_KEY]
    text = pdf_text(board.data)
    assert load_catalogue().portfolio_name("vawg_da", "cy") in text
    assert load_catalogue().portfolio_name("rasso", "cy") not in text
    audited = export_audit(exports_db)
    assert [(r.event, r.portfolio, json.loads(r.detail)["lang"]) for r in audited] == [
        ("export.evidence", "vawg_da", "en"), ("export.board", "vawg_da", "cy"),
    ]  # fmt: skip
    assert [json.loads(r.detail)["sha256"] for r in audited] == [sha256_hex(evidence.data), sha256_hex(board.data)]


def test_a_fault_while_building_shows_a_message_not_a_trace(exports_db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("reports.exporting.gather", broken)
    at = open_exports("lead.da")
    at.button(key="vsd_export_build").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The export could not be built and nothing was downloaded. Please try again, and tell the performance team "
        "if it fails again."
    ]
    assert export_audit(exports_db) == []


def test_a_period_that_ends_before_it_starts_is_refused(exports_db):
    at = open_exports("lead.da")
    at.date_input(key="vsd_export_from").set_value(dt.date(2026, 6, 1))
    at.date_input(key="vsd_export_to").set_value(dt.date(2026, 5, 1))
    at.button(key="vsd_export_build").click().run()
    assert [e.value for e in at.error] == ["The first day must not be after the last day."]
    assert export_audit(exports_db) == []
