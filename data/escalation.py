"""Ageing and escalation: overdue actions and findings, the board's escalation list, the PCC's 56-day deadlines."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from auth.roles import Scope
from data import audit
from data.actions import list_actions
from data.findings import FINDINGS, list_findings
from data.models import ReportResponse
from data.records import fetch
from rules.permissions import INSPECTION, can_record_response, require
from rules.workflow import ACTION_DONE, FINDING_DONE, WorkflowError, pcc_deadlines, with_ageing

RESPONSES = ReportResponse.__table__
ESCALATION_COLUMNS = ("kind", "id", "title", "portfolio", "owner", "due_date", "status", "days_overdue")


def aged_actions(engine: Engine, scope: Scope, as_of: dt.date, **filters) -> pd.DataFrame:
    """The actions the user may read with days_overdue, overdue and escalated at the as-of date."""
    return with_ageing(list_actions(engine, scope, **filters), as_of, ACTION_DONE)


def aged_findings(engine: Engine, scope: Scope, as_of: dt.date, **filters) -> pd.DataFrame:
    """The findings the user may read with days_overdue, overdue and escalated at the as-of date."""
    return with_ageing(list_findings(engine, scope, **filters), as_of, FINDING_DONE)


def escalation_list(engine: Engine, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Actions and findings overdue by more than 30 days at the as-of date, longest overdue first."""
    actions = aged_actions(engine, scope, as_of)
    findings = aged_findings(engine, scope, as_of)
    parts = [
        pd.DataFrame(
            {
                "kind": "action",
                "id": actions["action_id"],
                "title": actions["title"],
                "portfolio": actions["portfolio"],
                "owner": actions["owner"],
                "due_date": actions["due_date"],
                "status": actions["status"],
                "days_overdue": actions["days_overdue"],
            }
        )[actions["escalated"]],
        pd.DataFrame(
            {
                "kind": "finding",
                "id": findings["rec_id"],
                "title": findings["text"],
                "portfolio": findings["portfolio"],
                "owner": findings["owner"],
                "due_date": findings["due_date"],
                "status": findings["status"],
                "days_overdue": findings["days_overdue"],
            }
        )[findings["escalated"]],
    ]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if frame is None:
        return pd.DataFrame(columns=list(ESCALATION_COLUMNS)).astype({"days_overdue": "int64"})
    return frame.sort_values(["days_overdue", "id"], ascending=[False, True], ignore_index=True)


def responses(engine: Engine) -> dict[str, dt.date]:
    """The PCC response date recorded for each report (finding source)."""
    with engine.connect() as conn:
        return {source: day for source, day in conn.execute(select(RESPONSES.c.source, RESPONSES.c.response_date))}


def report_deadlines(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    """Every inspection report's PCC response deadline (earliest publication + 56 days) and its state at as-of.

    Reports are public documents: every reader sees every report's deadline, whatever their portfolios.
    """
    with engine.connect() as conn:
        rows = conn.execute(select(FINDINGS.c.source, FINDINGS.c.published_date)).all()
    findings = pd.DataFrame([tuple(r) for r in rows], columns=["source", "published_date"])
    return pcc_deadlines(findings, responses(engine), as_of)


def record_response(
    engine: Engine,
    scope: Scope,
    source: str,
    response_date: dt.date,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Record (or correct) the date the PCC responded to a report; audited as inspection.pcc_response."""
    today, now = today or audit.local_today(), now or audit.utcnow()
    require(can_record_response(scope), "inspection.errors.response_forbidden")
    with audit.writing(engine) as conn:
        first = conn.execute(select(func.min(FINDINGS.c.published_date)).where(FINDINGS.c.source == source)).scalar()
        if first is None:
            raise WorkflowError("inspection.errors.unknown_report", source=source)
        if not isinstance(response_date, dt.date) or not first <= response_date <= today:
            raise WorkflowError("inspection.errors.bad_response_date", published=first.isoformat())
        before = fetch(conn, RESPONSES, "source", source)
        values = {"response_date": response_date, "recorded_by": scope.username, "recorded_at": now}
        if before is None:
            conn.execute(insert(RESPONSES).values(source=source, **values))
        else:
            conn.execute(update(RESPONSES).where(RESPONSES.c.source == source).values(**values))
        audit.write(
            conn, actor=scope.username, event="inspection.pcc_response", entity_type="report", entity_id=source[:100],
            before=before, after={"source": source, **values}, portfolio=INSPECTION, at=now,
        )  # fmt: skip
