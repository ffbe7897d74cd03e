"""The audit trail page: inspectors and admins only; filters; the download is neutralised and itself audited."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from auth.roles import Scope
from data import actions, audit
from data.models import AuditLog
from reports.safety import csv_bytes
from tests.accountability_support import (
    LEAD_DA,
    LEAD_WCU,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    can_open,
    frame_with,
    open_page,
    sign_in,
)
from tests.download_support import click_download, media_fixture  # noqa: F401 (the media fixture)

PAGE = "app_pages/audit.py"


@pytest.fixture
def trail(app_db):
    """Demo users (user.add rows), one action per lead, and an update whose note looks like a formula."""
    due = dt.date.today() + dt.timedelta(days=30)
    actions.create_action(app_db, LEAD_DA, title="DA call-backs", portfolio="vawg_da", owner="DA", due_date=due)
    actions.create_action(app_db, LEAD_WCU, title="WCU audit", portfolio="witness_care", owner="WCU", due_date=due)
    actions.update_action(app_db, LEAD_DA, "AC-001", 1, {"owner": '=HYPERLINK("http://x")'}, note="+1 owner")
    return app_db


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("inspector", True), ("admin", True), ("lead.da", False), ("board", False), ("analyst", False)],
)
def test_only_inspectors_and_admins_open_the_trail(app_db, username, allowed):
    assert can_open(sign_in(username), PAGE) is allowed


def test_direct_run_is_refused_for_other_roles(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(f"../{PAGE}", default_timeout=30)
    at.session_state["vsd_scope"] = Scope.for_user("lead.da", ["lead"], ["vawg_da"])
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.dataframe


def test_inspector_filters_by_portfolio_and_event(trail):
    at = open_page("inspector", PAGE)
    everything = frame_with(at, "When", "Who", "What happened")
    changes = [event for event in everything["What happened"] if event != "Signed in"]  # the inspector's own sign-in
    assert changes[:3] == ["Action updated", "Action raised", "Action raised"]
    at.selectbox(key="vsd_audit_portfolio").set_value("vawg_da")
    at.button(key="vsd_audit_apply").click().run()
    filtered = frame_with(at, "When", "Who", "What happened", "Record")
    assert filtered[["Who", "What happened", "Record"]].values.tolist() == [
        ["lead.da", "Action updated", "AC-001"], ["lead.da", "Action raised", "AC-001"],
    ]  # fmt: skip
    assert filtered["Before → after"].tolist()[0] == 'owner: DA → =HYPERLINK("http://x")'
    at.multiselect(key="vsd_audit_events").set_value(["action.create"])
    at.button(key="vsd_audit_apply").click().run()
    assert frame_with(at, "Record")["Record"].tolist() == ["AC-001"]


def test_the_download_is_audited_with_its_filters(trail, media):
    at = open_page("inspector", PAGE)
    at.selectbox(key="vsd_audit_actor").set_value("lead.wcu")
    at.button(key="vsd_audit_apply").click().run()
    click_download(at, "vsd_audit_download", media)  # made and audited on click, as the browser asks for it
    with trail.connect() as conn:
        stmt = select(AuditLog.actor, AuditLog.detail).where(AuditLog.event == "export.audit_log")
        export = conn.execute(stmt).one()
    assert export.actor == "inspector"
    assert '"actor": "lead.wcu"' in export.detail and '"rows": 1' in export.detail


def test_the_exported_csv_is_neutralised_and_in_utc(trail):
    inspector = Scope.for_user("inspector", ["inspector"])
    frame = audit.audit_frame(trail, inspector, entity_id="AC-001", events=["action.update"])
    text = csv_bytes(audit.export_frame(frame)).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header == "id,at,actor,event,entity_type,entity_id,portfolio,before_json,after_json,detail"
    assert row.endswith(",'+1 owner")  # a note that a spreadsheet would run is quoted
    at_value = row.split(",")[1]
    assert at_value.endswith("Z") and pd.Timestamp(at_value[:-1]).date() <= dt.date.today()
