"""The app's database engine: one per process and URL (st.cache_resource), migrated once when first made.

It lives beside the sign-in gate, the first code of every run to need it, so that auth/ imports nothing from ui/;
ui/db.py re-exports it for the pages and their pieces.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data.engine import database_url, make_engine
from data.migrate import upgrade


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    """Make and migrate the engine for a URL (cached: keyed by the URL, shared by every session)."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def get_engine() -> Engine:
    """The engine of the configured database (DATABASE_URL, or the embedded SQLite file)."""
    return _engine_for(database_url())
