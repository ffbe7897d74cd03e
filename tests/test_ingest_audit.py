"""A load of the tables the app edits (actions, findings, feedback) is audited row by row, inside the load."""

from __future__ import annotations

import json

from sqlalchemy import select

from data.ingest import import_bytes
from data.models import Action, ActionUpdate, AuditLog

HEADER = (
    "action_id,title,description,portfolio,owner,source_type,source_ref,created_date,due_date,status,completed_date"
)
FIRST = [
    "AC-901,Call back every victim,,vawg_da,DA lead,metric,VCOP_R6_SUSPECT_UPDATE,2026-01-05,2026-03-31,not_started,",
    "AC-902,Refresh leaflets,,witness_care,WCU lead,other,,2026-01-06,2026-04-30,on_track,",
]
# The second file repeats AC-902 unchanged and moves AC-901 on.
SECOND = [FIRST[0].replace("not_started", "on_track"), FIRST[1]]


def _csv(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _audit(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog).where(AuditLog.event == "action.load").order_by(AuditLog.id)))


def test_new_and_changed_actions_are_audited_and_unchanged_ones_are_not(engine):
    [first] = import_bytes(engine, "actions.csv", _csv(FIRST), loaded_by="analyst")
    assert first.ok, first.message
    rows = _audit(engine)
    assert [(r.entity_id, r.actor, r.portfolio, r.before_json) for r in rows] == [
        ("AC-901", "analyst", "vawg_da", None),
        ("AC-902", "analyst", "witness_care", None),
    ]
    assert json.loads(rows[0].after_json)["due_date"] == "2026-03-31"
    assert json.loads(rows[0].detail) == {"file": "actions.csv"}

    [second] = import_bytes(engine, "actions.csv", _csv(SECOND), loaded_by="admin")
    assert second.ok, second.message
    rows = _audit(engine)[2:]
    assert [(r.entity_id, r.actor) for r in rows] == [("AC-901", "admin")]
    assert json.loads(rows[0].before_json)["status"] == "not_started"
    assert json.loads(rows[0].after_json)["status"] == "on_track"
    with engine.connect() as conn:
        timeline = conn.execute(
            select(ActionUpdate.author, ActionUpdate.status_before, ActionUpdate.status_after, ActionUpdate.changes)
            .where(ActionUpdate.action_id == "AC-901")
            .order_by(ActionUpdate.id)
        ).all()
        versions = dict(conn.execute(select(Action.action_id, Action.version)).all())
    assert [(a, b, c) for a, b, c, _ in timeline] == [
        ("analyst", None, "not_started"),
        ("admin", "not_started", "on_track"),
    ]
    assert json.loads(timeline[1].changes) == {"status": ["not_started", "on_track"]}
    # A reload bumps the optimistic-locking version, so an editor holding the old one is refused.
    assert versions == {"AC-901": 2, "AC-902": 2}


def test_a_rejected_load_audits_nothing(engine):
    bad = [FIRST[0], FIRST[1].replace("on_track", "finished")]
    [result] = import_bytes(engine, "actions.csv", _csv(bad), loaded_by="analyst", chunk_rows=1)
    assert not result.ok
    assert _audit(engine) == []
