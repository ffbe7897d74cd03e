"""The scorecard's "Commentary for the board pack" through AppTest: a lead writes it in English and Welsh, a board
member reads it (in Welsh too, or in English with a note when no Welsh was written), a save against an older version
is refused with a translated message and can be reviewed and saved again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data import queries
from data.commentary import read_commentary, save_commentary
from data.models import AuditLog
from tests.accountability_support import BOARD, LEAD_DA
from tests.apptest_support import sign_in
from tests.test_security import IMAGE, LINK, SCRIPT, assert_shown_only_as_text

EN = "Updates to victims on suspects fell in the spring; the unit is retraining call handlers."
CY = "Gostyngodd y diweddariadau i ddioddefwyr am bobl a amheuir yn y gwanwyn; mae'r uned yn ailhyfforddi staff."


@pytest.fixture
def own_seeded_env(seeded_copy):
    """A private copy of the seeded database, so the commentary (and languages) saved here never reach other tests."""
    return seeded_copy, queries.latest_as_of(seeded_copy)


def form_keys(as_of, version: int, portfolio: str = "vawg_da") -> tuple[str, str]:
    k = f"{portfolio}_{as_of.isoformat()}_{version}"
    return f"vsd_cm_en_{k}", f"vsd_cm_cy_{k}"


def texts(at, element: str = "markdown") -> str:
    return "\n".join(e.value for e in getattr(at, element))


def as_board(portfolio: str = "vawg_da", lang: str = "en"):
    at = sign_in("board")
    at.sidebar.radio(key="vsd_lang").set_value(lang).run()  # the choice is saved for the user: set it every time
    at.selectbox(key="filter_portfolio").set_value(portfolio).run()
    assert not at.exception
    return at


def test_a_lead_saves_commentary_and_the_board_reads_it_in_either_language(own_seeded_env):
    engine, as_of = own_seeded_env
    lead = sign_in("lead.da")
    assert not lead.exception
    assert "Commentary for the board pack" in texts(lead, "subheader")
    en_key, cy_key = form_keys(as_of, 0)
    assert lead.text_area(key=en_key).value == "" and lead.text_area(key=cy_key).value == ""
    assert "Never include personal data" in lead.text_area(key=en_key).help
    lead.text_area(key=en_key).input(EN)
    lead.text_area(key=cy_key).input(CY)
    lead.button(key="vsd_cm_save").click().run()
    assert not lead.exception
    assert any("The commentary was saved" in s.value for s in lead.success)
    en_key, cy_key = form_keys(as_of, 1)
    assert (lead.text_area(key=en_key).value, lead.text_area(key=cy_key).value) == (EN, CY)
    assert "Last updated by lead.da at" in texts(lead, "caption") and "(version 1)" in texts(lead, "caption")

    saved = read_commentary(engine, BOARD, as_of, ["vawg_da"])["vawg_da"]
    assert (saved["body_en"], saved["body_cy"], saved["version"], saved["updated_by"]) == (EN, CY, 1, "lead.da")
    with engine.connect() as conn:
        events = conn.execute(select(AuditLog.event, AuditLog.actor).where(AuditLog.entity_type == "commentary"))
        assert [tuple(r) for r in events] == [("commentary.save", "lead.da")]

    board = as_board()
    assert EN in texts(board) and CY not in texts(board)
    assert not [a for a in board.text_area if (a.key or "").startswith("vsd_cm_")]  # read-only: no form
    assert not [b for b in board.button if b.key == "vsd_cm_save"]
    welsh = as_board(lang="cy")
    assert "Sylwebaeth ar gyfer pecyn y Bwrdd" in texts(welsh, "subheader")
    assert CY in texts(welsh) and EN not in texts(welsh)
    assert "Diweddarwyd ddiwethaf gan lead.da am" in texts(welsh, "caption")


def test_text_in_one_language_only_is_shown_with_a_note_and_none_says_so(own_seeded_env):
    _engine, as_of = own_seeded_env
    lead = sign_in("lead.wcu")  # lands on witness care
    lead.text_area(key=form_keys(as_of, 0, "witness_care")[0]).input(EN)
    lead.button(key="vsd_cm_save").click().run()
    assert not lead.exception
    welsh = as_board("witness_care", "cy")
    assert EN in texts(welsh)
    assert "Yn Saesneg yn unig" in texts(welsh, "caption")
    english = as_board("special_measures")
    assert "No commentary has been written on these figures yet." in texts(english, "caption")


def test_a_stale_save_is_refused_then_reviewed_and_saved(own_seeded_env):
    engine, as_of = own_seeded_env
    first, second = sign_in("lead.da"), sign_in("lead.da")  # two tabs opened on the same (empty) commentary
    first.text_area(key=form_keys(as_of, 0)[0]).input("First tab's text.")
    first.button(key="vsd_cm_save").click().run()
    second.text_area(key=form_keys(as_of, 0)[0]).input("Second tab's text.")
    second.button(key="vsd_cm_save").click().run()
    assert not second.exception
    warning = " ".join(w.value for w in second.warning)
    assert "Your text was not saved: lead.da saved this commentary at" in warning
    assert "First tab's text." in texts(second)  # theirs, shown to compare
    assert read_commentary(engine, BOARD, as_of, ["vawg_da"])["vawg_da"]["body_en"] == "First tab's text."
    second.button(key="vsd_cm_stale_keep").click().run()
    assert second.text_area(key=form_keys(as_of, 1)[0]).value == "Second tab's text."
    second.button(key="vsd_cm_save").click().run()
    saved = read_commentary(engine, BOARD, as_of, ["vawg_da"])["vawg_da"]
    assert (saved["body_en"], saved["version"]) == ("Second tab's text.", 2)


def test_refusals_are_translated_for_a_welsh_lead(own_seeded_env):
    _engine, as_of = own_seeded_env
    lead = sign_in("lead.da")
    lead.sidebar.radio(key="vsd_lang").set_value("cy").run()
    en_key, cy_key = form_keys(as_of, 0)
    assert (lead.text_area(key=en_key).label, lead.text_area(key=cy_key).label) == (
        "Sylwebaeth yn Saesneg", "Sylwebaeth yn Gymraeg",
    )  # fmt: skip
    assert "Peidiwch byth â chynnwys data personol" in lead.text_area(key=cy_key).help
    lead.button(key="vsd_cm_save").click().run()
    assert [e.value for e in lead.error] == [
        "Ysgrifennwch y sylwebaeth yn Saesneg, yn Gymraeg neu yn y ddwy cyn ei chadw."
    ]


def test_script_in_commentary_renders_as_text(own_seeded_env):
    engine, as_of = own_seeded_env
    save_commentary(engine, LEAD_DA, "vawg_da", as_of, f"Call-backs {SCRIPT} {LINK}", f"Galwadau {IMAGE}", 0)
    board = as_board()  # read-only: the saved text rendered as Markdown
    assert assert_shown_only_as_text(board, [SCRIPT, IMAGE, LINK]) >= 1
    assert r"\<script\>alert('x')\</script\>" in texts(board)  # kept in full, only its markup neutralised
