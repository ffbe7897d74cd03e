"""Loads of the accountability tables are changes like any other: each new or changed action, finding or feedback
item a file brings is written to the audit log (and an action's to its timeline), inside the load's transaction.

The app edits these tables too, so without this a reload could change an action with no trace of who changed what.
Rows a file repeats unchanged write nothing. The optimistic-locking version is bumped by the upsert itself
(data/ingest_write.py), so an editor holding the old version is refused rather than overwriting the loaded change.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, insert, select

from data import audit
from data.models import CONTRACT_TABLES, ActionUpdate


@dataclass(frozen=True)
class Audited:
    """How a loaded table appears in the audit log."""

    entity_type: str
    event: str


AUDITED = {
    "actions": Audited("action", "action.load"),
    "recommendations": Audited("finding", "finding.load"),
    "feedback_items": Audited("feedback", "feedback.load"),
}
UPDATES = ActionUpdate.__table__


def _plain(value):
    """A cell as the audit log stores it: None for nulls, dates as ISO text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


class LoadAuditor:
    """Reads the rows a chunk is about to change, then audits what the chunk changed."""

    def __init__(
        self, conn: Connection, table: str, key: str, columns: tuple[str, ...], loaded_by: str, file_name: str
    ):
        self.conn, self.key, self.columns = conn, key, columns
        self.kind = AUDITED[table]
        self.table = CONTRACT_TABLES[table].__table__
        self.loaded_by, self.file_name = loaded_by, file_name

    def before(self, values: pd.DataFrame) -> dict[str, dict]:
        """The stored rows (contract columns) of the chunk's keys, by key."""
        keys = [str(k) for k in values[self.key]]
        columns = [self.table.c[c] for c in self.columns]
        rows = self.conn.execute(select(*columns).where(self.table.c[self.key].in_(keys))).mappings().all()
        return {str(r[self.key]): {c: _plain(r[c]) for c in self.columns} for r in rows}

    def record(self, values: pd.DataFrame, before: dict[str, dict]) -> None:
        """One audit row per new or changed row (before/after), and a timeline entry for each action."""
        now = audit.utcnow()
        detail = json.dumps({"file": self.file_name}, ensure_ascii=False)
        for row in values.loc[:, list(self.columns)].to_dict("records"):
            after = {c: _plain(row[c]) for c in self.columns}
            key = str(after[self.key])
            old = before.get(key)
            if old == after:
                continue
            audit.write(
                self.conn, actor=self.loaded_by, event=self.kind.event, entity_type=self.kind.entity_type,
                entity_id=key, before=old, after=after, portfolio=after.get("portfolio"), detail=detail, at=now,
            )  # fmt: skip
            if self.kind.entity_type == "action":
                self._timeline(key, old, after, now)

    def _timeline(self, action_id: str, old: dict | None, new: dict, now: dt.datetime) -> None:
        changes = {c: [None if old is None else old[c], new[c]] for c in new if old is None or old[c] != new[c]}
        self.conn.execute(
            insert(UPDATES).values(
                action_id=action_id, at=now, author=self.loaded_by, note=f"loaded from {self.file_name}"[:2000],
                status_before=None if old is None else old["status"], status_after=new["status"],
                changes=json.dumps(changes, ensure_ascii=False),
            )
        )  # fmt: skip


def auditor_for(conn: Connection, table: str, key: str, columns, loaded_by: str, file_name: str) -> LoadAuditor | None:
    """An auditor when the table is one the app edits; None for the bulk tables (their loads are in `loads`)."""
    if table not in AUDITED:
        return None
    return LoadAuditor(conn, table, key, tuple(columns), loaded_by, file_name)
