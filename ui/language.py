"""The language switch (English / Cymraeg) shown in the sidebar of every page, and the session's language."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from auth.language import CHOSEN_KEY, LANG_KEY, language_was_chosen, session_language, use_language
from config.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, t

# The session's language state is auth/language.py's (the sign-in gate sets it); re-exported for the pages.
__all__ = ["LANG_KEY", "browser_language", "language_switch", "language_was_chosen", "session_language", "use_language"]


def browser_language() -> str:
    """Welsh when the browser asks for it (locale cy-*), otherwise English."""
    locale = getattr(st.context, "locale", None) or ""
    return "cy" if locale.lower().startswith("cy") else DEFAULT_LANGUAGE


# Widgets whose value travels to the browser as its label (select box, radio, multiselect, pills, select slider):
# Streamlit 1.67 re-sends such a value only when it was set in Python, so after a switch of language the browser
# would keep showing the old language's label until a reload.
LABELLED_VALUE_TYPES = frozenset({"string_value", "string_array_value"})


def labelled_widget_keys() -> list[str]:
    """The keys of the session's widgets whose value the browser holds as a label (see LABELLED_VALUE_TYPES).

    Reads Streamlit's widget registry (internal in 1.67: no public API says a key's widget type); if that changes,
    no key is found and the switch still works, with the old labels until a reload (README, accessibility notes).
    """
    try:
        state = get_session_state()._state
        metadata = state._new_widget_state.widget_metadata
        keys = state._key_id_mapper.id_key_mapping
    except AttributeError:
        return []
    return [
        key
        for widget_id, key in keys.items()
        if getattr(metadata.get(widget_id), "value_type", None) in LABELLED_VALUE_TYPES
    ]


def relabel_widgets() -> None:
    """Have every labelled widget send its value again, so the browser shows it in the new language at once.

    Setting a keyed widget's value from Python (to the same value) is what makes Streamlit send it to the browser
    with the labels of this run. A data editor's value (a dict) may not be set and is left alone.
    """
    for key in labelled_widget_keys():
        value = st.session_state.get(key)
        if value is not None and not isinstance(value, dict):
            st.session_state[key] = value


def language_switch(on_change: Callable[[str], None] | None = None) -> str:
    """Draw the switch in the sidebar; `on_change(lang)` runs when the person picks a language."""
    if st.session_state.get(LANG_KEY) not in LANGUAGES:
        st.session_state[LANG_KEY] = browser_language()

    def changed() -> None:
        st.session_state[CHOSEN_KEY] = True
        relabel_widgets()
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
