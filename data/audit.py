"""The audit trail: one writer for every change and export (append-only), and the filtered read for inspectors.

Nothing here updates or deletes an audit row, and nothing else in the app or CLI does either; on PostgreSQL a trigger
(migration 0002) refuses UPDATE, DELETE and TRUNCATE of audit_log whoever asks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Connection, Engine, false, insert, or_, select

from auth.roles import Scope
from data.models import AuditLog
from rules.permissions import can_read_audit

AUDIT = AuditLog.__table__
LOCAL_TZ = ZoneInfo("Europe/London")
COLUMNS = ("id", "at", "actor", "event", "entity_type", "entity_id", "portfolio", "before_json", "after_json", "detail")


def utcnow() -> dt.datetime:
    """Now in UTC as a naive datetime, the form the database stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_today() -> dt.date:
    """Today's date in Gwent (Europe/London), the day an edit is dated."""
    return dt.datetime.now(LOCAL_TZ).date()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return str(value)


def to_json(value: Any) -> str | None:
    """A value as sorted JSON text (dates as ISO text); None stays None."""
    return None if value is None else json.dumps(value, sort_keys=True, default=_plain, ensure_ascii=False)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction; on SQLite the write lock is taken at the start so a read-then-write cannot interleave."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def write(
    conn: Connection,
    *,
    actor: str,
    event: str,
    entity_type: str | None = None,
    entity_id: str | None = None,
    before: Any = None,
    after: Any = None,
    portfolio: str | None = None,
    detail: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one audit row inside the caller's transaction, so it stands or falls with the change."""
    conn.execute(
        insert(AUDIT).values(
            at=at or utcnow(),
            actor=actor,
            event=event,
            entity_type=entity_type,
            entity_id=entity_id,
            before_json=to_json(before),
            after_json=to_json(after),
            portfolio=portfolio,
            detail=detail,
        )
    )


def record(engine: Engine, **fields: Any) -> None:
    """Append one audit row in its own transaction (exports and other events that change no table)."""
    with engine.begin() as conn:
        write(conn, **fields)


def record_export(
    engine: Engine,
    actor: str,
    what: str,
    *,
    portfolio: str | None = None,
    detail: Mapping[str, Any] | None = None,
    rows: int | None = None,
) -> None:
    """Audit an export (event `export.<what>`), with the filters it used and how many rows it held."""
    info = dict(detail or {})
    if rows is not None:
        info["rows"] = rows
    record(engine, actor=actor, event=f"export.{what}", entity_type="export", portfolio=portfolio, detail=to_json(info))


def _utc_bound(day: dt.date) -> dt.datetime:
    """Local midnight at the start of a day, as naive UTC."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _visible(scope: Scope):
    """Inspectors and admins read every row; anyone else only rows of portfolios they may read."""
    if can_read_audit(scope):
        return None
    if scope.all_portfolios:
        return AUDIT.c.portfolio.is_not(None)
    mine = sorted(scope.portfolios)
    return AUDIT.c.portfolio.in_(mine) if mine else false()


def audit_frame(
    engine: Engine,
    scope: Scope,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    actor: str | None = None,
    events: Iterable[str] = (),
    entity_type: str | None = None,
    entity_id: str | None = None,
    portfolios: Iterable[str] = (),
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first, filtered; days are local (Europe/London) and inclusive; `limit` keeps the newest."""
    stmt = select(*(AUDIT.c[c] for c in COLUMNS)).order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc())
    visible = _visible(scope)
    if visible is not None:
        stmt = stmt.where(visible)
    if start is not None:
        stmt = stmt.where(AUDIT.c.at >= _utc_bound(start))
    if end is not None:
        stmt = stmt.where(AUDIT.c.at < _utc_bound(end + dt.timedelta(days=1)))
    if actor:
        stmt = stmt.where(AUDIT.c.actor == actor.strip().lower())
    events = [e for e in events if e]
    if events:
        stmt = stmt.where(or_(*(AUDIT.c.event == e for e in events)))
    if entity_type:
        stmt = stmt.where(AUDIT.c.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AUDIT.c.entity_id == entity_id.strip())
    portfolios = [p for p in portfolios if p]
    if portfolios:
        stmt = stmt.where(AUDIT.c.portfolio.in_(portfolios))
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COLUMNS))


def audit_choices(engine: Engine, scope: Scope) -> dict[str, list[str]]:
    """The distinct events, entity types, actors and portfolios in the rows this user may read (for filters)."""
    visible = _visible(scope)
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for name in ("event", "entity_type", "actor", "portfolio"):
            stmt = select(AUDIT.c[name]).distinct().where(AUDIT.c[name].is_not(None)).order_by(AUDIT.c[name])
            if visible is not None:
                stmt = stmt.where(visible)
            out[name] = list(conn.execute(stmt).scalars())
    return out


def history(engine: Engine, entity_type: str, entity_id: str) -> pd.DataFrame:
    """Every audit row of one record, oldest first (the caller has checked the user may read the record)."""
    stmt = (
        select(*(AUDIT.c[c] for c in COLUMNS))
        .where(AUDIT.c.entity_type == entity_type, AUDIT.c.entity_id == entity_id)
        .order_by(AUDIT.c.at, AUDIT.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COLUMNS))


def changes_text(before_json: str | None, after_json: str | None, skip: Iterable[str] = ("version",)) -> dict:
    """{field: [before, after]} of the fields that differ between two audit snapshots."""
    before = json.loads(before_json) if isinstance(before_json, str) and before_json else {}
    after = json.loads(after_json) if isinstance(after_json, str) and after_json else {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return {}
    skipped = set(skip)
    fields = [f for f in dict.fromkeys([*before, *after]) if f not in skipped]
    return {f: [before.get(f), after.get(f)] for f in fields if before.get(f) != after.get(f)}


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Audit rows as they are downloaded: every column, times as ISO 8601 UTC ('2026-07-01T09:00:00Z')."""
    out = frame.loc[:, list(COLUMNS)].copy()
    out["at"] = [pd.Timestamp(moment).isoformat() + "Z" for moment in out["at"]]
    return out
