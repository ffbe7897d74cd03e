"""The session's interface language: set by the sign-in gate from the user's saved preference, changed by the switch.

The switch itself is drawn by ui/language.py; the state lives here so that the gate imports nothing from ui/.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from config.i18n import LANGUAGES, set_language_provider

LANG_KEY = "vsd_lang"
CHOSEN_KEY = "vsd_lang_chosen"


def session_language() -> str | None:
    """The language chosen in this session, or None outside a Streamlit run."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get(LANG_KEY)


# t() without an explicit language follows the session's choice from here on.
set_language_provider(session_language)


def use_language(lang: str, chosen: bool = False) -> None:
    """Set the session's language before the switch is drawn (e.g. from the user's saved preference)."""
    if lang in LANGUAGES:
        st.session_state[LANG_KEY] = lang
        if chosen:
            st.session_state[CHOSEN_KEY] = True


def language_was_chosen() -> bool:
    """True once the person has used the switch in this session."""
    return bool(st.session_state.get(CHOSEN_KEY))
