"""The bilingual "you said, we did" summary for participants: Welsh then English, no personal data, as Markdown."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from config.i18n import format_date, t
from config.safe_text import plain

# Welsh first: the Welsh Language Standards ask that Welsh is not treated less favourably than English.
ORDER = ("cy", "en")


def _escape(text: str) -> str:
    """Participant text shown as written on one line, never as Markdown (config.safe_text.plain)."""
    return plain(" ".join(str(text).split()))


def _value(row: pd.Series, column: str) -> str | None:
    value = row.get(column)
    return None if value is None or (isinstance(value, float) and value != value) or value == "" else str(value)


def _in_language(row: pd.Series, column: str, lang: str) -> str | None:
    """The Welsh version where there is one (else the English text, marked as such), or the English text."""
    english = _value(row, column)
    if lang == "cy":
        welsh = _value(row, f"{column}_cy")
        if welsh:
            return _escape(welsh)
        if english:
            return f"{_escape(english)} {t('survivor_voice.summary.english_only', 'cy')}"
        return None
    return _escape(english) if english else None


def _outcome(row: pd.Series, lang: str) -> str:
    status = row["status"]
    if status == "implemented" and row.get("implemented_date") is not None:
        return t("survivor_voice.summary.outcome_implemented", lang, date=format_date(row["implemented_date"], lang))
    return t(f"survivor_voice.summary.outcome_{status}", lang)


def summary_markdown(items: pd.DataFrame, start: dt.date, end: dt.date) -> str:
    """The participants' summary of the decided items (see data.feedback.participant_items), in Welsh and English."""
    counts = items["status"].value_counts() if len(items) else pd.Series(dtype="int64")
    sections = []
    for lang in ORDER:
        lines = [f"# {t('survivor_voice.summary.title', lang)}", ""]
        lines.append(
            t("survivor_voice.summary.intro", lang, start=format_date(start, lang), end=format_date(end, lang))
        )
        lines.append("")
        if not len(items):
            lines.append(t("survivor_voice.summary.none", lang))
        else:
            lines.append(
                t(
                    "survivor_voice.summary.counts",
                    lang,
                    total=len(items),
                    implemented=int(counts.get("implemented", 0)),
                    accepted=int(counts.get("accepted", 0)),
                    not_accepted=int(counts.get("not_accepted", 0)),
                )
            )
            lines.append("")
            for number, (_, row) in enumerate(items.iterrows(), start=1):
                said = _in_language(row, "summary", lang) or "–"
                did = _in_language(row, "we_did", lang) or t("survivor_voice.summary.no_response_yet", lang)
                lines.append(f"{number}. **{t('survivor_voice.summary.you_said', lang)}** {said}")
                lines.append(f"   **{t('survivor_voice.summary.we_did', lang)}** {did}")
                lines.append(f"   *{_outcome(row, lang)}*")
                lines.append("")
        lines.append(t("survivor_voice.summary.privacy", lang))
        sections.append("\n".join(lines).rstrip() + "\n")
    return "\n---\n\n".join(sections)
