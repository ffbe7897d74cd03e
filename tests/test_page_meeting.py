"""Meeting mode's page: only board members reach it; the agenda, frozen figures, decisions, the record and closing."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from data import actions, meetings
from data.audit import local_today
from data.models import AuditLog
from tests.accountability_support import (
    LEAD_DA,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    can_open,
    frame_with,
    open_page,
)
from tests.accountability_support import sign_in as sign_in_extra
from tests.apptest_support import sign_in
from tests.download_support import click_download, media_fixture  # noqa: F401 (the media fixture)
from tests.test_meetings import hand_cards

PAGE = "app_pages/meeting.py"
BOARD = Scope.for_user("board", ["board"])
AGENDA = [("vawg_da", "VAWG — domestic abuse"), ("witness_care", "Witness Care Unit")]


def exported(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        stmt = select(AuditLog.actor, AuditLog.detail).where(AuditLog.event == "export.meeting_record")
        return [tuple(r) for r in conn.execute(stmt.order_by(AuditLog.id))]


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("board", True), ("lead.da", False), ("lead.wcu", False), ("inspector", False), ("analyst", False),
     ("admin", False), ("lead.sv", False)],
)  # fmt: skip
def test_only_board_members_reach_meeting_mode(app_db, username, allowed):
    assert can_open(sign_in_extra(username), PAGE) is allowed


@pytest.mark.parametrize("roles", [["lead"], ["inspector"], ["analyst"], ["admin"]])
def test_running_the_page_directly_is_refused_for_other_roles(app_db, roles):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=30)
    at.session_state["vsd_scope"] = Scope.for_user("someone", roles, ["vawg_da"])
    at.query_params["meeting"] = "MT-001"
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.dataframe and not at.button


@pytest.fixture
def meeting(app_db):
    """A meeting whose frozen figures (hand-made) differ from anything the empty database could compute."""
    meetings.open_meeting(app_db, BOARD, title="October board", held_on=local_today(), as_of=dt.date(2026, 7, 31),
                          scorecards=hand_cards(), agenda=AGENDA)  # fmt: skip
    due = local_today() + dt.timedelta(days=30)
    actions.create_action(app_db, LEAD_DA, title="DA call-backs", portfolio="vawg_da", owner="DA lead", due_date=due)
    return app_db


def test_the_agenda_moves_by_buttons_and_shows_the_frozen_figures(meeting):
    at = open_page("board", PAGE, meeting="MT-001")
    assert "Figures frozen as at 31 July 2026" in at.caption[0].value
    overview = frame_with(at, "Portfolio", "Measures", "Red")
    assert overview[["Portfolio", "Measures", "Green", "Amber", "Red", "Not rated"]].values.tolist() == [
        ["VAWG — domestic abuse", 2, 0, 0, 1, 1], ["Witness Care Unit", 1, 0, 0, 0, 1],
    ]  # fmt: skip
    assert at.button(key="vsd_meeting_previous").disabled
    at.button(key="vsd_meeting_next").click().run()
    assert at.query_params["item"] == "1"
    card = frame_with(at, "Measure", "Value")
    assert card["Value"].tolist() == ["81.2%", "fewer than 10"]  # 13/16 = 81.25%, rounded half to even
    assert card["Base"].tolist() == ["13 of 16", ""]
    assert "Red" in card["RAG"].iloc[0]
    captions = [c.value for c in at.caption]
    assert "No decision has been recorded for this portfolio yet." in captions
    assert any(c.startswith("No action of this portfolio is overdue on") for c in captions)  # due in 30 days
    at.button(key="vsd_meeting_next").click().run()
    assert frame_with(at, "Measure", "Value")["Value"].tolist() == ["42"]
    at.button(key="vsd_meeting_next").click().run()  # the record of decisions, the last item
    assert at.button(key="vsd_meeting_next").disabled
    at.button(key="vsd_meeting_previous").click().run()
    assert at.query_params["item"] == "2"
    assert not at.exception


def test_a_decision_recorded_in_the_meeting_becomes_an_action_and_the_record_downloads(meeting, media):
    at = open_page("board", PAGE, meeting="MT-001", item="1")
    k = "vawg_da_0"
    at.text_input(key=f"vsd_meeting_dec_title_{k}").input("Audit victim updates weekly")
    at.text_input(key=f"vsd_meeting_dec_owner_{k}").input("Head of Victim Services")
    at.date_input(key=f"vsd_meeting_dec_due_{k}").set_value(local_today() + dt.timedelta(days=60))
    at.button(key="vsd_meeting_dec_save_vawg_da").click().run()
    assert [s.value for s in at.success] == ["The decision is recorded as action AC-002."]
    created = actions.get_action(meeting, BOARD, "AC-002")
    assert (created["meeting_ref"], created["source_type"], created["owner"]) == (
        "MT-001", "board", "Head of Victim Services",
    )  # fmt: skip
    decided = frame_with(at, "Decision", "Owner", "What happened")
    assert decided[["Action", "Decision", "What happened"]].values.tolist() == [
        ["AC-002", "Audit victim updates weekly", "Action raised"]
    ]
    at.selectbox(key="vsd_meeting_item").set_value(3).run()  # jump to the record
    record = frame_with(at, "Decision", "Owner", "What happened")
    assert record["Action"].tolist() == ["AC-002"]
    click_download(at, "vsd_meeting_download_csv", media)  # made and audited on click (ui/downloads.py)
    click_download(at, "vsd_meeting_download_pdf", media)
    assert [(actor, json.loads(detail)) for actor, detail in exported(meeting)] == [
        ("board", {"meeting": "MT-001", "format": "csv", "rows": 1}),
        ("board", {"meeting": "MT-001", "format": "pdf", "rows": 1}),
    ]
    at.checkbox(key="vsd_meeting_close_sure").check()
    at.button(key="vsd_meeting_close_submit").click().run()
    assert [s.value for s in at.success] == ["Meeting MT-001 is closed."]
    assert meetings.get_meeting(meeting, BOARD, "MT-001")["status"] == "closed"
    at.selectbox(key="vsd_meeting_item").set_value(1).run()
    assert not [b for b in at.button if b.key == "vsd_meeting_dec_save_vawg_da"]  # no more decisions
    assert not at.exception


def test_an_unknown_meeting_says_so_without_a_trace(meeting):
    at = open_page("board", PAGE, meeting="MT-404")
    assert [i.value for i in at.info] == ["MT-404 does not exist or is not in a portfolio you can see."]


def test_starting_a_meeting_freezes_the_live_scorecards_for_every_board_member(seeded_copy):
    at = sign_in("board")
    at.switch_page(PAGE)
    at.run()
    at.text_input(key="vsd_meeting_title").input("November board")
    at.button(key="vsd_meeting_start_submit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["meeting"] == "MT-001"
    meeting = meetings.get_meeting(seeded_copy, BOARD, "MT-001")
    snapshot = meetings.meeting_snapshot(seeded_copy, BOARD, "MT-001")
    assert meeting["title"] == "November board" and meeting["as_of"] == dt.date(2026, 10, 31)
    assert [pid for pid, _ in snapshot.agenda][:3] == ["vcop", "vawg_da", "rasso"]
    frozen = snapshot.portfolio_rows("vawg_da")
    # A second board member, in another session, opens the meeting at the domestic abuse item and reads those rows.
    other = sign_in("board")
    other.switch_page(PAGE)
    other.query_params.update({"meeting": "MT-001", "item": "2"})
    other.run()
    card = frame_with(other, "Measure", "Value")
    assert len(card) == len(frozen) > 0
    shown = dict(zip(card["Measure"], card["Value"], strict=True))
    rate = frozen.loc[frozen["metric_id"] == "VCOP_R6_SUSPECT_UPDATE"].iloc[0]
    assert pd.notna(rate["value"]) and f"{rate['value'] * 100:.1f}%" in shown.values()
