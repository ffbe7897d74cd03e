"""Links between records (issue 15, item 8): an action is raised only from a finding or feedback item its author may
act on, and a forbidden id is refused exactly as an unknown one, so the answer never tells whether an id exists.
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from auth.roles import Scope
from config.i18n import t
from data import actions
from data.models import Action, AuditLog
from rules.permissions import can_link_record
from rules.workflow import WorkflowError
from tests.accountability_support import (  # noqa: F401
    ADMIN,
    BOARD,
    DAY,
    LEAD_DA,
    LEAD_SV,
    LEAD_WCU,
    db_fixture,
    seed_feedback,
    seed_finding,
    seed_meeting,
)

INSPECTOR_LEAD = Scope.for_user("lead.hm", ["lead"], ["inspection", "vawg_da"])


@pytest.fixture
def records(db):
    """Findings and feedback of two portfolios, feedback of none, and an open board meeting."""
    seed_finding(db, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 2), portfolio="vawg_da")
    seed_finding(db, "HM-002", "HMICFRS PEEL 2025", dt.date(2026, 3, 2), portfolio="witness_care")
    seed_feedback(db, "FB-0001", portfolio="vawg_da")
    seed_feedback(db, "FB-0002", portfolio="witness_care")
    seed_feedback(db, "FB-0003", portfolio=None)
    seed_meeting(db, "MT-001")
    return db


def raise_from(engine, scope, portfolio, source_type, source_ref, meeting_ref=None):
    return actions.create_action(
        engine, scope, title="Answer it", portfolio=portfolio, owner="Owner", due_date=dt.date(2026, 9, 15),
        source_type=source_type, source_ref=source_ref, meeting_ref=meeting_ref, today=DAY,
    )  # fmt: skip


def written(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Action)), conn.scalar(
            select(func.count()).select_from(AuditLog)
        )


# (who, the action's portfolio, source type, reference, meeting, allowed)
CASES = [
    (LEAD_DA, "vawg_da", "recommendation", "HM-001", None, True),  # their own portfolio's finding
    (LEAD_DA, "vawg_da", "recommendation", "HM-002", None, False),  # witness care's finding: the reported hole
    (LEAD_DA, "vawg_da", "recommendation", "HM-999", None, False),  # no such finding
    (LEAD_DA, "vawg_da", "feedback", "FB-0001", None, True),
    (LEAD_DA, "vawg_da", "feedback", "FB-0002", None, False),  # another portfolio's feedback (issue 15)
    (LEAD_DA, "vawg_da", "feedback", "FB-0003", None, False),  # feedback of no portfolio
    (LEAD_DA, "vawg_da", "feedback", "FB-9999", None, False),
    (LEAD_WCU, "witness_care", "feedback", "FB-0001", None, False),
    (LEAD_WCU, "witness_care", "recommendation", "HM-002", None, True),
    (INSPECTOR_LEAD, "inspection", "recommendation", "HM-001", None, True),  # a lead of both portfolios
    (LEAD_SV, "survivor_voice", "feedback", "FB-0002", None, True),  # the co-ordinator handles all feedback
    (LEAD_SV, "survivor_voice", "feedback", "FB-0003", None, True),
    (LEAD_SV, "survivor_voice", "recommendation", "HM-002", None, False),  # ...but not every finding
    (ADMIN, "vawg_da", "recommendation", "HM-002", None, True),
    (ADMIN, "vawg_da", "feedback", "FB-0003", None, True),
    (BOARD, "vawg_da", "recommendation", "HM-002", "MT-001", True),  # board members act on any portfolio in a meeting
    (BOARD, "vawg_da", "feedback", "FB-0003", "MT-001", True),
]


@pytest.mark.parametrize(("scope", "portfolio", "source_type", "ref", "meeting", "allowed"), CASES)
def test_an_action_links_only_records_its_author_may_act_on(records, scope, portfolio, source_type, ref, meeting,
                                                            allowed):  # fmt: skip
    before = written(records)
    if allowed:
        created = raise_from(records, scope, portfolio, source_type, ref, meeting)
        assert (created["source_type"], created["source_ref"]) == (source_type, ref)
        return
    with pytest.raises(WorkflowError) as info:
        raise_from(records, scope, portfolio, source_type, ref, meeting)
    assert (info.value.code, info.value.params) == ("actions.errors.unknown_source", {"ref": ref})
    assert written(records) == before  # nothing saved, nothing audited


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_forbidden_id_and_an_unknown_id_get_the_same_message(records, lang):
    messages = []
    for ref in ("HM-002", "HM-999"):  # witness care's finding, and none at all
        with pytest.raises(WorkflowError) as info:
            raise_from(records, LEAD_DA, "vawg_da", "recommendation", ref)
        messages.append(t(info.value.code, lang, **info.value.params).replace(ref, "REF"))
    assert messages[0] == messages[1]
    assert "REF" in messages[0]


def test_the_rule_over_scopes():
    assert can_link_record(LEAD_DA, "recommendation", "vawg_da")
    assert not can_link_record(LEAD_DA, "recommendation", "witness_care")
    assert not can_link_record(LEAD_DA, "feedback", None)
    assert can_link_record(LEAD_SV, "feedback", "witness_care") and can_link_record(LEAD_SV, "feedback", None)
    assert not can_link_record(LEAD_SV, "recommendation", "witness_care")
    assert not can_link_record(BOARD, "recommendation", "vawg_da")  # outside a meeting board members change nothing
    assert can_link_record(BOARD, "recommendation", "vawg_da", "MT-001")
    assert can_link_record(ADMIN, "feedback", None)
