"""The Victims' Code page's pieces: portfolio choice, compliance next to victim voice, rights and entitlement tables,
the drill-down state kept in the URL (?right=6&code=R6_SUSPECT_UPDATE&cut=unit), delivery beside the statutory duty
with the good reasons used by unit, compliance by owning agency, and the legacy MoJ return."""

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
from results import vcop as vcop_results
from ui import results_cache
from ui.db import get_engine
from ui.downloads import download_button
from ui.filters import Period, portfolio_picker
from ui.formatting import format_interval, format_value, icon_label
from ui.measure_views import base_text, param_select
from ui.names import measure_name, measure_names, portfolio_name, right_name
from ui.tables import table_alternative

ALL_VICTIMS = "vcop"  # the portfolio whose cohort is every victim (the MoJ return's)
VOICE = ("SAT_INFORMED", "SAT_WHOLE")  # victim-voice measures shown beside compliance
WELSH = "WL_CY_DELIVERED_IN_CY"
OVERALL = "VCOP_OVERALL"
DUTY = "DUTY_OVERALL"  # the statutory duty met (STATUTORY.md §1), shown beside compliance
SHARE = "EXC_SHARE"


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
    present = {m.id for m in catalogue.all_measures}
    ids = [m for m in (OVERALL, DUTY, *VOICE, WELSH) if m in present]
    columns = st.columns(len(ids))
    for column, metric_id in zip(columns, ids, strict=True):
        tile(column, measure_name(metric_id), row_of(rows, metric_id))
    st.caption(t("vcop.voice_caption"))


def rate_cells(rows: pd.DataFrame, label: str | None = None) -> dict[str, list[str]]:
    """Value, 95% interval, base, target and RAG of measure rows as people read them (the value headed `label`)."""
    suppressed = rows["suppressed"].to_numpy(bool)
    return {
        label or t("vcop.columns.compliance"): [
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
    """A quarter's rate with its base: 75.3% (298 of 396), "fewer than 10", or "no data loaded" when nothing counted
    (an area whose agency's data is not loaded, e.g. probation's release information)."""
    if not row["denominator"] > 0:
        return t("vcop.moj.no_data")
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


# ---------------------------------------------------------------- the statutory duty and good reasons (STATUTORY.md §1)


def duty_table(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One line per right: compliance beside the duty met, each with its base (timely or justified of counted)."""
    numbers = [n for n in rights(catalogue) if row_of(rows, f"VCOP_RIGHT_{n}") is not None]
    numbers = [n for n in numbers if row_of(rows, f"DUTY_RIGHT_{n}") is not None]

    def shown(metric_id: str) -> str:
        row = row_of(rows, metric_id)
        value = format_value(row["value"], "rate", bool(row["suppressed"]))
        base = base_text(row)
        return f"{value} ({base})" if base else value

    return pd.DataFrame(
        {
            t("vcop.columns.right"): numbers,
            t("vcop.columns.name"): [right_name(n) for n in numbers],
            measure_name(OVERALL): [shown(f"VCOP_RIGHT_{n}") for n in numbers],
            measure_name(DUTY): [shown(f"DUTY_RIGHT_{n}") for n in numbers],
        }
    )


def reason_names(catalogue: Catalogue) -> dict[str, str]:
    """Each good reason's name in the reader's language."""
    welsh = current_language() == "cy"
    return {r.code: (r.name_cy if welsh else r.name) for r in catalogue.exception_reasons}


REASON_GROUPS = ("unit", "owner")  # the good reasons by owing unit or by owning agency


@st.cache_data(ttl=results_cache.TTL, show_spinner=False)
def _reasons_by_unit(
    db: str, as_of: dt.date, start: dt.date, end: dt.date, portfolio: str, filters: tuple, version: tuple, by: str
) -> pd.DataFrame:
    ready = results_cache.prepared_frames(db, as_of, start, end, "unit" if by == "unit" else None, filters)
    return vcop_results.reasons_by_unit(ready, results_cache.catalogue(), portfolio, by)


def reasons_table(table: pd.DataFrame, catalogue: Catalogue, by: str = "unit") -> pd.DataFrame:
    """The good reasons by unit (or agency) as people read them: counts, the share justified, each reason, the one
    used most."""
    names = reason_names(catalogue)
    share = [t("chart.suppressed") if pd.isna(v) else format_value(v, "rate") for v in table.get("share", pd.Series())]
    return pd.DataFrame(
        {
            t(f"vcop.duty.columns.{by}"): [
                t(f"vcop.agency.names.{v}") if by == "owner" else v for v in table["unit"].to_numpy()
            ],
            t("vcop.duty.columns.shortfalls"): table["shortfalls"].astype(int).to_numpy(),
            t("vcop.duty.columns.justified"): table["justified"].astype(int).to_numpy(),
            t("vcop.duty.columns.share"): share,
            **{names[code]: table[code].astype(int).to_numpy() for code in names if code in table.columns},
            t("vcop.duty.columns.top_reason"): [names.get(r, "–") if r else "–" for r in table["top_reason"]],
        }
    )


def duty_section(
    db: str, as_of: dt.date, period: Period, portfolio: str, rows: pd.DataFrame, catalogue: Catalogue, filters=()
) -> None:
    """Delivery and the duty side by side by right, the share of shortfalls with a good reason, and which reasons
    each unit gives most: where good reasons stand in for delivery."""
    st.subheader(t("vcop.duty.title"))
    columns = st.columns(3)
    for column, metric_id in zip(columns, (OVERALL, DUTY, SHARE), strict=True):
        tile(column, measure_name(metric_id), row_of(rows, metric_id))
    table_alternative(duty_table(rows, catalogue), t("vcop.duty.caption", period=period.label()), key="vcop_duty_table")
    st.subheader(t("vcop.duty.reasons_title"))
    by = param_select(t("vcop.duty.group_by"), REASON_GROUPS, "reasons_by", "unit", "vcop_reasons_by",
                      lambda g: t(f"vcop.duty.groups.{g}"))  # fmt: skip
    table = _reasons_by_unit(
        db, as_of, period.start, period.end, portfolio, tuple(filters), results_cache.data_version(db), by
    )
    table = table.loc[table["justified"] > 0]
    if table.empty:
        st.info(t("vcop.duty.none"))
    else:
        table_alternative(
            reasons_table(table, catalogue, by),
            t("vcop.duty.reasons_caption", period=period.label()),
            key="vcop_reasons_by_unit",
        )


def agency_table(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Compliance and the duty met per owning agency (results.vcop.by_agency), one line per agency and measure."""
    pooled = vcop_results.by_agency(rows, catalogue)
    no_data = (pooled["denominator"] == 0).to_numpy()
    cells = rate_cells(pooled)
    value_column = t("vcop.columns.compliance")
    cells[value_column] = [
        t("vcop.agency.no_data") if n else v for v, n in zip(cells[value_column], no_data, strict=True)
    ]
    return pd.DataFrame(
        {
            t("vcop.agency.columns.agency"): [t(f"vcop.agency.names.{o}") for o in pooled["owner"]],
            t("vcop.agency.columns.family"): [t(f"vcop.agency.families.{f}") for f in pooled["family"]],
            **cells,
        }
    )


def agency_section(rows: pd.DataFrame, catalogue: Catalogue, period: Period) -> None:
    """Compliance and the duty grouped by the agency owning each entitlement (police, CPS, WCU, probation)."""
    st.subheader(t("vcop.agency.title"))
    table_alternative(
        agency_table(rows, catalogue), t("vcop.agency.caption", period=period.label()), key="vcop_agency_table"
    )
