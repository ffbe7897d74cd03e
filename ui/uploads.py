"""Files uploaded on the data management page, loaded through the same loaders as the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from data.ingest import LoadResult, import_bytes, refuse_file
from data.ingest_read import table_of
from data.models import CONTRACT_TABLES
from data.policeuk import FILE_NAME as POLICEUK_FILE_NAME
from data.policeuk import load_policeuk_file

log = logging.getLogger(__name__)

ACCEPTED_TYPES = ("csv", "xlsx")
# The largest file the page takes, in megabytes as Streamlit counts them (MiB). .streamlit/config.toml's
# server.maxUploadSize equals it (tests/test_security.py), so the server refuses a larger upload before any byte
# reaches a loader; larger extracts are loaded with `cli.py import`.
MAX_UPLOAD_MB = 200
MIB = 1024 * 1024
_ORDER = list(CONTRACT_TABLES)


def load_order(name: str) -> int:
    """Where a file goes in the load order: contract tables by dependency, then workbooks, then police.uk files."""
    table = table_of(name)
    if table in _ORDER:
        return _ORDER.index(table)
    return len(_ORDER) + (1 if POLICEUK_FILE_NAME.match(Path(name).name) else 0)


def _load_policeuk(engine: Engine, name: str, content: bytes, username: str) -> LoadResult:
    """The police.uk loader reads a path (its name carries the month): hand it the bytes under the same name."""
    with tempfile.TemporaryDirectory(prefix="vsd-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return load_policeuk_file(engine, path, loaded_by=username)


def _refuse_oversized(engine: Engine, name: str, content: bytes, username: str) -> LoadResult:
    """Record an upload over the size limit as rejected, without reading a byte of it as a table."""
    problem = (
        f"the file is {len(content) / MIB:,.1f} MB, more than the {MAX_UPLOAD_MB} MB an upload may be; "
        "load a file this large with `cli.py import`"
    )
    sha256 = hashlib.sha256(content).hexdigest()
    return refuse_file(engine, name, sha256, problem, username, table=table_of(name) or "")


def _fault(name: str, content: bytes) -> LoadResult:
    """The result shown for a file whose load raised: failed, nothing stored (the loader's transaction is gone)."""
    return LoadResult(
        table=table_of(name) or "",
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        ok=False,
        outcome="failed",
    )


def process_uploads(
    engine: Engine,
    files: list[tuple[str, bytes]],
    as_of: dt.date | None,
    username: str,
) -> list[LoadResult]:
    """Load (file name, bytes) pairs in dependency order, each in its own transaction, recorded as loaded by username.

    A fault never escapes: it is logged with its traceback and the file is reported as failed.
    """
    results: list[LoadResult] = []
    for name, content in sorted(files, key=lambda item: load_order(Path(item[0]).name)):
        name = Path(name).name  # a browser sends a bare name; never trust a path in it
        try:
            if len(content) > MAX_UPLOAD_MB * MIB:  # the server refuses these first; never parse one that slips by
                loaded = [_refuse_oversized(engine, name, content, username)]
            elif POLICEUK_FILE_NAME.match(name):
                loaded = [_load_policeuk(engine, name, content, username)]
            else:
                loaded = import_bytes(engine, name, content, as_of=as_of, loaded_by=username)
        except Exception:
            log.exception("upload of %s by %s failed", name, username)
            loaded = [_fault(name, content)]
        for result in loaded:
            if result.outcome == "failed":
                log.error("load %s of %s by %s failed: %s", result.load_id, name, username, result.message)
        results.extend(loaded)
    return results
