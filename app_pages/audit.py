"""Audit trail: inspectors and administrators read and filter who changed what, when, with before and after values.

The trail is append-only (nothing in the app or CLI edits or deletes it; PostgreSQL refuses it by trigger). The
filtered rows download as CSV through reports.safety (spreadsheet formulas neutralised), and the download is audited.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from auth import gate
from config.i18n import format_number, t
from data.audit import audit_choices, audit_frame, changes_text, export_frame, local_today, record_export
from reports.safety import csv_bytes
from ui.accountability import event_label, local_time, show_flash
from ui.actions import portfolio_names
from ui.db import get_engine
from ui.downloads import download_button
from ui.tables import table_alternative

SHOWN = 2_000  # rows drawn on the page; the download holds every row the filters select
ENTITY_TYPES = ("action", "finding", "feedback", "report", "user", "export", "target", "meeting", "commentary")

scope = gate.require_page("audit")
engine = get_engine()
today = local_today()
st.title(t("pages.audit"))
st.caption(t("audit.intro"))
show_flash()


def download_auditor(actor: str, filters: dict, rows: int):
    """The audit of a download of the filtered trail, written when the file is made (on click)."""
    portfolio = filters["portfolios"][0] if len(filters.get("portfolios") or []) == 1 else None

    def audit(_data: bytes) -> None:
        record_export(engine, actor, "audit_log", portfolio=portfolio, detail=filters, rows=rows)

    return audit


def changes_summary(before: str | None, after: str | None) -> str:
    """The fields that differ between the before and after values, as 'field: old → new; …'."""
    return "; ".join(f"{field}: {old} → {new}" for field, (old, new) in changes_text(before, after).items())


choices = audit_choices(engine, scope)
names = portfolio_names(choices["portfolio"])
with st.form("vsd_audit_filters"):
    first, second, third = st.columns(3)
    period = first.date_input(
        t("audit.filters.period"), value=(today - dt.timedelta(days=90), today), max_value=today,
        format="DD/MM/YYYY", key="vsd_audit_period",
    )  # fmt: skip
    actor = second.selectbox(
        t("audit.filters.actor"), ["", *choices["actor"]], key="vsd_audit_actor",
        format_func=lambda a: a or t("filters.all"),
    )  # fmt: skip
    events = third.multiselect(
        t("audit.filters.events"), choices["event"], format_func=event_label, key="vsd_audit_events"
    )
    fourth, fifth, sixth = st.columns(3)
    entity_type = fourth.selectbox(
        t("audit.filters.entity_type"), ["", *choices["entity_type"]], key="vsd_audit_entity_type",
        format_func=lambda e: t(f"audit.entity_types.{e}") if e in ENTITY_TYPES else (e or t("filters.all")),
    )  # fmt: skip
    entity_id = fifth.text_input(t("audit.filters.entity_id"), key="vsd_audit_entity_id")
    portfolio = sixth.selectbox(
        t("filters.portfolio"), ["", *choices["portfolio"]], key="vsd_audit_portfolio",
        format_func=lambda p: names.get(p, p) if p else t("filters.all"),
    )  # fmt: skip
    st.form_submit_button(t("audit.filters.apply"), key="vsd_audit_apply")

start, end = period if isinstance(period, tuple) and len(period) == 2 else (period, period)
filters = {
    "start": start, "end": end, "actor": actor or None, "events": events, "entity_type": entity_type or None,
    "entity_id": entity_id or None, "portfolios": [portfolio] if portfolio else [],
}  # fmt: skip
frame = audit_frame(engine, scope, **filters)
shown = frame.head(SHOWN)
table = pd.DataFrame(
    {
        t("audit.columns.at"): shown["at"].map(local_time),
        t("audit.columns.actor"): shown["actor"],
        t("audit.columns.event"): shown["event"].map(event_label),
        t("audit.columns.entity_type"): shown["entity_type"].fillna(""),
        t("audit.columns.entity_id"): shown["entity_id"].fillna(""),
        t("audit.columns.portfolio"): shown["portfolio"].map(lambda p: "" if pd.isna(p) else names.get(p, p)),
        t("audit.columns.changes"): [
            changes_summary(b, a) for b, a in zip(shown["before_json"], shown["after_json"], strict=True)
        ],  # fmt: skip
        t("audit.columns.detail"): shown["detail"].fillna(""),
    }
)
table_alternative(table, t("audit.caption", count=format_number(len(frame))), key="vsd_audit_table")
if len(frame) > SHOWN:
    st.caption(t("audit.truncated", shown=format_number(SHOWN), count=format_number(len(frame))))

export = export_frame(frame)
described = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items() if v}
download_button(
    t("audit.download"), lambda: csv_bytes(export), file_name=f"audit-trail-{start.isoformat()}-{end.isoformat()}.csv",
    mime="text/csv", key="vsd_audit_download", audit=download_auditor(scope.username, described, len(frame)),
    icon=":material/download:", disabled=frame.empty,
)  # fmt: skip
