"""The record of a board meeting's decisions, to download afterwards: CSV (formulas neutralised) and PDF.

Frames in (the meeting's details, its decisions read from the audit trail by data.meetings, its frozen scorecards),
bytes out. Every word comes from config/translations (`meeting.record.*` and the audit and action labels), in the
language asked for.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from config.i18n import MISSING, format_date, t
from reports.pdf_layout import BoardPackPDF, heading, paragraph, table
from reports.safety import csv_bytes

LOCAL_TZ = "Europe/London"
RAG_COUNTS = ("green", "amber", "red")
# Column widths (mm) of the PDF's decisions table; A4 landscape leaves 273 mm between the margins.
DECISION_WIDTHS = (24, 18, 26, 16, 30, 55, 26, 20, 20, 38)
SUMMARY_WIDTHS = (90, 25, 25, 25, 25, 30, 30)


def _blank(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def local_time(moment: Any) -> str:
    """A stored naive-UTC time as local 'YYYY-MM-DD HH:MM' (Europe/London)."""
    if _blank(moment):
        return MISSING
    return pd.Timestamp(moment).tz_localize("UTC").tz_convert(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def event_text(event: str, lang: str) -> str:
    """An audit event in words ('Action raised')."""
    return t(f"audit.events.{event.replace('.', '_')}", lang)


def status_text(status: Any, lang: str) -> str:
    return MISSING if _blank(status) else t(f"actions.status.{status}", lang)


def _value_text(field: str, value: Any, lang: str) -> str:
    if _blank(value) or value == "":
        return MISSING
    if field == "status":
        return status_text(value, lang)
    if field.endswith("_date"):
        return format_date(dt.date.fromisoformat(value) if isinstance(value, str) else value, lang)
    return str(value)


def changes_text(changes: Mapping[str, list], lang: str) -> str:
    """{field: [before, after]} as 'Due date: 15 September 2026 → 30 September 2026; …'."""
    return "; ".join(
        f"{t(f'actions.fields.{field}', lang)}: {_value_text(field, old, lang)} → {_value_text(field, new, lang)}"
        for field, (old, new) in changes.items()
        if field not in ("version", "completed_date")
    )


def decisions_table(decisions: pd.DataFrame, names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The decisions with headings and values in words, oldest first: one row per action raised or changed."""
    key = "meeting.record.columns"
    return pd.DataFrame(
        {
            t(f"{key}.at", lang): decisions["at"].map(local_time),
            t(f"{key}.actor", lang): decisions["actor"],
            t(f"{key}.event", lang): decisions["event"].map(lambda e: event_text(e, lang)),
            t(f"{key}.action_id", lang): decisions["action_id"],
            t(f"{key}.portfolio", lang): decisions["portfolio"].map(lambda p: names.get(p, p)),
            t(f"{key}.title", lang): decisions["title"],
            t(f"{key}.owner", lang): decisions["owner"],
            t(f"{key}.due_date", lang): decisions["due_date"].map(lambda d: MISSING if _blank(d) else d.isoformat()),
            t(f"{key}.status", lang): decisions["status"].map(lambda s: status_text(s, lang)),
            t(f"{key}.detail", lang): [
                "; ".join(x for x in (changes_text(c, lang), note, description if e == "action.create" else "") if x)
                for c, note, description, e in zip(
                    decisions["changes"],
                    decisions["note"],
                    decisions["description"].fillna(""),
                    decisions["event"],
                    strict=True,
                )
            ],  # fmt: skip
        }
    )


def agenda_summary(scorecards: pd.DataFrame, agenda: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Per agenda portfolio: measures, green, amber, red, not rated, and special-cause concern (frozen figures)."""
    rows = []
    for pid, name in agenda:
        card = scorecards.loc[scorecards["portfolio_id"] == pid]
        counts = {rag: int(card["rag"].eq(rag).sum()) for rag in RAG_COUNTS}
        rows.append(
            {
                "portfolio_id": pid, "name": name, "measures": len(card), **counts,
                "not_rated": len(card) - sum(counts.values()),
                "concern": int(card["variation"].fillna("").astype(str).str.startswith("concern").sum()),
            }
        )  # fmt: skip
    columns = ["portfolio_id", "name", "measures", *RAG_COUNTS, "not_rated", "concern"]
    return pd.DataFrame(rows, columns=columns)


def summary_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The agenda summary with headings in words (the portfolio id left out)."""
    shown = summary.drop(columns="portfolio_id")
    shown.columns = [t(f"meeting.summary.{c}", lang) for c in shown.columns]
    return shown


def record_csv(meeting: Mapping[str, Any], decisions: pd.DataFrame, names: Mapping[str, str], lang: str) -> bytes:
    """The record as CSV: the meeting's id, title and date on every row, then the decisions (neutralised)."""
    frame = decisions_table(decisions, names, lang)
    key = "meeting.record.columns"
    frame.insert(0, t(f"{key}.held_on", lang), meeting["held_on"].isoformat())
    frame.insert(0, t(f"{key}.meeting_title", lang), meeting["title"])
    frame.insert(0, t(f"{key}.meeting_id", lang), meeting["meeting_id"])
    return csv_bytes(frame)


def _meeting_lines(meeting: Mapping[str, Any], lang: str) -> list[str]:
    lines = [
        t("meeting.record.held", lang, meeting=meeting["meeting_id"], date=format_date(meeting["held_on"], lang)),
        t("meeting.record.frozen", lang, date=format_date(meeting["as_of"], lang), who=meeting["created_by"],
          when=local_time(meeting["created_at"])),
    ]  # fmt: skip
    if meeting["status"] == "closed":
        lines.append(t("meeting.record.closed", lang, who=meeting["closed_by"], when=local_time(meeting["closed_at"])))
    else:
        lines.append(t("meeting.record.still_open", lang))
    return lines


def record_pdf(
    meeting: Mapping[str, Any],
    decisions: pd.DataFrame,
    summary: pd.DataFrame,
    names: Mapping[str, str],
    lang: str,
) -> bytes:
    """The record as a PDF: the meeting, the figures it saw (RAG counts per portfolio), then every decision."""
    as_at = t("meeting.record.as_at", lang, date=format_date(meeting["as_of"], lang))
    pdf = BoardPackPDF(f"{t('meeting.record.title', lang)}: {meeting['title']}", as_at, lang)
    pdf.set_title(f"{t('meeting.record.title', lang)}: {meeting['title']}")
    pdf.add_page()
    heading(pdf, f"{t('meeting.record.title', lang)}: {meeting['title']}")
    for line in _meeting_lines(meeting, lang):
        paragraph(pdf, line, size=10)
    heading(pdf, t("meeting.record.summary_title", lang), level=1)
    shown = summary_table(summary, lang)
    table(pdf, list(shown.columns), shown.astype(str).values.tolist(), list(SUMMARY_WIDTHS))
    heading(pdf, t("meeting.record.decisions_title", lang), level=1)
    if decisions.empty:
        paragraph(pdf, t("meeting.record.no_decisions", lang))
    else:
        frame = decisions_table(decisions, names, lang)
        rows = [["" if _blank(v) else str(v) for v in row] for row in frame.values.tolist()]
        table(pdf, list(frame.columns), rows, list(DECISION_WIDTHS))
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()
