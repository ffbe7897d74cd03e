"""Markdown injection (issue #15, item 3): text written by a user, loaded from a file or put in a URL is shown as
text wherever Streamlit renders Markdown (st.markdown, captions, headings, alerts, widget labels): no link, no
image, no HTML, no bare URL made a link and no LaTeX, on the pages that show actions, findings, feedback, commentary
and meeting decisions, and in the messages for ?action=, ?finding=, ?feedback=, ?meeting= and ?portfolio=."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element

from data import actions, meetings
from data.audit import local_today
from data.commentary import save_commentary
from tests.accountability_support import (
    LEAD_DA,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    open_page,
    seed_feedback,
    seed_finding,
)
from tests.markdown_support import live_markup
from tests.test_meetings import hand_cards
from tests.test_page_commentary import as_board, own_seeded_env  # noqa: F401 (the fixture)
from tests.test_page_meeting import AGENDA, BOARD
from tests.test_security import walk

PAYLOADS = [
    "![x](http://127.0.0.1:9/x.png)",
    "[Sign in](http://127.0.0.1:9/p)",
    "http://127.0.0.1:9/p",
    "<img src=x onerror=alert(1)>",
    r"$\href{http://x}{y}$",
]
ALL = " ".join(PAYLOADS)  # 140 characters: fits a title, a description, a finding, a summary
SHORT = "[Sign in](http://127.0.0.1:9/p) http://127.0.0.1:9/p <img src=x onerror=alert(1)>"  # owner, theme: 100 at most
MARKERS = ("127.0.0.1", "onerror", "href")
# Fields Streamlit renders as Markdown: element bodies (markdown, captions, headings, alerts) and widget labels.
MARKDOWN_FIELDS = ("body", "label", "help")


def markdown_texts(at) -> list[tuple[str, str]]:
    """(element type, text) of every Markdown-rendered field on the page that carries a payload."""
    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if not isinstance(node, Element) or proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        for field in MARKDOWN_FIELDS:
            if field in proto.DESCRIPTOR.fields_by_name:
                text = getattr(proto, field)
                if isinstance(text, str) and any(marker in text for marker in MARKERS):
                    found.append((node.type, text))
    return found


def assert_shown_as_text(at, minimum: int) -> None:
    carried = markdown_texts(at)
    assert len(carried) >= minimum, carried
    live = [(kind, text, live_markup(text)) for kind, text in carried if live_markup(text)]
    assert live == []


def test_an_actions_title_owner_and_description_are_text_for_the_board(app_db):
    actions.create_action(
        app_db, LEAD_DA, title=ALL, portfolio="vawg_da", owner=SHORT, due_date=dt.date(2026, 9, 15),
        description=ALL, source_type="other", source_ref=SHORT, today=dt.date(2026, 6, 1),
    )  # fmt: skip
    at = open_page("board", "app_pages/inspection.py", action="AC-001")
    assert_shown_as_text(at, minimum=4)  # the heading, owner, source and description
    assert any(kind == "subheader" or "AC-001" in text for kind, text in markdown_texts(at))


def test_a_loaded_findings_text_and_owner_are_text(app_db):
    seed_finding(app_db, "HM-001", "HMICFRS PEEL 2026", dt.date(2026, 3, 2), text=ALL, owner=SHORT, reference=SHORT)
    at = open_page("board", "app_pages/inspection.py", finding="HM-001")
    assert_shown_as_text(at, minimum=3)


def test_a_loaded_feedback_items_theme_summary_and_response_are_text(app_db):
    seed_feedback(app_db, "FB-0001", "vawg_da", theme=SHORT, summary=ALL, summary_cy=ALL)
    at = open_page("lead.da", "app_pages/survivor_voice.py", feedback="FB-0001")
    assert_shown_as_text(at, minimum=3)  # the heading (theme), the summary in both languages


def test_meeting_title_and_decisions_are_text(app_db):
    meetings.open_meeting(app_db, BOARD, title=SHORT, held_on=local_today(), as_of=dt.date(2026, 7, 31),
                          scorecards=hand_cards(), agenda=AGENDA)  # fmt: skip
    due = local_today() + dt.timedelta(days=30)
    meetings.record_decision(app_db, BOARD, "MT-001", portfolio="vawg_da", title=ALL, owner=SHORT, due_date=due,
                             description=ALL)  # fmt: skip
    for item in ("0", "1", "3"):  # the overview, the portfolio's screen with its decisions, the record
        at = open_page("board", "app_pages/meeting.py", meeting="MT-001", item=item)
        assert_shown_as_text(at, minimum=1)  # the meeting's title heads every screen


def test_commentary_is_text(own_seeded_env):  # noqa: F811
    engine, as_of = own_seeded_env
    save_commentary(engine, LEAD_DA, "vawg_da", as_of, ALL, ALL, 0)
    assert_shown_as_text(as_board(), minimum=1)


@pytest.mark.parametrize(
    ("username", "page", "param"),
    [
        ("board", "app_pages/inspection.py", "action"),
        ("board", "app_pages/inspection.py", "finding"),
        ("lead.da", "app_pages/survivor_voice.py", "feedback"),
        ("board", "app_pages/meeting.py", "meeting"),
        ("lead.da", "app_pages/victims_code.py", "portfolio"),
    ],
)
@pytest.mark.parametrize("payload", [*PAYLOADS, ALL], ids=["image", "link", "bare-url", "html", "latex", "all"])
def test_a_crafted_link_shows_its_parameter_as_text(app_db, username, page, param, payload):
    at = open_page(username, page, **{param: payload})
    carried = markdown_texts(at)
    live = [(kind, text, live_markup(text)) for kind, text in carried if live_markup(text)]
    assert live == []
    if param != "portfolio":  # an unknown portfolio is replaced by the user's own (no data loaded here)
        assert carried, "the 'does not exist' message names the id as typed"


def _account_panel_with_a_crafted_name() -> None:
    import streamlit as st

    from auth import gate
    from tests.test_markdown_injection import SHORT

    st.session_state["name"] = SHORT  # a display name is chosen by an administrator, not by the app
    gate.account_panel()


def test_the_signed_in_name_is_text():
    at = AppTest.from_function(_account_panel_with_a_crafted_name).run()
    assert not at.exception
    assert_shown_as_text(at, minimum=1)
