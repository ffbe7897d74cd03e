"""Pure rules of the accountability workflows: statuses and moves, ageing and escalation, stale-edit differences.

No SQL here: data/actions.py, data/findings.py and data/feedback.py apply these rules inside their transactions,
and the pages use the same tables of moves to offer only the choices that will be accepted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

# ---------------------------------------------------------------- errors


class WorkflowError(ValueError):
    """A change the rules refuse; `code` is the translation key of the message, `params` fill it in."""

    def __init__(self, code: str, message: str | None = None, **params: Any):
        self.code = code
        self.params = params
        super().__init__(message or code)


class AccessDenied(PermissionError):
    """The acting user may not make this change; `code` is the translation key of the message."""

    def __init__(self, code: str = "actions.errors.forbidden", **params: Any):
        self.code = code
        self.params = params
        super().__init__(code)


class NotFound(LookupError):
    """No such record, or none this user may read (the two are not told apart)."""

    def __init__(self, entity_type: str, entity_id: str):
        self.code = "actions.errors.not_found"
        self.params = {"entity_id": entity_id}
        self.entity_type = entity_type
        super().__init__(f"{entity_type} {entity_id} not found")


class StaleEdit(Exception):
    """Someone saved the record after you read it: `current` is the row as it is now, `attempted` your changes."""

    def __init__(self, current: Mapping[str, Any], expected_version: int, attempted: Mapping[str, Any]):
        self.current = dict(current)
        self.expected_version = expected_version
        self.attempted = dict(attempted)
        self.code = "actions.errors.stale"
        self.params = {"version": self.current.get("version"), "expected": expected_version}
        super().__init__(
            f"version {expected_version} is stale; the record is now at version {self.current.get('version')}"
        )


# ---------------------------------------------------------------- actions

ACTION_STATUSES = ("not_started", "on_track", "at_risk", "off_track", "complete", "closed")
ACTION_PROGRESS = ("on_track", "at_risk", "off_track")
ACTION_DONE = ("complete", "closed")
ACTION_SOURCES = ("metric", "recommendation", "feedback", "board", "other")
# not_started -> on_track | at_risk | off_track -> complete -> closed; a completion that does not hold can be reopened.
ACTION_MOVES: dict[str, tuple[str, ...]] = {
    "not_started": ACTION_PROGRESS,
    "on_track": ("at_risk", "off_track", "complete"),
    "at_risk": ("on_track", "off_track", "complete"),
    "off_track": ("on_track", "at_risk", "complete"),
    "complete": ("closed", *ACTION_PROGRESS),
    "closed": (),
}

# ---------------------------------------------------------------- inspection findings

FINDING_STATUSES = ("open", "in_progress", "evidence_submitted", "closed", "discharged")
FINDING_KINDS = ("cause_of_concern", "recommendation", "area_for_improvement")
FINDING_DONE = ("closed", "discharged")
# open -> in_progress -> evidence_submitted -> closed | discharged; evidence found wanting goes back to in_progress.
FINDING_MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_progress",),
    "in_progress": ("evidence_submitted",),
    "evidence_submitted": ("in_progress", "closed", "discharged"),
    "closed": (),
    "discharged": (),
}

# ---------------------------------------------------------------- "you said, we did"

FEEDBACK_STATUSES = ("received", "accepted", "not_accepted", "implemented")
FEEDBACK_DECIDED = ("accepted", "not_accepted", "implemented")
FEEDBACK_STAGES = ("to_decide", "to_implement", "to_feed_back", "done")

ESCALATE_AFTER_DAYS = 30
PCC_RESPONSE_DAYS = 56

TITLE_MAX, OWNER_MAX, REF_MAX, THEME_MAX, SUMMARY_MAX = 200, 100, 100, 100, 500


def allowed_moves(moves: Mapping[str, tuple[str, ...]], status: str) -> tuple[str, ...]:
    """The statuses a record in `status` may move to (empty for a final or unknown status)."""
    return moves.get(status, ())


def check_move(moves: Mapping[str, tuple[str, ...]], section: str, before: str, after: str) -> None:
    """Refuse a status move the workflow does not allow (staying put is always allowed)."""
    if after not in moves:
        raise WorkflowError(f"{section}.errors.unknown_status", status=after)
    if after != before and after not in allowed_moves(moves, before):
        raise WorkflowError(
            f"{section}.errors.bad_move", before=f"{section}.status.{before}", after=f"{section}.status.{after}"
        )


def check_action_close(closure_note: str | None, evidence_count: int) -> None:
    """Closing an action needs a closure note and at least one evidence file."""
    if not (closure_note or "").strip():
        raise WorkflowError("actions.errors.closure_note_required")
    if evidence_count < 1:
        raise WorkflowError("actions.errors.evidence_required")


def check_text(value: str | None, code: str, maximum: int, required: bool = True) -> str | None:
    """A trimmed text value; refuse it when required and blank, or longer than the maximum."""
    text = (value or "").strip()
    if not text:
        if required:
            raise WorkflowError(code, maximum=maximum)
        return None
    if len(text) > maximum:
        raise WorkflowError(code, maximum=maximum)
    return text


# Personal data must never be stored (PRODUCT.md): refuse text that carries an e-mail address, phone number or postcode.
_PERSONAL = (
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b"),
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
)


def looks_personal(text: str | None) -> bool:
    """True when the text holds something shaped like an e-mail address, a UK phone number or a postcode."""
    return bool(text) and any(pattern.search(text) for pattern in _PERSONAL)


def feedback_stage(status: str, fed_back_date: dt.date | None) -> str:
    """Where an item is in the pipeline: to decide, to implement, to feed back, or done."""
    if status == "received":
        return "to_decide"
    if status == "accepted":
        return "to_implement"
    return "done" if fed_back_date is not None else "to_feed_back"


# ---------------------------------------------------------------- milestones


def parse_milestones(text: str | None) -> list[dict[str, Any]]:
    """An action's milestones from their stored JSON: [{title, due (ISO date or None), done}]."""
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    return [m for m in (items if isinstance(items, list) else []) if isinstance(m, dict)]


def normalise_milestones(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Milestones checked and in stored form; rows without a title are dropped, bad dates refused."""
    out = []
    for item in items or ():
        title = str(item.get("title") or "").strip()
        if not title or title.lower() == "nan":
            continue
        if len(title) > TITLE_MAX:
            raise WorkflowError("actions.errors.bad_milestone", title=title[:40])
        due = item.get("due")
        if due is not None and not (isinstance(due, float) and due != due) and str(due) not in ("", "NaT"):
            try:
                due = pd.Timestamp(due).date().isoformat()
            except (ValueError, TypeError):
                raise WorkflowError("actions.errors.bad_milestone", title=title[:40]) from None
        else:
            due = None
        done = item.get("done")
        out.append({"title": title, "due": due, "done": bool(done) and done == done})  # NaN (an empty cell) is not done
    return out


def dump_milestones(items: Iterable[Mapping[str, Any]] | None) -> str | None:
    """Milestones as stored JSON (None when there are none)."""
    clean = normalise_milestones(items)
    return json.dumps(clean, sort_keys=True) if clean else None


# ---------------------------------------------------------------- ageing and escalation


def days_overdue(due: dt.date | None, as_of: dt.date, done: bool) -> int:
    """Whole days past the due date at the as-of date; 0 when not yet due, finished or without a due date."""
    if due is None or done or due >= as_of:
        return 0
    return (as_of - due).days


def is_escalated(days: int) -> bool:
    """Overdue by more than 30 days: the item goes on the board's escalation list."""
    return days > ESCALATE_AFTER_DAYS


def with_ageing(frame: pd.DataFrame, as_of: dt.date, done_statuses: Iterable[str]) -> pd.DataFrame:
    """The frame with days_overdue, overdue and escalated columns, judged at the as-of date."""
    done = set(done_statuses)
    out = frame.copy()
    days = [
        days_overdue(None if pd.isna(due) else pd.Timestamp(due).date(), as_of, status in done)
        for due, status in zip(out["due_date"], out["status"], strict=True)
    ]
    out["days_overdue"] = pd.Series(days, index=out.index, dtype="int64")
    out["overdue"] = out["days_overdue"] > 0
    out["escalated"] = out["days_overdue"] > ESCALATE_AFTER_DAYS
    return out


def pcc_deadlines(findings: pd.DataFrame, responses: Mapping[str, dt.date], as_of: dt.date) -> pd.DataFrame:
    """Per inspection report (finding source): published (earliest), PCC response deadline (+56 days) and its state.

    state is `responded` (on or before the deadline), `responded_late`, `due` (days_remaining to go) or `overdue`
    (days_overdue past the deadline); days_late is how late a late response was.
    """
    columns = ["source", "published_date", "deadline", "response_date", "state", "days_remaining", "days_overdue"]
    if findings.empty:
        return pd.DataFrame(columns=[*columns, "days_late"])
    published = findings.groupby("source", observed=True)["published_date"].min()
    rows = []
    for source, first in published.items():
        first = pd.Timestamp(first).date()
        deadline = first + dt.timedelta(days=PCC_RESPONSE_DAYS)
        response = responses.get(str(source))
        remaining = overdue = late = None
        if response is not None:
            state = "responded" if response <= deadline else "responded_late"
            late = max(0, (response - deadline).days)
        elif as_of <= deadline:
            state, remaining = "due", (deadline - as_of).days
        else:
            state, overdue = "overdue", (as_of - deadline).days
        rows.append([str(source), first, deadline, response, state, remaining, overdue, late])
    frame = pd.DataFrame(rows, columns=[*columns, "days_late"])
    return frame.sort_values(["published_date", "source"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------- stale edits


def stale_differences(
    base: Mapping[str, Any], mine: Mapping[str, Any], current: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """What changed since you read the record, field by field: what you read, your value, theirs, and a clash flag.

    A field appears when someone else changed it (current differs from what you read) or when you changed it;
    `clash` is true when both of you changed it to different values.
    """
    rows = []
    for field in base:
        if field in ("version", "load_id"):
            continue
        read, now = base.get(field), current.get(field)
        yours = mine.get(field, read)
        theirs_changed, mine_changed = now != read, yours != read
        if theirs_changed or (mine_changed and yours != now):
            rows.append(
                {
                    "field": field,
                    "read": read,
                    "yours": yours,
                    "theirs": now,
                    "clash": theirs_changed and mine_changed and yours != now,
                }
            )
    return rows


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value differs (dates as ISO text, for JSON)."""

    def plain(value):
        return value.isoformat() if isinstance(value, dt.date) else value

    return {f: [plain(before.get(f)), plain(after.get(f))] for f in fields if before.get(f) != after.get(f)}
