"""The survivor voice page: the co-ordinator runs "you said, we did"; other readers read their share; the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from auth.roles import PAGES
from data import feedback
from data.models import AuditLog
from tests.accountability_support import (
    LEAD_SV,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    can_open,
    frame_with,
    open_page,
    seed_feedback,
    sign_in,
)
from tests.download_support import click_download, media_fixture  # noqa: F401 (the media fixture)

PAGE = "app_pages/survivor_voice.py"
TODAY = dt.date.today()


@pytest.fixture
def voice(app_db):
    """Two received items in two portfolios, and one implemented item with a Welsh "we did"."""
    received = TODAY - dt.timedelta(days=20)
    seed_feedback(app_db, "FB-0001", "vawg_da", received_date=received)
    seed_feedback(app_db, "FB-0002", "witness_care", received_date=received, theme="Court",
                  summary="Waiting areas at court feel unsafe.")  # fmt: skip
    seed_feedback(
        app_db, "FB-0003", "vawg_da", received_date=received, status="implemented",
        decision_date=TODAY - dt.timedelta(days=15), implemented_date=TODAY - dt.timedelta(days=5),
        we_did="We now text you the day a suspect is released.", fed_back_date=TODAY - dt.timedelta(days=2),
        we_did_cy="Rydym bellach yn anfon neges destun atoch y diwrnod y caiff y sawl a amheuir ei ryddhau.",
    )  # fmt: skip
    return app_db


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("lead.sv", True), ("lead.da", True), ("board", True), ("inspector", True), ("analyst", False),
     ("admin", "admin" in PAGES["survivor_voice"])],
)  # fmt: skip
def test_who_opens_the_page(app_db, username, allowed):
    assert can_open(sign_in(username), PAGE) is allowed


def test_the_co_ordinator_decides_implements_and_feeds_back(voice):
    at = open_page("lead.sv", PAGE, feedback="FB-0001")
    counts = frame_with(at, "Stage", "Items")
    assert counts.values.tolist() == [["To decide", 2], ["To implement", 0], ["To feed back", 0], ["Done", 1]]
    at.radio(key="vsd_fb_accept_FB-0001_1").set_value(True)
    at.button(key="vsd_fb_decide_submit_FB-0001").click().run()
    assert [s.value for s in at.success] == ["The decision on FB-0001 was saved."]
    at.text_area(key="vsd_fb_did_FB-0001_2").input("Victims are now told within a day of a release decision.")
    at.button(key="vsd_fb_impl_submit_FB-0001").click().run()
    assert [s.value for s in at.success] == ["FB-0001 was recorded as implemented."]
    at.button(key="vsd_fb_told_submit_FB-0001").click().run()
    assert [s.value for s in at.success] == ["FB-0001 was recorded as fed back."]
    item = feedback.get_feedback(voice, LEAD_SV, "FB-0001")
    assert (item["status"], item["decision_date"], item["fed_back_date"], item["version"]) == (
        "implemented", TODAY, TODAY, 4,
    )  # fmt: skip
    history = frame_with(at, "When", "Who", "What happened")
    assert history["What happened"].tolist() == [
        "Feedback decided", "Feedback implemented", "Participants told the outcome",
    ]  # fmt: skip


def test_recording_refuses_personal_data_and_keeps_the_text(voice):
    at = open_page("lead.sv", PAGE)
    at.text_input(key="vsd_fb_new_theme_0").input("Contact")
    at.text_area(key="vsd_fb_new_summary_0").input("Please ring me on 07700 900123 about updates")
    at.button(key="vsd_fb_new_submit").click().run()
    assert [e.value for e in at.error] == [
        "“You said” looks as if it holds personal data (an e-mail address, phone number or postcode); take it out."
    ]
    at.text_area(key="vsd_fb_new_summary_0").input("Updates should come by text as well as by phone.")
    at.button(key="vsd_fb_new_submit").click().run()
    assert [s.value for s in at.success] == ["Feedback FB-0004 was recorded."]
    assert (
        feedback.get_feedback(voice, LEAD_SV, "FB-0004")["summary"]
        == "Updates should come by text as well as by phone."
    )


@pytest.mark.parametrize(("username", "visible"), [("lead.da", ["FB-0003", "FB-0001"]),
                                                   ("board", ["FB-0003", "FB-0002", "FB-0001"])])  # fmt: skip
def test_other_readers_cannot_change_feedback(voice, username, visible):
    at = open_page(username, PAGE, feedback="FB-0001")
    assert frame_with(at, "Item", "Theme")["Item"].tolist() == visible
    assert [b.key for b in at.button] == ["vsd_sign_out"]
    assert "FB-0001: Updates" in [s.value for s in at.subheader]


def test_a_lead_cannot_open_another_portfolios_item_by_link(voice):
    at = open_page("lead.da", PAGE, feedback="FB-0002")
    assert "Feedback item FB-0002 does not exist or is not one you can see." in [i.value for i in at.info]


def test_participants_summary_download_is_audited(voice, media):
    at = open_page("lead.sv", PAGE)
    preview = [m.value for m in at.markdown if "Dywedoch chi, gwnaethom ni" in m.value]
    assert preview and "Rydym bellach yn anfon neges destun" in preview[0]
    click_download(at, "vsd_fb_summary_download", media)  # made and audited on click (ui/downloads.py)
    with voice.connect() as conn:
        rows = conn.execute(select(AuditLog.event, AuditLog.actor, AuditLog.detail, AuditLog.portfolio)).all()
    exports = [r for r in rows if r.event == "export.you_said_we_did"]
    assert len(exports) == 1 and (exports[0].actor, exports[0].portfolio) == ("lead.sv", "survivor_voice")
    assert '"rows": 1' in exports[0].detail
    assert "Summary for participants" in [tab.label for tab in at.tabs]
    other = open_page("lead.da", PAGE)
    assert "The participants' summary is prepared by the Survivor Engagement Co-ordinator." in [
        i.value for i in other.info
    ]
