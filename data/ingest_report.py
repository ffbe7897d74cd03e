"""The result of a load and its error report: RowError, LoadResult, format_report, errors_frame."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

MAX_ERRORS = 1_000  # the report lists the first 1,000 errors of a file; the count covers them all
VALUE_SHOWN = 200  # characters of a bad cell quoted in the report: a 10 MB cell must not become a 10 MB report line


@dataclass(frozen=True)
class RowError:
    """One problem in an input file: row as the user sees it (header = 1; None for the whole file)."""

    file: str
    row: int | None
    column: str
    value: str
    rule: str

    def __post_init__(self) -> None:
        if isinstance(self.value, str) and len(self.value) > VALUE_SHOWN:  # frozen: set via object.__setattr__
            shown = f"{self.value[:VALUE_SHOWN]}… ({len(self.value):,} characters)"
            object.__setattr__(self, "value", shown)


@dataclass
class LoadResult:
    """The outcome of loading one file (or one workbook sheet) into one table."""

    table: str
    file_name: str
    sha256: str
    ok: bool = False
    rows_inserted: int = 0
    rows_updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    load_id: int | None = None
    message: str = ""
    outcome: str = "rejected"  # loaded | rejected | failed
    as_of: dt.date | None = None
    error_count: int = 0  # every error found, including those beyond the first 1,000 listed


def _describe_error(e: RowError) -> str:
    """One line of the report for one error."""
    where = "file" if e.row is None else f"row {e.row}"
    column = f", column {e.column}" if e.column else ""
    value = f", value '{e.value}'" if e.value != "" else ""
    return f"  {e.file} {where}{column}{value}: {e.rule}"


def format_report(results: list[LoadResult]) -> str:
    """A human-readable report of a set of loads: one line per file, then its errors."""
    if not results:
        return "no input files found"
    lines = []
    for r in results:
        head = f"{r.file_name} -> {r.table or '?'}: {r.outcome.upper()}"
        if r.ok:
            as_of = f", as of {r.as_of}" if r.as_of else ""
            lines.append(f"{head} — {r.rows_inserted} inserted, {r.rows_updated} updated (load {r.load_id}{as_of})")
            continue
        lines.append(f"{head} — {r.message}")
        lines.extend(_describe_error(e) for e in r.errors)
        if r.error_count > len(r.errors):
            lines.append(f"  ... and {r.error_count - len(r.errors)} more errors not listed")
    loaded = sum(r.ok for r in results)
    lines.append(f"{loaded} of {len(results)} files loaded")
    return "\n".join(lines)


def errors_frame(results: list[LoadResult]) -> pd.DataFrame:
    """Every listed error of a set of loads as a table (file, row, column, value, rule) for a downloadable report."""
    rows = [
        {"table": r.table, "file": e.file, "row": e.row, "column": e.column, "value": e.value, "rule": e.rule}
        for r in results
        for e in r.errors
    ]
    frame = pd.DataFrame(rows, columns=["table", "file", "row", "column", "value", "rule"])
    frame["row"] = frame["row"].astype("Int64")
    return frame
