"""The scorecard's "Commentary for the board pack" (data/commentary.py): leads of the portfolio write it in English
and Welsh, saved against the version they opened; everyone else who reads the scorecard sees it read-only, in their
language or, when only the other was written, in that one with a note saying so.

Like the action form, the form remembers the version it was opened at (session state). When someone else saved in
between, the save is refused and their text is shown beside the choice to keep yours (to save it over theirs) or not.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st

from auth.roles import Scope
from config.i18n import MISSING, current_language, format_date, format_number, t
from config.safe_text import plain
from data.commentary import BODY_MAX, LANGUAGES, can_edit_commentary, entity_id, in_language, read_commentary
from data.commentary import save_commentary as save
from rules.workflow import AccessDenied, StaleEdit, WorkflowError
from ui.accountability import error_text, flash, local_time, show_flash
from ui.db import get_engine

log = logging.getLogger(__name__)
BASE_KEY = "vsd_cm_base"
STALE_KEY = "vsd_cm_stale"


def _shown(text: str) -> str:
    """User text as written, line breaks kept, inside Markdown."""
    return plain(text).replace("\n", "  \n")


def _updated(row: Mapping[str, Any]) -> str:
    who, when = plain(row["updated_by"]), local_time(row["updated_at"])
    return t("commentary.updated", who=who, when=when, version=row["version"])


def _read_only(row: Mapping[str, Any] | None) -> None:
    text, written_in = in_language(row, current_language())
    if not text:
        st.caption(t("commentary.none"))
        return
    if written_in:
        st.caption(t(f"commentary.only_{written_in}"))
    st.markdown(_shown(text))
    st.caption(_updated(row))


def _base(row: Mapping[str, Any] | None, ident: str) -> dict[str, Any]:
    """The version (0: none yet) and texts the form was opened at; new ones for another portfolio or date."""
    base = st.session_state.get(BASE_KEY)
    if not base or base["id"] != ident:
        texts = {lang: (row or {}).get(f"body_{lang}") or "" for lang in LANGUAGES}
        base = {"id": ident, "version": row["version"] if row else 0, **texts}
        st.session_state[BASE_KEY] = base
    return base


def _stale_panel(ident: str) -> None:
    """After a refused save: who saved since and their text, and the two ways on."""
    stale = st.session_state.get(STALE_KEY)
    if not stale or stale["id"] != ident:
        return
    current = stale["current"]
    st.warning(t("commentary.stale", who=plain(current.get("updated_by")), when=local_time(current.get("updated_at"))))
    for lang in LANGUAGES:
        st.markdown(f"**{t(f'commentary.saved_{lang}')}**")
        st.markdown(_shown(current.get(f"body_{lang}") or MISSING))
    keep, drop = st.columns(2)
    if keep.button(t("commentary.stale_keep"), key="vsd_cm_stale_keep", type="primary"):
        st.session_state[BASE_KEY] = {"id": ident, "version": current.get("version", 0), **stale["mine"]}
        st.session_state.pop(STALE_KEY, None)
        st.rerun()
    if drop.button(t("commentary.stale_discard"), key="vsd_cm_stale_discard"):
        st.session_state.pop(BASE_KEY, None)
        st.session_state.pop(STALE_KEY, None)
        st.rerun()


def _form(scope: Scope, portfolio_id: str, as_of: dt.date, row: Mapping[str, Any] | None) -> None:
    ident = entity_id(portfolio_id, as_of)
    base = _base(row, ident)
    _stale_panel(ident)
    if row and base["version"] < row["version"] and not st.session_state.get(STALE_KEY):
        st.info(t("commentary.newer", who=plain(row["updated_by"]), when=local_time(row["updated_at"])))
        if st.button(t("commentary.load_latest"), key="vsd_cm_reload"):
            st.session_state.pop(BASE_KEY, None)
            st.rerun()
    elif row:
        st.caption(_updated(row))
    k = f"{portfolio_id}_{as_of.isoformat()}_{base['version']}"
    guidance = t("commentary.help", maximum=format_number(BODY_MAX))
    with st.form(f"vsd_cm_form_{k}"):
        mine = {
            lang: st.text_area(
                t(f"commentary.body_{lang}"),
                value=base[lang],
                max_chars=BODY_MAX,
                help=guidance,
                key=f"vsd_cm_{lang}_{k}",
            )
            for lang in LANGUAGES
        }
        submitted = st.form_submit_button(t("commentary.save"), type="primary", key="vsd_cm_save")
    if not submitted:
        return
    try:
        save(get_engine(), scope, portfolio_id, as_of, mine["en"], mine["cy"], base["version"])
    except StaleEdit as exc:
        st.session_state[STALE_KEY] = {"id": ident, "current": exc.current, "mine": mine}
        st.rerun()
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
        return
    except Exception:  # a fault must never show a trace
        log.exception("saving the commentary %s failed", ident)
        st.error(t("commentary.errors.failed"))
        return
    st.session_state.pop(BASE_KEY, None)
    st.session_state.pop(STALE_KEY, None)
    flash("success", t("commentary.saved"))
    st.rerun()


def commentary_section(scope: Scope, portfolio_id: str, as_of: dt.date) -> None:
    """The portfolio's board pack commentary on the data as of `as_of`: a form for its leads, read-only otherwise."""
    st.subheader(t("commentary.title"))
    st.caption(t("commentary.intro", date=format_date(as_of)))
    show_flash()
    row = read_commentary(get_engine(), scope, as_of, [portfolio_id]).get(portfolio_id)
    if can_edit_commentary(scope, portfolio_id):
        _form(scope, portfolio_id, as_of, row)
    else:
        _read_only(row)
