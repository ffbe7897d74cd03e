"""Loading police.uk open data: `YYYY-MM-<force>-street.csv` and `-outcomes.csv` files, one transaction per file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from data.ingest import begin_write, log_loads, record_load, record_load_alone
from data.ingest_check import NUL_RULE
from data.ingest_guard import SourceError, csv_frames, csv_header
from data.ingest_read import sha256_of
from data.ingest_report import MAX_ERRORS, LoadResult, RowError
from data.models import PoliceUkOutcome, PoliceUkStreet

STREET_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name",
    "Crime type", "Last outcome category", "Context",
]  # fmt: skip
OUTCOME_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name",
    "Outcome type",
]  # fmt: skip
# [0-9], not \d: \d also matches other scripts' digits, and the month is read back as a date.
FILE_NAME = re.compile(r"^(?P<month>[0-9]{4}-(?:0[1-9]|1[0-2]))-(?P<force>.+)-(?P<kind>street|outcomes)\.csv$")
MONTH = r"[0-9]{4}-(?:0[1-9]|1[0-2])"
LSOA_CODE_SUFFIX = r"\s+\d{3}[A-Z]$"  # "Torfaen 009E": the local authority and the LSOA's own code

# kind -> (loads.table_name, model, header, {file column: model column}, columns that must be filled)
KINDS = {
    "street": (
        "policeuk_street",
        PoliceUkStreet,
        STREET_COLUMNS,
        {"Crime ID": "crime_id", "Month": "month", "Falls within": "falls_within", "LSOA code": "lsoa_code",
         "LSOA name": "lsoa_name", "Crime type": "crime_type", "Last outcome category": "last_outcome"},
        ("Month", "Falls within", "Crime type"),
    ),
    "outcomes": (
        "policeuk_outcomes",
        PoliceUkOutcome,
        OUTCOME_COLUMNS,
        {"Crime ID": "crime_id", "Month": "month", "Falls within": "falls_within", "LSOA code": "lsoa_code",
         "LSOA name": "lsoa_name", "Outcome type": "outcome_type"},
        ("Crime ID", "Month", "Falls within", "Outcome type"),
    ),
}  # fmt: skip


def local_authority(lsoa_name: pd.Series) -> pd.Series:
    """The local authority of each LSOA name ("Torfaen 009E" -> "Torfaen"); blank stays null."""
    name = lsoa_name.where(lsoa_name != "")
    return name.str.replace(LSOA_CODE_SUFFIX, "", regex=True)


def import_policeuk(engine: Engine, paths: list[Path], *, loaded_by: str = "cli") -> list[LoadResult]:
    """Load police.uk street and outcomes files (or directories of them), each file in its own transaction."""
    files: list[Path] = []
    results: list[LoadResult] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and FILE_NAME.match(p.name)))
        elif path.is_file():
            files.append(path)
        else:
            results.append(_rejected(engine, LoadResult("", str(path), ""), "no such file or directory", loaded_by))
    for path in files:
        results.append(load_policeuk_file(engine, path, loaded_by=loaded_by))
    return log_loads(results, loaded_by)


def load_policeuk_file(engine: Engine, path: Path, *, loaded_by: str = "cli") -> LoadResult:
    """Check one police.uk file and replace the rows of its (month, force, kind) with it, in one transaction."""
    path = Path(path)
    named = FILE_NAME.match(path.name)
    result = LoadResult("", path.name, sha256_of(path))
    if not named:
        problem = "the file name is not YYYY-MM-<force>-street.csv or YYYY-MM-<force>-outcomes.csv"
        return _rejected(engine, result, problem, loaded_by)
    table_name, model, header, mapping, required = KINDS[named["kind"]]
    result.table = table_name
    try:
        if csv_header(path) != header:
            return _rejected(engine, result, f"the header must be exactly: {', '.join(header)}", loaded_by)
        [(raw, first_row)] = csv_frames(path, None)  # a row wider than the header is refused, never shifted
    except SourceError as exc:
        problem = [RowError(path.name, exc.row, "", "", f"the file is not readable UTF-8 CSV: {exc}")]
        return _rejected(engine, result, problem, loaded_by)
    raw.index = pd.RangeIndex(first_row, first_row + len(raw))  # header = row 1
    raw = raw.apply(lambda s: s.str.strip())
    frame = pd.DataFrame({column: raw[name].where(raw[name] != "") for name, column in mapping.items()})
    frame["local_authority"] = local_authority(raw["LSOA name"])
    errors = _check(path.name, raw, frame, model, mapping, required)
    if errors:
        return _rejected(engine, result, errors, loaded_by)
    return _replace(engine, result, frame, model, named["month"], loaded_by)


def _check(name: str, raw: pd.DataFrame, frame: pd.DataFrame, model, mapping, required) -> list[RowError]:
    """Blank required cells, months not YYYY-MM and values too long for their column, as row errors."""
    problems = []
    for column in required:
        problems.append((raw[column] == "", column, "required"))
    problems.append(((raw["Month"] != "") & ~raw["Month"].str.fullmatch(MONTH), "Month", "must be a month YYYY-MM"))
    for file_column in mapping:  # PostgreSQL cannot store NUL in text: report it rather than fail mid-write
        problems.append((raw[file_column].str.contains("\x00", regex=False), file_column, NUL_RULE))
    for file_column, model_column in mapping.items():
        limit = model.__table__.columns[model_column].type.length
        problems.append((raw[file_column].str.len() > limit, file_column, f"must be at most {limit} characters"))
    errors = []
    for mask, column, rule in problems:
        for row in raw.index[np.asarray(mask, dtype=bool)]:
            errors.append(RowError(name, int(row), column, raw.at[row, column], rule))
    return sorted(errors, key=lambda e: (e.row, list(raw.columns).index(e.column)))


def _replace(engine: Engine, result: LoadResult, frame: pd.DataFrame, model, file_month: str, loaded_by: str):
    """Delete the rows of this (file month, force, kind) and insert the file's rows, in one transaction."""
    table = model.__table__
    forces = sorted(frame["falls_within"].dropna().unique().tolist())
    scope = (table.c.file_month == file_month, table.c.falls_within.in_(forces))
    rows = frame.assign(file_month=file_month)
    rows = rows.astype(object).where(rows.notna(), None)
    try:
        with engine.connect() as conn:
            begin_write(conn)
            load_id = record_load(conn, result, "loaded", loaded_by, None)
            earlier = conn.execute(select(func.count()).select_from(table).where(*scope)).scalar_one()
            conn.execute(delete(table).where(*scope))
            if len(rows):
                conn.execute(insert(table), rows.assign(load_id=load_id).to_dict("records"))
            result.rows_updated = min(earlier, len(rows))
            result.rows_inserted = len(rows) - result.rows_updated
            result.message = (
                f"{len(rows)} rows for {file_month} {', '.join(forces)}, replacing {earlier} loaded earlier"
            )
            conn.execute(
                update(table.metadata.tables["loads"])
                .where(table.metadata.tables["loads"].c.load_id == load_id)
                .values(rows_inserted=result.rows_inserted, rows_updated=result.rows_updated, message=result.message)
            )
            conn.commit()
    except Exception as exc:  # rolled back with the connection; the fault is recorded
        result.ok, result.outcome, result.rows_inserted, result.rows_updated = False, "failed", 0, 0
        result.message = f"failed while loading ({type(exc).__name__}: {exc}); nothing from the file was stored"
        result.load_id = record_load_alone(engine, result, "failed", loaded_by, None)
        return result
    result.ok, result.outcome, result.load_id = True, "loaded", load_id
    return result


def _rejected(engine: Engine, result: LoadResult, problem: str | list[RowError], loaded_by: str) -> LoadResult:
    """Record a rejected police.uk file; nothing from it is stored."""
    errors = problem if isinstance(problem, list) else [RowError(result.file_name, None, "", "", problem)]
    result.ok, result.outcome = False, "rejected"
    result.error_count = len(errors)
    result.errors = errors[:MAX_ERRORS]
    noun = "error" if len(errors) == 1 else "errors"
    result.message = f"{len(errors)} {noun} found; nothing from the file was stored"
    result.load_id = record_load_alone(engine, result, "rejected", loaded_by, None, len(errors))
    return result
