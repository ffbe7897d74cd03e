"""Downloads made when the user asks for them (issue #15, item 2).

A download button handed bytes puts them in Streamlit's media store as the page draws, where anyone holding the URL
can fetch them (no session, no cookie, no click). Every download here passes a callable instead (Streamlit 1.67's
deferred download): the browser asks for the file when the button is clicked, the callable makes the bytes then, and
only then do they reach the media store, for that session's click alone. The same callable writes the audit row
(who, what, which filters, how many rows) at that moment; when the audit row cannot be written, the download fails
rather than leave without a trace.

The callable runs on a worker thread outside the page's script run: it may use only what it was given (the engine,
the user's name, the frame already read with the user's scope), never st.session_state or the session's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

log = logging.getLogger(__name__)

Audit = Callable[[bytes], None]


def produce(make: Callable[[], bytes], audit: Audit | None = None, what: str = "") -> Callable[[], bytes]:
    """The callable a download button runs on click: make the bytes, audit the download, hand the bytes over."""

    def deferred() -> bytes:
        data = make()
        if audit is not None:
            try:
                audit(data)
            except Exception:
                log.exception("download %s refused: the audit row could not be written", what)
                raise
        return data

    return deferred


def download_button(
    label: str,
    make: Callable[[], bytes],
    *,
    file_name: str,
    mime: str,
    key: str,
    audit: Audit | None = None,
    container=None,
    **options,
) -> None:
    """A download button whose bytes are made (and audited) only when it is clicked; nothing is stored before."""
    (container or st).download_button(
        label,
        data=produce(make, audit, file_name),
        file_name=file_name,
        mime=mime,
        key=key,
        # The page runs again after the download: Streamlit's clean-up of files no session refers to runs at the end
        # of each run, so the generated file leaves the media store after the next runs rather than waiting.
        on_click="rerun",
        **options,
    )
