"""Reading contract input files: finding them, CSV and XLSX sheets as chunks of strings, header checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from data.ingest_guard import (  # noqa: F401  (SourceError is re-exported: the loaders name it from here)
    FIRST_DATA_ROW,
    MAX_COLUMNS,
    SourceError,
    check_workbook,
    csv_frames,
    csv_header,
    sheet_rows,
)
from data.ingest_report import RowError
from data.schemas import TABLES, TableSpec, forbidden_match


def sha256_of(data: Path | bytes) -> str:
    """SHA-256 of a file's bytes, read in blocks so a large file is not held in memory."""
    digest = hashlib.sha256()
    if isinstance(data, bytes):
        digest.update(data)
        return digest.hexdigest()
    with open(data, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates ISO, integral numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and value != value:  # NaN from a DataFrame
        return ""
    return str(value)


def _tidy(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Strings stripped, index = the row numbers the user sees, wholly empty rows dropped (they carry nothing)."""
    frame = frame.copy()
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    for name in frame.columns:
        frame[name] = frame[name].fillna("").astype("str").str.strip()
    if len(frame.columns):
        frame = frame[(frame != "").any(axis=1)]
    return frame


@dataclass
class Source:
    """One table's worth of rows in an input: a CSV file, a workbook sheet, or a DataFrame handed over by the app."""

    table: str
    file_name: str  # as the user knows it (a sheet is shown as book.xlsx:sheet)
    sha256: str
    data: Path | bytes | pd.DataFrame
    kind: str  # csv | xlsx | frame
    sheet: str | None = None
    directory: Path | None = None  # where to look for as_of.txt

    @property
    def spec(self) -> TableSpec:
        """The contract spec of the source's table."""
        return TABLES[self.table]

    def header(self) -> list[str]:
        """Column names of the header row."""
        if self.kind == "frame":
            return [str(c) for c in self.data.columns]
        if self.kind == "xlsx":
            return _sheet_header(self.data, self.sheet)
        return csv_header(self.data)

    def chunks(self, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
        """The rows as DataFrames of stripped strings ('' = empty), index = row number, only the given columns."""
        if self.kind == "frame":
            yield from _frame_chunks(self.data, columns, chunk_rows)
        elif self.kind == "xlsx":
            yield from _sheet_chunks(self.data, self.sheet, columns, chunk_rows)
        else:
            yield from _csv_chunks(self.data, columns, chunk_rows)


class _workbook:
    """A read-only openpyxl workbook over a path or bytes, closed on exit."""

    def __init__(self, data: Path | bytes):
        self.data = data

    def __enter__(self):
        check_workbook(self.data)  # a zip bomb is refused before openpyxl expands anything
        target = io.BytesIO(self.data) if isinstance(self.data, bytes) else self.data
        try:
            self.wb = openpyxl.load_workbook(target, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a damaged or non-xlsx file
            raise SourceError(f"the file is not a readable .xlsx workbook ({exc})") from None
        return self.wb

    def __exit__(self, *exc):
        self.wb.close()


def _csv_chunks(data: Path | bytes, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """CSV rows in chunks, everything as strings; blank lines kept as rows so row numbers match the file."""
    for chunk, start in csv_frames(data, chunk_rows):
        yield _tidy(chunk[columns], start)


def _sheet_header(data: Path | bytes, sheet: str) -> list[str]:
    """A workbook sheet's header row (trailing empty cells dropped)."""
    with _workbook(data) as wb:
        return _header_of(wb, sheet)


def _header_of(wb, sheet: str) -> list[str]:
    """The header row of a sheet of an open read-only workbook."""
    first = next(sheet_rows(wb, sheet, min_row=1, max_row=1), None)
    if first is None:
        raise SourceError("the sheet is empty: no header row")
    names = [cell_text(v) for v in first]
    while names and names[-1] == "":
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise SourceError(f"the header has {len(names):,} columns, more than the {MAX_COLUMNS:,} allowed", row=1)
    return names


def _sheet_chunks(data: Path | bytes, sheet: str, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Workbook sheet rows in chunks, cells turned into the text a CSV would hold."""
    with _workbook(data) as wb:
        header = _header_of(wb, sheet)
        positions = [header.index(c) for c in columns]
        rows = sheet_rows(wb, sheet, min_row=FIRST_DATA_ROW, max_col=max(positions, default=0) + 1)
        batch: list[list[str]] = []
        start = FIRST_DATA_ROW
        for values in rows:
            batch.append([cell_text(values[p]) if p < len(values) else "" for p in positions])
            if len(batch) == chunk_rows:
                yield _tidy(pd.DataFrame(batch, columns=columns, dtype="str"), start)
                start += len(batch)
                batch = []
        if batch:
            yield _tidy(pd.DataFrame(batch, columns=columns, dtype="str"), start)


def _frame_chunks(frame: pd.DataFrame, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A DataFrame handed over by the app, as text chunks (row n of the frame is row n + 2 of the file)."""
    frame = frame.loc[:, columns]
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        text = pd.DataFrame(
            {
                c: part[c].fillna("") if pd.api.types.is_string_dtype(part[c]) else part[c].map(cell_text)
                for c in columns
            }
        )
        yield _tidy(text, FIRST_DATA_ROW + start)


# ---------------------------------------------------------------- header checks


def header_errors(spec: TableSpec, header: list[str], file_name: str) -> list[RowError]:
    """Forbidden personal-data columns, repeated contract columns and missing required columns, as row-1 errors."""
    errors = []
    for name in header:
        forbidden = forbidden_match(name)
        if forbidden:
            errors.append(
                RowError(
                    file_name,
                    1,
                    name,
                    "",
                    f"forbidden column: '{name}' is personal data ({forbidden}) that the dashboard must never hold; "
                    "remove the column — the file is rejected and nothing from it is stored",
                )
            )
    for name in spec.column_names:
        if header.count(name) > 1:
            errors.append(RowError(file_name, 1, name, "", "column appears more than once in the header"))
    for name in spec.required_columns:
        if name not in header:
            near = [h for h in header if h.strip().lower() == name]
            hint = f" (found '{near[0]}': column names are case-sensitive, without spaces)" if near else ""
            errors.append(RowError(file_name, 1, name, "", f"required column missing{hint}"))
    return errors


# ---------------------------------------------------------------- finding the files


def table_of(path_name: str) -> str | None:
    """The table a file name stands for (`victims.csv` -> victims), else None."""
    stem = Path(path_name).stem
    return stem if stem in TABLES else None


def workbook_sheets(data: Path | bytes) -> list[str]:
    """The sheet names of a workbook."""
    with _workbook(data) as wb:
        return list(wb.sheetnames)


def sources_of_file(name: str, data: Path | bytes, directory: Path | None, table: str | None = None) -> list[Source]:
    """The table sources in one file: a `<table>.csv`, a `<table>.xlsx`, or a workbook with sheets named by table.

    `table` (the upload page's choice) names the table of a CSV, or of a workbook's sheet of that name (else its
    first sheet), whatever the file is called. Raises SourceError when the file names no table.
    """
    if table is not None and table not in TABLES:
        raise SourceError(f"unknown table '{table}': expected one of {', '.join(TABLES)}")
    suffix = Path(name).suffix.lower()
    sha = sha256_of(data)
    if suffix == ".csv":
        table = table or table_of(name)
        if table is None:
            raise SourceError(f"the file name does not name a table: expected one of {', '.join(TABLES)} (.csv)")
        return [Source(table, name, sha, data, "csv", directory=directory)]
    if suffix == ".xlsx":
        sheets = workbook_sheets(data)
        if table is not None and sheets:
            sheet = table if table in sheets else sheets[0]
            return [Source(table, f"{name}:{sheet}", sha, data, "xlsx", sheet=sheet, directory=directory)]
        named = sorted((s for s in sheets if s in TABLES), key=list(TABLES).index)
        if named:
            return [Source(s, f"{name}:{s}", sha, data, "xlsx", sheet=s, directory=directory) for s in named]
        table = table_of(name)
        if table is not None and sheets:
            return [Source(table, name, sha, data, "xlsx", sheet=sheets[0], directory=directory)]
        raise SourceError("the workbook has no sheet named after a table, and its file name names no table")
    raise SourceError("not a .csv or .xlsx file")


def is_candidate(path: Path) -> bool:
    """True for a file in a directory that may hold contract tables (Excel's ~$ lock files are not)."""
    return path.is_file() and path.suffix.lower() in (".csv", ".xlsx") and not path.name.startswith("~$")


def discover(paths: list[Path]) -> tuple[list[Source], list[tuple[str, str]]]:
    """Sources in the given files and directories, in load order; and (file, problem) for files that name no table.

    In a directory, files that name no table (README, police.uk files, as_of.txt) are skipped silently.
    """
    sources: list[Source] = []
    problems: list[tuple[str, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(filter(is_candidate, path.iterdir())):
                try:
                    sources.extend(sources_of_file(child.name, child, child.parent))
                except SourceError:
                    continue
        elif path.is_file():
            try:
                sources.extend(sources_of_file(path.name, path, path.parent))
            except SourceError as exc:
                problems.append((path.name, str(exc)))
        else:
            problems.append((str(path), "no such file or directory"))
    order = list(TABLES)
    sources.sort(key=lambda s: order.index(s.table))  # stable: files of one table keep the order given
    return sources, problems
