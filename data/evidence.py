"""Evidence files attached to actions and inspection findings: checked, hashed, stored, listed and read back."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select

from auth.roles import Scope
from data import audit
from data.actions import ACTIONS, add_timeline_entry
from data.filetypes import check_upload, safe_name
from data.models import EvidenceFile, Recommendation
from data.records import check_note, fetch
from rules.permissions import can_edit_action, can_edit_finding, can_read, require
from rules.workflow import FINDING_DONE, NotFound, WorkflowError

EVIDENCE = EvidenceFile.__table__
FINDINGS = Recommendation.__table__
ENTITIES = {"action": (ACTIONS, "action_id"), "finding": (FINDINGS, "rec_id")}
META = ("id", "entity_type", "entity_id", "file_name", "content_type", "size_bytes", "sha256", "uploaded_by",
        "uploaded_at", "note")  # fmt: skip


def _entity(conn, scope: Scope, entity_type: str, entity_id: str) -> dict[str, Any]:
    """The action or finding the evidence belongs to, if the user may read it."""
    if entity_type not in ENTITIES:
        raise WorkflowError("evidence.errors.bad_entity", entity_type=entity_type)
    table, key = ENTITIES[entity_type]
    row = fetch(conn, table, key, entity_id)
    if row is None or not can_read(scope, row["portfolio"]):
        raise NotFound(entity_type, entity_id)
    return row


def attach_evidence(
    engine: Engine,
    scope: Scope,
    entity_type: str,
    entity_id: str,
    file_name: str,
    content: bytes,
    *,
    note: str | None = None,
    max_bytes: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Check the file (type from its bytes, size), store it with its SHA-256 and uploader; audited as evidence.attach.

    Who may attach is who may edit the record: leads of its portfolio and admins. Closed records take no more evidence.
    """
    now = now or audit.utcnow()
    name = safe_name(file_name)
    _kind, content_type = check_upload(name, content, max_bytes)
    note = check_note(note)
    meta = {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "file_name": name,
        "content_type": content_type,
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_by": scope.username,
        "uploaded_at": now,
        "note": note,
    }
    with audit.writing(engine) as conn:
        row = _entity(conn, scope, entity_type, entity_id)
        portfolio = row["portfolio"]
        if entity_type == "action":
            require(can_edit_action(scope, portfolio), "actions.errors.not_your_portfolio", portfolio=portfolio)
            if row["status"] == "closed":
                raise WorkflowError("evidence.errors.closed")
        else:
            require(can_edit_finding(scope, portfolio), "inspection.errors.not_your_portfolio", portfolio=portfolio)
            if row["status"] in FINDING_DONE:
                raise WorkflowError("evidence.errors.closed")
        meta["id"] = conn.execute(
            insert(EVIDENCE).values(**meta, content=content).returning(EVIDENCE.c.id)
        ).scalar_one()
        if entity_type == "action":
            add_timeline_entry(conn, entity_id, scope.username, note, row["status"], now, {"evidence": [None, name]})
        audit.write(
            conn, actor=scope.username, event="evidence.attach", entity_type=entity_type, entity_id=entity_id,
            after=meta, portfolio=portfolio, detail=name, at=now,
        )  # fmt: skip
    return meta


def list_evidence(engine: Engine, scope: Scope, entity_type: str, entity_id: str) -> pd.DataFrame:
    """The evidence files of a record the user may read (without their content), oldest first."""
    with engine.connect() as conn:
        _entity(conn, scope, entity_type, entity_id)
        stmt = (
            select(*(EVIDENCE.c[c] for c in META))
            .where(EVIDENCE.c.entity_type == entity_type, EVIDENCE.c.entity_id == entity_id)
            .order_by(EVIDENCE.c.uploaded_at, EVIDENCE.c.id)
        )
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(META))


def read_evidence(engine: Engine, scope: Scope, evidence_id: int) -> tuple[dict[str, Any], bytes]:
    """One evidence file's details and bytes, checked against the SHA-256 recorded when it was attached."""
    with engine.connect() as conn:
        row = conn.execute(select(EVIDENCE).where(EVIDENCE.c.id == evidence_id)).mappings().first()
        if row is None:
            raise NotFound("evidence", str(evidence_id))
        _entity(conn, scope, row["entity_type"], row["entity_id"])
    content = bytes(row["content"])
    if hashlib.sha256(content).hexdigest() != row["sha256"]:
        raise WorkflowError("evidence.errors.corrupt", file=row["file_name"])
    return {c: row[c] for c in META}, content
