"""Targets (analysts, administrators): each measure's catalogue target beside the one set here; set, change or clear it.

The service (data/targets.py) checks the role again and writes every change to the audit log; the cached measure
computations are keyed on the targets table's fingerprint (ui/results_cache.data_version), so every page shows a change
at once.
"""

import logging

import pandas as pd
import streamlit as st

from auth import gate
from config.i18n import format_date, t
from data import queries
from data.targets import RANGES, TargetKey, clear_target, set_target, targets_overview
from metrics.periods import financial_year, last_complete_month
from rules.workflow import AccessDenied, WorkflowError
from ui import results_cache
from ui.accountability import error_text, flash, show_flash
from ui.as_of import sources_panel
from ui.db import get_engine
from ui.formatting import format_value
from ui.measure_panel import process_changes_panel
from ui.names import measure_names, portfolio_name
from ui.tables import table_alternative

log = logging.getLogger(__name__)
ALL = ""  # the portfolio choice meaning "every portfolio without a target of its own"
# Rates and gaps are typed as percentages (87.5 means 87.5%); the rest as plain numbers.
PERCENT_KINDS = ("rate", "difference")

scope = gate.require_page("targets")
st.title(t("pages.targets"))
st.caption(t("targets.intro"))
show_flash()

catalogue = results_cache.catalogue()
engine = get_engine()
as_of = results_cache.as_of_date(results_cache.db_key())
if as_of is None:
    st.info(t("targets.no_data"))
    st.stop()
# The scorecard's headline period ends with the latest complete month: the target in force then is the one it uses.
period_end = last_complete_month(as_of).end.date()
sources_panel(results_cache.db_key())

portfolio = st.selectbox(
    t("targets.portfolio"),
    [ALL, *[p.id for p in catalogue.portfolios]],
    format_func=lambda p: portfolio_name(p) if p else t("targets.all_portfolios"),
    key="vsd_targets_portfolio",
)
overview = targets_overview(catalogue, queries.targets_frame(engine), period_end, portfolio or None)
names = measure_names(overview["metric_id"])


def shown(value, kind: str) -> str:
    return "–" if pd.isna(value) else format_value(value, kind)


table = pd.DataFrame(
    {
        t("targets.columns.measure"): overview["metric_id"].map(names),
        t("targets.columns.default"): [shown(v, k) for v, k in zip(overview["default"], overview["kind"], strict=True)],
        t("targets.columns.override"): [
            shown(v, k) for v, k in zip(overview["override"], overview["kind"], strict=True)
        ],
        t("targets.columns.valid_from"): overview["valid_from"].map(lambda d: format_date(d) if d else "–"),
        t("targets.columns.set_by"): overview["set_by"].fillna("–"),
        t("targets.columns.applies"): [shown(v, k) for v, k in zip(overview["applies"], overview["kind"], strict=True)],
    }
)
table_alternative(table, t("targets.caption", date=format_date(period_end)), key="vsd_targets_table")

st.subheader(t("targets.edit_title"))
# A neutral measure is never rated, so it takes no target.
editable = overview.loc[overview["polarity"] != "neutral"].set_index("metric_id")
metric_id = st.selectbox(
    t("targets.measure"), list(editable.index), format_func=lambda m: names[m], key="vsd_targets_measure"
)
row = editable.loc[metric_id]
kind = row["kind"]
low, high = RANGES[kind]
scale = 100.0 if kind in PERCENT_KINDS else 1.0
current = row["applies"] if pd.notna(row["applies"]) else (low if low >= 0 else 0.0)
st.caption(t(f"targets.polarity.{row['polarity']}"))
typed = st.number_input(
    t(f"targets.value.{kind}"),
    min_value=low * scale,
    max_value=None if high is None else high * scale,
    value=float(current) * scale,
    step=0.5 if kind in PERCENT_KINDS else 1.0,
    key=f"vsd_targets_value_{metric_id}",
)
valid_from = st.date_input(
    t("targets.valid_from"),
    value=financial_year(period_end).start.date(),
    format="DD/MM/YYYY",
    help=t("targets.valid_from_help"),
    key="vsd_targets_valid_from",
)
key = TargetKey(metric_id, portfolio or None)
save, clear = st.columns(2)
if save.button(t("targets.save"), type="primary", key="vsd_targets_save"):
    try:
        set_target(engine, scope, catalogue, key, typed / scale, valid_from)
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
    except Exception:  # a fault must never show a trace
        log.exception("setting the target of %s failed", key.entity_id)
        st.error(t("targets.errors.failed"))
    else:
        flash("success", t("targets.saved", name=names[metric_id], value=format_value(typed / scale, kind)))
        st.rerun()
if clear.button(t("targets.clear"), key="vsd_targets_clear", disabled=pd.isna(row["override"])):
    try:
        removed = clear_target(engine, scope, catalogue, key)
    except (WorkflowError, AccessDenied) as exc:
        st.error(error_text(exc))
    except Exception:
        log.exception("clearing the target of %s failed", key.entity_id)
        st.error(t("targets.errors.failed"))
    else:
        flash("success", t("targets.cleared", name=names[metric_id], count=removed))
        st.rerun()

# Process changes (SPC rebases) and month notes: analysts record them here, leads on the measure's detail.
st.subheader(t("spc.decisions.page_title"))
st.caption(t("spc.decisions.page_intro"))
process_changes_panel(scope, portfolio or None)
