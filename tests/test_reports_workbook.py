"""The XlsxWriter workbook builder (reports/workbook.py), read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile

import openpyxl
import pandas as pd
import pytest

from reports.workbook import WORKBOOK_OPTIONS, Sheet, build_workbook, mapped, sheet_name
from tests.test_reports_fixtures import HYPERLINK


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_options_never_turn_strings_into_formulas_urls_or_numbers():
    assert WORKBOOK_OPTIONS["strings_to_formulas"] is False
    assert WORKBOOK_OPTIONS["strings_to_urls"] is False
    assert WORKBOOK_OPTIONS["strings_to_numbers"] is False


def test_text_cells_stay_text():
    frame = pd.DataFrame({"text": [HYPERLINK, "http://example.com", "00123", "-5 days", "+44 1633"]})
    data = build_workbook([Sheet("T", frame)])
    ws = _open(data)["T"]
    values = [ws.cell(row=r, column=1).value for r in range(2, 7)]
    assert values == ["'" + HYPERLINK, "http://example.com", "00123", "'-5 days", "'+44 1633"]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 7))
    assert ws.cell(row=3, column=1).hyperlink is None
    assert "<f>" not in _sheet_xml(data)


def test_number_formats_by_column_kind_and_row_unit():
    frame = pd.DataFrame(
        {
            "metric_id": ["RATE", "COUNT", "GAP"],
            "share": [0.25, 0.5, 0.125],
            "value": [0.8123, 1234.0, -0.035],
            "n": [12, 1234, -3],
            "day": [dt.date(2026, 10, 31), dt.date(2026, 1, 2), None],
        }
    )
    kinds = {"share": "proportion", "value": "value", "n": "count", "day": "date"}
    units = ["proportion", "count", "percentage_points"]
    ws = _open(build_workbook([Sheet("F", frame, kinds=kinds, units=units)]))["F"]
    assert [ws.cell(row=r, column=2).number_format for r in range(2, 5)] == ["0.0%"] * 3
    assert [ws.cell(row=r, column=3).number_format for r in range(2, 5)] == ["0.0%", "#,##0", "+0.0%;-0.0%;0.0%"]
    assert [ws.cell(row=r, column=3).value for r in range(2, 5)] == [0.8123, 1234, -0.035]
    assert ws.cell(row=4, column=4).value == -3  # a negative number is a number, not quoted text
    assert ws.cell(row=2, column=5).value == dt.datetime(2026, 10, 31)
    assert ws.cell(row=2, column=5).number_format == "yyyy-mm-dd"
    assert ws.cell(row=4, column=5).value is None


def test_headers_fills_blanks_booleans_and_layout():
    frame = pd.DataFrame({"rag": ["✓ Green", "✗ Red", None], "flag": [True, False, True], "x": [math.nan, 1.0, 2.0]})
    sheet = Sheet(
        "L",
        frame,
        headers={"rag": "RAG status"},
        fills={"rag": {"✓ Green": ("#00703C", "#FFFFFF"), "✗ Red": ("#D4351C", "#FFFFFF")}},
    )
    ws = _open(build_workbook([sheet]))["L"]
    assert [c.value for c in ws[1]] == ["RAG status", "flag", "x"]
    assert ws["A2"].fill.fgColor.rgb == "FF00703C"
    assert ws["A3"].fill.fgColor.rgb == "FFD4351C"
    assert ws["B2"].value is True and ws["B3"].value is False
    assert ws["C2"].value is None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:C4"


def test_infinity_is_written_as_text_not_an_error():
    ws = _open(build_workbook([Sheet("I", pd.DataFrame({"v": [math.inf, -math.inf]}))]))["I"]
    assert [ws["A2"].value, ws["A3"].value] == ["∞", "-∞"]


def test_aware_datetimes_are_written_in_utc():
    stamp = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ws = _open(build_workbook([Sheet("D", pd.DataFrame({"at": [stamp]}), kinds={"at": "datetime"})]))["D"]
    assert ws["A2"].value == dt.datetime(2026, 6, 1, 11, 0)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown column kind"):
        build_workbook([Sheet("X", pd.DataFrame({"a": [1]}), kinds={"a": "money"})])


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Victims' Code", set(), "Victims' Code"),
        ("a/b:c*d?e[f]g\\h", set(), "a-b-c-d-e-f-g-h"),
        ("'quoted'", set(), "quoted"),
        ("x" * 40, set(), "x" * 31),
        ("Scorecard", {"scorecard"}, "Scorecard (2)"),
        ("y" * 31, {"y" * 31}, "y" * 27 + " (2)"),
        ("", set(), "Sheet"),
    ],
)
def test_sheet_name(name, taken, expected):
    assert sheet_name(name, set(taken)) == expected


def test_sheet_names_in_a_workbook_are_unique():
    frames = [Sheet("Same", pd.DataFrame({"a": [1]})), Sheet("same", pd.DataFrame({"a": [2]}))]
    assert _open(build_workbook(frames)).sheetnames == ["Same", "same (2)"]


def test_mapped_replaces_codes_and_keeps_blanks():
    series = pd.Series(["green", None, "red", "other"])
    assert mapped(series, {"green": "Green", "red": "Red"}).tolist() == ["Green", None, "Red", "other"]
    assert mapped(series, str.upper).tolist() == ["GREEN", None, "RED", "OTHER"]


def test_workbook_properties_make_output_repeatable():
    frame = pd.DataFrame({"a": [1, 2]})
    created = {"title": "T", "created": dt.datetime(2026, 11, 2, 9, 30)}
    first = build_workbook([Sheet("A", frame)], created)
    assert first == build_workbook([Sheet("A", frame)], created)
    assert _open(first).properties.title == "T"
