"""Helpers of the loader fuzz tests: hypothesis settings, valid files to mutate, and the property every load must keep.

The property (issue 7): whatever the bytes, a loader returns (never raises); every result is "loaded" or "rejected",
never "failed" (the outcome of an unexpected fault); a rejection names its file and a rule, and a rejected file leaves
every table exactly as it was.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile

import openpyxl
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from data.ingest import LoadResult
from data.models import PoliceUkOutcome, PoliceUkStreet
from data.policeuk import STREET_COLUMNS
from tests.test_ingest_support import VALID, snapshot

# Fixed examples by default, so CI sees the same inputs every run; VSD_FUZZ_RANDOM=1 VSD_FUZZ_EXAMPLES=500 explores.
RANDOM = os.environ.get("VSD_FUZZ_RANDOM") == "1"
SCALE = int(os.environ.get("VSD_FUZZ_EXAMPLES", "0"))


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings of one fuzz test: `examples` fixed examples (or VSD_FUZZ_EXAMPLES random ones)."""
    return settings(
        max_examples=SCALE or examples,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text (the csv module quotes what needs quoting)."""
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)  # "\r\n" ends rows, so a cell holding \r or \n is quoted
    return out.getvalue()


def valid_csv(table: str) -> str:
    """A valid one-row CSV of a contract table."""
    return csv_text([list(VALID[table]), list(VALID[table].values())])


POLICEUK_NAME = "2024-01-gwent-street.csv"
POLICEUK_ROW = [
    "abc123", "2024-01", "Gwent Police", "Gwent Police", "-3.0", "51.6", "On or near High Street", "W01001234",
    "Torfaen 009E", "Burglary", "Under investigation", "",
]  # fmt: skip


def valid_policeuk() -> str:
    """A valid one-row police.uk street file."""
    return csv_text([STREET_COLUMNS, POLICEUK_ROW])


def workbook(rows: list[list[object]], sheet: str = "victims") -> bytes:
    """An .xlsx workbook of one sheet holding the rows."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_parts(content: bytes, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook with some of its parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name in source.namelist():
            if name not in parts:
                archive.writestr(name, source.read(name))
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def state(engine) -> dict:
    """Every contract table's rows, and the police.uk tables' row counts."""
    found = snapshot(engine)
    with engine.connect() as conn:
        for model in (PoliceUkStreet, PoliceUkOutcome):
            found[model.__tablename__] = conn.execute(select(func.count()).select_from(model)).scalar_one()
    return found


def assert_loaded_or_rejected(results: list[LoadResult], engine, before: dict) -> None:
    """The fuzz property: loaded or clearly rejected, and a rejected file changed nothing."""
    assert results
    for result in results:
        assert result.outcome in ("loaded", "rejected"), f"{result.outcome}: {result.message}"
        if not result.ok:
            assert result.error_count >= 1 and result.errors, result.message
            assert "nothing from the file was stored" in result.message
            for error in result.errors:
                assert error.file and error.rule
                assert error.row is None or error.row >= 1
    if not any(r.ok for r in results):
        assert state(engine) == before
