"""Accessible tables: a frame shown as a grid with a caption that names it (the table alternative of every chart),
fitted to a 1366 × 768 window: a grid wider than the main column gets narrower columns and rows tall enough for its
text to wrap, rather than a sideways scroll."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

MAIN_WIDTH = 860  # px: the main column beside the sidebar at 1366 px, less the grid's borders and scroll bar
CHAR_WIDTH = 7.5  # px per character of the grid's 14 px font (an estimate: wide enough for digits and capitals)
CELL_PADDING = 18  # px either side of a cell's text
MIN_WIDTH = 64  # px: no column narrower than a short number or heading word
LINE_HEIGHT = 20  # px per wrapped line
WRAP_FROM = 65  # px: Streamlit's grid wraps text only in rows taller than 4rem (64 px)
MAX_LINES = 4
SAMPLE = 200  # rows read to estimate a column's width


def natural_widths(frame: pd.DataFrame) -> dict[str, int]:
    """The width each column needs on one line: its heading (headings do not wrap) or its longest sampled cell, in
    pixels."""
    widths = {}
    head = frame.head(SAMPLE)
    for column in frame.columns:
        cells = head[column].map(lambda v: "" if v is None or (not isinstance(v, list | tuple) and pd.isna(v)) else v)
        longest = max([len(str(c)) for c in cells] + [len(str(column))])
        widths[column] = max(MIN_WIDTH, math.ceil(longest * CHAR_WIDTH + CELL_PADDING))
    return widths


def fitted_widths(natural: Mapping[str, int], available: int = MAIN_WIDTH) -> dict[str, int]:
    """Column widths that add up to no more than `available`: columns that fit a fair share keep their width, the
    rest share what is left in proportion to their natural widths (never below MIN_WIDTH)."""
    widths = dict(natural)
    if sum(widths.values()) <= available:
        return widths
    wide = set(widths)
    budget = available
    while wide:
        share = budget / len(wide)
        narrow = {c for c in wide if natural[c] <= share}
        if not narrow:
            break
        budget -= sum(natural[c] for c in narrow)
        wide -= narrow
    # What is left is shared in proportion to what each column would need: a long text column gets the most room.
    need = sum(natural[c] for c in wide)
    for column in wide:
        widths[column] = max(MIN_WIDTH, int(budget * natural[column] / need))
    return widths


def row_height(natural: Mapping[str, int], widths: Mapping[str, int]) -> int | None:
    """A row height that lets the squeezed columns wrap (None when every column fits on one line)."""
    lines = max((math.ceil(natural[c] / widths[c]) for c in widths if widths[c] > 0), default=1)
    if lines <= 1:
        return None
    return max(WRAP_FROM, min(lines, MAX_LINES) * LINE_HEIGHT + 8)


def fit(frame: pd.DataFrame, column_config: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], int | None]:
    """Column configuration (the caller's, plus widths for the other columns) and row height that fit the grid in
    the main column without sideways scrolling."""
    config = dict(column_config or {})
    natural = natural_widths(frame)
    widths = fitted_widths(natural)
    if widths == natural:
        return config, None
    for column, width in widths.items():
        if column not in config:
            config[column] = st.column_config.Column(str(column), width=width)
    return config, row_height(natural, widths)


def table_alternative(
    frame: pd.DataFrame,
    caption: str,
    column_config: Mapping[str, Any] | None = None,
    key: str | None = None,
) -> None:
    """Show the frame without its index, captioned and fitted to the window; the caption is also the grid's
    accessible name."""
    st.caption(caption)
    config, height = fit(frame, column_config)
    st.dataframe(frame, hide_index=True, column_config=config or None, key=key, alt=caption or None, row_height=height)
