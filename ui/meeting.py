"""Meeting mode's frame: start or choose a meeting, and the agenda with next/previous buttons (keyboard N and P).

The meeting and the agenda item are in the URL (?meeting=MT-001&item=3), so a second board member following the
link, or choosing the meeting from the list, sees the same screen with the same frozen numbers.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import format_date, t
from config.safe_text import plain
from data import meetings
from data.audit import local_today
from data.meetings import OPEN, Snapshot
from rules.workflow import AccessDenied, NotFound, WorkflowError
from ui import results_cache
from ui.accountability import error_text, flash, local_time
from ui.actions import portfolio_names
from ui.as_of import sources_panel
from ui.db import get_engine
from ui.meeting_screens import overview_screen, portfolio_screen, record_screen
from ui.tables import table_alternative

log = logging.getLogger(__name__)

ITEM_KEY = "vsd_meeting_item"
SHOWN_KEY = "vsd_meeting_shown"
PICK_KEY = "vsd_meeting_pick"
# Streamlit reserves C and R; plain letters do not fire while the cursor is in a text box, so typing a decision
# never moves the agenda. N (next, and "nesaf" in Welsh) and P (previous).
NEXT_SHORTCUT, PREVIOUS_SHORTCUT = "N", "P"


@st.cache_data(show_spinner=False, max_entries=32)
def frozen(db: str, scope: Scope, meeting_id: str) -> Snapshot:
    """A meeting's snapshot, read once per user and meeting: it never changes (migration 0003 refuses any change)."""
    return meetings.meeting_snapshot(get_engine(), scope, meeting_id)


# ---------------------------------------------------------------- choosing or starting a meeting


def start_form(scope: Scope) -> None:
    """Open a new meeting: the scorecards as they stand now are frozen into it."""
    db = results_cache.db_key()
    as_of = results_cache.as_of_date(db)
    st.header(t("meeting.start_title"))  # h2 under the page title (axe heading-order)
    if as_of is None:
        st.info(t("meeting.no_data"))
        return
    st.caption(t("meeting.start_intro", date=format_date(as_of)))
    sources_panel(db)
    with st.form("vsd_meeting_start"):
        title = st.text_input(t("meeting.fields.title"), value=t("meeting.default_title"), max_chars=200,
                              key="vsd_meeting_title")  # fmt: skip
        held_on = st.date_input(t("meeting.fields.held_on"), value=local_today(), min_value=local_today(),
                                format="DD/MM/YYYY", key="vsd_meeting_held_on")  # fmt: skip
        submitted = st.form_submit_button(t("meeting.start"), key="vsd_meeting_start_submit", type="primary")
    if not submitted:
        return
    catalogue = results_cache.catalogue()
    agenda = [(p.id, p.name) for p in catalogue.portfolios]
    try:
        cards = results_cache.all_scorecards(db, as_of)
        meeting = meetings.open_meeting(
            get_engine(), scope, title=title, held_on=held_on, as_of=as_of, scorecards=cards, agenda=agenda
        )
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
        return
    except Exception:  # a fault computing the scorecards must not show a trace
        log.exception("opening a meeting failed")
        st.error(t("errors.compute_failed"))
        return
    flash("success", t("meeting.started", meeting=meeting["meeting_id"]))
    go_to(meeting["meeting_id"])


def go_to(meeting_id: str | None, item: int = 0) -> None:
    """Show a meeting at an agenda item (or the list of meetings when None) and run the page again."""
    st.query_params.clear()
    st.session_state.pop(ITEM_KEY, None)
    st.session_state.pop(SHOWN_KEY, None)
    if meeting_id:
        st.query_params.update({"meeting": meeting_id, "item": str(item)})
    st.rerun()


def meetings_list(scope: Scope) -> None:
    """Earlier and open meetings, and a way to open one."""
    frame = meetings.list_meetings(get_engine(), scope)
    st.header(t("meeting.list_title"))
    if frame.empty:
        st.caption(t("meeting.list_none"))
        return
    shown = pd.DataFrame(
        {
            t("meeting.columns.meeting_id"): frame["meeting_id"],
            t("meeting.columns.title"): frame["title"],
            t("meeting.columns.held_on"): frame["held_on"].map(format_date),
            t("meeting.columns.as_of"): frame["as_of"].map(format_date),
            t("meeting.columns.created_by"): frame["created_by"],
            t("meeting.columns.status"): frame["status"].map(lambda s: t(f"meeting.status.{s}")),
        }
    )
    table_alternative(shown, t("meeting.list_caption", count=len(frame)), key="vsd_meeting_list")
    titles = dict(zip(frame["meeting_id"], frame["title"], strict=True))
    chosen = st.selectbox(t("meeting.choose"), list(titles), format_func=lambda m: f"{m}: {titles[m]}", key=PICK_KEY)
    if st.button(t("meeting.open"), key="vsd_meeting_open", icon=":material/login:"):
        go_to(chosen)


def lobby(scope: Scope) -> None:
    """No meeting chosen: start one, or open one from the list."""
    st.caption(t("meeting.intro"))
    start_form(scope)
    meetings_list(scope)


# ---------------------------------------------------------------- the agenda


def agenda_labels(snapshot: Snapshot, names: dict[str, str]) -> list[str]:
    """Overview, one item per portfolio in the frozen agenda order, then the record of decisions."""
    portfolios = [names.get(pid, name) for pid, name in snapshot.agenda]
    return [t("meeting.overview_title"), *portfolios, t("meeting.record_title")]


def _step(step: int, count: int) -> None:
    """Move along the agenda (the buttons' callback: runs before the page, so the screen changes in one run)."""
    st.session_state[ITEM_KEY] = min(max(int(st.session_state.get(ITEM_KEY, 0)) + step, 0), count - 1)


def agenda_nav(meeting_id: str, labels: list[str]) -> int:
    """Previous and next (also keys P and N) and a jump to any item; returns the index shown (kept in the URL)."""
    count = len(labels)
    if st.session_state.get(SHOWN_KEY) != meeting_id or ITEM_KEY not in st.session_state:
        wanted = st.query_params.get("item", "0")
        st.session_state[ITEM_KEY] = min(max(int(wanted), 0), count - 1) if wanted.isdigit() else 0
        st.session_state[SHOWN_KEY] = meeting_id
    index = int(st.session_state[ITEM_KEY])
    back, jump, forward = st.columns([1, 3, 1], vertical_alignment="bottom")
    back.button(
        t("meeting.previous"), key="vsd_meeting_previous", on_click=_step, args=(-1, count), disabled=index == 0,
        shortcut=PREVIOUS_SHORTCUT, icon=":material/arrow_back:", help=t("meeting.keyboard_help"),
    )  # fmt: skip
    jump.selectbox(
        t("meeting.agenda_item"), range(count), key=ITEM_KEY,
        format_func=lambda i: t("meeting.item_of", n=i + 1, total=count, name=labels[i]),
    )  # fmt: skip
    forward.button(
        t("meeting.next"), key="vsd_meeting_next", on_click=_step, args=(1, count), disabled=index == count - 1,
        shortcut=NEXT_SHORTCUT, icon=":material/arrow_forward:", help=t("meeting.keyboard_help"), type="primary",
    )  # fmt: skip
    index = int(st.session_state[ITEM_KEY])
    st.query_params["item"] = str(index)
    return index


def meeting_header(meeting: dict, as_of_now) -> None:
    """The meeting's title, date, the date its figures are frozen at, and whether it is open."""
    st.header(plain(meeting["title"]))
    st.caption(
        t("meeting.header", meeting=meeting["meeting_id"], date=format_date(meeting["held_on"]),
          as_of=format_date(meeting["as_of"]), who=meeting["created_by"], when=local_time(meeting["created_at"]))
    )  # fmt: skip
    if meeting["status"] != OPEN:
        st.info(t("meeting.closed_note", who=plain(meeting["closed_by"]), when=local_time(meeting["closed_at"])))
    if as_of_now is not None and as_of_now != meeting["as_of"]:
        st.caption(t("meeting.newer_data", date=format_date(as_of_now)))


def meeting_view(scope: Scope, meeting_id: str) -> None:
    """One meeting: header, agenda navigation and the current screen."""
    engine = get_engine()
    try:
        meeting = meetings.get_meeting(engine, scope, meeting_id)
        snapshot = frozen(results_cache.db_key(), scope, meeting["meeting_id"])
    except NotFound:
        st.info(t("actions.errors.not_found", entity_id=plain(meeting_id)))  # the id as typed, never as Markdown
        if st.button(t("meeting.back"), key="vsd_meeting_back_missing"):
            go_to(None)
        return
    except AccessDenied as exc:
        st.info(error_text(exc))
        if st.button(t("meeting.back"), key="vsd_meeting_back_missing"):
            go_to(None)
        return
    names = {**{pid: name for pid, name in snapshot.agenda}, **portfolio_names([pid for pid, _ in snapshot.agenda])}
    meeting_header(meeting, results_cache.as_of_date(results_cache.db_key()))
    labels = agenda_labels(snapshot, names)
    index = agenda_nav(meeting["meeting_id"], labels)
    st.divider()
    if index == 0:
        overview_screen(scope, meeting, snapshot, names)
    elif index == len(labels) - 1:
        record_screen(scope, meeting, snapshot, names)
    else:
        pid, _ = snapshot.agenda[index - 1]
        portfolio_screen(scope, meeting, snapshot, pid, names)
    st.divider()
    if st.button(t("meeting.back"), key="vsd_meeting_back", icon=":material/list:"):
        go_to(None)
