"""Who may change what in the accountability workflows: pure rules over the acting user's Scope.

Every write function in data/ checks these before it touches a row, so a page that forgets to hide a button still
cannot make a change the user is not allowed to make.
"""

from __future__ import annotations

from auth.roles import Scope
from rules.workflow import AccessDenied

SURVIVOR_VOICE = "survivor_voice"  # the Survivor Engagement Co-ordinator is a lead of this portfolio
INSPECTION = "inspection"  # its leads record the PCC's responses to inspection reports
AUDIT_READERS = frozenset({"inspector", "admin"})


def is_admin(scope: Scope) -> bool:
    """True for administrators, who may change anything."""
    return "admin" in scope.roles


def leads(scope: Scope, portfolio: str | None) -> bool:
    """True when the user is a lead and the portfolio is one of theirs."""
    return portfolio is not None and "lead" in scope.roles and portfolio in scope.portfolios


def can_read(scope: Scope, portfolio: str | None) -> bool:
    """True when the user may read a record of the portfolio (every portfolio for board, inspector, analyst, admin)."""
    return scope.all_portfolios or (portfolio is not None and portfolio in scope.portfolios)


def can_edit_action(scope: Scope, portfolio: str, meeting_ref: str | None = None) -> bool:
    """Leads within their portfolios and admins anywhere; board members only from meeting mode (a meeting_ref)."""
    return is_admin(scope) or leads(scope, portfolio) or _in_meeting(scope, meeting_ref)


def _in_meeting(scope: Scope, meeting_ref: str | None) -> bool:
    """A board member acting in a meeting's name."""
    return bool((meeting_ref or "").strip()) and "board" in scope.roles


def can_link_record(scope: Scope, record_type: str, portfolio: str | None, meeting_ref: str | None = None) -> bool:
    """May the user raise an action from this finding or feedback item? Only from a record they may act on.

    That is a record of a portfolio whose actions they may change (leads their own, admins any, board members any from
    a meeting); feedback also to whoever handles all feedback (the survivor voice leads). Measures are not such
    records: they are aggregates every reader sees, and the action's own portfolio is checked on its own.
    """
    if record_type == "feedback" and can_edit_feedback(scope):
        return True
    return can_edit_action(scope, portfolio or "", meeting_ref)  # an item of no portfolio: admins, board in a meeting


def can_run_meeting(scope: Scope) -> bool:
    """Board members open meetings, record decisions in them and close them (meeting mode is theirs alone)."""
    return "board" in scope.roles


def can_read_meetings(scope: Scope) -> bool:
    """Board members, and the inspectors and admins who hold them to account, read meetings and their decisions."""
    return can_run_meeting(scope) or bool(scope.roles & AUDIT_READERS)


def can_edit_finding(scope: Scope, portfolio: str) -> bool:
    """Leads of the finding's portfolio and admins."""
    return is_admin(scope) or leads(scope, portfolio)


def can_edit_feedback(scope: Scope) -> bool:
    """Admins and leads of the survivor voice portfolio (the Survivor Engagement Co-ordinator)."""
    return is_admin(scope) or leads(scope, SURVIVOR_VOICE)


def can_read_feedback(scope: Scope, portfolio: str | None) -> bool:
    """Everyone who reads every portfolio, the survivor voice leads, and leads of the item's own portfolio."""
    return scope.all_portfolios or leads(scope, SURVIVOR_VOICE) or can_read(scope, portfolio)


def can_read_audit(scope: Scope) -> bool:
    """Inspectors and admins read the whole audit trail."""
    return bool(scope.roles & AUDIT_READERS)


def can_record_response(scope: Scope) -> bool:
    """Admins and leads of the inspection portfolio record the PCC's responses to reports."""
    return is_admin(scope) or leads(scope, INSPECTION)


def can_decide_spc(scope: Scope, portfolio: str | None) -> bool:
    """Who records a process change (an SPC rebase) or accepts a suggested one: analysts and admins for any portfolio
    or every portfolio (None); leads for their own portfolios only (the data layer checks the measure is on it)."""
    if is_admin(scope) or "analyst" in scope.roles:
        return True
    return leads(scope, portfolio)


def can_annotate_spc(scope: Scope, portfolio: str | None) -> bool:
    """Who may annotate a month of a measure's chart: whoever may act on the measure there (its portfolio's leads,
    admins) and the analysts who look after the data."""
    return can_decide_spc(scope, portfolio)


def require(allowed: bool, code: str = "actions.errors.forbidden", **params) -> None:
    """Raise AccessDenied unless allowed."""
    if not allowed:
        raise AccessDenied(code, **params)
