"""Accessible tables: a frame shown as a grid with a caption that names it (the table alternative of every chart)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st


def table_alternative(
    frame: pd.DataFrame,
    caption: str,
    column_config: Mapping[str, Any] | None = None,
    key: str | None = None,
) -> None:
    """Show the frame without its index, captioned; the caption is also the grid's accessible name."""
    st.caption(caption)
    st.dataframe(frame, hide_index=True, column_config=column_config, key=key, alt=caption or None)
