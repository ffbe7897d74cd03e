"""Fuzzing every loader entry point (issue 7): bad input is rejected clearly, and never crashes or writes.

Every example goes through a real entry point into a real database (SQLite, and PostgreSQL when configured): the
upload page's `process_uploads` (which routes contract CSV/XLSX to `import_bytes` and police.uk files to
`load_policeuk_file`) and `import_paths` for files on disk. See tests/fuzz_support.py for the property checked.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from hypothesis import assume, given
from hypothesis import strategies as st

from data.ingest import import_paths
from data.ingest_check import NUL_RULE
from data.schemas import TABLES
from tests.fuzz_support import (
    POLICEUK_NAME,
    POLICEUK_ROW,
    assert_loaded_or_rejected,
    csv_text,
    fuzz_settings,
    state,
    valid_csv,
    valid_policeuk,
    with_parts,
    workbook,
)
from tests.test_ingest_support import VALID, load_parents
from ui.uploads import process_uploads

NAMES = ["victims.csv", "entitlements.csv", "victims.xlsx", "book.xlsx", POLICEUK_NAME, "2024-01-gwent-outcomes.csv"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32"]
# Cells a real extract or a hostile user might send: formulas, out-of-range and impossible dates, other scripts'
# digits, control and bidi characters, spreadsheet error values, huge text.
AWKWARD = [
    "=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "9999-12-31", "0001-01-01",
    "1677-09-21", "2262-04-12", "10000-01-01", "2023-02-29", "2024-02-29", "2023-01-05T25:00", "2023-1-5", "1e9",
    "NaN", "null", "None", "#VALUE!", "١٢", "٢٠٢٣-٠١-٠٥", "²", "\x00", "a\x00b", "\u202eevil", "\ufeffVC-1", "😀",
    " ", "\t", "\r\n", '"', "x" * 70_000, "9" * 30, "-0", "TRUE",
]  # fmt: skip


def upload(engine, name: str, content: bytes) -> None:
    """Load one file through the upload page's entry point and check the fuzz property."""
    before = state(engine)
    results = process_uploads(engine, [(name, content)], None, "fuzz")
    assert_loaded_or_rejected(results, engine, before)


def cells_for(table: str) -> st.SearchStrategy[list[str]]:
    """One row of `table`: each cell its valid value, an awkward value or arbitrary text."""
    return st.tuples(
        *[st.one_of(st.just(v), st.sampled_from(AWKWARD), st.text(max_size=30)) for v in VALID[table].values()]
    ).map(list)


# ---------------------------------------------------------------- random bytes, anywhere


@fuzz_settings(40)
@given(name=st.sampled_from(NAMES), prefix=st.sampled_from(["", "header"]), tail=st.binary(max_size=3000))
def test_random_bytes_are_rejected_clearly_and_write_nothing(engine, name, prefix, tail):
    head = b""
    if prefix:  # the valid header of the named file, so the bytes reach the row parser too
        head = (valid_policeuk() if "gwent" in name else valid_csv("victims")).split("\n")[0].encode() + b"\n"
    upload(engine, name, head + tail)


# ---------------------------------------------------------------- a valid CSV, damaged


@st.composite
def damaged_csv(draw) -> bytes:
    """A valid victims CSV with text inserted at random places, in a random encoding."""
    text = valid_csv("victims").replace("Newport CID", "Caerffili Café")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from([",", '"', "\n", "\r", "\x00", "\ufeff", ";", *AWKWARD]), st.text()))
        text = text[:at] + piece + text[at:]
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@fuzz_settings(40)
@given(content=damaged_csv())
def test_a_damaged_csv_is_loaded_or_rejected_never_half_written(engine, content):
    upload(engine, "victims.csv", content)


# ---------------------------------------------------------------- well-formed files, awkward cells


@fuzz_settings(20)
@given(table=st.sampled_from(["victims", "entitlements", "engagement_events"]), data=st.data())
def test_awkward_cells_in_a_csv_are_row_and_column_errors(engine, tmp_path, table, data):
    if not state(engine)["victims"]:  # the engine lives for the whole test: the parent victim is loaded once
        load_parents(engine, tmp_path, "entitlements")
    cells = data.draw(cells_for(table))
    path = tmp_path / f"case{len(list(tmp_path.iterdir()))}" / f"{table}.csv"
    path.parent.mkdir()
    path.write_text(csv_text([list(VALID[table]), cells]), encoding="utf-8", newline="")
    before = state(engine)
    [result] = import_paths(engine, [path])
    assert_loaded_or_rejected([result], engine, before)
    if not result.ok:  # the file is well-formed: every problem is a cell, named by row 2 and a contract column
        assert {(e.row, e.column in TABLES[table].column_names) for e in result.errors} == {(2, True)}
    if any("\x00" in c for c in cells):
        assert not result.ok and NUL_RULE in [e.rule for e in result.errors]


def excel_value() -> st.SearchStrategy[object]:
    """What a spreadsheet cell may hold: text, numbers (some huge), dates, times, booleans, formulas."""
    return st.one_of(
        st.sampled_from([a for a in AWKWARD if "\x00" not in a and "\r" not in a]),
        st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), max_size=20),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=False),
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
        st.dates(min_value=dt.date(1900, 3, 1)),
        st.booleans(),
        st.none(),
    )


@fuzz_settings(10)
@given(data=st.data())
def test_awkward_cells_in_a_workbook_are_row_and_column_errors(engine, data):
    header = list(VALID["victims"])
    cells = [data.draw(st.one_of(st.just(v), excel_value())) for v in VALID["victims"].values()]
    try:
        content = workbook([header, cells])
    except Exception:  # openpyxl refuses some values when writing (e.g. illegal characters): not an input
        assume(False)
    before = state(engine)
    results = process_uploads(engine, [("victims.xlsx", content)], None, "fuzz")
    assert_loaded_or_rejected(results, engine, before)
    for result in results:
        if not result.ok:
            assert {(e.row, e.column in header) for e in result.errors} == {(2, True)}


@fuzz_settings(15)
@given(xml=st.one_of(st.text(max_size=400), st.sampled_from(["<", "<worksheet>", "<?xml version='1.0'?><x/>"])))
def test_a_workbook_with_a_damaged_sheet_is_rejected_clearly(engine, xml):
    content = workbook([list(VALID["victims"]), list(VALID["victims"].values())])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    cut = len(sheet) // 2
    upload(engine, "victims.xlsx", with_parts(content, {"xl/worksheets/sheet1.xml": sheet[:cut] + xml}))


# ---------------------------------------------------------------- police.uk


@fuzz_settings(25)
@given(cells=st.tuples(*[st.one_of(st.just(v), st.sampled_from(AWKWARD), st.text(max_size=20)) for v in POLICEUK_ROW]))
def test_awkward_cells_in_a_policeuk_file_are_loaded_or_rejected(engine, cells):
    upload(engine, POLICEUK_NAME, valid_policeuk().encode() + csv_text([list(cells)]).encode())
