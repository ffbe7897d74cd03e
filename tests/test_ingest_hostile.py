"""Hostile and broken input files (issue 7): each is refused with a clear error before it can exhaust memory or time,
and nothing from it is written. The random counterpart of these cases is tests/test_fuzz_loaders.py.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from data import ingest_guard, ingest_read
from data.ingest import import_bytes
from data.ingest_check import INT_RULE, NUL_RULE
from data.ingest_report import VALUE_SHOWN
from data.models import Action
from tests.fuzz_support import (
    POLICEUK_NAME,
    POLICEUK_ROW,
    assert_loaded_or_rejected,
    csv_text,
    state,
    valid_csv,
    valid_policeuk,
    with_parts,
    workbook,
)
from tests.test_ingest_support import VALID, count, loads
from ui import uploads
from ui.uploads import process_uploads

HEADER = list(VALID["victims"])
ROW = list(VALID["victims"].values())
SHEET = "xl/worksheets/sheet1.xml"


def load(engine, name: str, content: bytes):
    """Load one file as an upload; check it was rejected (not failed) and wrote nothing; return its result."""
    before = state(engine)
    [result] = import_bytes(engine, name, content, loaded_by="test")
    assert result.outcome == "rejected", result.message
    assert_loaded_or_rejected([result], engine, before)
    return result


def only_error(result) -> tuple:
    [error] = result.errors
    return error.row, error.column, error.rule


def sheet_xml(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read(SHEET).decode()


def no_openpyxl(monkeypatch) -> None:
    """Fail the test if the workbook is ever handed to openpyxl."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("openpyxl was asked to open a workbook that should have been refused first")

    monkeypatch.setattr(ingest_read.openpyxl, "load_workbook", refuse)


# ---------------------------------------------------------------- workbooks: zip bombs and damaged XML


def test_a_zip_bomb_is_refused_without_being_expanded(engine, monkeypatch):
    padding = " " * (50 << 20)  # 50 MB of XML whitespace compresses to about 50 KB
    bomb = with_parts(workbook([HEADER, ROW]), {SHEET: sheet_xml(workbook([HEADER, ROW])) + padding})
    assert len(bomb) < 200_000
    no_openpyxl(monkeypatch)
    _row, _column, rule = only_error(load(engine, "victims.xlsx", bomb))
    assert "zip bomb" in rule and SHEET in rule


def test_a_workbook_expanding_beyond_the_limit_is_refused(engine, monkeypatch):
    monkeypatch.setattr(ingest_guard, "XLSX_MAX_EXPANDED", 2_000)
    no_openpyxl(monkeypatch)
    assert "would expand to" in only_error(load(engine, "victims.xlsx", workbook([HEADER, ROW])))[2]


def test_a_part_read_whole_into_memory_is_limited_but_a_streamed_sheet_is_not(engine, monkeypatch):
    monkeypatch.setattr(ingest_guard, "XLSX_MAX_WHOLE_PART", 30_000)
    strings = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + " " * 40_000 + "</sst>"
    big_strings = with_parts(workbook([HEADER, ROW]), {"xl/sharedStrings.xml": strings}, zipfile.ZIP_STORED)
    assert "xl/sharedStrings.xml" in only_error(load(engine, "victims.xlsx", big_strings))[2]
    big_sheet = with_parts(workbook([HEADER, ROW]), {SHEET: sheet_xml(workbook([HEADER, ROW])) + " " * 40_000})
    [result] = import_bytes(engine, "victims.xlsx", big_sheet, loaded_by="test")
    assert result.ok and count(engine, "victims") == 1


def test_a_part_that_expands_beyond_its_declared_size_is_refused(engine):
    content = workbook([HEADER, ROW])
    archive = bytearray(content)
    # Declare the sheet smaller than it is in the central directory (the name's last occurrence; the entry's
    # uncompressed size sits 22 bytes before its name): zipfile stops at the declared size and the CRC check fails.
    name_at = archive.rfind(SHEET.encode())
    archive[name_at - 22 : name_at - 18] = (100).to_bytes(4, "little")
    _row, _column, rule = only_error(load(engine, "victims.xlsx", bytes(archive)))
    assert "cannot be read" in rule or "not a readable .xlsx" in rule


def test_xml_entity_expansion_in_a_sheet_is_refused(engine):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    content = workbook([HEADER, ROW])
    body = sheet_xml(content).split("?>", 1)[-1]
    [control] = import_bytes(
        engine, "victims.xlsx", with_parts(content, {SHEET: '<?xml version="1.0"?>' + body}), loaded_by="t"
    )
    assert control.ok  # the same sheet without the entities loads
    _row, _column, rule = only_error(load(engine, "victims.xlsx", with_parts(content, {SHEET: laughs + body})))
    assert "not a readable .xlsx workbook" in rule or "cannot be read" in rule


def test_a_row_beyond_excels_last_row_is_refused(engine):
    content = workbook([HEADER, ROW])
    far = sheet_xml(content).replace('<row r="2"', '<row r="2000000"').replace('r="A2"', 'r="A2000000"')
    row, _column, rule = only_error(load(engine, "victims.xlsx", with_parts(content, {SHEET: far})))
    assert "beyond row 1,048,576" in rule and row == 1_048_577


def test_a_sheet_claiming_huge_dimensions_still_loads_its_one_row(engine):
    content = workbook([HEADER, ROW])
    claimed = sheet_xml(content).replace('<dimension ref="A1:R2"', '<dimension ref="A1:ZZZ1048576"')
    [result] = import_bytes(engine, "victims.xlsx", with_parts(content, {SHEET: claimed}), loaded_by="test")
    assert result.ok and (result.rows_inserted, count(engine, "victims")) == (1, 1)


def test_cells_the_sheet_cannot_name_are_refused(engine):
    content = workbook([HEADER, ROW])
    bad = sheet_xml(content).replace('r="C2"', 'r="ZZZZZZ2"')
    row, _column, rule = only_error(load(engine, "victims.xlsx", with_parts(content, {SHEET: bad})))
    assert row == 2 and "'ZZZZZZ' is not a valid column name" in rule


def test_excel_formulas_and_dates_out_of_range_are_cell_errors(engine):
    book = openpyxl.Workbook()
    book.active.title = "victims"
    book.active.append(HEADER)
    book.active.append(ROW)
    book.active["Q2"] = '=IF(1,"charged")'  # outcome: a formula whose value was never calculated
    book.active["C2"] = 10**9  # reported_date: a date serial far beyond year 9999
    book.active["C2"].number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    result = load(engine, "victims.xlsx", out.getvalue())
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "reported_date", "#VALUE!"), (2, "outcome", "")]
    assert result.errors[1].rule == "required"


# ---------------------------------------------------------------- CSV: encodings, widths, cells


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-32"])
def test_a_csv_not_in_utf8_is_refused_with_advice(engine, encoding):
    text = valid_csv("victims").replace("Newport CID", "Caerffili Café")
    assert only_error(load(engine, "victims.csv", text.encode(encoding))) == (
        None,
        "",
        "the file is not UTF-8 text (save it as 'CSV UTF-8')",
    )


@pytest.mark.parametrize("wider_row", [2, 4])
def test_a_row_wider_than_the_header_is_refused_not_shifted_or_cut(engine, wider_row):
    rows = [HEADER] + [[f"VC-{i}", *ROW[1:]] for i in range(1, 4)]
    rows[wider_row - 1] = [*rows[wider_row - 1], "spilled"]
    row, _column, rule = only_error(load(engine, "victims.csv", csv_text(rows).encode()))
    assert row == wider_row and f"row {wider_row} has" in rule and "double quotes" in rule


def test_headers_too_wide_or_too_long_are_refused_and_a_thousand_columns_load(engine):
    extra = [f"extra_{i}" for i in range(ingest_guard.MAX_COLUMNS - len(HEADER))]
    [ok] = import_bytes(
        engine, "victims.csv", csv_text([HEADER + extra, ROW + [""] * len(extra)]).encode(), loaded_by="t"
    )
    assert ok.ok and count(engine, "victims") == 1
    wide = csv_text([[*HEADER, *extra, "one_too_many"], ROW]).encode()
    assert "more than the 1,000 allowed" in only_error(load(engine, "victims.csv", wide))[2]
    long = (",".join(HEADER) + "," + "x" * ingest_guard.MAX_HEADER_CHARS + "\n").encode()
    assert "longer than 1,048,576 characters" in only_error(load(engine, "victims.csv", long))[2]


def test_a_nul_character_is_a_cell_error_on_every_database(engine):
    cells = [*ROW]
    cells[15] = "Newport\x00CID"  # unit
    assert only_error(load(engine, "victims.csv", csv_text([HEADER, cells]).encode())) == (2, "unit", NUL_RULE)


def test_digits_of_other_scripts_are_an_error_not_a_silent_null(engine):
    event = dict(VALID["engagement_events"], participants="١٢")
    result = load(engine, "engagement_events.csv", csv_text([list(event), list(event.values())]).encode())
    assert only_error(result) == (2, "participants", INT_RULE)


def test_a_huge_cell_is_quoted_shortened_in_the_report(engine):
    cells = [*ROW]
    cells[15] = "u" * 5_000_000
    [error] = load(engine, "victims.csv", csv_text([HEADER, cells]).encode()).errors
    assert error.value == "u" * VALUE_SHOWN + "… (5,000,000 characters)"


def test_formula_text_in_a_csv_is_stored_as_text_never_evaluated(engine):
    action = dict(VALID["actions"], title='=HYPERLINK("http://evil","x")', description="+cmd|' /C calc'!A0")
    [result] = import_bytes(
        engine, "actions.csv", csv_text([list(action), list(action.values())]).encode(), loaded_by="t"
    )
    assert result.ok
    with engine.connect() as conn:
        stored = conn.execute(select(Action.title, Action.description)).one()
    assert tuple(stored) == (action["title"], action["description"])  # exports neutralise it (reports/safety.py)


def test_dates_out_of_range_are_cell_errors(engine):
    cells = [*ROW]
    cells[2], cells[17] = "9999-12-31", "0001-01-01"  # reported_date, outcome_date
    result = load(engine, "victims.csv", csv_text([HEADER, cells]).encode())
    assert [(e.column, e.rule) for e in result.errors if "between" in e.rule] == [
        ("reported_date", "must be between 1900-01-01 and 2099-12-31"),
        ("outcome_date", "must be between 1900-01-01 and 2099-12-31"),
    ]


# ---------------------------------------------------------------- police.uk


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [(1, "٢٠٢٤-01", "must be a month YYYY-MM"), (9, "Burglary\x00", NUL_RULE)],
)
def test_policeuk_cells_of_other_scripts_or_with_nul_are_errors(engine, column, value, rule):
    cells = [*POLICEUK_ROW]
    cells[column] = value
    before = state(engine)
    [result] = process_uploads(
        engine, [(POLICEUK_NAME, valid_policeuk().encode() + csv_text([cells]).encode())], None, "t"
    )
    assert_loaded_or_rejected([result], engine, before)
    assert result.outcome == "rejected" and (result.errors[0].row, result.errors[0].rule) == (3, rule)


def test_a_policeuk_row_wider_than_the_header_is_refused(engine):
    before = state(engine)
    content = valid_policeuk().encode() + csv_text([[*POLICEUK_ROW, "spilled"]]).encode()
    [result] = process_uploads(engine, [(POLICEUK_NAME, content)], None, "t")
    assert_loaded_or_rejected([result], engine, before)
    assert result.outcome == "rejected" and result.errors[0].row == 3


# ---------------------------------------------------------------- uploads over the size limit


def test_an_upload_over_the_size_limit_is_refused_before_parsing(engine, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_MB", 1)

    def never(*_args, **_kwargs):
        raise AssertionError("an oversized upload reached a loader")

    monkeypatch.setattr(uploads, "import_bytes", never)
    monkeypatch.setattr(uploads, "_load_policeuk", never)
    content = valid_csv("victims").encode() + b"\n" * (1 << 20)
    before = state(engine)
    [result] = process_uploads(engine, [("victims.csv", content)], dt.date(2024, 1, 31), "analyst")
    assert_loaded_or_rejected([result], engine, before)
    assert "more than the 1 MB an upload may be" in result.errors[0].rule
    assert loads(engine)[-1] == ("victims", "rejected", 0, 0, 1)
