"""Limits that keep a hostile or broken input file from exhausting memory or time, checked before and while parsing.

A workbook is a zip archive. Its parts are checked against the sizes its central directory declares before openpyxl
opens it: Python's zipfile never returns more bytes than a member declares (a member that expands further fails its
CRC check), so a zip bomb is refused without being expanded. A CSV's header line is read with a bounded length, and
its rows are read by pandas' C parser in chunks whose number of cells is bounded whatever the file's width; a row
with more cells than the header is an error (pandas would otherwise drop the extra cells, or shift the first row).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

FIRST_DATA_ROW = 2  # the header is row 1, as in a spreadsheet
MAX_HEADER_CHARS = 1 << 20  # a contract header is a few hundred characters
MAX_COLUMNS = 1_000  # a contract file has at most 18 columns; extra columns are ignored, but not without limit
MAX_CELLS_PER_CHUNK = 5_000_000  # 200,000 rows of 25 columns: a wide file is read in fewer rows at a time
EXCEL_MAX_ROWS = 1_048_576  # a sheet claiming rows beyond Excel's own limit is not a real workbook

XLSX_MAX_MEMBERS = 10_000
XLSX_MAX_EXPANDED = 1 << 30  # every part together, once expanded (a 1M-row sheet is about 1 GB of XML)
XLSX_MAX_WHOLE_PART = 128 << 20  # a part openpyxl reads whole into memory (shared strings, styles, workbook)
XLSX_MAX_RATIO = 100  # real sheets compress 10-17 times (measured); zip bombs compress 1,000 times and more
XLSX_RATIO_FROM = 1 << 20  # the ratio is only judged for parts larger than this
STREAMED_PARTS = "xl/worksheets/"  # read_only openpyxl streams worksheet XML; every other part is read whole

_FIELDS_MISMATCH = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class SourceError(Exception):
    """The file cannot be read as a table (not UTF-8, malformed CSV, no header, too big): the whole file is rejected.

    `row` is the row the problem was found in, when there is one.
    """

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


# ---------------------------------------------------------------- workbooks


def check_workbook(data: Path | bytes) -> None:
    """Refuse a workbook whose parts would expand beyond the limits, before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise SourceError(f"the file is not a readable .xlsx workbook ({exc})") from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise SourceError(f"the workbook holds {len(members):,} parts; a real workbook holds a few dozen")
    expanded = sum(m.file_size for m in members)
    if expanded > XLSX_MAX_EXPANDED:
        raise SourceError(
            f"the workbook would expand to {expanded / (1 << 20):,.0f} MB, more than the "
            f"{XLSX_MAX_EXPANDED >> 20:,} MB allowed: send a file this large as CSV"
        )
    for member in members:
        if member.file_size > XLSX_RATIO_FROM and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
            raise SourceError(
                f"the workbook part {member.filename} expands {member.file_size // max(member.compress_size, 1):,} "
                f"times (more than {XLSX_MAX_RATIO}): the file looks like a zip bomb and is not opened"
            )
        if not member.filename.startswith(STREAMED_PARTS) and member.file_size > XLSX_MAX_WHOLE_PART:
            raise SourceError(
                f"the workbook part {member.filename} is {member.file_size / (1 << 20):,.0f} MB, more than the "
                f"{XLSX_MAX_WHOLE_PART >> 20} MB allowed: send a file this large as CSV"
            )


def sheet_rows(
    workbook, sheet_name: str, *, min_row: int, max_row: int | None = None, max_col: int | None = None
) -> Iterator[tuple]:
    """Values of a read-only workbook sheet's rows; anything the XML parser raises becomes a SourceError naming the row.

    The sheet's declared dimensions are ignored (a hostile one would pad every row to 18,278 cells), and no row
    beyond Excel's own last row is read.
    """
    last = min(max_row or EXCEL_MAX_ROWS + 1, EXCEL_MAX_ROWS + 1)
    row = min_row - 1
    try:
        sheet = workbook[sheet_name]  # opening the sheet already parses the start of its XML
        sheet.reset_dimensions()
        for row, values in enumerate(
            sheet.iter_rows(min_row=min_row, max_row=last, max_col=max_col, values_only=True), start=min_row
        ):
            if row > EXCEL_MAX_ROWS:
                raise SourceError(f"the sheet has rows beyond row {EXCEL_MAX_ROWS:,}, Excel's last row", row=row)
            yield values
    except SourceError:
        raise
    except Exception as exc:  # a damaged or hostile sheet: openpyxl and the XML parser raise many kinds
        raise SourceError(
            f"the sheet cannot be read at row {row + 1} ({type(exc).__name__}: {exc})", row=row + 1
        ) from None


# ---------------------------------------------------------------- CSV


def text_stream(data: Path | bytes) -> io.TextIOBase:
    """A UTF-8 (BOM or not) text stream over a path or bytes, for the csv module (the caller closes it)."""
    if isinstance(data, bytes):
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    return open(data, encoding="utf-8-sig", newline="")  # noqa: SIM115 (the caller closes it)


def csv_header(data: Path | bytes) -> list[str]:
    """The header row's cells, read with a bounded line length; SourceError when it is unreadable or too wide."""
    try:
        with text_stream(data) as fh:
            line = fh.readline(MAX_HEADER_CHARS + 1)
    except UnicodeDecodeError:
        raise SourceError("the file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    if len(line) > MAX_HEADER_CHARS:
        raise SourceError(f"the header row is longer than {MAX_HEADER_CHARS:,} characters", row=1)
    try:
        first = next(csv.reader(io.StringIO(line, newline="")), None)
    except csv.Error as exc:
        raise SourceError(f"the header row is not valid CSV: {exc}", row=1) from None
    if not first:
        raise SourceError("the file is empty: no header row")
    if len(first) > MAX_COLUMNS:
        raise SourceError(f"the header has {len(first):,} columns, more than the {MAX_COLUMNS:,} allowed", row=1)
    return first


def csv_frames(data: Path | bytes, chunk_rows: int | None) -> Iterator[tuple[pd.DataFrame, int]]:
    """(rows as strings, the file row of the first) in chunks, every column; blank lines kept so row numbers match.

    `chunk_rows` None reads the whole file at once. A row with more cells than the header is a SourceError.
    """
    width = len(csv_header(data))
    target = io.BytesIO(data) if isinstance(data, bytes) else data
    options = dict(dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False, encoding="utf-8-sig")
    start = FIRST_DATA_ROW
    try:
        if chunk_rows is None:
            frames = iter([pd.read_csv(target, **options)])
        else:
            frames = pd.read_csv(target, chunksize=max(1, min(chunk_rows, MAX_CELLS_PER_CHUNK // width)), **options)
        for frame in frames:
            # When row 2 is wider than the header, pandas silently makes its first cells the index (a later wider
            # row is a ParserError, below): either way the row is refused, never shifted or cut.
            if not isinstance(frame.index, pd.RangeIndex):
                raise SourceError(_wider_than_header(FIRST_DATA_ROW, None, width), row=FIRST_DATA_ROW)
            yield frame, start
            start += len(frame)
    except UnicodeDecodeError:
        raise SourceError("the file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    except (pd.errors.ParserError, csv.Error) as exc:
        mismatch = _FIELDS_MISMATCH.search(str(exc))
        if mismatch:
            row = int(mismatch[2])
            raise SourceError(_wider_than_header(row, int(mismatch[3]), int(mismatch[1])), row=row) from None
        raise SourceError(f"the file is not valid CSV after row {start - 1}: {exc}") from None
    finally:
        if chunk_rows is not None and "frames" in locals():
            frames.close()


def _wider_than_header(row: int, cells: int | None, width: int) -> str:
    if cells:
        has = f"has {cells} cells but the header has {width} columns"
    else:
        has = f"has more cells than the header's {width} columns"
    return f"row {row} {has}: a value holding a comma must be in double quotes; the file is rejected"
