"""The accountability services in one place: actions, findings, feedback, evidence, escalation and the audit trail.

The work is done in data/actions.py, findings.py, feedback.py, evidence.py, escalation.py and audit.py (each change
one transaction with its timeline and audit rows); the rules they apply are in data/workflow.py and permissions.py.
"""

from data.actions import (
    close_action,
    create_action,
    get_action,
    linked_actions,
    list_actions,
    timeline,
    transition_action,
    update_action,
)
from data.audit import audit_frame, record_export
from data.escalation import aged_actions, aged_findings, escalation_list, record_response, report_deadlines
from data.evidence import attach_evidence, list_evidence, read_evidence
from data.feedback import (
    decide,
    edit_feedback,
    feed_back,
    get_feedback,
    implement,
    list_feedback,
    participant_items,
    record_feedback,
)
from data.findings import (
    create_finding,
    finding_history,
    get_finding,
    list_findings,
    transition_finding,
    update_finding,
)
from data.workflow import AccessDenied, NotFound, StaleEdit, WorkflowError

__all__ = [
    "AccessDenied", "NotFound", "StaleEdit", "WorkflowError",
    "aged_actions", "aged_findings", "attach_evidence", "audit_frame", "close_action", "create_action",
    "create_finding", "decide", "edit_feedback", "escalation_list", "feed_back", "finding_history", "get_action",
    "get_feedback", "get_finding", "implement", "linked_actions", "list_actions", "list_evidence", "list_feedback",
    "list_findings", "participant_items", "read_evidence", "record_export", "record_feedback", "record_response",
    "report_deadlines", "timeline", "transition_action", "transition_finding", "update_action", "update_finding",
]  # fmt: skip
