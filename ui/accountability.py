"""Shared pieces of the accountability pages: messages from the services, labels, dates and safe text."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pandas as pd
import streamlit as st

from config.i18n import MISSING, catalogue, current_language, format_date, t
from config.safe_text import plain
from data.audit import changes_text
from rules.workflow import parse_milestones
from ui.tables import table_alternative

log = logging.getLogger(__name__)

FLASH_KEY = "vsd_acc_flash"
LOCAL_TZ = "Europe/London"


def flash(level: str, text: str) -> None:
    """Leave a message for the next run (after st.rerun)."""
    st.session_state[FLASH_KEY] = (level, text)


def show_flash() -> None:
    """Show, once, the message left by the last change."""
    level, text = st.session_state.pop(FLASH_KEY, (None, None))
    if text:
        getattr(st, level)(text)


def error_text(exc: Exception) -> str:
    """A service error in the current language; parameters that are themselves message keys are translated too."""
    code = getattr(exc, "code", None)
    messages = catalogue(current_language())
    if code and code in messages:
        # A parameter is a message key (translated) or a value such as an id as typed: shown as text, never Markdown.
        params = {
            k: (t(v) if v in messages else plain(v)) if isinstance(v, str) else v
            for k, v in getattr(exc, "params", {}).items()
        }
        try:
            return t(code, **params)
        except (KeyError, IndexError):
            log.warning("message %s does not fit the parameters %s", code, params)
    log.error("no message for %r", exc)
    return t("actions.errors.fault")


def blank(value: Any) -> bool:
    """True for None, NaN and NaT."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_date(value: Any) -> dt.date | None:
    """A date from a date, timestamp or ISO text (None for blanks)."""
    if blank(value):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return pd.Timestamp(value).date()


def day(value: Any) -> str:
    """A date in the current language ('15 September 2026'), or a dash."""
    return format_date(as_date(value))


def local_time(moment: Any) -> str:
    """A stored naive-UTC time as local 'YYYY-MM-DD HH:MM'."""
    if blank(moment):
        return MISSING
    return pd.Timestamp(moment).tz_localize("UTC").tz_convert(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def status_label(section: str, status: Any) -> str:
    """A status in words ('On track'), for actions, inspection findings or feedback."""
    return MISSING if blank(status) else t(f"{section}.status.{status}")


def field_label(field: str) -> str:
    """The name of a field in the current language."""
    return t(f"actions.fields.{field}")


def value_text(field: str, value: Any, section: str = "actions") -> str:
    """A field's value in words, for timelines and what-changed tables."""
    if blank(value) or value == "" or value == []:
        return MISSING
    if field in ("due_date", "created_date", "completed_date", "closed_date", "published_date", "decision_date",
                 "implemented_date", "fed_back_date", "received_date"):  # fmt: skip
        return day(value)
    if field == "status":
        return status_label(section, value)
    if field == "milestones":
        items = parse_milestones(value) if isinstance(value, str) else list(value)
        done = sum(1 for m in items if m.get("done"))
        return t("actions.milestones_summary", count=len(items), done=done)
    return str(value)


def overdue_text(days: int, escalated: bool) -> str:
    """'46 days overdue – escalated', '12 days overdue' or '' (words, never colour alone)."""
    if days <= 0:
        return ""
    return t("actions.escalated_days" if escalated else "actions.overdue_days", days=int(days))


def changes_lines(changes: dict, section: str = "actions") -> str:
    """{field: [before, after]} as 'Due date: 15 September 2026 → 30 September 2026; …'."""
    parts = []
    for field, (before, after) in changes.items():
        if field == "evidence":
            parts.append(t("actions.evidence_added", file=after))
        else:
            parts.append(
                f"{field_label(field)}: {value_text(field, before, section)} → {value_text(field, after, section)}"
            )
    return "; ".join(parts)


def event_label(event: str) -> str:
    """An audit event in words when it has a name, else its code."""
    key = f"audit.events.{event.replace('.', '_')}"
    return t(key) if key in catalogue(current_language()) else event


def history_table(frame: pd.DataFrame, section: str, key: str, empty: str) -> None:
    """A record's audit rows as its history: when, who, what happened, what changed, the note."""
    if frame.empty:
        st.caption(empty)
        return
    changes, notes = [], []
    for event, before, after, detail in zip(
        frame["event"], frame["before_json"], frame["after_json"], frame["detail"], strict=True
    ):
        detail = detail if isinstance(detail, str) else ""
        if event == "evidence.attach":
            changes.append(t("actions.evidence_added", file=detail))
            notes.append("")
            continue
        changes.append(changes_lines(changes_text(before, after, skip=("version", "closed_date")), section))
        notes.append(detail)
    shown = pd.DataFrame(
        {
            t("actions.timeline_columns.at"): frame["at"].map(local_time),
            t("actions.timeline_columns.author"): frame["actor"],
            t("audit.columns.event"): frame["event"].map(event_label),
            t("actions.timeline_columns.changes"): changes,
            t("actions.timeline_columns.note"): notes,
        }
    )
    table_alternative(shown, t("actions.history_caption", count=len(shown)), key=key)


def pick_record(ids: list[str], param: str, key: str, selected_key: str, label: str) -> str | None:
    """Choose one record among ids; a link (?param=id) or a record just created selects it; kept in the URL.

    A linked id missing from the (filtered) list is still offered, on every run while it is the choice: the record's
    panel then says whether this user may read it, rather than a later run silently opening something else. So is
    the record being read when a filter leaves it out, until another is chosen.

    The box's default (`index`) is always the record chosen, not the list's first: a browser that has not yet drawn
    the box (a fresh session whose first runs are cut short by the sign-in cookie's rerun) draws it at its default and
    sends that back on its next run, which once replaced a linked action with the first of the list.
    """
    state = st.session_state
    just_made = state.pop(selected_key, None)
    wanted = just_made or (st.query_params.get(param) if key not in state else state.get(key))
    if wanted and wanted not in ids:  # kept on every run, not only the link's first (see above)
        ids = [wanted, *ids]
    if not ids:
        return None
    if just_made:
        # The browser still shows the previous choice: only a value set through the session state reaches it (the
        # default then has to stay at 0, or Streamlit warns that both were given).
        state[key] = just_made
        index = 0
    else:
        index = ids.index(wanted) if wanted else 0
    chosen = st.selectbox(label, ids, index=index, key=key)
    st.query_params[param] = chosen
    return chosen
