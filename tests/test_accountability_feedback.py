"""The "you said, we did" pipeline: record, decide, implement, feed back; access, locking, the participants' summary."""

from __future__ import annotations

import datetime as dt

import pytest

from data import feedback
from data.feedback_summary import summary_markdown
from rules.workflow import AccessDenied, NotFound, StaleEdit, WorkflowError
from tests.accountability_support import (
    ADMIN,
    BOARD,
    DAY,
    INSPECTOR,
    LEAD_DA,
    LEAD_SV,
    LEAD_WCU,
    db_fixture,  # noqa: F401 (the db fixture)
    seed_event,
    seed_feedback,
)
from tests.test_accountability_actions import audit_rows


def test_the_co_ordinator_takes_an_item_from_you_said_to_we_did(db):
    seed_event(db, "EV-0001")
    item = feedback.record_feedback(
        db, LEAD_SV, received_date=dt.date(2026, 6, 1), theme="Court updates", portfolio="witness_care",
        summary="We heard about trial dates too late to arrange childcare.", event_id="EV-0001", today=DAY,
    )  # fmt: skip
    assert (item["feedback_id"], item["status"], item["version"]) == ("FB-0001", "received", 1)
    decided = feedback.decide(db, LEAD_SV, "FB-0001", 1, True, decision_date=dt.date(2026, 6, 15), today=DAY)
    assert (decided["status"], decided["decision_date"], decided["version"]) == ("accepted", dt.date(2026, 6, 15), 2)
    with pytest.raises(WorkflowError, match="we_did_required"):
        feedback.implement(db, LEAD_SV, "FB-0001", 2, implemented_date=dt.date(2026, 7, 1), we_did=" ", today=DAY)
    done = feedback.implement(
        db, LEAD_SV, "FB-0001", 2, implemented_date=dt.date(2026, 7, 20), today=DAY,
        we_did="Witness Care now calls within one working day of a trial date being set.",
        we_did_cy="Mae Gofal Tystion bellach yn ffonio o fewn un diwrnod gwaith i bennu dyddiad treial.",
    )  # fmt: skip
    assert (done["status"], done["implemented_date"]) == ("implemented", dt.date(2026, 7, 20))
    with pytest.raises(WorkflowError, match="date_range"):  # not before the decision
        feedback.feed_back(db, LEAD_SV, "FB-0001", 3, fed_back_date=dt.date(2026, 6, 1), today=DAY)
    told = feedback.feed_back(db, LEAD_SV, "FB-0001", 3, fed_back_date=dt.date(2026, 7, 28), today=DAY)
    assert (told["fed_back_date"], told["version"]) == (dt.date(2026, 7, 28), 4)
    with pytest.raises(WorkflowError, match="already_fed_back"):
        feedback.feed_back(db, LEAD_SV, "FB-0001", 4, fed_back_date=dt.date(2026, 7, 29), today=DAY)
    assert [event for event, actor, portfolio in audit_rows(db, "FB-0001")] == [
        "feedback.create", "feedback.decide", "feedback.implement", "feedback.feed_back",
    ]  # fmt: skip
    assert {portfolio for _, _, portfolio in audit_rows(db, "FB-0001")} == {"witness_care"}


@pytest.mark.parametrize("scope", [LEAD_DA, BOARD, INSPECTOR])
def test_only_the_co_ordinator_and_admins_edit_feedback(db, scope):
    seed_feedback(db, "FB-0001")
    with pytest.raises(AccessDenied, match="survivor_voice.errors.forbidden"):
        feedback.decide(db, scope, "FB-0001", 1, True, decision_date=dt.date(2026, 6, 2), today=DAY)
    with pytest.raises(AccessDenied):
        feedback.record_feedback(db, scope, received_date=DAY, theme="T", summary="S", today=DAY)
    assert feedback.decide(db, ADMIN, "FB-0001", 1, False, decision_date=dt.date(2026, 6, 2), today=DAY)["status"] == (
        "not_accepted"
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"summary": "Email me at sam@example.org"}, "survivor_voice.errors.personal_data"),
     ({"summary": "x" * 501}, "survivor_voice.errors.summary_length"),
     ({"theme": " "}, "survivor_voice.errors.theme_length"),
     ({"received_date": dt.date(2026, 8, 4)}, "survivor_voice.errors.date_range"),
     ({"event_id": "EV-9999"}, "survivor_voice.errors.unknown_event"),
     ({"portfolio": "Not An Id"}, "actions.errors.bad_portfolio")],
)  # fmt: skip
def test_recording_refuses_bad_or_personal_text(db, fields, code):
    values = {"received_date": dt.date(2026, 6, 1), "theme": "Updates", "summary": "Updates came late."} | fields
    with pytest.raises(WorkflowError) as caught:
        feedback.record_feedback(db, LEAD_SV, today=DAY, **values)
    assert caught.value.code == code
    assert feedback.list_feedback(db, ADMIN).empty


def test_steps_out_of_order_and_stale_saves_are_refused(db):
    seed_feedback(db, "FB-0001")
    with pytest.raises(WorkflowError, match="bad_step"):
        feedback.implement(db, LEAD_SV, "FB-0001", 1, implemented_date=dt.date(2026, 7, 1), we_did="x", today=DAY)
    with pytest.raises(WorkflowError, match="bad_step"):
        feedback.feed_back(db, LEAD_SV, "FB-0001", 1, fed_back_date=dt.date(2026, 7, 1), today=DAY)
    feedback.edit_feedback(
        db, LEAD_SV, "FB-0001", 1, {"summary_cy": "Ni chawsom wybod pan ryddhawyd y sawl a amheuir."}
    )
    with pytest.raises(StaleEdit) as caught:
        feedback.decide(db, LEAD_SV, "FB-0001", 1, True, decision_date=dt.date(2026, 6, 2), today=DAY)
    assert caught.value.current["summary_cy"].startswith("Ni chawsom") and caught.value.current["version"] == 2
    declined = feedback.decide(db, LEAD_SV, "FB-0001", 2, False, decision_date=dt.date(2026, 6, 2), today=DAY)
    with pytest.raises(WorkflowError, match="we_did_required"):  # a decline is explained before participants hear
        feedback.feed_back(db, LEAD_SV, "FB-0001", 3, fed_back_date=dt.date(2026, 6, 10), today=DAY)
    told = feedback.feed_back(
        db, LEAD_SV, "FB-0001", declined["version"], fed_back_date=dt.date(2026, 6, 10), today=DAY,
        we_did="Release decisions are made by the prison service; we now pass on their contact line.",
    )  # fmt: skip
    assert told["we_did"].startswith("Release decisions")


def test_who_reads_which_feedback(db):
    seed_feedback(db, "FB-0001", "vawg_da")
    seed_feedback(db, "FB-0002", "witness_care")
    seed_feedback(db, "FB-0003", None)
    assert sorted(feedback.list_feedback(db, LEAD_SV)["feedback_id"]) == ["FB-0001", "FB-0002", "FB-0003"]
    assert sorted(feedback.list_feedback(db, BOARD)["feedback_id"]) == ["FB-0001", "FB-0002", "FB-0003"]
    assert feedback.list_feedback(db, LEAD_DA)["feedback_id"].tolist() == ["FB-0001"]
    assert feedback.list_feedback(db, LEAD_WCU)["feedback_id"].tolist() == ["FB-0002"]
    with pytest.raises(NotFound):
        feedback.get_feedback(db, LEAD_DA, "FB-0002")


def test_participants_summary_is_bilingual_and_holds_no_ids(db):
    seed_feedback(
        db, "FB-0001", status="implemented", decision_date=dt.date(2026, 6, 10),
        implemented_date=dt.date(2026, 7, 3), we_did="We now text you the day a suspect is released.",
        we_did_cy="Rydym bellach yn anfon neges destun atoch y diwrnod y caiff y sawl a amheuir ei ryddhau.",
        summary_cy="Ni chawsom wybod pan ryddhawyd y sawl a amheuir.",
    )  # fmt: skip
    seed_feedback(db, "FB-0002", summary="Waiting areas at court feel unsafe.", status="accepted",
                  decision_date=dt.date(2026, 7, 1))  # fmt: skip
    seed_feedback(db, "FB-0003", status="not_accepted", decision_date=dt.date(2026, 5, 31))  # outside the period
    seed_feedback(db, "FB-0004")  # not decided
    items = feedback.participant_items(db, dt.date(2026, 6, 1), dt.date(2026, 7, 31))
    assert len(items) == 2 and "feedback_id" not in items.columns
    text = summary_markdown(items, dt.date(2026, 6, 1), dt.date(2026, 7, 31))
    welsh, english = text.split("\n---\n\n")
    assert welsh.splitlines()[0] == "# Dywedoch chi, gwnaethom ni"
    assert english.splitlines()[0] == "# You said, we did"
    assert "1 June 2026 to 31 July 2026" in english and "1 Mehefin 2026 i 31 Gorffennaf 2026" in welsh
    assert "1. **You said:** We were not told when the suspect was released." in english
    assert "   **We did:** We now text you the day a suspect is released." in english
    assert "   *Done on 3 July 2026*" in english and "   *Wedi'i wneud ar 3 Gorffennaf 2026*" in welsh
    assert "1. **Dywedoch chi:** Ni chawsom wybod pan ryddhawyd y sawl a amheuir." in welsh
    assert "2. **Dywedoch chi:** Waiting areas at court feel unsafe. (Saesneg yn unig)" in welsh
    assert "   **We did:** Not yet: we will report back." in english
    assert "FB-000" not in text
    assert "2 things you told us about: 1 done, 1 under way, 0 not taken forward." in english
