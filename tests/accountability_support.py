"""Shared fixtures and helpers of the accountability tests: scopes, a database that can be emptied, seeded records."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from auth import users
from auth.demo import DEMO_ACCOUNTS
from auth.roles import Scope
from data.models import EngagementEvent, FeedbackItem, Meeting, Recommendation

LEAD_DA = Scope.for_user("lead.da", ["lead"], ["vawg_da"])
LEAD_WCU = Scope.for_user("lead.wcu", ["lead"], ["witness_care", "special_measures"])
LEAD_SV = Scope.for_user("lead.sv", ["lead"], ["survivor_voice"])
LEAD_INSPECTION = Scope.for_user("lead.hm", ["lead"], ["inspection"])
BOARD = Scope.for_user("board", ["board"])
INSPECTOR = Scope.for_user("inspector", ["inspector"])
ANALYST = Scope.for_user("analyst", ["analyst"])
ADMIN = Scope.for_user("admin", ["admin"])
DAY = dt.date(2026, 8, 3)  # a fixed "today" for the services, so every date below is worked out by hand


@pytest.fixture(name="db")
def db_fixture(engine):
    """The migrated test database; on PostgreSQL the append-only audit log is emptied afterwards with triggers off.

    tests/conftest.py empties every table with DELETE after each test, which the audit_log trigger refuses; with
    session_replication_role = replica (the test server runs as a superuser) triggers do not fire.
    """
    yield engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("DELETE FROM audit_log")


def seed_finding(engine, rec_id: str, source: str, published: dt.date, portfolio: str = "vawg_da", **extra) -> None:
    """Insert one inspection finding as a load would (status open, version 1)."""
    row = {
        "rec_id": rec_id, "source": source, "published_date": published, "kind": "recommendation",
        "reference": "p.12", "text": f"Finding {rec_id}", "portfolio": portfolio, "owner": "Head of Victim Services",
        "due_date": None, "status": "open", "closed_date": None, "version": 1,
    } | extra  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Recommendation.__table__).values(**row))


def seed_feedback(engine, feedback_id: str, portfolio: str | None = "vawg_da", **extra) -> None:
    """Insert one feedback item as a load would (status received, version 1)."""
    row = {
        "feedback_id": feedback_id, "event_id": None, "received_date": dt.date(2026, 6, 1), "theme": "Updates",
        "portfolio": portfolio, "summary": "We were not told when the suspect was released.", "status": "received",
        "version": 1,
    } | extra  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(FeedbackItem.__table__).values(**row))


def seed_meeting(engine, meeting_id: str, status: str = "open") -> None:
    """Insert one board meeting (an empty snapshot) so that board members may change actions in its name."""
    row = {
        "meeting_id": meeting_id,
        "title": "Board",
        "held_on": DAY,
        "as_of": DAY,
        "created_by": "board",
        "created_at": dt.datetime(2026, 8, 3, 9),
        "snapshot": '{"agenda": [], "rows": []}',
        "status": status,
    }
    with engine.begin() as conn:
        conn.execute(insert(Meeting.__table__).values(**row))


def seed_event(engine, event_id: str) -> None:
    """Insert one engagement event."""
    row = {"event_id": event_id, "event_date": dt.date(2026, 5, 20), "forum": "survivor_network", "topic": "Updates",
           "portfolio": "vawg_da", "participants": 9, "new_participants": 2}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(EngagementEvent.__table__).values(**row))


# ---------------------------------------------------------------- page tests

APP = "../app.py"
PASSWORDS = {username: password for username, _name, password, _roles, _ports in DEMO_ACCOUNTS}
PASSWORDS["lead.sv"] = "vsd-test-lead.sv-passphrase"
PASSWORDS["lead.hm"] = "vsd-test-lead.hm-passphrase"


@pytest.fixture(name="app_db")
def app_db_fixture(app_engine):
    """A fresh embedded database named by DATABASE_URL: the demo users plus the survivor voice and inspection leads."""
    users.create_user(app_engine, "lead.sv", "Co-ordinator", PASSWORDS["lead.sv"], ["lead"], ["survivor_voice"], "test")
    users.create_user(app_engine, "lead.hm", "Inspection lead", PASSWORDS["lead.hm"], ["lead"], ["inspection"], "test")
    return app_engine


def sign_in(username: str) -> AppTest:
    """A fresh AppTest session signed in as the user."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="vsd_signin_username").input(username)
    at.text_input(key="vsd_signin_password").input(PASSWORDS[username])
    return at.button(key="vsd_signin_submit").click().run()


def can_open(at: AppTest, path: str) -> bool:
    """True when the page is in the signed-in user's navigation."""
    try:
        at.switch_page(path)
    except ValueError:
        return False
    return True


def open_page(username: str, path: str, **query) -> AppTest:
    """Sign in and run a page (optionally with query parameters); fails on any exception."""
    at = sign_in(username)
    at.switch_page(path)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [(e.message, "\n".join(e.stack_trace)) for e in at.exception]
    return at


def frame_with(at: AppTest, *columns: str):
    """The value of the first dataframe on the page that has these column headings."""
    for element in at.dataframe:
        frame = element.value
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"no dataframe with columns {columns}: {[list(d.value.columns) for d in at.dataframe]}")
