"""The inspection page: who reads and who changes actions and findings, locking, evidence, escalation, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from auth.roles import PAGES
from data import actions, evidence, findings
from data.escalation import report_deadlines
from tests.accountability_support import (
    ADMIN,
    DAY,
    LEAD_DA,
    LEAD_WCU,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    can_open,
    frame_with,
    open_page,
    seed_finding,
    sign_in,
)

PAGE = "app_pages/inspection.py"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def plan(app_db):
    """Two findings and two actions in two portfolios, dated so that the ageing is known."""
    seed_finding(app_db, "HM-001", "HMICFRS PEEL 2026", dt.date(2026, 3, 2), due_date=dt.date(2026, 8, 31))
    seed_finding(app_db, "HM-002", "HMICFRS PEEL 2026", dt.date(2026, 3, 9), portfolio="witness_care")
    new = {"owner": "Lead", "today": dt.date(2026, 6, 1)}
    actions.create_action(app_db, LEAD_DA, title="DA call-backs", portfolio="vawg_da", due_date=dt.date(2026, 9, 15),
                          **new)  # fmt: skip
    actions.create_action(app_db, LEAD_WCU, title="WCU needs assessments", portfolio="witness_care",
                          due_date=dt.date(2026, 10, 1), **new)  # fmt: skip
    return app_db


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("lead.da", True),
        ("board", True),
        ("inspector", True),
        ("analyst", False),
        ("admin", "admin" in PAGES["inspection"]),
    ],
)
def test_who_opens_the_page(app_db, username, allowed):
    assert can_open(sign_in(username), PAGE) is allowed


def test_a_lead_sees_and_edits_only_their_portfolio(plan):
    at = open_page("lead.da", PAGE)
    assert frame_with(at, "Action", "Title")["Action"].tolist() == ["AC-001"]
    assert frame_with(at, "Finding", "Report")["Finding"].tolist() == ["HM-001"]
    save = [b.key for b in at.button if b.key and b.key.startswith("vsd_act_save_")]
    assert save == ["vsd_act_save_AC-001"]
    at.selectbox(key="vsd_act_status_AC-001_1").set_value("on_track")
    at.text_area(key="vsd_act_note_AC-001_1").input("Call-back audit started")
    at.button(key="vsd_act_save_AC-001").click().run()
    assert [s.value for s in at.success] == ["Action AC-001 was saved (version 2)."]
    saved = actions.get_action(plan, LEAD_DA, "AC-001")
    assert (saved["status"], saved["version"]) == ("on_track", 2)
    timeline = frame_with(at, "When", "Who", "Status", "Note")
    assert timeline[["Who", "Status", "Note"]].values.tolist()[0] == [
        "lead.da", "Not started → On track", "Call-back audit started",
    ]  # fmt: skip


def test_a_link_to_another_portfolios_action_shows_nothing_and_offers_no_edit(plan):
    at = open_page("lead.da", PAGE, action="AC-002")
    for _ in range(2):  # and on the next run too: a later run does not open the list's first action instead
        assert "Action AC-002 does not exist or is not in a portfolio you can see." in [i.value for i in at.info]
        assert not [b for b in at.button if b.key and "AC-002" in b.key]
        assert "WCU needs assessments" not in [m.value for m in at.subheader]
        assert at.selectbox(key="vsd_plan_pick").value == "AC-002" and at.query_params["action"] == "AC-002"
        at.run()


def test_a_linked_action_is_the_default_of_its_box_on_every_run(plan):
    """A browser that has not drawn the box yet draws it at its default and sends that back: the default must be the
    linked action, not the list's first, on the link's run and on the runs after it (CI's flaky sign-in journey)."""
    at = open_page("board", PAGE, action="AC-002")
    for _ in range(2):
        box = at.selectbox(key="vsd_plan_pick")
        assert box.value == "AC-002"
        assert box.options[box.proto.default] == "AC-002"
        assert at.query_params["action"] == "AC-002"
        at.run()
    at.selectbox(key="vsd_plan_pick").set_value("AC-001").run()  # a choice made in the box still wins
    box = at.selectbox(key="vsd_plan_pick")
    assert (box.value, box.options[box.proto.default], at.query_params["action"]) == ("AC-001", "AC-001", "AC-001")


@pytest.mark.parametrize("username", ["board", "inspector"])
def test_board_and_inspectors_read_everything_and_change_nothing(plan, username):
    at = open_page(username, PAGE, action="AC-002")
    assert frame_with(at, "Action", "Title")["Action"].tolist() == ["AC-001", "AC-002"]
    assert "AC-002: WCU needs assessments" in [s.value for s in at.subheader]
    assert [b.key for b in at.button] == ["vsd_sign_out"]  # no save, close, attach, raise or record buttons
    assert not at.file_uploader
    assert "You can read this action; only its portfolio's lead or an administrator can change it." in [
        c.value for c in at.caption
    ]


def test_a_second_save_is_refused_with_what_changed_and_can_be_reapplied(plan):
    at = open_page("lead.da", PAGE)
    at.text_input(key="vsd_act_title_AC-001_1").input("DA call-backs within 48 hours")
    # someone else saves the same action after the form was opened
    actions.update_action(plan, ADMIN, "AC-001", 1, {"owner": "Head of Victim Services"})
    at.button(key="vsd_act_save_AC-001").click().run()
    assert not at.exception and not at.success
    assert at.warning[0].value.startswith("Your changes were not saved: someone else saved this record first")
    diff = frame_with(at, "Field", "When you opened it", "Your change", "Saved now")
    assert diff.values.tolist() == [
        ["Title", "DA call-backs", "DA call-backs within 48 hours", "DA call-backs", ""],
        ["Owner", "Lead", "Lead", "Head of Victim Services", ""],
    ]
    assert actions.get_action(plan, LEAD_DA, "AC-001")["title"] == "DA call-backs"  # nothing of ours was saved
    at.button(key="vsd_act_stale_keep").click().run()
    assert at.text_input(key="vsd_act_title_AC-001_2").value == "DA call-backs within 48 hours"
    at.button(key="vsd_act_save_AC-001").click().run()
    assert [s.value for s in at.success] == ["Action AC-001 was saved (version 3)."]
    saved = actions.get_action(plan, LEAD_DA, "AC-001")
    assert (saved["title"], saved["owner"]) == ("DA call-backs within 48 hours", "Head of Victim Services")


def test_evidence_checks_content_and_closing_needs_it(plan):
    actions.transition_action(plan, LEAD_DA, "AC-001", 1, "on_track")
    actions.transition_action(plan, LEAD_DA, "AC-001", 2, "complete")
    at = open_page("lead.da", PAGE)
    at.file_uploader(key="vsd_ev_file_action_AC-001").upload("audit.png", PDF, "image/png")
    at.button(key="vsd_ev_submit_action_AC-001").click().run()
    assert [e.value for e in at.error] == [
        "The file is named .png but its content is pdf; rename it or attach the right file."
    ]
    at.text_area(key="vsd_act_closure_AC-001").input("Call-backs within 48 hours for 3 months")
    at.button(key="vsd_act_close_submit_AC-001").click().run()
    assert [e.value for e in at.error] == ["Attach at least one evidence file before closing the action."]
    at.file_uploader(key="vsd_ev_file_action_AC-001").upload("audit.pdf", PDF, "application/pdf")
    at.button(key="vsd_ev_submit_action_AC-001").click().run()
    assert at.success[0].value.startswith("audit.pdf was attached (SHA-256 ")
    assert frame_with(at, "File", "SHA-256 hash")["File"].tolist() == ["audit.pdf"]
    at.text_area(key="vsd_act_closure_AC-001").input("Call-backs within 48 hours for 3 months")
    at.button(key="vsd_act_close_submit_AC-001").click().run()
    assert [s.value for s in at.success] == ["Action AC-001 was closed."]
    closed = actions.get_action(plan, LEAD_DA, "AC-001")
    assert (closed["status"], closed["closure_note"]) == ("closed", "Call-backs within 48 hours for 3 months")


def test_an_action_raised_from_a_finding_is_listed_on_the_finding(plan):
    at = open_page("lead.da", PAGE, finding="HM-001")
    form = "raise_recommendation_HM-001_0"
    assert at.text_input(key=f"vsd_act_new_title_{form}").value == "Respond to HMICFRS PEEL 2026 p.12"
    at.text_input(key=f"vsd_act_new_owner_{form}").input("DA lead")
    at.date_input(key=f"vsd_act_new_due_{form}").set_value(dt.date.today() + dt.timedelta(days=60))
    at.button(key="vsd_act_new_submit_raise_recommendation_HM-001").click().run()
    assert [s.value for s in at.success] == ["Action AC-003 was raised."]
    raised = actions.get_action(plan, LEAD_DA, "AC-003")
    assert (raised["source_type"], raised["source_ref"], raised["portfolio"]) == ("recommendation", "HM-001", "vawg_da")
    linked = frame_with(at, "Action", "Raised from")
    assert linked[linked["Action"] == "AC-003"]["Raised from"].tolist() == ["Inspection finding HM-001"]


def test_a_finding_moves_only_with_evidence(plan):
    findings.transition_finding(plan, LEAD_DA, "HM-001", 1, "in_progress")
    at = open_page("lead.da", PAGE, finding="HM-001")
    at.selectbox(key="vsd_fd_status_HM-001_2").set_value("evidence_submitted")
    at.button(key="vsd_fd_save_HM-001").click().run()
    assert [e.value for e in at.error] == ["Attach evidence before marking the finding as evidence submitted."]
    evidence.attach_evidence(plan, LEAD_DA, "finding", "HM-001", "sample.pdf", PDF)
    at.selectbox(key="vsd_fd_status_HM-001_2").set_value("evidence_submitted")
    at.button(key="vsd_fd_save_HM-001").click().run()
    assert [s.value for s in at.success] == ["Finding HM-001 was saved: Evidence submitted."]
    assert findings.get_finding(plan, LEAD_DA, "HM-001")["status"] == "evidence_submitted"


def test_escalation_list_and_deadlines_at_a_chosen_date(plan):
    at = open_page("board", PAGE)
    at.sidebar.date_input(key="vsd_insp_as_of").set_value(dt.date(2026, 10, 31)).run()
    escalated = frame_with(at, "Item", "Reference", "Days overdue")
    # HM-001 due 31 August: 61 days; AC-001 due 15 September: 46 days; AC-002 due 1 October: 30 days, not escalated
    assert escalated[["Item", "Reference", "Days overdue"]].values.tolist() == [
        ["Finding", "HM-001", 61], ["Action", "AC-001", 46],
    ]  # fmt: skip
    plan_table = frame_with(at, "Action", "Overdue")
    assert plan_table["Overdue"].tolist() == ["46 days overdue – escalated to the board", "30 days overdue"]
    deadlines = frame_with(at, "Report", "Response due", "Response")
    # published 2 March 2026 + 56 days = 27 April 2026; 31 October is 187 days after
    assert deadlines.values.tolist() == [["HMICFRS PEEL 2026", "2 March 2026", "27 April 2026", "187 days overdue"]]


def test_the_inspection_lead_records_the_pccs_response(plan):
    at = open_page("lead.hm", PAGE)
    at.date_input(key="vsd_pcc_date").set_value(dt.date(2026, 4, 24))
    at.button(key="vsd_pcc_submit").click().run()
    assert "The response to HMICFRS PEEL 2026 was recorded as published on 24 April 2026." in [
        s.value for s in at.success
    ]
    state = report_deadlines(plan, DAY).iloc[0]
    assert (state["state"], state["response_date"]) == ("responded", dt.date(2026, 4, 24))
    assert "vsd_pcc_submit" not in [b.key for b in open_page("lead.da", PAGE).button]


def test_the_page_in_welsh(plan):
    at = sign_in("lead.da")
    at.sidebar.radio(key="vsd_lang").set_value("cy").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [
        "Cynllun gweithredu",
        "Cofrestr canfyddiadau",
        "Uwchgyfeirio a therfynau amser",
        "Adroddiadau a graddau",
    ]
    assert frame_with(at, "Cam gweithredu", "Statws")["Statws"].tolist() == ["Heb ddechrau"]
