"""The page's `<html lang>`, set to the session's language by the app's one audited component (SECURITY.md threat 6).

Streamlit 1.67 serves one fixed index.html with `lang="en"` and has no setting or API for the document language, so
screen readers would read Welsh with English rules. A static component in this repository (ui/page_language_static:
one HTML file and a dozen lines of script, no library) runs in a same-origin frame of no height and sets
`document.documentElement.lang` of the app's page from its one argument; it sends nothing back, so it never reruns
the script, and it carries no user data, only "en" or "cy".
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v1 import declare_component

from config.i18n import DEFAULT_LANGUAGE, LANGUAGES

STATIC = Path(__file__).resolve().parent / "page_language_static"
KEY = "vsd_page_language"
_component = declare_component("page_language", path=str(STATIC))  # the audited component (tests/test_security.py)


def page_language(lang: str) -> None:
    """Have the browser mark the page as written in `lang` (one of the app's languages; anything else is English)."""
    chosen = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    with st.sidebar:
        # height 0 from the first frame (no skeleton); tab_index -1 keeps the empty frame out of the keyboard order.
        _component(lang=chosen, height=0, key=KEY, tab_index=-1, default=None)
