"""The inspection findings register's write side: record findings, change owner and due date, move them through
open → in_progress → evidence_submitted → closed | discharged; optimistic locking and an audit row for every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select

from auth.roles import Scope, is_portfolio_id
from data import audit
from data.actions import evidence_count
from data.models import Recommendation
from data.records import check_note, fetch, locked_update, next_id, snapshot, visible_clause, with_new_id
from rules.permissions import can_edit_finding, can_read, require
from rules.workflow import (
    FINDING_DONE,
    FINDING_KINDS,
    FINDING_MOVES,
    OWNER_MAX,
    REF_MAX,
    NotFound,
    StaleEdit,
    WorkflowError,
    check_move,
    check_text,
    field_changes,
)

FINDINGS = Recommendation.__table__
FIELDS = tuple(c.name for c in FINDINGS.columns if c.name != "load_id")
EDITABLE = ("owner", "due_date", "status")
SOURCE_MAX, TEXT_MAX = 200, 2000
ID_PREFIX, ID_WIDTH = "HM-", 3


def get_finding(engine: Engine, scope: Scope, rec_id: str) -> dict[str, Any]:
    """One finding the user may read, as a dict (NotFound otherwise)."""
    with engine.connect() as conn:
        row = fetch(conn, FINDINGS, "rec_id", rec_id)
    if row is None or not can_read(scope, row["portfolio"]):
        raise NotFound("finding", rec_id)
    return snapshot(row, FIELDS)


def list_findings(
    engine: Engine,
    scope: Scope,
    *,
    portfolios: Iterable[str] = (),
    statuses: Iterable[str] = (),
    kinds: Iterable[str] = (),
) -> pd.DataFrame:
    """The findings the user may read, optionally filtered, newest report first."""
    stmt = select(*(FINDINGS.c[f] for f in FIELDS)).order_by(FINDINGS.c.published_date.desc(), FINDINGS.c.rec_id)
    visible = visible_clause(scope, FINDINGS.c.portfolio)
    if visible is not None:
        stmt = stmt.where(visible)
    if portfolios := [p for p in portfolios if p]:
        stmt = stmt.where(FINDINGS.c.portfolio.in_(portfolios))
    if statuses := [s for s in statuses if s]:
        stmt = stmt.where(FINDINGS.c.status.in_(statuses))
    if kinds := [k for k in kinds if k]:
        stmt = stmt.where(FINDINGS.c.kind.in_(kinds))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(FIELDS))


def finding_history(engine: Engine, scope: Scope, rec_id: str) -> pd.DataFrame:
    """The finding's audit rows, oldest first (its history: who changed what, when, and why)."""
    get_finding(engine, scope, rec_id)
    return audit.history(engine, "finding", rec_id)


def _check_date(value: Any, code: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise WorkflowError(code)
    return value


def create_finding(
    engine: Engine,
    scope: Scope,
    *,
    source: str,
    published_date: dt.date,
    kind: str,
    text: str,
    portfolio: str,
    owner: str,
    due_date: dt.date | None = None,
    reference: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record a new finding (status open) from an inspection report; audited as finding.create."""
    now = now or audit.utcnow()
    portfolio = (portfolio or "").strip()
    if not is_portfolio_id(portfolio):
        raise WorkflowError("actions.errors.bad_portfolio", portfolio=portfolio)
    require(can_edit_finding(scope, portfolio), "inspection.errors.not_your_portfolio", portfolio=portfolio)
    if kind not in FINDING_KINDS:
        raise WorkflowError("inspection.errors.bad_kind", kind=kind)
    published = _check_date(published_date, "inspection.errors.published_required")
    if due_date is not None and _check_date(due_date, "inspection.errors.bad_due") < published:
        raise WorkflowError("inspection.errors.due_before_published")
    values = {
        "source": check_text(source, "inspection.errors.source_required", SOURCE_MAX),
        "published_date": published,
        "kind": kind,
        "reference": check_text(reference, "inspection.errors.reference_too_long", REF_MAX, required=False),
        "text": check_text(text, "inspection.errors.text_required", TEXT_MAX),
        "portfolio": portfolio,
        "owner": check_text(owner, "actions.errors.owner_required", OWNER_MAX),
        "due_date": due_date,
        "status": "open",
        "closed_date": None,
        "version": 1,
        "report_id": None,  # a finding typed in the app names no loaded report (a loaded recommendation may)
    }

    def attempt(conn) -> dict[str, Any]:
        row = {**values, "rec_id": next_id(conn, FINDINGS.c.rec_id, ID_PREFIX, ID_WIDTH)}
        conn.execute(insert(FINDINGS).values(**row))
        created = snapshot(row, FIELDS)
        audit.write(
            conn, actor=scope.username, event="finding.create", entity_type="finding", entity_id=row["rec_id"],
            after=created, portfolio=portfolio, at=now,
        )  # fmt: skip
        return created

    return with_new_id(engine, attempt)


def update_finding(
    engine: Engine,
    scope: Scope,
    rec_id: str,
    version: int,
    changes: Mapping[str, Any],
    *,
    note: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Save changes (owner, due date, status) to a finding read at `version`; evidence_submitted needs evidence,
    closed and discharged are final and dated. Audited as finding.update or finding.status."""
    today, now = today or audit.local_today(), now or audit.utcnow()
    note = check_note(note)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise WorkflowError("actions.errors.not_editable", field=unknown[0])
    with audit.writing(engine) as conn:
        row = fetch(conn, FINDINGS, "rec_id", rec_id)
        if row is None or not can_read(scope, row["portfolio"]):
            raise NotFound("finding", rec_id)
        current = snapshot(row, FIELDS)
        require(can_edit_finding(scope, current["portfolio"]), "inspection.errors.not_your_portfolio",
                portfolio=current["portfolio"])  # fmt: skip
        if current["version"] != version:
            raise StaleEdit(current, version, changes)
        if current["status"] in FINDING_DONE:
            raise WorkflowError("inspection.errors.final")
        new = dict(current)
        if "owner" in changes:
            new["owner"] = check_text(changes["owner"], "actions.errors.owner_required", OWNER_MAX)
        if "due_date" in changes:
            due = changes["due_date"]
            if due is not None and _check_date(due, "inspection.errors.bad_due") < current["published_date"]:
                raise WorkflowError("inspection.errors.due_before_published")
            new["due_date"] = due
        if "status" in changes:
            new["status"] = changes["status"]
            check_move(FINDING_MOVES, "inspection", current["status"], new["status"])
        if new["status"] == "evidence_submitted" and current["status"] != "evidence_submitted":
            if evidence_count(conn, "finding", rec_id) < 1:
                raise WorkflowError("inspection.errors.evidence_required")
        if new["status"] in FINDING_DONE:
            new["closed_date"] = today
        changed = field_changes(current, new, [f for f in FIELDS if f != "version"])
        if not changed and not note:
            raise WorkflowError("actions.errors.nothing_to_save")
        values = {f: new[f] for f in FIELDS if f != "version" and new[f] != current[f]}
        new["version"] = locked_update(conn, FINDINGS, "rec_id", rec_id, version, values, changes)
        event = "finding.status" if new["status"] != current["status"] else "finding.update"
        audit.write(
            conn, actor=scope.username, event=event, entity_type="finding", entity_id=rec_id, before=current,
            after=new, portfolio=current["portfolio"], detail=note, at=now,
        )  # fmt: skip
    return new


def transition_finding(
    engine: Engine, scope: Scope, rec_id: str, version: int, status: str, *, note: str | None = None, **kwargs
) -> dict[str, Any]:
    """Move a finding to another status (see FINDING_MOVES)."""
    return update_finding(engine, scope, rec_id, version, {"status": status}, note=note, **kwargs)
