"""The Victims' Code misses as a case list: late and missed instances (pseudonymous references), for users allowed
to read the portfolio's case-level data, with a CSV download (formula-safe, made and audited only on click).
data.cases checks access."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import format_date, t
from config.safe_text import plain
from data.audit import record_export
from data.cases import AccessDenied, check_access, missed_and_late
from reports.safety import csv_bytes
from ui import results_cache
from ui.db import get_engine
from ui.downloads import download_button
from ui.filters import Period
from ui.tables import table_alternative
from ui.vcop import days_text

log = logging.getLogger(__name__)
CASES_PARAM = "cases"


@st.cache_data(ttl=results_cache.TTL, show_spinner=False, max_entries=64)
def case_list(
    db: str,
    scope: Scope,
    portfolio: str,
    codes: tuple[str, ...],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    cuts: tuple[tuple[str, str], ...],
    version: tuple = (),
) -> pd.DataFrame:
    """The late and missed instances (the user's scope is an argument: the cache must never serve another user), as
    loaded when the sources' fingerprint was `version`."""
    return missed_and_late(get_engine(), scope, portfolio, list(codes), start, end, as_of, dict(cuts))


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """The case list as people read it: dates written out, state and timescale in words, no internal codes."""
    return pd.DataFrame(
        {
            t("vcop.cases.columns.case_id"): frame["case_id"].astype(str),
            t("vcop.cases.columns.entitlement_id"): frame["entitlement_id"].astype(str),
            t("vcop.cases.columns.code"): frame["code"].astype(str),
            t("vcop.cases.columns.trigger_date"): [format_date(d, style="short") for d in frame["trigger_date"]],
            t("vcop.cases.columns.delivered_date"): [
                "" if pd.isna(d) else format_date(d, style="short") for d in frame["delivered_date"]
            ],
            t("vcop.cases.columns.state"): [t(f"vcop.states.{s}") for s in frame["state"]],
            t("vcop.cases.columns.elapsed"): frame["elapsed"].astype("Int64"),
            t("vcop.cases.columns.timescale"): [
                days_text(int(d), u) for d, u in zip(frame["timescale"], frame["day_unit"], strict=True)
            ],
            t("vcop.cases.columns.enhanced"): [
                t("vcop.enhanced.true") if e else t("vcop.enhanced.false") for e in frame["enhanced_rights"]
            ],
            t("vcop.cases.columns.unit"): frame["unit"].astype(str),
            t("vcop.cases.columns.area"): frame["area"].astype(str),
        }
    )


def _auditor(engine, username: str, portfolio: str, detail: dict, rows: int):
    """The audit of a case-list download (who, which portfolio, which filters, how many rows), written on click."""

    def audit(_data: bytes) -> None:
        record_export(engine, username, "vcop_cases", portfolio=portfolio, detail=detail, rows=rows)

    return audit


def case_section(
    scope: Scope, portfolio: str, codes: tuple[str, ...], period: Period, as_of: dt.date, cuts: dict[str, str]
) -> None:
    """The late and missed instances behind the measure, or why they cannot be shown to this user."""
    st.subheader(t("vcop.cases.title"))
    try:
        check_access(scope, portfolio, codes, results_cache.catalogue())
    except AccessDenied as refused:
        st.info(t(refused.code, **refused.params))
        st.query_params.pop(CASES_PARAM, None)
        return
    shown = st.toggle(t("vcop.cases.show"), value=st.query_params.get(CASES_PARAM) == "1", key="vcop_cases_toggle")
    if not shown:
        st.query_params.pop(CASES_PARAM, None)
        return
    st.query_params[CASES_PARAM] = "1"
    try:
        frame = case_list(
            results_cache.db_key(),
            scope,
            portfolio,
            codes,
            period.start,
            period.end,
            as_of,
            tuple(sorted(cuts.items())),
            results_cache.sources_version(results_cache.db_key()),
        )
    except AccessDenied as refused:
        st.info(t(refused.code, **refused.params))
        return
    except Exception:
        log.exception("case list failed: %s %s", portfolio, codes)
        st.error(t("errors.compute_failed"))
        return
    filters = ", ".join(f"{t(f'cuts.{c}')}: {plain(v)}" for c, v in cuts.items()) or t("filters.all")
    late, missed = int((frame["state"] == "late").sum()), int((frame["state"] == "missed").sum())
    st.caption(t("vcop.cases.summary", late=late, missed=missed, period=period.label(), filters=filters))
    if frame.empty:
        st.info(t("vcop.cases.none"))
        return
    table = display(frame)
    table_alternative(table, t("vcop.cases.caption"), key="vcop_cases_table")
    detail = {"codes": list(codes), "start": period.start, "end": period.end, "as_of": as_of, "cuts": cuts}
    download_button(
        t("vcop.cases.download"),
        lambda: csv_bytes(table),  # made on click, never stored before (ui/downloads.py)
        file_name=f"vcop_cases_{portfolio}_{'_'.join(codes)}_{period.start}_{period.end}.csv",
        mime="text/csv",
        key="vcop_cases_download",
        audit=_auditor(get_engine(), scope.username, portfolio, detail, len(table)),
    )
