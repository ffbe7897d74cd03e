"""Loading contract files: validate the whole file, write it in one transaction, record every load in `loads`."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, insert, update

from data import ingest_write, queries
from data.ingest_audit import auditor_for
from data.ingest_check import ERROR_COLUMNS, ReferenceIndex, SeenKeys, check_chunk
from data.ingest_read import Source, SourceError, discover, header_errors, sha256_of, sources_of_file
from data.ingest_report import MAX_ERRORS, LoadResult, RowError, errors_frame, format_report
from data.models import Load
from data.queries import latest_as_of  # noqa: F401  (re-exported: the loader API names it too)
from data.schemas import TABLES, TableSpec

__all__ = [
    "CHUNK_ROWS",
    "LoadResult",
    "RowError",
    "errors_frame",
    "format_report",
    "import_bytes",
    "import_paths",
    "latest_as_of",
    "load_frame",
    "load_source",
    "refuse_file",
]

log = logging.getLogger(__name__)
CHUNK_ROWS = 200_000  # rows read, checked and written at a time: bounded memory whatever the file size
AS_OF_FILE = "as_of.txt"
LOADS = Load.__table__


# ---------------------------------------------------------------- public entry points


def import_paths(
    engine: Engine,
    paths: list[Path],
    *,
    as_of: dt.date | None = None,
    loaded_by: str = "cli",
    chunk_rows: int = CHUNK_ROWS,
) -> list[LoadResult]:
    """Load `<table>.csv`/`.xlsx` files, workbooks with sheets named by table, or directories of them, in load order.

    Each file is its own transaction; a later file is still attempted when an earlier one fails.
    """
    sources, problems = discover([Path(p) for p in paths])
    results = [_unreadable(engine, name, "", problem, loaded_by) for name, problem in problems]
    for source in sources:
        results.append(load_source(engine, source, as_of=as_of, loaded_by=loaded_by, chunk_rows=chunk_rows))
    return log_loads(results, loaded_by)


def import_bytes(
    engine: Engine,
    file_name: str,
    content: bytes,
    *,
    as_of: dt.date | None = None,
    loaded_by: str,
    table: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[LoadResult]:
    """Load an uploaded file (CSV or workbook) given as bytes, exactly as `import_paths` would load it from disk.

    `table` forces the table (e.g. chosen on the upload page) when the file is not named after it.
    """
    try:
        sources = sources_of_file(Path(file_name).name, content, None, table)
    except SourceError as exc:
        return log_loads([_unreadable(engine, file_name, sha256_of(content), str(exc), loaded_by)], loaded_by)
    results = [load_source(engine, s, as_of=as_of, loaded_by=loaded_by, chunk_rows=chunk_rows) for s in sources]
    return log_loads(results, loaded_by)


def load_frame(
    engine: Engine,
    table: str,
    raw: pd.DataFrame,
    *,
    file_name: str,
    sha256: str,
    as_of: dt.date | None = None,
    loaded_by: str,
    chunk_rows: int = CHUNK_ROWS,
) -> LoadResult:
    """Load a DataFrame of the file's cells (row n of the frame is row n + 2 of the file) into `table`."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}: expected one of {', '.join(TABLES)}")
    source = Source(table, file_name, sha256, raw, "frame")
    result = load_source(engine, source, as_of=as_of, loaded_by=loaded_by, chunk_rows=chunk_rows)
    return log_loads([result], loaded_by)[0]


def log_loads(results: list[LoadResult], loaded_by: str) -> list[LoadResult]:
    """A log line for each load, as `loads` records it: file, table, outcome, counts, hash (never a cell's value)."""
    for r in results:
        (log.info if r.ok else log.warning)(
            "load %s by %s: %s into %s %s, %d rows inserted, %d updated, %d errors, SHA-256 %s",
            r.load_id, loaded_by, r.file_name, r.table or "-", r.outcome, r.rows_inserted, r.rows_updated,
            r.error_count or len(r.errors), r.sha256 or "-",
        )  # fmt: skip
    return results


# ---------------------------------------------------------------- one file


def load_source(
    engine: Engine,
    source: Source,
    *,
    as_of: dt.date | None = None,
    loaded_by: str = "cli",
    chunk_rows: int = CHUNK_ROWS,
) -> LoadResult:
    """Validate one source whole and write it in one transaction; record the load whatever happens."""
    result = LoadResult(source.table, source.file_name, source.sha256)
    spec = source.spec
    try:
        header = source.header()
        fixed_as_of = as_of or _as_of_file(source)
    except SourceError as exc:
        return _reject(engine, result, [_file_error(source, exc)], loaded_by, None)
    problems = header_errors(spec, header, source.file_name)
    if problems:
        return _reject(engine, result, problems, loaded_by, fixed_as_of)
    present = [c for c in spec.column_names if c in header]
    try:
        with engine.connect() as conn:
            begin_write(conn)
            result.load_id = record_load(conn, result, "loaded", loaded_by, fixed_as_of)
            writer = ingest_write.make_writer(conn, spec, result.load_id)
            try:
                auditor = auditor_for(conn, spec.name, spec.key, spec.column_names, loaded_by, source.file_name)
                errors, period_max = _check_and_write(conn, spec, source, present, chunk_rows, writer, auditor)
            finally:
                writer.close()
            if errors.error_count:
                conn.rollback()
                result.load_id = None
                return _reject(engine, result, errors.listed, loaded_by, fixed_as_of or _capped(period_max),
                               errors.error_count)  # fmt: skip
            ingest_write.fill_from_victims(conn, spec, result.load_id)
            result.as_of = fixed_as_of or _never_backwards(conn, spec.name, _capped(period_max))
            result.rows_inserted, result.rows_updated = writer.rows_inserted, writer.rows_updated
            result.ok, result.outcome = True, "loaded"
            result.message = f"{result.rows_inserted} rows inserted, {result.rows_updated} updated"
            conn.execute(
                update(LOADS)
                .where(LOADS.c.load_id == result.load_id)
                .values(
                    rows_inserted=result.rows_inserted,
                    rows_updated=result.rows_updated,
                    as_of_date=result.as_of,
                    message=result.message,
                )
            )
            conn.commit()
            return result
    except SourceError as exc:  # found while reading rows (after the header): the transaction is rolled back
        result.load_id = None
        return _reject(engine, result, [_file_error(source, exc)], loaded_by, fixed_as_of)
    except Exception as exc:  # the transaction is rolled back by the closed connection; the fault is recorded
        result.load_id, result.ok, result.outcome = None, False, "failed"
        result.rows_inserted = result.rows_updated = 0
        result.message = f"failed while loading ({type(exc).__name__}: {exc}); nothing from the file was stored"
        result.load_id = record_load_alone(engine, result, "failed", loaded_by, fixed_as_of)
        return result


def _file_error(source: Source, exc: SourceError) -> RowError:
    """A problem that stops the whole file, at the row it was found in when there is one."""
    return RowError(source.file_name, exc.row, "", "", str(exc))


class _Errors:
    """The errors of one file: the first MAX_ERRORS listed in row order, every one counted."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.listed: list[RowError] = []
        self.error_count = 0

    def add(self, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
        """Add one chunk's error records (sorted by row, then by contract column order)."""
        if not len(frame):
            return
        self.error_count += len(frame)
        room = MAX_ERRORS - len(self.listed)
        if room <= 0:
            return
        order = {c: i for i, c in enumerate(columns)}
        frame = frame.assign(_col=frame["column"].map(order)).sort_values(["row", "_col"], kind="stable")
        for rec in frame.head(room).itertuples(index=False):
            self.listed.append(RowError(self.file_name, int(rec.row), rec.column, str(rec.value), rec.rule))


def _check_and_write(
    conn: Connection, spec: TableSpec, source: Source, present: list[str], chunk_rows: int, writer, auditor=None
) -> tuple[_Errors, dt.date | None]:
    """Check every chunk; write chunks while the file is still clean, keep checking (not writing) after an error."""
    errors = _Errors(source.file_name)
    refs = {ref.column: ReferenceIndex(conn, ref.table, ref.key) for ref in spec.references}
    seen = SeenKeys()
    period_max: pd.Timestamp | None = None
    for raw in source.chunks(present, chunk_rows):
        checked = check_chunk(spec, raw)
        found = [checked.errors]
        key = checked.typed[spec.key]
        repeated = seen.repeated(key)
        if repeated.any():
            rows = raw.index[repeated.to_numpy()]
            shown = spec.key_from[-1] if spec.key_from else spec.key  # a two-column key is reported at its second
            found.append(
                pd.DataFrame(
                    {
                        "row": rows,
                        "column": shown,
                        "value": raw.loc[rows, shown].to_numpy(),
                        "rule": f"duplicate {' and '.join(spec.key_from) if spec.key_from else spec.key}",
                    }
                )  # fmt: skip
            )
        for column, ref in refs.items():
            found.append(ref.missing_errors(checked.typed[column], raw, column))
        for name, default in spec.defaults.items():
            checked.values[name] = checked.values[name].fillna(default)
        for name in spec.period_dates:
            latest = checked.typed[name].max()
            if pd.notna(latest) and (period_max is None or latest > period_max):
                period_max = latest
        chunk_errors = pd.concat([f for f in found if len(f)] or [pd.DataFrame(columns=ERROR_COLUMNS)])
        errors.add(chunk_errors, spec.column_names)
        if not errors.error_count and len(checked.values):
            before = auditor.before(checked.values) if auditor else None
            ingest_write.write_chunk(writer, checked.values)
            if auditor:
                auditor.record(checked.values, before)
    return errors, (period_max.date() if period_max is not None else None)


# ---------------------------------------------------------------- as-of dates and the loads table


def _as_of_file(source: Source) -> dt.date | None:
    """The date in as_of.txt beside the file (written by the demo generator and extract jobs), if there is one."""
    if source.directory is None or not (source.directory / AS_OF_FILE).is_file():
        return None
    text = (source.directory / AS_OF_FILE).read_text(encoding="utf-8-sig").strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise SourceError(f"{AS_OF_FILE} beside the file holds '{text}', not a date YYYY-MM-DD") from None


def _capped(day: dt.date | None) -> dt.date | None:
    """The latest period date in a file, never later than today (future trial dates do not move the as-of date)."""
    return None if day is None else min(day, dt.date.today())


def _never_backwards(conn: Connection, table: str, inferred: dt.date | None) -> dt.date | None:
    """A load that states no as-of date takes the latest date in its rows, but never one before the table's current
    as-of date: a partial upload of older rows (a correction, a re-send) must not move every figure back in time.
    (queries.dashboard_as_of decides the dashboard's date from these.)"""
    current = queries.table_as_of(conn, table) if inferred is not None else None
    return inferred if current is None else max(inferred, current)


def begin_write(conn: Connection) -> None:
    """Open the load's transaction; on SQLite take the write lock now so no other writer interleaves."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.begin()


def record_load(
    conn: Connection,
    result: LoadResult,
    outcome: str,
    loaded_by: str,
    as_of: dt.date | None,
    error_count: int = 0,
) -> int:
    """Insert the load's row in `loads` on this connection; returns its load_id."""
    row = conn.execute(
        insert(LOADS)
        .values(
            table_name=result.table or "unknown",
            file_name=result.file_name[:400],
            sha256=result.sha256,
            rows_inserted=result.rows_inserted,
            rows_updated=result.rows_updated,
            loaded_by=loaded_by,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            outcome=outcome,
            as_of_date=as_of,
            error_count=error_count,
            message=result.message,
        )
        .returning(LOADS.c.load_id)
    )
    return row.scalar_one()


def record_load_alone(engine: Engine, result: LoadResult, outcome: str, loaded_by: str, as_of, error_count=0) -> int:
    """Record a rejected or failed load in its own transaction (after the load's own was rolled back)."""
    with engine.begin() as conn:
        return record_load(conn, result, outcome, loaded_by, as_of, error_count)


def _reject(
    engine: Engine,
    result: LoadResult,
    errors: list[RowError],
    loaded_by: str,
    as_of: dt.date | None,
    error_count: int | None = None,
) -> LoadResult:
    """Mark the result rejected with its errors and record it; nothing from the file has been written."""
    result.ok, result.outcome = False, "rejected"
    result.rows_inserted = result.rows_updated = 0
    result.errors = errors[:MAX_ERRORS]
    result.error_count = error_count if error_count is not None else len(errors)
    result.as_of = as_of
    forbidden = [e for e in errors if e.rule.startswith("forbidden column")]
    if forbidden:
        names = ", ".join(f"'{e.column}'" for e in forbidden)
        result.message = (
            f"personal data column {names} is not allowed (the dashboard must never hold names, addresses, "
            "dates of birth, contact details or NHS/NI numbers); nothing from the file was stored"
        )
    else:
        noun = "error" if result.error_count == 1 else "errors"
        result.message = f"{result.error_count} {noun} found; nothing from the file was stored"
    result.load_id = record_load_alone(engine, result, "rejected", loaded_by, as_of, result.error_count)
    return result


def _unreadable(engine: Engine, file_name: str, sha256: str, problem: str, loaded_by: str) -> LoadResult:
    """A file that names no table, or cannot be opened: rejected and recorded."""
    return refuse_file(engine, file_name, sha256, problem, loaded_by)


def refuse_file(
    engine: Engine, file_name: str, sha256: str, problem: str, loaded_by: str, table: str = ""
) -> LoadResult:
    """Reject a whole file without reading it (e.g. an upload over the size limit), and record the rejection."""
    result = LoadResult(table, file_name, sha256)
    return _reject(engine, result, [RowError(file_name, None, "", "", problem)], loaded_by, None)
