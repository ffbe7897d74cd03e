"""Data management: upload extracts through the loader, see each file's outcome and report, freshness and history."""

import logging

import pandas as pd
import streamlit as st

from auth import gate
from config.i18n import format_date, format_number, t
from config.safe_text import plain
from data.history import STALE_AFTER_MONTHS, freshness, load_history
from data.ingest import LoadResult, errors_frame, latest_as_of
from reports.safety import csv_bytes
from ui.db import get_engine
from ui.downloads import download_button
from ui.tables import table_alternative
from ui.uploads import ACCEPTED_TYPES, MAX_UPLOAD_MB, process_uploads

log = logging.getLogger(__name__)

RESULTS_KEY = "vsd_dm_results"
LOCAL_TZ = "Europe/London"
MONTH_TEXT_TABLES = ("policeuk_street", "policeuk_outcomes")  # dated by month only


def table_label(name: str) -> str:
    """A source table's name in the current language."""
    return t(f"data_management.tables.{name}") if name else t("data_management.tables.unknown")


def local_times(values: pd.Series) -> pd.Series:
    """Stored naive-UTC times as local 'YYYY-MM-DD HH:MM' text; blanks show a dash."""
    stamps = pd.to_datetime(values, errors="coerce").dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ)
    return stamps.dt.strftime("%Y-%m-%d %H:%M").fillna("–")


def dates(values: pd.Series, style: str = "long") -> pd.Series:
    """Dates in the current language."""
    return values.map(lambda value: format_date(value if pd.notna(value) else None, style=style))


def report_frame(result: LoadResult) -> pd.DataFrame:
    """A rejected file's validation report with translated headings."""
    frame = errors_frame([result]).drop(columns="table")
    return frame.rename(columns={c: t(f"data_management.report.{c}") for c in frame.columns})


def show_results(results: list[LoadResult]) -> None:
    """Each file of the last upload: loaded or rejected, counts, SHA-256; a rejected file's report and download."""
    st.subheader(t("data_management.results_title"))
    summary = pd.DataFrame(
        {
            t("data_management.columns.file"): [r.file_name for r in results],
            t("data_management.columns.table"): [table_label(r.table) for r in results],
            t("data_management.columns.outcome"): [t(f"data_management.outcomes.{r.outcome}") for r in results],
            t("data_management.columns.inserted"): [r.rows_inserted for r in results],
            t("data_management.columns.updated"): [r.rows_updated for r in results],
            t("data_management.columns.errors"): [r.error_count for r in results],
            t("data_management.columns.sha256"): [r.sha256 for r in results],
        }
    )
    table_alternative(summary, t("data_management.results_caption", count=len(results)))
    for index, result in enumerate(results):
        params = {"file": plain(result.file_name), "table": table_label(result.table)}
        if result.ok:
            st.success(
                t(
                    "data_management.loaded",
                    inserted=format_number(result.rows_inserted),
                    updated=format_number(result.rows_updated),
                    **params,
                )
            )
            continue
        if result.outcome == "failed":
            st.error(t("data_management.failed", **params))
            continue
        st.error(t("data_management.rejected", count=format_number(result.error_count), **params))
        if result.error_count > len(result.errors):
            st.caption(t("data_management.report_truncated", shown=len(result.errors), count=result.error_count))
        report = report_frame(result)
        table_alternative(report, t("data_management.report_caption", file=plain(result.file_name)))
        download_button(
            t("data_management.download_report"),
            lambda report=report: csv_bytes(report),  # the rejected rows' values: made only on click
            file_name=f"validation-report-{index + 1}-{result.sha256[:12] or 'file'}.csv",
            mime="text/csv",
            key=f"vsd_dm_report_{index}",
            icon=":material/download:",
        )


def upload_form(engine, username: str) -> None:
    """The upload form; a submit loads every chosen file and keeps the results for the following runs."""
    with st.form("vsd_dm_upload", clear_on_submit=True):
        files = st.file_uploader(
            t("data_management.files"),
            type=list(ACCEPTED_TYPES),
            accept_multiple_files=True,
            key="vsd_dm_files",
            help=t("data_management.files_help"),
            max_upload_size=MAX_UPLOAD_MB,
        )
        override = st.date_input(
            t("data_management.as_of_override"),
            value=None,
            key="vsd_dm_as_of",
            format="DD/MM/YYYY",
            help=t("data_management.as_of_help"),
        )
        submitted = st.form_submit_button(t("data_management.load"), key="vsd_dm_submit", type="primary")
    if not submitted:
        return
    if not files:
        st.warning(t("data_management.no_files"))
        return
    with st.spinner(t("data_management.loading")):
        results = process_uploads(engine, [(f.name, f.getvalue()) for f in files], override, username)
    st.session_state[RESULTS_KEY] = results
    if any(r.ok for r in results):
        st.cache_data.clear()  # every page's cached queries predate the new rows


def show_freshness(engine, as_of) -> None:
    """Per source: latest load, its as-of date, latest data, rows and a flag when it lags the as-of date."""
    st.subheader(t("data_management.freshness_title"))
    frame = freshness(engine, as_of)
    stale = frame[frame["status"] == "stale"]
    if len(stale):
        names = ", ".join(table_label(name) for name in stale["table_name"])
        st.warning(t("data_management.stale_warning", sources=names, months=STALE_AFTER_MONTHS))
    latest = [
        format_date(day, style="month" if name in MONTH_TEXT_TABLES else "long") if day is not None else "–"
        for name, day in zip(frame["table_name"], frame["latest_period"], strict=True)
    ]
    status = [
        t(f"data_management.status.{s}", months=behind if pd.notna(behind) else "–")
        for s, behind in zip(frame["status"], frame["months_behind"], strict=True)
    ]
    shown = pd.DataFrame(
        {
            t("data_management.columns.table"): frame["table_name"].map(table_label),
            t("data_management.columns.latest_load"): local_times(frame["latest_load_at"]),
            t("data_management.columns.as_of"): dates(frame["load_as_of"]),
            t("data_management.columns.latest_data"): latest,
            t("data_management.columns.rows"): frame["rows"].map(format_number),
            t("data_management.columns.status"): status,
        }
    )
    table_alternative(shown, t("data_management.freshness_caption", months=STALE_AFTER_MONTHS))


def show_history(engine) -> None:
    """Every load, newest first."""
    st.subheader(t("data_management.history_title"))
    frame = load_history(engine)
    if frame.empty:
        st.info(t("data_management.no_history"))
        return
    shown = pd.DataFrame(
        {
            t("data_management.columns.when"): local_times(frame["loaded_at"]),
            t("data_management.columns.who"): frame["loaded_by"],
            t("data_management.columns.table"): frame["table_name"].map(table_label),
            t("data_management.columns.file"): frame["file_name"],
            t("data_management.columns.sha256"): frame["sha256"],
            t("data_management.columns.inserted"): frame["rows_inserted"],
            t("data_management.columns.updated"): frame["rows_updated"],
            t("data_management.columns.errors"): frame["error_count"],
            t("data_management.columns.outcome"): frame["outcome"].map(lambda o: t(f"data_management.outcomes.{o}")),
            t("data_management.columns.as_of"): dates(frame["as_of_date"]),
        }
    )
    table_alternative(shown, t("data_management.history_caption", count=format_number(len(frame))))


scope = gate.require_page("data_management")
engine = get_engine()
st.title(t("pages.data_management"))
st.caption(t("data_management.intro"))

as_of_box = st.empty()  # filled after the upload form, so a load just made shows its as-of date

st.subheader(t("data_management.upload_title"))
upload_form(engine, scope.username)
if st.session_state.get(RESULTS_KEY):
    show_results(st.session_state[RESULTS_KEY])

try:
    as_of = latest_as_of(engine)
    if as_of is None:
        as_of_box.info(t("data_management.no_as_of"))
    else:
        as_of_box.info(t("data_management.as_of", date=format_date(as_of)))
    show_freshness(engine, as_of)
    show_history(engine)
except Exception:
    log.exception("could not read the load history")
    st.error(t("data_management.read_failed"))
