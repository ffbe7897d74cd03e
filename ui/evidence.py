"""Evidence widgets: the files attached to an action or finding, a download of one, and the upload form."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import format_number, t
from config.safe_text import plain
from data.audit import record_export
from data.evidence import attach_evidence as attach
from data.evidence import list_evidence, read_evidence
from data.filetypes import ACCEPTED_EXTENSIONS, MB, max_evidence_bytes
from rules.workflow import AccessDenied, NotFound, WorkflowError
from ui.accountability import error_text, flash, local_time
from ui.db import get_engine
from ui.downloads import download_button
from ui.tables import table_alternative


def evidence_frame(files: pd.DataFrame) -> pd.DataFrame:
    """The evidence list with translated headings: file, type, size, SHA-256, who and when, note."""
    return pd.DataFrame(
        {
            t("evidence.columns.file"): files["file_name"],
            t("evidence.columns.type"): files["content_type"],
            t("evidence.columns.size"): [format_number(n / 1024, decimals=1) for n in files["size_bytes"]],
            t("evidence.columns.sha256"): files["sha256"],
            t("evidence.columns.uploaded_by"): files["uploaded_by"],
            t("evidence.columns.uploaded_at"): files["uploaded_at"].map(local_time),
            t("evidence.columns.note"): files["note"].fillna(""),
        }
    )


def evidence_section(scope: Scope, entity_type: str, entity_id: str, editable: bool) -> int:
    """The record's evidence: list, one download, and (if editable) the upload form; returns how many files."""
    engine = get_engine()
    st.markdown(f"**{t('evidence.title')}**")
    files = list_evidence(engine, scope, entity_type, entity_id)
    key = f"{entity_type}_{entity_id}"
    if files.empty:
        st.caption(t("evidence.none"))
    else:
        table_alternative(evidence_frame(files), t("evidence.caption", count=len(files)), key=f"vsd_ev_table_{key}")
        names = dict(zip(files["id"].astype(int), files["file_name"], strict=True))
        chosen = st.selectbox(
            t("evidence.choose"), list(names), format_func=lambda i: names[i], key=f"vsd_ev_pick_{key}"
        )
        try:
            meta, content = read_evidence(engine, scope, int(chosen))
        except (WorkflowError, NotFound) as exc:
            st.error(error_text(exc))
        else:
            detail = {"entity_type": entity_type, "entity_id": entity_id, "evidence_id": int(chosen),
                      "file": meta["file_name"], "sha256": meta["sha256"]}  # fmt: skip

            def audit(data: bytes, actor: str = scope.username, detail: dict = detail) -> None:
                record_export(engine, actor, "evidence_file", detail=detail | {"bytes": len(data)})

            download_button(
                t("evidence.download", file=plain(meta["file_name"])),
                lambda content=content: content,  # handed to the media store only on click (ui/downloads.py)
                file_name=meta["file_name"],
                mime=meta["content_type"],
                key=f"vsd_ev_download_{key}",
                audit=audit,
                icon=":material/download:",
            )
    if editable:
        upload_form(scope, entity_type, entity_id)
    return len(files)


def upload_form(scope: Scope, entity_type: str, entity_id: str) -> None:
    """Attach a file: its type is read from its content and must match its name; size limited by configuration."""
    key = f"{entity_type}_{entity_id}"
    limit = max_evidence_bytes()
    with st.form(f"vsd_ev_form_{key}", clear_on_submit=True):
        upload = st.file_uploader(
            t("evidence.file"),
            type=list(ACCEPTED_EXTENSIONS),
            key=f"vsd_ev_file_{key}",
            help=t("evidence.file_help", maximum=f"{limit / MB:g}"),
            max_upload_size=math.ceil(limit / MB),  # the browser refuses early; attach() checks the exact limit
        )
        note = st.text_input(t("evidence.note"), key=f"vsd_ev_note_{key}")
        submitted = st.form_submit_button(t("evidence.attach"), key=f"vsd_ev_submit_{key}")
    if not submitted:
        return
    if upload is None:
        st.warning(t("evidence.no_file"))
        return
    try:
        meta = attach(get_engine(), scope, entity_type, entity_id, upload.name, upload.getvalue(), note=note)
    except (WorkflowError, AccessDenied, NotFound) as exc:
        st.error(error_text(exc))
        return
    flash("success", t("evidence.attached", file=plain(meta["file_name"]), sha=meta["sha256"][:12]))
    st.rerun()
