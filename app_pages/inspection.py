"""HMICFRS and the action plan: the action plan, the inspection findings register, escalation and PCC deadlines.

Everyone allowed on the page reads the portfolios their scope covers; leads change their own portfolios' actions and
findings, admins any. Every change goes through data/ (which checks the same rules again) and is audited there.
Links: ?action=AC-001 opens an action, ?finding=HM-001 a finding.
"""

import streamlit as st

from auth import gate
from config.i18n import t
from data.audit import local_today
from data.escalation import aged_actions, aged_findings
from rules.permissions import can_edit_finding, can_read
from rules.workflow import ACTION_STATUSES, FINDING_KINDS, FINDING_STATUSES
from ui.accountability import pick_record, show_flash, status_label
from ui.action_form import action_panel
from ui.actions import SELECTED_KEY, actions_table, editable_portfolios, new_action_form, portfolio_names
from ui.db import get_engine
from ui.escalation import deadlines_section, escalation_section
from ui.findings import SELECTED_KEY as FINDING_SELECTED_KEY
from ui.findings import finding_panel, findings_table, new_finding_form
from ui.inspection_reports import reports_section
from ui.tables import table_alternative

scope = gate.require_page("inspection")
engine = get_engine()
st.title(t("pages.inspection"))
show_flash()
as_of = st.sidebar.date_input(
    t("inspection.as_of"),
    value=local_today(),
    format="DD/MM/YYYY",
    key="vsd_insp_as_of",
    help=t("inspection.as_of_help"),
)
names = portfolio_names(scope.portfolios)
readable = [p for p in names if can_read(scope, p)]


plan_tab, findings_tab, escalation_tab, reports_tab = st.tabs(
    [t("inspection.tabs.plan"), t("inspection.tabs.findings"), t("inspection.tabs.escalation"),
     t("inspection.tabs.reports")]
)  # fmt: skip

with plan_tab:
    left, middle, right = st.columns(3)
    chosen_portfolios = left.multiselect(
        t("filters.portfolio"), readable, format_func=lambda p: names.get(p, p), key="vsd_plan_portfolios"
    )
    statuses = middle.multiselect(
        t("actions.fields.status"), ACTION_STATUSES, format_func=lambda s: status_label("actions", s),
        key="vsd_plan_statuses",
    )  # fmt: skip
    overdue_only = right.toggle(t("inspection.overdue_only"), key="vsd_plan_overdue")
    aged = aged_actions(engine, scope, as_of, portfolios=chosen_portfolios, statuses=statuses)
    if overdue_only:
        aged = aged[aged["overdue"]]
    st.caption(
        t("inspection.plan_summary", count=len(aged), overdue=int(aged["overdue"].sum()),
          escalated=int(aged["escalated"].sum()))
    )  # fmt: skip
    table_alternative(actions_table(aged, names), t("inspection.plan_caption", count=len(aged)), key="vsd_plan_table")
    if editable_portfolios(scope):
        with st.expander(t("actions.new_title"), icon=":material/add_task:"):
            new_action_form(scope, "plan")
    action_id = pick_record(
        list(aged["action_id"]), "action", "vsd_plan_pick", SELECTED_KEY, t("inspection.choose_action")
    )
    if action_id:
        action_panel(scope, action_id)

with findings_tab:
    left, middle, right = st.columns(3)
    finding_portfolios = left.multiselect(
        t("filters.portfolio"), readable, format_func=lambda p: names.get(p, p), key="vsd_fd_portfolios"
    )
    kinds = middle.multiselect(
        t("inspection.columns.kind"), FINDING_KINDS, format_func=lambda k: t(f"inspection.kinds.{k}"),
        key="vsd_fd_kinds",
    )  # fmt: skip
    finding_statuses = right.multiselect(
        t("inspection.columns.status"), FINDING_STATUSES, format_func=lambda s: status_label("inspection", s),
        key="vsd_fd_statuses",
    )  # fmt: skip
    findings = aged_findings(
        engine, scope, as_of, portfolios=finding_portfolios, statuses=finding_statuses, kinds=kinds
    )
    table_alternative(
        findings_table(findings, names), t("inspection.findings_caption", count=len(findings)), key="vsd_fd_table"
    )
    own = [p for p in names if can_edit_finding(scope, p)]
    if own:
        with st.expander(t("inspection.new_title"), icon=":material/post_add:"):
            new_finding_form(scope, own)
    rec_id = pick_record(
        list(findings["rec_id"]), "finding", "vsd_fd_pick", FINDING_SELECTED_KEY, t("inspection.choose")
    )
    if rec_id:
        finding_panel(scope, rec_id, as_of)

with escalation_tab:
    escalation_section(scope, as_of)
    deadlines_section(scope, as_of)

with reports_tab:
    reports_section(as_of)  # STATUTORY.md §4: reports, response deadlines and grades
