"""The database engine: the embedded SQLite file by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "vsd.sqlite3"
# The driver errors of code that uses a raw DBAPI cursor (the loader's key index): not wrapped by SQLAlchemy.
DRIVER_UNAVAILABLE = {("sqlite3", "OperationalError"), ("psycopg", "OperationalError"), ("psycopg", "InterfaceError")}


def database_url() -> str:
    """The configured database URL: DATABASE_URL, or the embedded SQLite file under var/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def is_embedded(url: str | None = None) -> bool:
    """True when the URL names the embedded SQLite database (demo mode is allowed there)."""
    return (url or database_url()).startswith("sqlite")


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite does not enforce foreign keys unless asked, on every connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_unavailable(exc: BaseException) -> bool:
    """True when the error means the database cannot be reached or opened now (not a fault in a query)."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    kind = type(exc)
    return (kind.__module__.split(".")[0], kind.__name__) in DRIVER_UNAVAILABLE
