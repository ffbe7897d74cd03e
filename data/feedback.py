"""The "you said, we did" pipeline: record feedback, decide, implement, feed back; locked saves, each one audited.

Edits are for admins and the Survivor Engagement Co-ordinator (a lead of the survivor_voice portfolio). Summaries are
checked for anything shaped like personal data (e-mail, phone number, postcode) before they are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, insert, or_, select

from auth.roles import Scope, is_portfolio_id
from data import audit
from data.models import EngagementEvent, FeedbackItem
from data.records import fetch, locked_update, next_id, snapshot, with_new_id
from rules.permissions import SURVIVOR_VOICE, can_edit_feedback, can_read_feedback, leads, require
from rules.workflow import (
    FEEDBACK_DECIDED,
    SUMMARY_MAX,
    THEME_MAX,
    NotFound,
    StaleEdit,
    WorkflowError,
    check_text,
    field_changes,
    looks_personal,
)

FEEDBACK = FeedbackItem.__table__
EVENTS = EngagementEvent.__table__
FIELDS = tuple(c.name for c in FEEDBACK.columns if c.name != "load_id")
TEXT_FIELDS = ("theme", "portfolio", "summary", "summary_cy", "we_did", "we_did_cy")
ID_PREFIX, ID_WIDTH = "FB-", 4


def _readable(scope: Scope, row: Mapping[str, Any]) -> bool:
    return can_read_feedback(scope, row["portfolio"])


def get_feedback(engine: Engine, scope: Scope, feedback_id: str) -> dict[str, Any]:
    """One feedback item the user may read (NotFound otherwise)."""
    with engine.connect() as conn:
        row = fetch(conn, FEEDBACK, "feedback_id", feedback_id)
    if row is None or not _readable(scope, row):
        raise NotFound("feedback", feedback_id)
    return snapshot(row, FIELDS)


def list_feedback(
    engine: Engine,
    scope: Scope,
    *,
    statuses: Iterable[str] = (),
    portfolios: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Feedback items the user may read, received in [start, end] when given, newest first."""
    stmt = select(*(FEEDBACK.c[f] for f in FIELDS)).order_by(
        FEEDBACK.c.received_date.desc(), FEEDBACK.c.feedback_id.desc()
    )
    if not (scope.all_portfolios or leads(scope, SURVIVOR_VOICE)):
        stmt = stmt.where(FEEDBACK.c.portfolio.in_(sorted(scope.portfolios)))
    if statuses := [s for s in statuses if s]:
        stmt = stmt.where(FEEDBACK.c.status.in_(statuses))
    if portfolios := [p for p in portfolios if p]:
        stmt = stmt.where(FEEDBACK.c.portfolio.in_(portfolios))
    if start is not None:
        stmt = stmt.where(FEEDBACK.c.received_date >= start)
    if end is not None:
        stmt = stmt.where(FEEDBACK.c.received_date <= end)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(FIELDS))


def participant_items(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Decided items whose decision or implementation fell in [start, end]: theme, what was said, what was done.

    Only the columns a participants' summary needs (no ids, events or names), oldest first.
    """
    columns = ("theme", "summary", "summary_cy", "status", "decision_date", "implemented_date", "we_did", "we_did_cy")
    in_range = or_(
        and_(FEEDBACK.c.decision_date >= start, FEEDBACK.c.decision_date <= end),
        and_(FEEDBACK.c.implemented_date >= start, FEEDBACK.c.implemented_date <= end),
    )
    stmt = (
        select(*(FEEDBACK.c[c] for c in columns))
        .where(FEEDBACK.c.status.in_(FEEDBACK_DECIDED), in_range)
        .order_by(FEEDBACK.c.decision_date, FEEDBACK.c.feedback_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


# ---------------------------------------------------------------- checks


def _text(value: str | None, field: str, maximum: int, required: bool) -> str | None:
    text = check_text(value, f"survivor_voice.errors.{field}_length", maximum, required=required)
    if looks_personal(text):
        raise WorkflowError("survivor_voice.errors.personal_data", field=f"survivor_voice.fields.{field}")
    return text


def _day(value: Any, earliest: dt.date | None, today: dt.date, field: str) -> dt.date:
    """A date that is not in the future and not before the earlier step."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise WorkflowError("survivor_voice.errors.date_required", field=f"survivor_voice.fields.{field}")
    if value > today or (earliest is not None and value < earliest):
        raise WorkflowError(
            "survivor_voice.errors.date_range", field=f"survivor_voice.fields.{field}",
            earliest=earliest.isoformat() if earliest else "–", today=today.isoformat(),
        )  # fmt: skip
    return value


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Text fields checked (lengths, personal data, portfolio id)."""
    out = {}
    for field, value in changes.items():
        if field == "portfolio":
            value = (value or "").strip() or None
            if value is not None and not is_portfolio_id(value):
                raise WorkflowError("actions.errors.bad_portfolio", portfolio=value)
        elif field in ("theme",):
            value = _text(value, field, THEME_MAX, required=True)
        elif field == "summary":
            value = _text(value, field, SUMMARY_MAX, required=True)
        elif field in ("summary_cy", "we_did", "we_did_cy"):
            value = _text(value, field, SUMMARY_MAX, required=False)
        out[field] = value
    return out


# ---------------------------------------------------------------- recording


def record_feedback(
    engine: Engine,
    scope: Scope,
    *,
    received_date: dt.date,
    theme: str,
    summary: str,
    portfolio: str | None = None,
    event_id: str | None = None,
    summary_cy: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record a new "you said" item (status received); audited as feedback.create."""
    today, now = today or audit.local_today(), now or audit.utcnow()
    require(can_edit_feedback(scope), "survivor_voice.errors.forbidden")
    values = _clean({"theme": theme, "summary": summary, "summary_cy": summary_cy, "portfolio": portfolio})
    values |= {"received_date": _day(received_date, None, today, "received_date"), "status": "received"}
    values |= {c: None for c in ("decision_date", "implemented_date", "we_did", "we_did_cy", "fed_back_date")}
    event_id = (event_id or "").strip() or None

    def attempt(conn) -> dict[str, Any]:
        if event_id is not None and fetch(conn, EVENTS, "event_id", event_id) is None:
            raise WorkflowError("survivor_voice.errors.unknown_event", event_id=event_id)
        row = {**values, "event_id": event_id, "version": 1}
        row["feedback_id"] = next_id(conn, FEEDBACK.c.feedback_id, ID_PREFIX, ID_WIDTH)
        conn.execute(insert(FEEDBACK).values(**row))
        created = snapshot(row, FIELDS)
        audit.write(
            conn, actor=scope.username, event="feedback.create", entity_type="feedback",
            entity_id=row["feedback_id"], after=created, portfolio=row["portfolio"] or SURVIVOR_VOICE, at=now,
        )  # fmt: skip
        return created

    return with_new_id(engine, attempt)


def _save(
    engine: Engine,
    scope: Scope,
    feedback_id: str,
    version: int,
    event: str,
    attempted: Mapping[str, Any],
    apply: Callable[[dict[str, Any]], dict[str, Any]],
    now: dt.datetime | None,
) -> dict[str, Any]:
    """Load the item, check access and version, apply the step, save it locked and audit it, in one transaction."""
    now = now or audit.utcnow()
    require(can_edit_feedback(scope), "survivor_voice.errors.forbidden")
    with audit.writing(engine) as conn:
        row = fetch(conn, FEEDBACK, "feedback_id", feedback_id)
        if row is None or not _readable(scope, row):
            raise NotFound("feedback", feedback_id)
        current = snapshot(row, FIELDS)
        if current["version"] != version:
            raise StaleEdit(current, version, attempted)
        new = apply(dict(current))
        changed = field_changes(current, new, [f for f in FIELDS if f != "version"])
        if not changed:
            raise WorkflowError("actions.errors.nothing_to_save")
        values = {f: new[f] for f in FIELDS if f != "version" and new[f] != current[f]}
        new["version"] = locked_update(conn, FEEDBACK, "feedback_id", feedback_id, version, values, attempted)
        audit.write(
            conn, actor=scope.username, event=event, entity_type="feedback", entity_id=feedback_id, before=current,
            after=new, portfolio=new["portfolio"] or SURVIVOR_VOICE, at=now,
        )  # fmt: skip
    return new


def _step(current: Mapping[str, Any], allowed: Iterable[str]) -> None:
    if current["status"] not in allowed:
        raise WorkflowError("survivor_voice.errors.bad_step", status=f"survivor_voice.status.{current['status']}")


def decide(
    engine: Engine, scope: Scope, feedback_id: str, version: int, accepted: bool, *, decision_date: dt.date,
    we_did: str | None = None, we_did_cy: str | None = None, today: dt.date | None = None, now=None,
) -> dict[str, Any]:  # fmt: skip
    """Accept or decline a received item, dated; an explanation (we_did) may be given now or when feeding back."""
    today = today or audit.local_today()
    texts = _clean({"we_did": we_did, "we_did_cy": we_did_cy})

    def apply(item: dict[str, Any]) -> dict[str, Any]:
        _step(item, ("received",))
        item["decision_date"] = _day(decision_date, item["received_date"], today, "decision_date")
        item["status"] = "accepted" if accepted else "not_accepted"
        item |= {k: v for k, v in texts.items() if v is not None}
        return item

    attempted = {"status": "accepted" if accepted else "not_accepted", "decision_date": decision_date, **texts}
    return _save(engine, scope, feedback_id, version, "feedback.decide", attempted, apply, now)


def implement(
    engine: Engine, scope: Scope, feedback_id: str, version: int, *, implemented_date: dt.date, we_did: str,
    we_did_cy: str | None = None, today: dt.date | None = None, now=None,
) -> dict[str, Any]:  # fmt: skip
    """Record that an accepted item was implemented, when, and what was done ("we did")."""
    today = today or audit.local_today()
    texts = _clean({"we_did": we_did, "we_did_cy": we_did_cy})
    if not texts["we_did"]:
        raise WorkflowError("survivor_voice.errors.we_did_required")

    def apply(item: dict[str, Any]) -> dict[str, Any]:
        _step(item, ("accepted",))
        item["implemented_date"] = _day(implemented_date, item["decision_date"], today, "implemented_date")
        item["status"] = "implemented"
        item |= {k: v for k, v in texts.items() if v is not None}
        return item

    attempted = {"status": "implemented", "implemented_date": implemented_date, **texts}
    return _save(engine, scope, feedback_id, version, "feedback.implement", attempted, apply, now)


def feed_back(
    engine: Engine, scope: Scope, feedback_id: str, version: int, *, fed_back_date: dt.date,
    we_did: str | None = None, we_did_cy: str | None = None, today: dt.date | None = None, now=None,
) -> dict[str, Any]:  # fmt: skip
    """Record the date participants were told the outcome of a decided item; a "we did" text must exist by then."""
    today = today or audit.local_today()
    texts = _clean({"we_did": we_did, "we_did_cy": we_did_cy})

    def apply(item: dict[str, Any]) -> dict[str, Any]:
        _step(item, FEEDBACK_DECIDED)
        if item["fed_back_date"] is not None:
            raise WorkflowError("survivor_voice.errors.already_fed_back", date=item["fed_back_date"].isoformat())
        item |= {k: v for k, v in texts.items() if v is not None}
        if not item["we_did"]:
            raise WorkflowError("survivor_voice.errors.we_did_required")
        item["fed_back_date"] = _day(fed_back_date, item["decision_date"], today, "fed_back_date")
        return item

    attempted = {"fed_back_date": fed_back_date, **texts}
    return _save(engine, scope, feedback_id, version, "feedback.feed_back", attempted, apply, now)


def edit_feedback(
    engine: Engine, scope: Scope, feedback_id: str, version: int, changes: Mapping[str, Any], *, now=None
) -> dict[str, Any]:
    """Correct an item's texts (theme, portfolio, summary, we did) and their Welsh versions."""
    unknown = sorted(set(changes) - set(TEXT_FIELDS))
    if unknown:
        raise WorkflowError("actions.errors.not_editable", field=unknown[0])
    clean = _clean(changes)

    def apply(item: dict[str, Any]) -> dict[str, Any]:
        return item | clean

    return _save(engine, scope, feedback_id, version, "feedback.update", clean, apply, now)


def feedback_history(engine: Engine, scope: Scope, feedback_id: str) -> pd.DataFrame:
    """The item's audit rows, oldest first: who recorded, decided, implemented and fed it back, and when."""
    get_feedback(engine, scope, feedback_id)
    return audit.history(engine, "feedback", feedback_id)
