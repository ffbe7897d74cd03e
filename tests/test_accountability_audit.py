"""The audit trail: filtered reads, who reads which rows, exports recorded, and append-only everywhere."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data import audit
from data.actions import create_action
from tests.accountability_support import ADMIN, BOARD, DAY, INSPECTOR, LEAD_DA, LEAD_WCU, db_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def seed_rows(engine) -> None:
    rows = [
        # 23:30 UTC on 30 June is 00:30 on 1 July in Gwent (BST)
        (dt.datetime(2026, 6, 30, 23, 30), "lead.da", "action.update", "action", "AC-001", "vawg_da"),
        (dt.datetime(2026, 6, 30, 22, 30), "lead.da", "action.create", "action", "AC-001", "vawg_da"),
        (dt.datetime(2026, 7, 2, 9, 0), "lead.wcu", "finding.status", "finding", "HM-002", "witness_care"),
        (dt.datetime(2026, 7, 3, 9, 0), "admin", "user.add", "user", "new.user", None),
        (dt.datetime(2026, 7, 31, 23, 0), "inspector", "export.audit_log", "export", None, None),  # 1 Aug local
    ]
    with engine.begin() as conn:
        for at, actor, event, entity_type, entity_id, portfolio in rows:
            audit.write(conn, actor=actor, event=event, entity_type=entity_type, entity_id=entity_id,
                        portfolio=portfolio, before={"n": 1}, after={"n": 2}, at=at)  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "events"),
    [({}, ["export.audit_log", "user.add", "finding.status", "action.update", "action.create"]),
     ({"start": dt.date(2026, 7, 1), "end": dt.date(2026, 7, 31)}, ["user.add", "finding.status", "action.update"]),
     ({"end": dt.date(2026, 6, 30)}, ["action.create"]), ({"actor": " Lead.DA "}, ["action.update", "action.create"]),
     ({"events": ["user.add", "export.audit_log"]}, ["export.audit_log", "user.add"]),
     ({"entity_type": "finding"}, ["finding.status"]), ({"entity_id": "AC-001"}, ["action.update", "action.create"]),
     ({"portfolios": ["witness_care"]}, ["finding.status"]), ({"limit": 2}, ["export.audit_log", "user.add"])],
)  # fmt: skip
def test_inspectors_filter_the_trail(db, filters, events):
    seed_rows(db)
    frame = audit.audit_frame(db, INSPECTOR, **filters)
    assert frame["event"].tolist() == events


def test_others_read_only_rows_of_portfolios_they_may_see(db):
    seed_rows(db)
    assert audit.audit_frame(db, ADMIN)["event"].tolist()[:2] == ["export.audit_log", "user.add"]
    assert audit.audit_frame(db, LEAD_DA)["event"].tolist() == ["action.update", "action.create"]
    assert audit.audit_frame(db, LEAD_WCU)["event"].tolist() == ["finding.status"]
    assert audit.audit_frame(db, BOARD)["event"].tolist() == ["finding.status", "action.update", "action.create"]
    assert audit.audit_choices(db, LEAD_DA)["event"] == ["action.create", "action.update"]
    assert audit.audit_choices(db, INSPECTOR)["portfolio"] == ["vawg_da", "witness_care"]


def test_exports_and_changes_are_recorded_with_before_and_after(db):
    create_action(db, LEAD_DA, title="T", portfolio="vawg_da", owner="O", due_date=dt.date(2026, 9, 1), today=DAY)
    audit.record_export(db, "inspector", "audit_log", detail={"actor": "lead.da"}, rows=1)
    frame = audit.audit_frame(db, INSPECTOR)
    assert frame[["event", "actor", "portfolio"]].fillna("–").values.tolist() == [
        ["export.audit_log", "inspector", "–"], ["action.create", "lead.da", "vawg_da"],
    ]  # fmt: skip
    assert frame.loc[0, "detail"] == '{"actor": "lead.da", "rows": 1}'
    created = frame.loc[1]
    assert pd_isna(created["before_json"]) and '"title": "T"' in created["after_json"]
    assert audit.changes_text('{"a": 1, "b": 2, "version": 1}', '{"a": 1, "b": 3, "version": 2}') == {"b": [2, 3]}


def pd_isna(value) -> bool:
    return value is None or value != value


def test_postgresql_refuses_to_update_delete_or_truncate_the_audit_log(db):
    if db.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    seed_rows(db)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="audit_log is append-only"), db.begin() as conn:
            conn.execute(text(statement))
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE actor = 'lead.da'")).scalar() == 2


WRITES_TO_AUDIT = re.compile(
    r"(update|delete)\(\s*(AuditLog|AUDIT|audit_log)\b|(UPDATE|DELETE\s+FROM|TRUNCATE)\s+audit_log", re.IGNORECASE
)


def test_no_code_path_edits_or_deletes_audit_rows():
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "var") or "migrations" in parts:
            continue
        if WRITES_TO_AUDIT.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
