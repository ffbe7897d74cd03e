"""The action plan's write side: create, edit, move and close actions with optimistic locking, a timeline and audit.

Each change is one transaction holding the row change, its append-only timeline entry (action_updates) and its
audit row. Every save names the version it read; a save against an older version is refused with StaleEdit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select

from auth.roles import Scope, is_portfolio_id
from data import audit
from data.models import Action, ActionUpdate, EvidenceFile, FeedbackItem, Meeting, Recommendation
from data.records import check_note, fetch, locked_update, next_id, snapshot, visible_clause, with_new_id
from rules.permissions import can_edit_action, can_link_record, can_read, require
from rules.workflow import (
    ACTION_MOVES,
    ACTION_PROGRESS,
    ACTION_SOURCES,
    OWNER_MAX,
    REF_MAX,
    TITLE_MAX,
    AccessDenied,
    NotFound,
    StaleEdit,
    WorkflowError,
    check_action_close,
    check_move,
    check_text,
    dump_milestones,
    field_changes,
)

ACTIONS = Action.__table__
UPDATES = ActionUpdate.__table__
EVIDENCE = EvidenceFile.__table__
MEETINGS = Meeting.__table__
FIELDS = tuple(c.name for c in ACTIONS.columns if c.name != "load_id")
EDITABLE = ("title", "description", "portfolio", "owner", "due_date", "status", "milestones", "closure_note")
# Sources whose reference must name an existing record, so the link holds both ways.
LINKED_TABLES = {"recommendation": Recommendation.__table__, "feedback": FeedbackItem.__table__}
LINKED_KEYS = {"recommendation": "rec_id", "feedback": "feedback_id"}
ID_PREFIX, ID_WIDTH = "AC-", 3


# ---------------------------------------------------------------- reading


def get_action(engine: Engine, scope: Scope, action_id: str) -> dict[str, Any]:
    """One action the user may read, as a dict of its fields (NotFound otherwise)."""
    with engine.connect() as conn:
        row = fetch(conn, ACTIONS, "action_id", action_id)
    if row is None or not can_read(scope, row["portfolio"]):
        raise NotFound("action", action_id)
    return snapshot(row, FIELDS)


def list_actions(
    engine: Engine,
    scope: Scope,
    *,
    portfolios: Iterable[str] = (),
    statuses: Iterable[str] = (),
    source_type: str | None = None,
    source_ref: str | None = None,
) -> pd.DataFrame:
    """The actions the user may read, optionally filtered, by due date then id."""
    stmt = select(*(ACTIONS.c[f] for f in FIELDS)).order_by(ACTIONS.c.due_date, ACTIONS.c.action_id)
    visible = visible_clause(scope, ACTIONS.c.portfolio)
    if visible is not None:
        stmt = stmt.where(visible)
    if portfolios := [p for p in portfolios if p]:
        stmt = stmt.where(ACTIONS.c.portfolio.in_(portfolios))
    if statuses := [s for s in statuses if s]:
        stmt = stmt.where(ACTIONS.c.status.in_(statuses))
    if source_type:
        stmt = stmt.where(ACTIONS.c.source_type == source_type)
    if source_ref:
        stmt = stmt.where(ACTIONS.c.source_ref == source_ref)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(FIELDS))


def linked_actions(engine: Engine, scope: Scope, source_type: str, source_ref: str) -> pd.DataFrame:
    """The actions (that the user may read) raised from one measure, finding or feedback item."""
    return list_actions(engine, scope, source_type=source_type, source_ref=source_ref)


def timeline(engine: Engine, scope: Scope, action_id: str) -> pd.DataFrame:
    """The action's append-only updates, newest first: at, author, status before and after, note, changes."""
    get_action(engine, scope, action_id)  # NotFound unless the user may read it
    columns = ("id", "at", "author", "status_before", "status_after", "note", "changes")
    stmt = select(*(UPDATES.c[c] for c in columns)).where(UPDATES.c.action_id == action_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(UPDATES.c.at.desc(), UPDATES.c.id.desc())).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(columns))
    frame["changes"] = [json.loads(text) if isinstance(text, str) and text else {} for text in frame["changes"]]
    return frame


def evidence_count(conn: Connection, entity_type: str, entity_id: str) -> int:
    """How many evidence files are attached to the record."""
    stmt = select(func.count()).where(EVIDENCE.c.entity_type == entity_type, EVIDENCE.c.entity_id == entity_id)
    return conn.execute(stmt).scalar_one()


# ---------------------------------------------------------------- rules shared by create and update


def _require_editor(scope: Scope, portfolio: str, meeting_ref: str | None) -> None:
    """Refuse with the most helpful message: board members outside meeting mode, or another portfolio's action."""
    if can_edit_action(scope, portfolio, meeting_ref):
        return
    if "board" in scope.roles:
        require(False, "actions.errors.meeting_only")
    if "lead" in scope.roles:
        require(False, "actions.errors.not_your_portfolio", portfolio=portfolio)
    require(False, "actions.errors.read_only")


def _check_meeting(conn: Connection, meeting_ref: str | None) -> None:
    """A change made in a meeting's name needs that meeting to exist and still be open.

    Board members may change actions only in an open meeting; and since a meeting's record of decisions is read
    from the audit rows that name it, nobody may add to the record of a closed meeting.
    """
    if not meeting_ref:
        return
    meeting = fetch(conn, MEETINGS, "meeting_id", meeting_ref)
    if meeting is None or meeting["status"] != "open":
        raise AccessDenied("meeting.errors.not_open", meeting=meeting_ref)


def _check_portfolio(portfolio: str) -> str:
    portfolio = (portfolio or "").strip()
    if not is_portfolio_id(portfolio):
        raise WorkflowError("actions.errors.bad_portfolio", portfolio=portfolio)
    return portfolio


def _check_source(
    conn: Connection, scope: Scope, source_type: str, source_ref: str | None, meeting_ref: str | None
) -> str | None:
    if source_type not in ACTION_SOURCES:
        raise WorkflowError("actions.errors.bad_source", source=source_type)
    ref = check_text(source_ref, "actions.errors.source_ref_too_long", REF_MAX, required=False)
    if source_type in ("metric", "recommendation", "feedback") and not ref:
        raise WorkflowError("actions.errors.source_ref_required")
    if source_type in LINKED_TABLES:
        record = fetch(conn, LINKED_TABLES[source_type], LINKED_KEYS[source_type], ref)
        # A finding or feedback item of a portfolio the user may not act on is refused exactly as a missing one is,
        # so that the answer never tells whether an id exists (issue 15).
        if record is None or not can_link_record(scope, source_type, record["portfolio"], meeting_ref):
            raise WorkflowError("actions.errors.unknown_source", ref=ref)
    return ref


def _check_due(due_date: Any, created: dt.date) -> dt.date:
    if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
        raise WorkflowError("actions.errors.due_required")
    if due_date < created:
        raise WorkflowError("actions.errors.due_before_created", created=created.isoformat())
    return due_date


# ---------------------------------------------------------------- creating


def create_action(
    engine: Engine,
    scope: Scope,
    *,
    title: str,
    portfolio: str,
    owner: str,
    due_date: dt.date,
    source_type: str = "other",
    source_ref: str | None = None,
    description: str | None = None,
    milestones: Iterable[Mapping[str, Any]] | None = None,
    meeting_ref: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Create an action (status not_started) with its first timeline entry; returns it. Audited as action.create."""
    today, now = today or audit.local_today(), now or audit.utcnow()
    portfolio = _check_portfolio(portfolio)
    meeting_ref = check_text(meeting_ref, "actions.errors.meeting_ref_too_long", REF_MAX, required=False)
    _require_editor(scope, portfolio, meeting_ref)
    values = {
        "title": check_text(title, "actions.errors.title_required", TITLE_MAX),
        "description": (description or "").strip() or None,
        "portfolio": portfolio,
        "owner": check_text(owner, "actions.errors.owner_required", OWNER_MAX),
        "created_date": today,
        "due_date": _check_due(due_date, today),
        "status": "not_started",
        "completed_date": None,
        "milestones": dump_milestones(milestones),
        "closure_note": None,
        "meeting_ref": meeting_ref,
        "version": 1,
    }
    note = check_note(note)

    def attempt(conn: Connection) -> dict[str, Any]:
        _check_meeting(conn, meeting_ref)
        ref = _check_source(conn, scope, source_type, source_ref, meeting_ref)
        row = {**values, "action_id": next_id(conn, ACTIONS.c.action_id, ID_PREFIX, ID_WIDTH)}
        row |= {"source_type": source_type, "source_ref": ref}
        conn.execute(insert(ACTIONS).values(**row))
        conn.execute(
            insert(UPDATES).values(
                action_id=row["action_id"], at=now, author=scope.username, note=note, status_before=None,
                status_after="not_started", changes=None,
            )
        )  # fmt: skip
        created = snapshot(row, FIELDS)
        audit.write(
            conn, actor=scope.username, event="action.create", entity_type="action", entity_id=row["action_id"],
            after=created, portfolio=portfolio, detail=f"meeting {meeting_ref}" if meeting_ref else note, at=now,
        )  # fmt: skip
        return created

    return with_new_id(engine, attempt)


# ---------------------------------------------------------------- changing


def _new_values(current: Mapping[str, Any], changes: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The action after the changes, checked field by field and against the status workflow."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise WorkflowError("actions.errors.not_editable", field=unknown[0])
    new = dict(current)
    for field, value in changes.items():
        if field == "title":
            value = check_text(value, "actions.errors.title_required", TITLE_MAX)
        elif field == "owner":
            value = check_text(value, "actions.errors.owner_required", OWNER_MAX)
        elif field == "description":
            value = (value or "").strip() or None
        elif field == "portfolio":
            value = _check_portfolio(value)
        elif field == "due_date":
            value = _check_due(value, current["created_date"])
        elif field == "milestones":
            value = value if isinstance(value, str) or value is None else dump_milestones(value)
        elif field == "closure_note":
            value = (value or "").strip() or None
        new[field] = value
    before, after = current["status"], new["status"]
    check_move(ACTION_MOVES, "actions", before, after)
    if after == "complete" and before != "complete":
        new["completed_date"] = today
    elif after in ACTION_PROGRESS and before == "complete":
        new["completed_date"] = None  # reopened: the completion did not hold
    if new["closure_note"] != current["closure_note"] and after != "closed":
        raise WorkflowError("actions.errors.closure_note_only_when_closing")
    return new


def update_action(
    engine: Engine,
    scope: Scope,
    action_id: str,
    version: int,
    changes: Mapping[str, Any],
    *,
    note: str | None = None,
    meeting_ref: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Save changes to an action read at `version`; a status change follows the workflow, closing needs a closure note
    and evidence. Adds a timeline entry and an audit row; returns the saved action (its version one higher)."""
    today, now = today or audit.local_today(), now or audit.utcnow()
    note = check_note(note)
    with audit.writing(engine) as conn:
        row = fetch(conn, ACTIONS, "action_id", action_id)
        if row is None or not can_read(scope, row["portfolio"]):
            raise NotFound("action", action_id)
        current = snapshot(row, FIELDS)
        _require_editor(scope, current["portfolio"], meeting_ref)
        _check_meeting(conn, meeting_ref)
        if current["version"] != version:
            raise StaleEdit(current, version, changes)
        if current["status"] == "closed":
            raise WorkflowError("actions.errors.closed")
        new = _new_values(current, changes, today)
        if new["portfolio"] != current["portfolio"]:
            _require_editor(scope, new["portfolio"], meeting_ref)
        if new["status"] == "closed":
            check_action_close(new["closure_note"], evidence_count(conn, "action", action_id))
        changed = field_changes(current, new, [f for f in FIELDS if f not in ("status", "version")])
        if not changed and new["status"] == current["status"] and not note:
            raise WorkflowError("actions.errors.nothing_to_save")
        values = {f: new[f] for f in FIELDS if f != "version" and new[f] != current[f]}
        new["version"] = locked_update(conn, ACTIONS, "action_id", action_id, version, values, changes)
        conn.execute(
            insert(UPDATES).values(
                action_id=action_id, at=now, author=scope.username, note=note, status_before=current["status"],
                status_after=new["status"], changes=audit.to_json(changed) if changed else None,
            )
        )  # fmt: skip
        if new["status"] == "closed":
            event = "action.close"
        elif new["status"] != current["status"]:
            event = "action.status"
        else:
            event = "action.update" if changed else "action.note"
        detail = " | ".join(x for x in (f"meeting {meeting_ref}" if meeting_ref else None, note) if x) or None
        audit.write(
            conn, actor=scope.username, event=event, entity_type="action", entity_id=action_id, before=current,
            after=new, portfolio=new["portfolio"], detail=detail, at=now,
        )  # fmt: skip
    return new


def transition_action(
    engine: Engine, scope: Scope, action_id: str, version: int, status: str, *, note: str | None = None, **kwargs
) -> dict[str, Any]:
    """Move an action to another status (see ACTION_MOVES); closing goes through close_action."""
    if status == "closed":
        raise WorkflowError("actions.errors.close_with_note")
    return update_action(engine, scope, action_id, version, {"status": status}, note=note, **kwargs)


def close_action(
    engine: Engine, scope: Scope, action_id: str, version: int, closure_note: str, **kwargs
) -> dict[str, Any]:
    """Close a complete action: needs a closure note and at least one evidence file."""
    changes = {"status": "closed", "closure_note": closure_note}
    return update_action(engine, scope, action_id, version, changes, note=kwargs.pop("note", None), **kwargs)


def add_timeline_entry(
    conn: Connection,
    action_id: str,
    author: str,
    note: str | None,
    status: str,
    at: dt.datetime,
    changes: Mapping[str, list] | None = None,
) -> None:
    """Append a timeline entry that changes no field (e.g. evidence attached), in the caller's transaction."""
    conn.execute(
        insert(UPDATES).values(
            action_id=action_id, at=at, author=author, note=note, status_before=status, status_after=status,
            changes=audit.to_json(dict(changes)) if changes else None,
        )
    )  # fmt: skip
