"""The load history and the freshness of each source, read with SQLAlchemy Core into DataFrames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Date, Engine, cast, func, null, select

from config.sources import SOURCES
from data.models import Action, Base, Load

LOADS = Load.__table__
STALE_AFTER_MONTHS = 2  # a monthly source whose latest data month is more than this behind the as-of month is stale

HISTORY_COLUMNS = [
    "load_id",
    "loaded_at",
    "loaded_by",
    "table_name",
    "file_name",
    "sha256",
    "rows_inserted",
    "rows_updated",
    "outcome",
    "as_of_date",
    "error_count",
    "message",
]
FRESHNESS_COLUMNS = [
    "table_name",
    "latest_load_at",
    "load_as_of",
    "latest_period",
    "rows",
    "months_behind",
    "status",
]


# SOURCES (config/sources.py): every source table in load order; `dated_by` dates its records, and `monthly` is
# False for the registers (findings, published a few times a year; actions, edited in the app after the first
# load), whose old latest date is not a missed extract.


def load_history(engine: Engine, limit: int | None = None) -> pd.DataFrame:
    """Every recorded load (or the latest `limit`), newest first; loaded_at is naive UTC as stored."""
    query = select(*(LOADS.c[name] for name in HISTORY_COLUMNS)).order_by(
        LOADS.c.loaded_at.desc(), LOADS.c.load_id.desc()
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=HISTORY_COLUMNS)
    for name in ("load_id", "rows_inserted", "rows_updated", "error_count"):
        frame[name] = frame[name].astype("Int64")
    return frame


def latest_loads(engine: Engine) -> dict[str, tuple[dt.datetime, dt.date | None]]:
    """Per table: (loaded_at, as-of date) of its latest successful load."""
    latest = (
        select(LOADS.c.table_name, func.max(LOADS.c.load_id).label("load_id"))
        .where(LOADS.c.outcome == "loaded")
        .group_by(LOADS.c.table_name)
        .subquery()
    )
    query = select(LOADS.c.table_name, LOADS.c.loaded_at, LOADS.c.as_of_date).join(
        latest, LOADS.c.load_id == latest.c.load_id
    )
    with engine.connect() as conn:
        return {name: (at, as_of) for name, at, as_of in conn.execute(query)}


def _period_date(value, is_month_text: bool) -> dt.date | None:
    """The latest period as a date (a police.uk 'YYYY-MM' becomes the first of that month)."""
    if value is None:
        return None
    if is_month_text:
        year, month = str(value)[:7].split("-")
        return dt.date(int(year), int(month), 1)
    return value.date() if isinstance(value, dt.datetime) else value


def table_extents(engine: Engine) -> dict[str, tuple[dt.date | None, int]]:
    """Per source table: (latest period date, row count)."""
    extents: dict[str, tuple[dt.date | None, int]] = {}
    with engine.connect() as conn:
        for source in SOURCES:
            table = Base.metadata.tables[source.table]
            latest_of = func.max(table.c[source.dated_by]) if source.dated_by else cast(null(), Date)
            latest, rows = conn.execute(select(latest_of, func.count()).select_from(table)).one()
            extents[source.table] = (_period_date(latest, source.month_text), int(rows))
    return extents


def row_counts(engine: Engine, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows in each of these tables (e.g. whether a database still needs its first load)."""
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar_one())
            for name in tables
        }


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from the month of `earlier` to the month of `later` (same month = 0)."""
    return (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month)


def freshness_status(
    latest_period: dt.date | None,
    as_of: dt.date | None,
    rows: int,
    monthly: bool = True,
    stale_after: int = STALE_AFTER_MONTHS,
) -> str:
    """empty (no rows), register (not a monthly feed), unknown (no as-of date), stale, or current."""
    if rows == 0 or (latest_period is None and monthly):
        return "empty"
    if not monthly:
        return "register"
    if as_of is None:
        return "unknown"
    return "stale" if months_between(latest_period, as_of) > stale_after else "current"


def freshness(engine: Engine, as_of: dt.date | None) -> pd.DataFrame:
    """One row per source: latest successful load and its as-of date, latest data date, rows, months behind, status."""
    loads = latest_loads(engine)
    extents = table_extents(engine)
    records = []
    for source in SOURCES:
        loaded_at, load_as_of = loads.get(source.table, (None, None))
        latest, rows = extents[source.table]
        behind = months_between(latest, as_of) if latest is not None and as_of is not None else None
        records.append(
            (
                source.table,
                loaded_at,
                load_as_of,
                latest,
                rows,
                behind,
                freshness_status(latest, as_of, rows, source.monthly),
            )
        )
    frame = pd.DataFrame(records, columns=FRESHNESS_COLUMNS)
    frame["rows"] = frame["rows"].astype("Int64")
    frame["months_behind"] = frame["months_behind"].astype("Int64")
    return frame


def action_plan_frame(engine: Engine) -> pd.DataFrame:
    """The whole action plan with titles and owners, for board packs and evidence packs."""
    table = Action.__table__
    columns = ["action_id", "title", "portfolio", "owner", "source_type", "source_ref", "created_date", "due_date"]
    stmt = select(*[table.c[c] for c in [*columns, "status", "completed_date"]]).order_by(table.c.due_date)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[*columns, "status", "completed_date"])
