"""Exports: an evidence pack (inspectors, leads) or a board pack (board members, leads) for a period, built on click in
the user's scope and audited with its SHA-256 by reports.exporting (the same service as `cli.py export`)."""

import datetime as dt
import logging

import streamlit as st

from auth import gate
from config.i18n import LANGUAGE_NAMES, LANGUAGES, current_language, format_date, t
from config.safe_text import plain
from data.audit import record_export
from metrics.scorecard import window
from reports.exporting import ExportRefused, ExportRequest, allowed_kinds, export_pack, exportable_portfolios
from ui import results_cache
from ui.as_of import sources_panel
from ui.db import get_engine
from ui.downloads import download_button
from ui.filters import rolling_12

log = logging.getLogger(__name__)

RESULT_KEY = "vsd_export_result"
ALL = ""  # the portfolio choice meaning "every portfolio I may export"

scope = gate.require_page("exports")
st.title(t("pages.exports"))
st.caption(t("exports.intro"))
kinds = allowed_kinds(scope)
as_of = results_cache.as_of_date(results_cache.db_key())
if as_of is None:
    st.info(t("exports.no_data"))
    st.stop()
catalogue = results_cache.catalogue()
lang_now = current_language()
portfolios = exportable_portfolios(scope)
default = rolling_12(as_of)


def portfolio_label(portfolio_id: str) -> str:
    """A portfolio's name, or what "all" means for this user."""
    if portfolio_id == ALL:
        return t("exports.all_portfolios") if scope.all_portfolios else t("exports.all_mine")
    return catalogue.portfolio_name(portfolio_id, lang_now)


def cached_prepared(first_day: dt.date):
    """The app's prepared frames of the scorecard window (shared with the Scorecard) when they cover the export's
    period, else None (the export then fetches its own)."""
    start, end = window(as_of)
    if first_day < start.date():
        return None
    try:
        return results_cache.prepared_frames(results_cache.db_key(), as_of, start.date(), end.date(), None)
    except Exception:  # the export fetches its own frames instead
        log.exception("cached prepared frames unavailable for an export")
        return None


with st.form("vsd_export_form"):
    kind = st.radio(
        t("exports.kind"), kinds, format_func=lambda k: t(f"exports.kinds.{k}"), key="vsd_export_kind",
        horizontal=True, captions=[t(f"exports.kind_help.{k}") for k in kinds],
    )  # fmt: skip
    first, second = st.columns(2)
    start = first.date_input(
        t("exports.from"), value=default.start, max_value=as_of, format="DD/MM/YYYY", key="vsd_export_from"
    )
    end = second.date_input(
        t("exports.to"), value=default.end, max_value=as_of, format="DD/MM/YYYY", key="vsd_export_to"
    )
    choices = [ALL, *portfolios] if len(portfolios) > 1 else portfolios
    portfolio = st.selectbox(t("exports.portfolio"), choices, format_func=portfolio_label, key="vsd_export_portfolio")
    lang = st.radio(
        t("exports.language"), LANGUAGES, index=LANGUAGES.index(lang_now), format_func=LANGUAGE_NAMES.get,
        key="vsd_export_lang", horizontal=True,
    )  # fmt: skip
    publication = st.checkbox(t("exports.publication"), help=t("exports.publication_help"), key="vsd_export_pub")
    submitted = st.form_submit_button(t("exports.build"), key="vsd_export_build", icon=":material/build:")
st.caption(t("exports.as_of", date=format_date(as_of)))
sources_panel(results_cache.db_key())

if submitted:
    st.session_state.pop(RESULT_KEY, None)
    request = ExportRequest(
        kind=kind, start=start, end=end, portfolio=portfolio or None, lang=lang, publication=publication, as_of=as_of
    )
    bar = st.progress(0.0, text=t("exports.progress.start"))
    try:
        result = export_pack(
            get_engine(), request, actor=scope.username, scope=scope, prepared=cached_prepared(start),
            progress=lambda step, fraction: bar.progress(min(fraction, 1.0), text=t(f"exports.progress.{step}")),
        )  # fmt: skip
    except ExportRefused as refused:
        bar.empty()
        st.error(t(f"exports.refused.{refused.code}"))
    except Exception:  # a fault building the pack must never show a trace
        log.exception("export failed: %s %s", scope.username, request)
        bar.empty()
        st.error(t("exports.failed"))
    else:
        bar.empty()
        st.session_state[RESULT_KEY] = result

result = st.session_state.get(RESULT_KEY)
if result is not None:
    detail = result.detail
    st.success(
        t(
            f"exports.ready.{detail['kind']}",
            start=format_date(dt.date.fromisoformat(detail["from"])),
            end=format_date(dt.date.fromisoformat(detail["to"])),
        )
    )
    downloaded = {"kind": detail["kind"], "file": result.file_name, "sha256": result.sha256}
    scoped = detail.get("portfolios") or []
    filed_under = detail.get("portfolio") or (scoped[0] if len(scoped) == 1 else None)  # as the build's audit row
    engine = get_engine()

    def audit(_data: bytes, actor: str = scope.username, portfolio: str | None = filed_under) -> None:
        """Building the pack is audited with its SHA-256 (reports.exporting); so is each download of it."""
        record_export(engine, actor, "download", portfolio=portfolio, detail=downloaded)

    download_button(
        t("exports.download", name=plain(result.file_name)), lambda data=result.data: data,  # stored only on click
        file_name=result.file_name, mime=result.mime, key="vsd_export_download", audit=audit,
        icon=":material/download:", type="primary",
    )  # fmt: skip
    st.caption(t("exports.sha256", sha=result.sha256))
    if detail.get("manifest_sha256"):
        st.caption(t("exports.manifest_sha256", sha=detail["manifest_sha256"]))
    st.caption(t("exports.verify"))
