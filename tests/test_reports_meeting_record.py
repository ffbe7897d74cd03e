"""The record of a meeting's decisions: CSV with formulas neutralised, PDF text, summary counts, English and Welsh."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from pypdf import PdfReader

from data.meetings import DECISION_COLUMNS
from reports.meeting_record import agenda_summary, record_csv, record_pdf, summary_table
from tests.test_meetings import AGENDA, hand_cards

MEETING = {
    "meeting_id": "MT-004", "title": "Bwrdd perfformiad", "held_on": dt.date(2026, 11, 24),
    "as_of": dt.date(2026, 10, 31), "created_by": "board", "created_at": dt.datetime(2026, 11, 24, 9, 30),
    "status": "closed", "closed_by": "board.two", "closed_at": dt.datetime(2026, 11, 24, 11, 5),
}  # fmt: skip
NAMES = {"vawg_da": "VAWG — domestic abuse", "witness_care": "Witness Care Unit"}


def decisions() -> pd.DataFrame:
    rows = [
        # 09:40 UTC in November is 09:40 in London; a title that a spreadsheet would run as a formula.
        (dt.datetime(2026, 11, 24, 9, 40), "board", "action.create", "AC-041", "vawg_da", "=HYPERLINK(\"http://x\")",
         "Weekly audit", "Head of Victim Services", dt.date(2027, 1, 31), "not_started", {}, ""),
        (dt.datetime(2026, 11, 24, 10, 15), "board.two", "action.update", "AC-007", "witness_care", "Recruit officers",
         None, "WCU manager", dt.date(2027, 2, 28), "at_risk",
         {"due_date": ["2026-12-31", "2027-02-28"], "version": [3, 4]}, "Funding agreed"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(DECISION_COLUMNS))


def test_the_csv_names_the_meeting_on_every_row_and_neutralises_formulas():
    text = record_csv(MEETING, decisions(), NAMES, "en").decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == (
        "Meeting,Meeting title,Held on,When (UK time),Who,What happened,Action,Portfolio,Decision,Owner,Due date,"
        "Status,Detail and changes"
    )
    assert lines[1] == (
        "MT-004,Bwrdd perfformiad,2026-11-24,2026-11-24 09:40,board,Action raised,AC-041,VAWG — domestic abuse,"
        '"\'=HYPERLINK(""http://x"")",Head of Victim Services,2027-01-31,Not started,Weekly audit'
    )
    assert lines[2] == (
        "MT-004,Bwrdd perfformiad,2026-11-24,2026-11-24 10:15,board.two,Action updated,AC-007,Witness Care Unit,"
        "Recruit officers,WCU manager,2027-02-28,At risk,"
        "Due date: 31 December 2026 → 28 February 2027; Funding agreed"
    )
    assert len(lines) == 3


def test_the_csv_in_welsh():
    text = record_csv(MEETING, decisions(), NAMES, "cy").decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("Cyfarfod,Teitl y cyfarfod,Dyddiad,Pryd (amser y DU),Pwy,Beth ddigwyddodd")
    assert ",Heb ddechrau," in first


def test_the_summary_counts_the_frozen_ratings_per_agenda_portfolio():
    summary = agenda_summary(hand_cards(), AGENDA)
    assert summary.values.tolist() == [
        ["vawg_da", "VAWG — domestic abuse", 2, 0, 0, 1, 1, 0],
        ["witness_care", "Witness Care Unit", 1, 0, 0, 0, 1, 0],
    ]
    assert list(summary_table(summary, "cy").columns) == [
        "Portffolio", "Mesurau", "Gwyrdd", "Ambr", "Coch", "Heb sgôr", "Pryder achos arbennig",
    ]  # fmt: skip


def test_the_pdf_holds_the_meeting_the_figures_and_every_decision():
    data = record_pdf(MEETING, decisions(), agenda_summary(hand_cards(), AGENDA), NAMES, "en")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    for expected in (
        "Record of decisions: Bwrdd perfformiad",
        "Meeting MT-004, held on 24 November 2026.",
        "Figures frozen as at 31 October 2026, when board opened the meeting at 2026-11-24 09:30 (UK time).",
        "Closed by board.two at 2026-11-24 11:05 (UK time).",
        "The figures the meeting saw",
        "AC-041",
        "Recruit officers",
        "Funding agreed",
    ):
        assert expected in text, expected


def test_the_pdf_says_when_no_decision_was_taken_in_welsh():
    empty = decisions().iloc[0:0]
    data = record_pdf(MEETING | {"status": "open"}, empty, agenda_summary(hand_cards(), AGENDA), NAMES, "cy")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "Ni chofnodwyd unrhyw benderfyniad yn y cyfarfod hwn." in text
    assert "Mae'r cyfarfod yn dal ar agor" in text
