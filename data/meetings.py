"""Meeting mode's records: a board meeting with its frozen scorecards, the decisions taken in it, and closing it.

Opening a meeting stores every portfolio's scorecard rows as they stood at that moment (JSON in meetings.snapshot),
so everyone who opens the meeting — during it, or after a new data load — reads the same numbers; a trigger
(migration 0003) refuses any later change to the snapshot. Decisions are actions raised through data/actions.py with
the meeting's id as meeting_ref (the audit trail says "meeting MT-001" beside each), so the record of decisions is
read back from the audit trail itself. Opening and closing a meeting are audited too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, or_, select, update

from auth.roles import Scope, is_portfolio_id
from data import actions, audit
from data.models import Meeting
from data.records import fetch, next_id, with_new_id
from metrics.scorecard import COLUMNS as SCORECARD_COLUMNS
from rules.permissions import can_read_meetings, can_run_meeting, require
from rules.workflow import TITLE_MAX, NotFound, WorkflowError, check_text

MEETINGS = Meeting.__table__
META = tuple(c.name for c in MEETINGS.columns if c.name != "snapshot")
ID_PREFIX, ID_WIDTH = "MT-", 3
OPEN, CLOSED = "open", "closed"
NUMERIC_COLUMNS = (
    "numerator", "denominator", "value", "ci_low", "ci_high", "target", "previous_value", "change", "change_ci_low",
    "change_ci_high", "change_p",
)  # fmt: skip
BOOLEAN_COLUMNS = ("suppressed", "trial_limits", "has_chart")
DATE_COLUMNS = ("period_start", "period_end")
DECISION_COLUMNS = (
    "at", "actor", "event", "action_id", "portfolio", "title", "description", "owner", "due_date", "status", "changes",
    "note",
)  # fmt: skip


@dataclass(frozen=True)
class Snapshot:
    """A meeting's frozen figures: the agenda (portfolio id, name) in order and every scorecard row."""

    agenda: tuple[tuple[str, str], ...]
    scorecards: pd.DataFrame

    def portfolio_rows(self, portfolio_id: str) -> pd.DataFrame:
        """The scorecard rows of one portfolio, in scorecard order."""
        rows = self.scorecards.loc[self.scorecards["portfolio_id"] == portfolio_id]
        return rows.reset_index(drop=True)


# ---------------------------------------------------------------- the snapshot as JSON and back


def _plain(value: Any) -> Any:
    """A scorecard cell as JSON-safe data: NaN and NaT as null, dates as ISO text, numpy scalars as Python ones."""
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def snapshot_text(scorecards: pd.DataFrame, agenda: Iterable[tuple[str, str]]) -> str:
    """The frozen figures as JSON text: the agenda and every scorecard row (metrics.scorecard.COLUMNS)."""
    frame = scorecards.reindex(columns=SCORECARD_COLUMNS)
    rows = [{c: _plain(v) for c, v in record.items()} for record in frame.to_dict("records")]
    body = {"agenda": [{"id": pid, "name": name} for pid, name in agenda], "rows": rows}
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def read_snapshot(text: str) -> Snapshot:
    """The frozen figures from their JSON, typed as metrics.scorecard builds them (NaN for missing numbers)."""
    body = json.loads(text)
    frame = pd.DataFrame(body.get("rows") or [], columns=SCORECARD_COLUMNS)
    for column in NUMERIC_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in BOOLEAN_COLUMNS:
        frame[column] = frame[column].fillna(False).astype(bool)
    for column in DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column])
    frame["sparkline"] = [[np.nan if v is None else v for v in (s or [])] for s in frame["sparkline"]]
    for column in ("rag", "variation", "assurance", "change_significant"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    agenda = tuple((item["id"], item["name"]) for item in body.get("agenda") or [])
    return Snapshot(agenda=agenda, scorecards=frame)


# ---------------------------------------------------------------- reading


def _meta(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in META}


def _fetch_readable(conn: Connection, scope: Scope, meeting_id: str) -> dict[str, Any]:
    require(can_read_meetings(scope), "meeting.errors.board_only")
    row = fetch(conn, MEETINGS, "meeting_id", (meeting_id or "").strip())
    if row is None:
        raise NotFound("meeting", meeting_id)
    return row


def get_meeting(engine: Engine, scope: Scope, meeting_id: str) -> dict[str, Any]:
    """A meeting's details (without its snapshot): id, title, held_on, as_of, who opened it and when, status."""
    with engine.connect() as conn:
        return _meta(_fetch_readable(conn, scope, meeting_id))


def meeting_snapshot(engine: Engine, scope: Scope, meeting_id: str) -> Snapshot:
    """The meeting's frozen agenda and scorecards, exactly as they were when it was opened."""
    with engine.connect() as conn:
        return read_snapshot(_fetch_readable(conn, scope, meeting_id)["snapshot"])


def list_meetings(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Every meeting's details, the latest first."""
    require(can_read_meetings(scope), "meeting.errors.board_only")
    stmt = select(*(MEETINGS.c[f] for f in META)).order_by(MEETINGS.c.held_on.desc(), MEETINGS.c.meeting_id.desc())
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(META))


def _detail_note(detail: Any, prefix: str) -> str:
    """The note an update carried after "meeting MT-001 | " in its audit detail ('' when none)."""
    text = detail if isinstance(detail, str) else ""
    return text[len(prefix) + 3 :] if text.startswith(f"{prefix} | ") else ""


def meeting_decisions(engine: Engine, scope: Scope, meeting_id: str) -> pd.DataFrame:
    """Every change made to actions in the meeting, oldest first, read from the audit trail.

    One row per raised or changed action: when, who, the event, the action as it stood after the decision (title,
    description, owner, due date, status), what changed ({field: [before, after]}) and the note given.
    """
    with engine.connect() as conn:
        meeting = _fetch_readable(conn, scope, meeting_id)
    prefix = f"meeting {meeting['meeting_id']}"
    log = audit.AUDIT
    stmt = (
        select(log.c.at, log.c.actor, log.c.event, log.c.entity_id, log.c.portfolio, log.c.before_json,
               log.c.after_json, log.c.detail)
        .where(log.c.entity_type == "action", or_(log.c.detail == prefix, log.c.detail.like(f"{prefix} | %")))
        .order_by(log.c.at, log.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    records = []
    for at, actor, event, action_id, portfolio, before, after, detail in rows:
        state = json.loads(after) if after else {}
        records.append(
            {
                "at": at, "actor": actor, "event": event, "action_id": action_id, "portfolio": portfolio,
                "title": state.get("title"), "description": state.get("description"), "owner": state.get("owner"),
                "due_date": dt.date.fromisoformat(state["due_date"]) if state.get("due_date") else None,
                "status": state.get("status"),
                "changes": {} if event == "action.create" else audit.changes_text(before, after),
                "note": _detail_note(detail, prefix),
            }
        )  # fmt: skip
    return pd.DataFrame(records, columns=list(DECISION_COLUMNS))


# ---------------------------------------------------------------- opening, deciding, closing


def _check_agenda(agenda: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = tuple((str(pid), str(name)) for pid, name in agenda)
    ids = [pid for pid, _ in items]
    if not items or len(set(ids)) != len(ids) or not all(is_portfolio_id(pid) for pid in ids):
        raise WorkflowError("meeting.errors.bad_agenda")
    return items


def open_meeting(
    engine: Engine,
    scope: Scope,
    *,
    title: str,
    held_on: dt.date,
    as_of: dt.date,
    scorecards: pd.DataFrame,
    agenda: Iterable[tuple[str, str]],
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Open a meeting with the given scorecards frozen into it (agenda order); returns its details.

    The meeting cannot be dated before today: its figures are the ones in the database now, and a record dated
    earlier would claim the board saw numbers it never saw. Audited as meeting.open.
    """
    today, now = today or audit.local_today(), now or audit.utcnow()
    require(can_run_meeting(scope), "meeting.errors.board_only")
    title = check_text(title, "meeting.errors.title_required", TITLE_MAX)
    if not isinstance(held_on, dt.date) or isinstance(held_on, dt.datetime) or held_on < today:
        raise WorkflowError("meeting.errors.held_before_today", today=today.isoformat())
    if not isinstance(as_of, dt.date):
        raise WorkflowError("meeting.errors.no_data")
    items = _check_agenda(agenda)
    wanted = {pid for pid, _ in items}
    rows = scorecards.loc[scorecards["portfolio_id"].isin(wanted)] if len(scorecards) else scorecards
    text = snapshot_text(rows, items)
    values = {"title": title, "held_on": held_on, "as_of": as_of, "created_by": scope.username, "created_at": now,
              "status": OPEN, "closed_by": None, "closed_at": None}  # fmt: skip

    def attempt(conn: Connection) -> dict[str, Any]:
        row = {**values, "meeting_id": next_id(conn, MEETINGS.c.meeting_id, ID_PREFIX, ID_WIDTH), "snapshot": text}
        conn.execute(insert(MEETINGS).values(**row))
        meta = _meta(row)
        audit.write(
            conn, actor=scope.username, event="meeting.open", entity_type="meeting", entity_id=row["meeting_id"],
            after=meta, detail=audit.to_json({"portfolios": len(items), "scorecard_rows": len(rows)}), at=now,
        )  # fmt: skip
        return meta

    return with_new_id(engine, attempt)


def record_decision(
    engine: Engine,
    scope: Scope,
    meeting_id: str,
    *,
    portfolio: str,
    title: str,
    owner: str,
    due_date: dt.date,
    description: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record a decision of an open meeting as a new action (source: board decision; meeting_ref: the meeting)."""
    require(can_run_meeting(scope), "meeting.errors.board_only")
    meeting = get_meeting(engine, scope, meeting_id)
    if meeting["status"] != OPEN:
        raise WorkflowError("meeting.errors.not_open", meeting=meeting["meeting_id"])
    agenda = {pid for pid, _ in meeting_snapshot(engine, scope, meeting_id).agenda}
    if portfolio not in agenda:
        raise WorkflowError("meeting.errors.not_on_agenda", portfolio=portfolio)
    # data/actions.py checks again, inside its transaction, that the meeting is still open.
    return actions.create_action(
        engine, scope, title=title, portfolio=portfolio, owner=owner, due_date=due_date, source_type="board",
        source_ref=meeting["meeting_id"], description=description, meeting_ref=meeting["meeting_id"], note=note,
        today=today, now=now,
    )  # fmt: skip


def close_meeting(engine: Engine, scope: Scope, meeting_id: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Close an open meeting: no more decisions can be recorded in it. Audited as meeting.close."""
    now = now or audit.utcnow()
    require(can_run_meeting(scope), "meeting.errors.board_only")
    with audit.writing(engine) as conn:
        before = _meta(_fetch_readable(conn, scope, meeting_id))
        closed = {"status": CLOSED, "closed_by": scope.username, "closed_at": now}
        result = conn.execute(
            update(MEETINGS)
            .where(MEETINGS.c.meeting_id == before["meeting_id"], MEETINGS.c.status == OPEN)
            .values(**closed)
        )
        if result.rowcount != 1:
            raise WorkflowError("meeting.errors.not_open", meeting=before["meeting_id"])
        after = before | closed
        audit.write(
            conn, actor=scope.username, event="meeting.close", entity_type="meeting", entity_id=before["meeting_id"],
            before=before, after=after, at=now,
        )  # fmt: skip
    return after
