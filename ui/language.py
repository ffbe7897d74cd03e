"""The language switch (English / Cymraeg) shown in the sidebar of every page, and the session's language."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from auth.language import CHOSEN_KEY, LANG_KEY, language_was_chosen, session_language, use_language
from config.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, t

# The session's language state is auth/language.py's (the sign-in gate sets it); re-exported for the pages.
__all__ = ["LANG_KEY", "browser_language", "language_switch", "language_was_chosen", "session_language", "use_language"]


def browser_language() -> str:
    """Welsh when the browser asks for it (locale cy-*), otherwise English."""
    locale = getattr(st.context, "locale", None) or ""
    return "cy" if locale.lower().startswith("cy") else DEFAULT_LANGUAGE


def language_switch(on_change: Callable[[str], None] | None = None) -> str:
    """Draw the switch in the sidebar; `on_change(lang)` runs when the person picks a language."""
    if st.session_state.get(LANG_KEY) not in LANGUAGES:
        st.session_state[LANG_KEY] = browser_language()

    def changed() -> None:
        st.session_state[CHOSEN_KEY] = True
        if on_change is not None:
            on_change(st.session_state[LANG_KEY])

    return st.sidebar.radio(
        t("language.label"),
        LANGUAGES,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=LANG_KEY,
        horizontal=True,
        on_change=changed,
    )
