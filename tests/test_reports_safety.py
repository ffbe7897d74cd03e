"""Formula-injection defence for CSV and XLSX cells (reports/safety.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from reports.safety import csv_bytes, neutralise, neutralise_frame, neutralise_series
from tests.test_reports_fixtures import HYPERLINK


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        (HYPERLINK, "'" + HYPERLINK),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5 days", "'-5 days"),  # text that starts like a number is still text
        ("-5 ", "'-5 "),
        ("-", "'-"),
        ("+", "'+"),
        ("-5", "-5"),  # exactly a plain number: a spreadsheet reads it as the number it is
        ("+0.25", "+0.25"),
        ("-1.5e3", "-1.5e3"),
        ("-.5", "-.5"),
        ("hello", "hello"),
        ("a=b", "a=b"),
        (" =1+1", " =1+1"),
        ("'=already quoted", "'=already quoted"),
        ("", ""),
        (-5, -5),
        (-0.25, -0.25),
        (None, None),
        (True, True),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_series_of_text_is_quoted_and_numbers_are_not():
    text = pd.Series(["=A1", "ok", None, "-5", "-5 days"], dtype="str")
    numbers = pd.Series([-5, 3, -1])
    assert list(neutralise_series(text).fillna("<NA>")) == ["'=A1", "ok", "<NA>", "-5", "'-5 days"]
    assert neutralise_series(numbers).tolist() == [-5, 3, -1]
    assert neutralise_series(numbers).dtype == numbers.dtype


def test_mixed_object_column_keeps_its_non_text_cells():
    day = dt.date(2026, 1, 2)
    mixed = pd.Series(["+x", -3, day, None], dtype=object)
    assert neutralise_series(mixed).tolist() == ["'+x", -3, day, None]


def test_frame_headers_are_quoted_too():
    frame = pd.DataFrame({"=bad": ["@x"], "fine": [1]})
    result = neutralise_frame(frame)
    assert list(result.columns) == ["'=bad", "fine"]
    assert result.iloc[0].tolist() == ["'@x", 1]
    assert frame.iloc[0, 0] == "@x"  # the input is not changed


def test_csv_bytes_are_utf8_with_bom_and_neutralised():
    frame = pd.DataFrame({"summary": [HYPERLINK, "Dŵr a thŷ"], "change": [-5, 2]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["summary", "change"], ["'" + HYPERLINK, "-5"], ["Dŵr a thŷ", "2"]]
    assert b"\r\n" not in data


# Cells of every kind the per-cell rule above decides, for the vectorised column path: triggers, plain numbers, a
# digit that is not ASCII ("٣" is a plain number to Python's \d, as for neutralise), blanks and missing cells.
COLUMN_CELLS = ["=A1", "-5", "-٣", "+0.25", "-5 days", "\t=1", "\r=1", "@x", "", "ok", " =1", None, "'=q", "-"]


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_column_path_quotes_exactly_the_cells_neutralise_quotes(dtype):
    column = pd.Series(COLUMN_CELLS, dtype=dtype, index=[7] * len(COLUMN_CELLS))  # duplicate labels: by position
    expected = [neutralise(value) for value in column.astype(object).where(column.notna(), None)]
    result = neutralise_series(column)
    assert [None if pd.isna(value) else value for value in result] == expected
    assert list(result.index) == [7] * len(COLUMN_CELLS)


def test_text_columns_without_a_dangerous_cell_come_back_unchanged():
    column = pd.Series(["ok", "-5", None], dtype="string")
    assert neutralise_series(column) is column
