"""The evidence pack zip end to end: workbook values, CSV safety, manifest, verify-pack, scope and publication."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pandas as pd
import pypdf
import pytest
from typer.testing import CliRunner

from cli import app
from reports.evidence_pack import build_evidence_pack
from reports.manifest import MANIFEST_NAME, sha256_hex, verify_pack
from tests.test_reports_fixtures import HYPERLINK, PORTFOLIOS, definitions, make_inputs, metric_rows, scorecards

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


@pytest.fixture(scope="module")
def pack():
    return build_evidence_pack(make_inputs())


@pytest.fixture(scope="module")
def publication_pack():
    return build_evidence_pack(make_inputs(publication=True))


def _files(pack) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _workbook(pack):
    return openpyxl.load_workbook(io.BytesIO(_files(pack)["metrics.xlsx"]))


def _rows(ws) -> list[dict]:
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, values, strict=True)) for values in ws.iter_rows(min_row=2, values_only=True)]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_pack_holds_every_part(pack):
    names = set(_files(pack))
    assert {"metrics.xlsx", "board_pack.pdf", "audit.csv", "README.txt", MANIFEST_NAME} <= names
    assert {"cases/missed.csv", "cases/late.csv"} <= names
    charts = {name for name in names if name.startswith("charts/")}
    assert charts == {
        "charts/vcop/VCOP_OVERALL.png",
        "charts/vcop/VCOP_R4_REFERRAL.png",
        "charts/vcop/PUB_CRIMES.png",
        "charts/vawg_da/SAT_WHOLE.png",
        "charts/vawg_da/VCOP_OVERALL.png",
    }
    assert pack.file_name == "evidence_pack_2026-10-31_20261102T093000Z.zip"


def test_manifest_hashes_every_other_file(pack):
    files = _files(pack)
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest == pack.manifest
    assert {entry["name"] for entry in manifest["files"]} == set(files) - {MANIFEST_NAME}
    for entry in manifest["files"]:
        assert entry["sha256"] == sha256_hex(files[entry["name"]])
        assert entry["bytes"] == len(files[entry["name"]])
    assert pack.manifest_sha256 == sha256_hex(files[MANIFEST_NAME])
    assert pack.sha256 == sha256_hex(pack.data)
    assert manifest["exported_by"] == "inspector1" and manifest["portfolios"] == ["vcop", "vawg_da"]
    assert manifest["scope"] == "all" and manifest["publication"] is False and manifest["language"] == "en"
    assert [load["sha256"] for load in manifest["loads"]] == ["a" * 64, "b" * 64]


def test_same_inputs_give_the_same_pack(pack):
    assert build_evidence_pack(make_inputs()).sha256 == pack.sha256


def test_workbook_values(pack):
    wb = _workbook(pack)
    assert wb.sheetnames[:4] == ["About", "Victims' Code", "Satisfaction", "Police.uk open data"]
    assert {"Scorecard", "Definitions", "Methodology", "Suppression log"} <= set(wb.sheetnames)
    ws = wb["Victims' Code"]
    rows = _rows(ws)
    headline = next(
        r for r in rows if r["Portfolio"] == "vcop" and r["Breakdown"] == "all" and r["Measure ID"] == "VCOP_OVERALL"
    )
    assert (headline["Numerator"], headline["Denominator"], headline["Value"]) == (180, 240, 0.75)
    assert (headline["95% CI lower"], headline["95% CI upper"], headline["Target"]) == (0.6916, 0.8006, 0.9)
    assert headline["RAG"] == "✗ Red" and headline["Measure"] == "All entitlements"
    october = next(r for r in rows if r["Group"] == "2026-10" and r["Portfolio"] == "vcop")
    assert (october["Numerator"], october["Denominator"], october["Value"]) == (48, 60, 0.8)
    assert (october["SPC variation"], october["Special cause"], october["SPC rule"]) == (
        "Improvement",
        "Yes",
        "7 or more rising or falling in a row",
    )
    small = next(r for r in rows if r["Measure ID"] == "VCOP_R4_REFERRAL")
    assert (small["Numerator"], small["Denominator"], small["Value"], small["Suppressed"]) == (6, 8, None, "Yes")
    value_cells = [c for c in ws["J"] if c.value == 0.75]
    assert value_cells and value_cells[0].number_format == "0.0%"
    public = _rows(wb["Police.uk open data"])[0]
    assert (public["Value"], public["Denominator"]) == (1234, None)
    assert wb["Police.uk open data"]["J2"].number_format == "#,##0.0##"


def test_definitions_methodology_and_suppression_sheets(pack):
    wb = _workbook(pack)
    definitions = {r["Measure ID"]: r for r in _rows(wb["Definitions"])}
    assert definitions["SAT_WHOLE"]["Numerator"] == "answers 5–7"
    assert definitions["SAT_WHOLE"]["Target"] == 0.8 and wb["Definitions"]["H4"].number_format == "0.0%"
    assert definitions["VCOP_OVERALL"]["Better when"] == "Higher"
    method = {r["Item"]: r["Text"] for r in _rows(wb["Methodology"])}
    assert "Wilson" in method["Confidence intervals (Wilson)"]
    assert (
        "Newcombe" in method["Change between periods (Newcombe)"]
        and "2.66" in method["Statistical process control (SPC)"]
    )
    assert "Monday to Friday" in method["Working days"] and "fewer than 10" in method["Suppression of small numbers"]
    log = _rows(wb["Suppression log"])
    assert [(r["Measure ID"], r["Reason"]) for r in log] == [("VCOP_R4_REFERRAL", "Rate base below 10")]


def _all_cells(pack) -> list[str]:
    wb = _workbook(pack)
    return [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]


def _csv_cells(pack) -> dict[str, list[str]]:
    return {
        name: [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for field in row]
        for name, data in _files(pack).items()
        if name.endswith(".csv")
    }


@pytest.mark.parametrize("which", ["pack", "publication_pack"])
def test_formula_text_is_neutralised_in_every_export(which, request):
    built = request.getfixturevalue(which)
    cells = _all_cells(built)
    assert "'" + HYPERLINK in cells  # the feedback summary and the action title
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    with zipfile.ZipFile(io.BytesIO(_files(built)["metrics.xlsx"])) as xlsx:
        sheets = [xlsx.read(n) for n in xlsx.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet for sheet in sheets)
    for name, fields in _csv_cells(built).items():
        assert not [f for f in fields if f.startswith(("=", "+", "@", "\t", "\r"))], name
    if not built.manifest["publication"]:
        assert "'" + HYPERLINK in _csv_cells(built)["audit.csv"]


def test_case_extracts_are_pseudonymised_and_quoted(pack):
    missed = _csv_cells(pack)["cases/missed.csv"]
    assert missed[:7] == ["portfolio_id", "case_id", "code", "trigger_date", "delivered_date", "state", "unit"]
    assert "VC-0000001" in missed and "'-5 days unit" in missed


def test_personal_data_columns_stop_the_export():
    extracts = {"missed": pd.DataFrame({"case_id": ["VC-1"], "surname": ["Jones"], "portfolio_id": ["vcop"]})}
    with pytest.raises(ValueError, match="personal data"):
        build_evidence_pack(make_inputs(case_extracts=extracts))


def test_tampering_is_caught(tmp_path, pack):
    path = tmp_path / "pack.zip"
    path.write_bytes(pack.data)
    assert verify_pack(path, expected_manifest_sha256=pack.manifest_sha256).ok
    files = _files(pack)
    files["cases/late.csv"] = files["cases/late.csv"].replace(b"late", b"timely")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    result = verify_pack(tampered)
    assert (result.ok, result.changed, result.missing, result.extra) == (False, ["cases/late.csv"], [], [])
    runner = CliRunner()
    intact = runner.invoke(app, ["verify-pack", str(path)])
    assert intact.exit_code == 0 and "pack intact" in intact.output
    caught = runner.invoke(app, ["verify-pack", str(tampered)])
    assert caught.exit_code == 1 and "changed: cases/late.csv" in caught.output


def test_publication_pack(publication_pack):
    files = _files(publication_pack)
    assert not [name for name in files if name.startswith("cases/")]
    assert "audit.csv" not in files  # the internal audit trail is not published
    assert publication_pack.manifest["publication"] is True
    assert publication_pack.file_name.startswith("publication_pack_")
    wb = _workbook(publication_pack)
    months = [r for r in _rows(wb["Satisfaction"]) if r["Breakdown"] == "month"]
    assert [r["Numerator"] for r in months] == ["[c]", "<5", 45, 50]
    assert [r["Value"] for r in months] == [None, None, 0.75, 50 / 70]
    log = _rows(wb["Suppression log"])
    assert "Value" not in wb["Suppression log"][1] and {"Count below 5", "Would reveal a suppressed count"} <= {
        r["Reason"] for r in log
    }
    about = " ".join(r["Text"] for r in _rows(wb["About"]))
    assert "counts from 1 to 4 are shown as <5" in about
    text = _pdf_text(files["board_pack.pdf"])
    assert "[c] / 8" in text and "6 / 8" not in text
    assert "shown as <5" in files["README.txt"].decode()


def test_lead_export_holds_only_their_portfolios():
    scoped = build_evidence_pack(make_inputs(scope=["vawg_da"]))
    files = _files(scoped)
    assert {n for n in files if n.startswith("charts/")} == {
        "charts/vawg_da/SAT_WHOLE.png",
        "charts/vawg_da/VCOP_OVERALL.png",
    }
    csvs = _csv_cells(scoped)
    assert "VC-0000001" not in csvs["cases/missed.csv"] and "VC-0000002" in csvs["cases/missed.csv"]
    assert "A-001" not in csvs["audit.csv"] and "F-1" in csvs["audit.csv"]
    wb = _workbook(scoped)
    portfolios = {r["Portfolio"] for ws in wb if "Portfolio" in [c.value for c in ws[1]] for r in _rows(ws)}
    assert portfolios <= {"vawg_da", None}
    assert "Police.uk open data" not in wb.sheetnames
    assert (scoped.manifest["portfolios"], scoped.manifest["scope"]) == (["vawg_da"], "restricted")
    assert "Portfolios: VAWG — domestic abuse" in files["README.txt"].decode()
    assert PORTFOLIOS["vcop"] not in _pdf_text(files["board_pack.pdf"])


def test_scoped_export_refuses_frames_it_cannot_scope():
    with pytest.raises(ValueError, match="audit needs a 'portfolio' column"):
        build_evidence_pack(make_inputs(scope=["vawg_da"], audit=pd.DataFrame({"actor": ["x"]})))


def test_open_government_licence_line_follows_police_uk_data(pack):
    files = _files(pack)
    assert OGL in files["README.txt"].decode()
    assert OGL in _pdf_text(files["board_pack.pdf"])
    assert OGL in _all_cells(pack)
    rows = metric_rows()
    cards = {k: v[~v.metric_id.str.startswith("PUB_")] for k, v in scorecards().items()}
    without = build_evidence_pack(
        make_inputs(metric_rows=rows[~rows.metric_id.str.startswith("PUB_")], scorecards=cards)
    )
    files = _files(without)
    assert OGL not in files["README.txt"].decode()
    assert OGL not in _pdf_text(files["board_pack.pdf"]) and OGL not in _all_cells(without)


def test_welsh_pack():
    welsh = build_evidence_pack(make_inputs(lang="cy"))
    files = _files(welsh)
    readme = files["README.txt"].decode()
    assert "Sut i wirio'r pecyn hwn" in readme and "Yn gywir ar 31 Hydref 2026" in readme
    assert OGL in readme and "Drwydded Llywodraeth Agored v3.0" in readme
    wb = _workbook(welsh)
    assert {"Cod Dioddefwyr", "Diffiniadau", "Methodoleg", "Cofnod atal data", "Ynghylch"} <= set(wb.sheetnames)
    headline = _rows(wb["Cod Dioddefwyr"])[1]
    assert headline["Statws RAG"] == "✗ Coch" and headline["Grŵp"] == "all"
    assert welsh.manifest["language"] == "cy"


def test_catalogue_area_and_kind_shape_the_workbook():
    areas = {
        "VCOP_OVERALL": "vcop",
        "VCOP_R4_REFERRAL": "vcop",
        "SAT_WHOLE": "satisfaction",
        "PUB_CRIMES": "inspection",
    }
    kinds = {"VCOP_OVERALL": "rate", "VCOP_R4_REFERRAL": "rate", "SAT_WHOLE": "rate", "PUB_CRIMES": "count"}
    defs = definitions().assign(area=lambda d: d.metric_id.map(areas), kind=lambda d: d.metric_id.map(kinds))
    wb = _workbook(build_evidence_pack(make_inputs(definitions=defs)))
    assert "Police.uk open data" not in wb.sheetnames  # the catalogue put PUB_CRIMES under inspection here
    ws = wb["Inspection"]
    assert (ws["A2"].value, ws["J2"].value, ws["J2"].number_format) == ("PUB_CRIMES", 1234, "#,##0")
    assert "Kind" in [c.value for c in wb["Definitions"][1]]
