"""Recorded SPC decisions (issue 17): process changes that rebase a measure's limits, and annotations of a month.

Both are written only here, each with its audit row in the same transaction, after the rules (rules/permissions.py)
and the catalogue (the measure must be on the portfolio's scorecard) allow it. A rebase is never made silently: the
app only suggests one, and it exists once someone entitled records it with a reason. A withdrawn rebase is kept,
marked withdrawn, so the decision's history stays beside the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from auth.roles import Scope
from data import audit
from data.models import SpcAnnotation, SpcRebase
from metrics.catalogue import Catalogue
from rules.permissions import can_annotate_spc, can_decide_spc, require
from rules.workflow import WorkflowError

REBASES = SpcRebase.__table__
ANNOTATIONS = SpcAnnotation.__table__
TEXT_MAX = 300  # characters of a reason or a note: a chart label, not a report
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str | None) -> str:
    """A reason or note as stored: Unicode-normalised, one line, control and bidirectional characters removed,
    trimmed; refused when empty or longer than TEXT_MAX."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL.sub(" ", text.replace("\u2028", " ").replace("\u2029", " "))
    text = re.sub(r" {2,}", " ", text).strip()
    if not text:
        raise WorkflowError("spc.errors.reason_needed")
    if len(text) > TEXT_MAX:
        raise WorkflowError("spc.errors.too_long", length=len(text), maximum=TEXT_MAX)
    return text


def month_start(month) -> dt.date:
    """The first day of the month a date (or ISO text, or timestamp) falls in."""
    day = pd.Timestamp(month).date()
    return day.replace(day=1)


def _check_measure(catalogue: Catalogue, metric_id: str, portfolio_id: str | None) -> None:
    """The measure exists, and (for one portfolio) is on that portfolio's scorecard."""
    if metric_id not in catalogue.measure_ids():
        raise WorkflowError("spc.errors.unknown_measure", metric_id=metric_id)
    if portfolio_id is None:
        return
    if portfolio_id not in {p.id for p in catalogue.portfolios}:
        raise WorkflowError("spc.errors.unknown_portfolio", portfolio=portfolio_id)
    if metric_id not in catalogue.scorecard_measures(portfolio_id):
        raise WorkflowError("spc.errors.not_on_scorecard", metric_id=metric_id, portfolio=portfolio_id)


def _entity(metric_id: str, portfolio_id: str | None, month: dt.date) -> str:
    """The audit log's reference: METRIC/PORTFOLIO@YYYY-MM (PORTFOLIO is * for every portfolio)."""
    return f"{metric_id}/{portfolio_id or '*'}@{month:%Y-%m}"


def _active_rebase(conn, metric_id: str, portfolio_id: str | None, month: dt.date):
    where = [REBASES.c.metric_id == metric_id, REBASES.c.month == month, REBASES.c.withdrawn_at.is_(None)]
    where.append(REBASES.c.portfolio_id.is_(None) if portfolio_id is None else REBASES.c.portfolio_id == portfolio_id)
    return conn.execute(select(REBASES.c.id).where(*where)).first()


def record_rebases(
    engine: Engine,
    scope: Scope,
    catalogue: Catalogue,
    metric_ids: list[str],
    month,
    reason: str,
    *,
    portfolio_id: str | None = None,
    suggested: bool = False,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Record a process change at `month` for each measure (in one portfolio, or every portfolio when None), with its
    reason; one transaction, one audit row (spc.rebase) per measure. A measure that already has this rebase is
    skipped when several are recorded together and refused when it is the only one. Returns the rows written."""
    require(can_decide_spc(scope, portfolio_id), "spc.errors.forbidden")
    reason, month = clean_text(reason), month_start(month)
    for metric_id in metric_ids:
        _check_measure(catalogue, metric_id, portfolio_id)
    now = now or audit.utcnow()
    written = []
    with audit.writing(engine) as conn:
        for metric_id in dict.fromkeys(metric_ids):
            if _active_rebase(conn, metric_id, portfolio_id, month) is not None:
                if len(metric_ids) == 1:
                    raise WorkflowError("spc.errors.duplicate", month=month.isoformat())
                continue
            row = {"metric_id": metric_id, "portfolio_id": portfolio_id, "month": month, "reason": reason,
                   "suggested": bool(suggested), "created_by": scope.username, "created_at": now}  # fmt: skip
            row["id"] = conn.execute(insert(REBASES).values(**row).returning(REBASES.c.id)).scalar_one()
            event = "spc.rebase_accept" if suggested else "spc.rebase"
            audit.write(conn, actor=scope.username, event=event, entity_type="spc_rebase",
                        entity_id=_entity(metric_id, portfolio_id, month), after=row, portfolio=portfolio_id,
                        at=now)  # fmt: skip
            written.append(row)
    return written


def record_rebase(engine, scope, catalogue, metric_id, month, reason, **options) -> dict[str, Any]:
    """Record one measure's process change (record_rebases for one measure)."""
    return record_rebases(engine, scope, catalogue, [metric_id], month, reason, **options)[0]


def withdraw_rebase(engine: Engine, scope: Scope, rebase_id: int, *, now: dt.datetime | None = None) -> dict:
    """Withdraw a recorded process change (kept, marked withdrawn); audited as spc.rebase_withdraw."""
    now = now or audit.utcnow()
    with audit.writing(engine) as conn:
        row = conn.execute(select(REBASES).where(REBASES.c.id == rebase_id)).mappings().first()
        if row is None or row["withdrawn_at"] is not None:
            raise WorkflowError("spc.errors.no_rebase")
        require(can_decide_spc(scope, row["portfolio_id"]), "spc.errors.forbidden")
        conn.execute(update(REBASES).where(REBASES.c.id == rebase_id).values(withdrawn_by=scope.username,
                                                                              withdrawn_at=now))  # fmt: skip
        before = dict(row)
        after = {**before, "withdrawn_by": scope.username, "withdrawn_at": now}
        audit.write(conn, actor=scope.username, event="spc.rebase_withdraw", entity_type="spc_rebase",
                    entity_id=_entity(row["metric_id"], row["portfolio_id"], row["month"]), before=before,
                    after=after, portfolio=row["portfolio_id"], at=now)  # fmt: skip
    return after


def record_annotation(
    engine: Engine,
    scope: Scope,
    catalogue: Catalogue,
    metric_id: str,
    month,
    note: str,
    *,
    portfolio_id: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Annotate a month of a measure's chart (in one portfolio, or every portfolio when None); audited as
    spc.annotate."""
    require(can_annotate_spc(scope, portfolio_id), "spc.errors.forbidden")
    note, month = clean_text(note), month_start(month)
    _check_measure(catalogue, metric_id, portfolio_id)
    now = now or audit.utcnow()
    row = {"metric_id": metric_id, "portfolio_id": portfolio_id, "month": month, "note": note,
           "created_by": scope.username, "created_at": now}  # fmt: skip
    with audit.writing(engine) as conn:
        row["id"] = conn.execute(insert(ANNOTATIONS).values(**row).returning(ANNOTATIONS.c.id)).scalar_one()
        audit.write(conn, actor=scope.username, event="spc.annotate", entity_type="spc_annotation",
                    entity_id=_entity(metric_id, portfolio_id, month), after=row, portfolio=portfolio_id,
                    at=now)  # fmt: skip
    return row


def rebases_frame(engine: Engine, *, include_withdrawn: bool = False) -> pd.DataFrame:
    """Recorded process changes (in force only, unless asked), oldest month first."""
    stmt = select(REBASES).order_by(REBASES.c.month, REBASES.c.id)
    if not include_withdrawn:
        stmt = stmt.where(REBASES.c.withdrawn_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in REBASES.columns])


def annotations_frame(engine: Engine) -> pd.DataFrame:
    """Every annotation, oldest month first."""
    stmt = select(ANNOTATIONS).order_by(ANNOTATIONS.c.month, ANNOTATIONS.c.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in ANNOTATIONS.columns])


def decisions_version(engine: Engine) -> tuple:
    """A cheap fingerprint of both tables: it changes with every rebase, withdrawal and annotation, so cached
    SPC results keyed on it show a decision at once in every session."""
    with engine.connect() as conn:
        rebases = conn.execute(
            select(func.count(), func.max(REBASES.c.id), func.max(REBASES.c.withdrawn_at)).select_from(REBASES)
        ).one()
        notes = conn.execute(select(func.count(), func.max(ANNOTATIONS.c.id)).select_from(ANNOTATIONS)).one()
    return tuple(None if v is None else str(v) for v in (*rebases, *notes))
