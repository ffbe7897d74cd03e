"""The as-of date as every page states it, with each source's latest load beside it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from config.i18n import format_date, t
from ui import results_cache


def source_name(table: str) -> str:
    """A contract table's name in words."""
    return t(f"data_management.tables.{table}")


def sources_table(loads: pd.DataFrame) -> pd.DataFrame:
    """Each source's latest load in words: the date its data runs to and the day it was loaded."""
    return pd.DataFrame(
        {
            t("read_pages.sources.source"): loads["table_name"].map(source_name),
            t("read_pages.sources.as_of"): [
                t("read_pages.sources.data_to", date=format_date(d)) for d in loads["as_of_date"]
            ],
            t("read_pages.sources.loaded"): [
                t("read_pages.sources.loaded_on", date=format_date(pd.Timestamp(d))) for d in loads["loaded_at"]
            ],
        }
    )


def sources_panel(db: str) -> None:
    """Beside the as-of date: which source was loaded when and how recent its data is, so a reader can tell a figure
    that has not moved from a source that has not been loaded. (Only our own words and dates: safe as Markdown.)"""
    loads = results_cache.source_loads(db)
    if loads.empty:
        return
    table = sources_table(loads)
    with st.expander(t("read_pages.sources.title")):
        # A short list rather than a grid: it sits beside the as-of date on every page.
        st.caption(t("read_pages.sources.caption"))
        st.markdown("\n".join(f"- {row.iloc[0]}: {row.iloc[1]} · {row.iloc[2]}" for _, row in table.iterrows()))
