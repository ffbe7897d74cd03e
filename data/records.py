"""Shared pieces of the accountability services: scoped reads, row snapshots, new ids, optimistic-locking saves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Engine, Table, false, select, update
from sqlalchemy.exc import IntegrityError

from auth.roles import Scope
from data.audit import writing
from rules.workflow import StaleEdit, check_text

T = TypeVar("T")
NOTE_MAX = 4000


def visible_clause(scope: Scope, column: Column):
    """None when the user reads every portfolio, else `column IN (their portfolios)` (never true without any)."""
    if scope.all_portfolios:
        return None
    mine = sorted(scope.portfolios)
    return column.in_(mine) if mine else false()


def snapshot(row: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A row as a plain dict of the given fields."""
    return {f: row[f] for f in fields}


def fetch(conn: Connection, table: Table, key: str, value: str) -> dict[str, Any] | None:
    """The row whose key column has this value, as a dict (None when there is none)."""
    row = conn.execute(select(table).where(table.c[key] == value)).mappings().first()
    return dict(row) if row is not None else None


def next_id(conn: Connection, column: Column, prefix: str, width: int) -> str:
    """The next free id of the form PREFIX + zero-padded number (one more than the highest in use)."""
    values = conn.execute(select(column).where(column.like(f"{prefix}%"))).scalars()
    numbers = [int(v[len(prefix) :]) for v in values if v[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"


def with_new_id(engine: Engine, attempt: Callable[[Connection], T], tries: int = 3) -> T:
    """Run a creating transaction, again if a concurrent one took the same new id first (PostgreSQL)."""
    for remaining in range(tries - 1, -1, -1):
        try:
            with writing(engine) as conn:
                return attempt(conn)
        except IntegrityError:
            if not remaining:
                raise
    raise AssertionError("unreachable")


def locked_update(
    conn: Connection,
    table: Table,
    key: str,
    value: str,
    version: int,
    values: Mapping[str, Any],
    attempted: Mapping[str, Any],
) -> int:
    """UPDATE … WHERE key = ? AND version = ? setting version + 1; no row updated raises StaleEdit with the row now."""
    result = conn.execute(
        update(table).where(table.c[key] == value, table.c.version == version).values(**values, version=version + 1)
    )
    if result.rowcount != 1:
        current = fetch(conn, table, key, value) or {}
        raise StaleEdit(current, version, attempted)
    return version + 1


def check_note(note: str | None) -> str | None:
    """A trimmed note (None when blank); refused when longer than NOTE_MAX characters."""
    return check_text(note, "actions.errors.note_too_long", NOTE_MAX, required=False)
