"""The Victims' Code page's pieces: portfolio choice, compliance next to victim voice, rights and entitlement tables,
the drill-down state kept in the URL (?right=6&code=R6_SUSPECT_UPDATE&cut=unit), and the MoJ quarterly return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from auth.roles import Scope
from config.i18n import current_language, t
from config.safe_text import plain
from data.audit import record_export
from metrics.catalogue import Catalogue
from reports.safety import csv_bytes
from ui import results_cache
from ui.db import get_engine
from ui.downloads import download_button
from ui.filters import Period, portfolio_picker
from ui.formatting import format_interval, format_value, icon_label
from ui.measure_views import base_text
from ui.names import measure_name, measure_names, portfolio_name, right_name
from ui.tables import table_alternative

ALL_VICTIMS = "vcop"  # the portfolio whose cohort is every victim (the MoJ return's)
VOICE = ("SAT_INFORMED", "SAT_WHOLE")  # victim-voice measures shown beside compliance
WELSH = "WL_CY_DELIVERED_IN_CY"
OVERALL = "VCOP_OVERALL"


def portfolio_choices(scope: Scope, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(id, name) the user may read here: a lead's own portfolios then all victims; everyone's for the rest."""
    names = {p.id: portfolio_name(p.id) for p in catalogue.portfolios}
    if scope.all_portfolios:
        ids = [ALL_VICTIMS, *[p for p in names if p != ALL_VICTIMS]]
    else:
        ids = [p for p in names if p in scope.portfolios and p != ALL_VICTIMS] + [ALL_VICTIMS]
    return [(pid, names[pid]) for pid in ids if pid in names]


def choose_portfolio(scope: Scope, catalogue: Catalogue) -> str | None:
    """The sidebar portfolio picker; a link naming a portfolio the user may not read says so and opens their own."""
    choices = portfolio_choices(scope, catalogue)
    if not choices:
        return None
    wanted = st.query_params.get("portfolio")
    # Another page's choice that is no portfolio (the scorecard's "framework") just falls back, without a warning.
    if wanted and wanted not in dict(choices) and wanted in {p.id for p in catalogue.portfolios}:
        st.warning(t("vcop.portfolio_refused", portfolio=plain(wanted)))
        # The URL must not keep asking for it (nor for the case list that went with it).
        st.query_params.pop("cases", None)
        st.query_params["portfolio"] = choices[0][0]
    return portfolio_picker(choices)


def measure_ids(catalogue: Catalogue) -> tuple[str, ...]:
    """Every Victims' Code measure of the page, with the victim-voice and Welsh-language measures beside them."""
    vcop = [m.id for m in catalogue.all_measures if m.codes and not m.id.startswith("VCOP_MOJ_")]
    present = {m.id for m in catalogue.all_measures}
    return tuple(vcop + [m for m in (*VOICE, WELSH) if m in present])


def period_rows(
    db: str, as_of: dt.date, period: Period, portfolio: str, by: str | None = None, filters: tuple = ()
) -> pd.DataFrame:
    """Whole-period rows of the page's measures for the portfolio's cohort (one per measure, or per group of `by`)."""
    ids = measure_ids(results_cache.catalogue())
    rows = results_cache.measure_rows(db, as_of, period.start, period.end, portfolio, ids, by, filters=filters)
    return rows.loc[rows["period_kind"] == "custom"].reset_index(drop=True)


def row_of(rows: pd.DataFrame, metric_id: str, group: str = "all") -> pd.Series | None:
    """The row of one measure (and group), or None when it was not computed."""
    found = rows.loc[(rows["metric_id"] == metric_id) & (rows["group_value"] == group)]
    return None if found.empty else found.iloc[0]


def tile(container, label: str, row: pd.Series | None) -> None:
    """One headline number: value (or "fewer than 10"), its interval, base, target and RAG in words."""
    if row is None:
        container.metric(label, "–")
        return
    suppressed = bool(row["suppressed"])
    interval = format_interval(row["ci_low"], row["ci_high"], row["kind"], suppressed)
    container.metric(
        label, format_value(row["value"], row["kind"], suppressed), help=t("measure.ci", interval=interval or "–")
    )
    target = "–" if pd.isna(row["target"]) else format_value(row["target"], row["kind"])
    container.caption(
        t("vcop.tile_caption", base=base_text(row) or t("chart.suppressed"), interval=interval or "–", target=target)
        + " "
        + icon_label("rag", row["rag"])
    )


def headline(rows: pd.DataFrame, catalogue: Catalogue) -> None:
    """Compliance next to quality: overall compliance beside the victim-voice and Welsh-language measures."""
    ids = [OVERALL, *VOICE, WELSH]
    columns = st.columns(len(ids))
    for column, metric_id in zip(columns, ids, strict=True):
        tile(column, measure_name(metric_id), row_of(rows, metric_id))
    st.caption(t("vcop.voice_caption"))


def rate_cells(rows: pd.DataFrame) -> dict[str, list[str]]:
    """Value, 95% interval, base, target and RAG of measure rows as people read them."""
    suppressed = rows["suppressed"].to_numpy(bool)
    return {
        t("vcop.columns.compliance"): [
            format_value(v, "rate", s) for v, s in zip(rows["value"], suppressed, strict=True)
        ],
        t("chart.ci"): [
            format_interval(lo, hi, "rate", s)
            for lo, hi, s in zip(rows["ci_low"], rows["ci_high"], suppressed, strict=True)
        ],
        t("vcop.columns.base"): [base_text(r) or t("chart.suppressed") for _, r in rows.iterrows()],
        t("chart.target"): ["–" if pd.isna(v) else format_value(v, "rate") for v in rows["target"]],
        t("chart.rag"): [icon_label("rag", v) for v in rows["rag"]],
    }


def ordered(rows: pd.DataFrame, metric_ids: Sequence[str]) -> pd.DataFrame:
    """The "all" rows of these measures, in this order (measures without a row left out)."""
    rows = rows.loc[rows["group_value"] == "all"].set_index("metric_id")
    return rows.reindex([m for m in metric_ids if m in rows.index]).reset_index()


def rights(catalogue: Catalogue) -> list[int]:
    """The rights that have entitlements (and so a VCOP_RIGHT_<n> measure), in order."""
    return sorted({e.right for e in catalogue.entitlements})


def rights_table(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One line per right: its compliance with interval, base, target and RAG."""
    numbers = rights(catalogue)
    found = ordered(rows, [f"VCOP_RIGHT_{n}" for n in numbers])
    by_id = dict(zip(found["metric_id"], range(len(found)), strict=True))
    numbers = [n for n in numbers if f"VCOP_RIGHT_{n}" in by_id]
    return pd.DataFrame(
        {
            t("vcop.columns.right"): numbers,
            t("vcop.columns.name"): [right_name(n) for n in numbers],
            **rate_cells(found),
        }
    )


def days_text(days: int, unit: str) -> str:
    """A timescale in words: 5 working days, 1 calendar day."""
    return t(f"vcop.days.{unit}{'_one' if days == 1 else ''}", days=days)


def codes_table(rows: pd.DataFrame, split: pd.DataFrame, catalogue: Catalogue, right: int) -> pd.DataFrame:
    """One line per entitlement of a right: timescales (standard, enhanced), compliance, and each timescale's rate."""
    entries = [e for e in catalogue.entitlements if e.right == right]
    found = ordered(rows, [f"VCOP_{e.code}" for e in entries])
    entries = [e for e in entries if f"VCOP_{e.code}" in set(found["metric_id"])]

    def by_group(code: str, group: str) -> str:
        row = row_of(split, f"VCOP_{code}", group)
        if row is None:
            return "–"
        shown = format_value(row["value"], "rate", bool(row["suppressed"]))
        base = base_text(row)
        return f"{shown} ({base})" if base else shown

    return pd.DataFrame(
        {
            t("vcop.columns.code"): [e.code for e in entries],
            t("vcop.columns.basis"): [catalogue.entitlement_basis(e.code, current_language()) for e in entries],
            t("vcop.columns.owner"): [e.owner for e in entries],
            t("vcop.columns.standard"): [days_text(e.standard, e.unit) for e in entries],
            t("vcop.columns.enhanced"): [days_text(e.enhanced, e.unit) for e in entries],
            **rate_cells(found),
            t("vcop.columns.standard_rate"): [by_group(e.code, "false") for e in entries],
            t("vcop.columns.enhanced_rate"): [by_group(e.code, "true") for e in entries],
        }
    )


def choose(label: str, options: Sequence, param: str, key: str, format_func, placeholder: str):
    """A select box that may be left empty, its choice kept in the URL (?param=value) so a link reopens it."""
    options = list(options)
    wanted = st.query_params.get(param)
    index = next((i for i, o in enumerate(options) if str(o) == wanted), None)
    chosen = st.selectbox(label, options, index=index, format_func=format_func, placeholder=placeholder, key=key)
    if chosen is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(chosen)
    return chosen


# ---------------------------------------------------------------- the MoJ quarterly return


def cell(row: pd.Series) -> str:
    """A quarter's rate with its base: 75.3% (298 of 396), or "fewer than 10"."""
    if bool(row["suppressed"]):
        return t("chart.suppressed")
    return f"{format_value(row['value'], 'rate')} ({base_text(row)})"


def moj_section(
    db: str, as_of: dt.date, portfolio: str, catalogue: Catalogue, filters: tuple = (), actor: str = ""
) -> None:
    """The MoJ quarterly return: its five areas by financial quarter, the victim voice and Welsh service beside; its
    CSV is made and audited (as `actor`) only when downloaded."""
    moj = [m.id for m in catalogue.all_measures if m.id.startswith("VCOP_MOJ_")]
    beside = [m for m in (*VOICE, WELSH) if m in {x.id for x in catalogue.all_measures}]
    # The months come from the scorecard's 36-month window (already prepared for the SPC charts); the last four
    # complete quarters lie inside it.
    quarters, table = results_cache.moj_return(db, as_of, portfolio, tuple(moj + beside), filters)
    names = measure_names(moj + beside)
    st.caption(t("vcop.moj.intro", start=quarters[0].label, end=quarters[-1].label))
    for ids, caption in ((moj, t("vcop.moj.caption")), (beside, t("vcop.moj.beside_caption"))):
        part = table.loc[table["metric_id"].isin(ids)]
        wide = part.assign(text=[cell(r) for _, r in part.iterrows()]).pivot(
            index="metric_id", columns="quarter", values="text"
        )
        wide = wide.reindex(index=[m for m in ids if m in wide.index], columns=[q.label for q in quarters])
        wide.insert(0, t("vcop.columns.measure"), [names[m] for m in wide.index])
        table_alternative(wide.reset_index(drop=True).fillna("–"), caption)
    detail = pd.DataFrame(
        {
            t("vcop.columns.measure"): table["metric_id"].map(names),
            t("vcop.columns.quarter"): table["quarter"],
            **rate_cells(table.reset_index(drop=True)),
        }
    )
    with st.expander(t("vcop.moj.detail")):
        table_alternative(detail, t("vcop.moj.detail_caption"), key="vcop_moj_detail")
    audited = {
        "as_of": as_of, "quarters": [quarters[0].label, quarters[-1].label], "filters": dict(filters),
    }  # fmt: skip
    engine = get_engine()

    def audit(_data: bytes) -> None:
        record_export(engine, actor, "moj_return", portfolio=portfolio, detail=audited, rows=len(detail))

    download_button(
        t("vcop.moj.download"),
        lambda: csv_bytes(detail),  # made on click, never stored before (ui/downloads.py)
        file_name=f"moj_return_{portfolio}_{quarters[0].label}_{quarters[-1].label}.csv".replace(" ", "_"),
        mime="text/csv",
        key="vcop_moj_download",
        audit=audit,
    )
