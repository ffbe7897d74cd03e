"""The export service on both databases: who may export what, the case-level extracts worked out by hand and kept
to the exporter's portfolios, formula neutralisation in every file, and the audit row with the SHA-256.

The handmade cases are those of tests/test_cases_access.py (March 2024, as-of Thursday 28 March); one instance owed
by a unit named like a spreadsheet formula, and one feedback summary that is one, check neutralisation end to end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from auth.roles import Scope
from data.feedback import record_feedback
from data.models import AuditLog, Entitlement, Load, Victim
from metrics.catalogue import load_catalogue
from reports.exporting import ExportRefused, ExportRequest, allowed_kinds, export_pack
from reports.manifest import sha256_hex, verify_pack
from reports.safety import needs_neutralising
from tests.test_cases_access import ENTITLEMENTS, VICTIMS
from tests.test_reports_fixtures import HYPERLINK

START, END, AS_OF = dt.date(2024, 3, 1), dt.date(2024, 3, 31), dt.date(2024, 3, 28)
LEAD_DA = Scope.for_user("lead.da", ["lead"], ["vawg_da"])
LEAD_SV = Scope.for_user("lead.sv", ["lead"], ["survivor_voice"])
INSPECTOR = Scope.for_user("inspector", ["inspector"])
BOARD = Scope.for_user("board", ["board"])
ANALYST = Scope.for_user("analyst", ["analyst"])
ADMIN = Scope.for_user("admin", ["admin"])
FORMULA_UNIT = HYPERLINK  # E12 is owed by this "unit" instead of CID Newport

# (entitlement_id, case_id, code, state, elapsed, timescale, unit) worked out in tests/test_cases_access.py, in the
# extract's order (trigger date, case, entitlement). Both DA victims are in the vawg_da cohort; VC-OT1 is not.
E02 = ("E02", "VC-DA1", "R6_SUSPECT_UPDATE", "late", 6, 5, "Public Protection Unit")
E09 = ("E09", "VC-DA1", "R2_RECORDED", "late", 2, 1, "Public Protection Unit")
E08 = ("E08", "VC-OT1", "R6_SUSPECT_UPDATE", "missed", 19, 5, "Response East")
E12 = ("E12", "VC-DA1", "R6_SUSPECT_UPDATE", "missed", 18, 5, "'" + FORMULA_UNIT)
E13 = ("E13", "VC-DA1", "R8_HEARING_INFO", "missed", 18, 1, "Witness Care Unit")
E03 = ("E03", "VC-DA2", "R6_SUSPECT_UPDATE", "late", 2, 1, "Public Protection Unit")
E07 = ("E07", "VC-DA1", "R6_SUSPECT_UPDATE", "missed", 13, 5, "Public Protection Unit")
E04 = ("E04", "VC-DA2", "R6_SUSPECT_UPDATE", "missed", 8, 1, "Public Protection Unit")
VAWG_DA_CASES = [E02, E09, E12, E13, E03, E07, E04]
VCOP_CASES = [E02, E09, E08, E12, E13, E03, E07, E04]


@pytest.fixture
def seeded(engine):
    """The handmade victims and entitlements, a load dated at the as-of day, and a formula-like feedback summary."""
    rows = []
    for eid, case, code, trigger, delivered, declined, unit in ENTITLEMENTS:
        rows.append({
            "entitlement_id": eid, "case_id": case, "code": code, "trigger_date": dt.date.fromisoformat(trigger),
            "delivered_date": dt.date.fromisoformat(delivered) if delivered else None, "declined": declined,
            "language": None, "unit": FORMULA_UNIT if eid == "E12" else unit,
        })  # fmt: skip
    load = {"table_name": "entitlements", "file_name": "entitlements.csv", "sha256": "a" * 64, "rows_inserted": 13,
            "rows_updated": 0, "loaded_by": "tests", "loaded_at": dt.datetime(2024, 3, 29, 8), "outcome": "loaded",
            "as_of_date": AS_OF, "error_count": 0}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Victim), VICTIMS)
        conn.execute(insert(Entitlement), rows)
        conn.execute(insert(Load), [load])
    record_feedback(engine, LEAD_SV, received_date=dt.date(2024, 3, 10), theme="Updates", summary=HYPERLINK,
                    portfolio="vawg_da")  # fmt: skip
    yield engine
    if engine.dialect.name == "postgresql":  # audit_log is append-only by trigger; empty it with triggers off
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("DELETE FROM audit_log")


def files_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def listed(data: bytes) -> list[tuple]:
    """(entitlement_id, case_id, code, state, elapsed, timescale, unit) of a case extract's rows."""
    return [
        (r["entitlement_id"], r["case_id"], r["code"], r["state"], int(r["elapsed"]), int(r["timescale"]), r["unit"])
        for r in csv_rows(data)
    ]


def export_rows(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        return conn.execute(select(AuditLog).where(AuditLog.event.like("export.%")).order_by(AuditLog.id)).all()


def no_live_formulas(files: dict[str, bytes]) -> None:
    """No CSV or workbook cell of the pack is text a spreadsheet would run, and the workbook holds no formula."""
    for name, data in files.items():
        if name.endswith(".csv"):
            reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
            assert not [cell for row in reader for cell in row if needs_neutralising(cell)], name
        if name.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(data))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (name, sheet.title, cell.coordinate)
                        assert not needs_neutralising(cell.value), (name, sheet.title, cell.coordinate)


def test_a_leads_evidence_pack_holds_only_their_portfolios_cases(seeded):
    request = ExportRequest("evidence", START, END, lang="en")
    result = export_pack(seeded, request, actor="lead.da", scope=LEAD_DA)
    files = files_of(result.data)
    assert sorted(name for name in files if name.startswith("cases/")) == ["cases/vawg_da.csv"]
    assert listed(files["cases/vawg_da.csv"]) == VAWG_DA_CASES
    assert b"VC-OT1" not in b"".join(files[name] for name in files if name.endswith(".csv"))
    manifest = json.loads(files["manifest.json"])
    assert manifest["portfolios"] == ["vawg_da"] and manifest["scope"] == "restricted"
    assert "cases/vawg_da.csv" in {entry["name"] for entry in manifest["files"]}
    (row,) = export_rows(seeded)
    detail = json.loads(row.detail)
    assert (row.actor, row.event, row.portfolio) == ("lead.da", "export.evidence", "vawg_da")
    assert detail["sha256"] == sha256_hex(result.data) == result.sha256
    assert detail["manifest_sha256"] == sha256_hex(files["manifest.json"])
    assert detail["case_files"] == ["cases/vawg_da.csv"] and detail["portfolios"] == ["vawg_da"]


def test_an_inspectors_pack_has_every_portfolios_cases_verifies_and_runs_no_formula(seeded, tmp_path):
    result = export_pack(seeded, ExportRequest("evidence", START, END), actor="inspector", scope=INSPECTOR)
    files = files_of(result.data)
    catalogue = load_catalogue()
    with_cases = [p.id for p in catalogue.portfolios if any(catalogue.measure(m).codes
                                                            for m in catalogue.scorecard_measures(p.id))]  # fmt: skip
    assert sorted(n for n in files if n.startswith("cases/")) == sorted(f"cases/{p}.csv" for p in with_cases)
    assert listed(files["cases/vcop.csv"]) == VCOP_CASES
    assert listed(files["cases/vawg_da.csv"]) == VAWG_DA_CASES
    assert listed(files["cases/witness_care.csv"]) == [E13]
    assert listed(files["cases/rasso.csv"]) == []  # no sexual-offence victims: a header and no rows
    path = tmp_path / result.file_name
    path.write_bytes(result.data)
    assert verify_pack(path, expected_manifest_sha256=result.detail["manifest_sha256"]).ok
    # Formula-like text (a feedback summary, a unit name) is neutralised in every CSV and workbook cell.
    no_live_formulas(files)
    book = openpyxl.load_workbook(io.BytesIO(files["metrics.xlsx"]))
    feedback = [cell.value for row in book["You said, we did"].iter_rows() for cell in row]
    assert "'" + HYPERLINK in feedback
    units = {row["entitlement_id"]: row["unit"] for row in csv_rows(files["cases/vcop.csv"])}
    assert units["E12"] == "'" + HYPERLINK


def test_a_publication_pack_has_no_case_data_and_no_audit_trail(seeded):
    result = export_pack(seeded, ExportRequest("evidence", START, END, publication=True), actor="inspector",
                         scope=INSPECTOR)  # fmt: skip
    files = files_of(result.data)
    assert not [name for name in files if name.startswith("cases/") or name == "audit.csv"]
    assert result.detail["case_files"] == [] and result.detail["publication"] is True


def test_a_board_pack_is_a_pdf_audited_with_its_hash(seeded):
    result = export_pack(seeded, ExportRequest("board", START, END, portfolio="vawg_da"), actor="board", scope=BOARD)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(result.data)).pages)
    assert "VAWG — domestic abuse" in text and "Rape and serious sexual offences" not in text
    (row,) = export_rows(seeded)
    assert (row.actor, row.event, row.portfolio) == ("board", "export.board", "vawg_da")
    assert json.loads(row.detail)["sha256"] == sha256_hex(result.data)
    assert result.mime == "application/pdf" and result.file_name.endswith(".pdf")


@pytest.mark.parametrize(
    ("scope", "kinds"),
    [(INSPECTOR, ["evidence"]), (BOARD, ["board"]), (LEAD_DA, ["evidence", "board"]), (ANALYST, []), (ADMIN, [])],
)
def test_allowed_kinds_per_role(scope, kinds):
    assert allowed_kinds(scope) == kinds


@pytest.mark.parametrize(
    ("scope", "request_", "code"),
    [
        (BOARD, ExportRequest("evidence", START, END), "role"),
        (INSPECTOR, ExportRequest("board", START, END), "role"),
        (ANALYST, ExportRequest("evidence", START, END), "role"),
        (ADMIN, ExportRequest("board", START, END), "role"),
        (LEAD_DA, ExportRequest("evidence", START, END, portfolio="rasso"), "scope"),
        (LEAD_DA, ExportRequest("evidence", END, START), "period"),
        (LEAD_DA, ExportRequest("slides", START, END), "kind"),
        (LEAD_DA, ExportRequest("board", START, END, lang="fr"), "language"),
        (INSPECTOR, ExportRequest("evidence", START, END, portfolio="nope"), "portfolio"),
    ],
)
def test_refused_exports_are_not_built_or_audited(seeded, scope, request_, code):
    with pytest.raises(ExportRefused) as refused:
        export_pack(seeded, request_, actor=scope.username, scope=scope)
    assert refused.value.code == code
    assert export_rows(seeded) == []
