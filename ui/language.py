"""The language switch (English / Cymraeg) shown in the sidebar of every page, and the session's language."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from config.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, set_language_provider, t

LANG_KEY = "vsd_lang"
CHOSEN_KEY = "vsd_lang_chosen"


def session_language() -> str | None:
    """The language chosen in this session, or None outside a Streamlit run."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get(LANG_KEY)


# t() without an explicit language follows the session's choice from here on.
set_language_provider(session_language)


def browser_language() -> str:
    """Welsh when the browser asks for it (locale cy-*), otherwise English."""
    locale = getattr(st.context, "locale", None) or ""
    return "cy" if locale.lower().startswith("cy") else DEFAULT_LANGUAGE


def use_language(lang: str, chosen: bool = False) -> None:
    """Set the session's language before the switch is drawn (e.g. from the user's saved preference)."""
    if lang in LANGUAGES:
        st.session_state[LANG_KEY] = lang
        if chosen:
            st.session_state[CHOSEN_KEY] = True


def language_was_chosen() -> bool:
    """True once the person has used the switch in this session."""
    return bool(st.session_state.get(CHOSEN_KEY))


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
