"""Every message the accountability services and pages build at run time exists in English and Welsh."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from config.i18n import catalogue, placeholders
from data.actions import FIELDS as ACTION_FIELDS
from data.feedback import FIELDS as FEEDBACK_FIELDS
from data.findings import FIELDS as FINDING_FIELDS
from data.models import Action, FeedbackItem, Recommendation
from rules.workflow import (
    ACTION_SOURCES,
    ACTION_STATUSES,
    FEEDBACK_STAGES,
    FEEDBACK_STATUSES,
    FINDING_KINDS,
    FINDING_STATUSES,
)

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^(actions|inspection|survivor_voice|evidence)\.errors\.[a-z_]+$")
EVENTS = (
    "action.create", "action.update", "action.status", "action.close", "action.note", "evidence.attach",
    "finding.create", "finding.update", "finding.status", "feedback.create", "feedback.decide", "feedback.implement",
    "feedback.feed_back", "feedback.update", "inspection.pcc_response", "export.audit_log", "export.you_said_we_did",
    "user.add", "user.assign", "user.disable", "user.enable", "user.set_password", "user.sign_in", "user.sign_out",
)  # fmt: skip


def built_keys() -> list[str]:
    """Keys the pages build from data values (statuses, sources, kinds, stages, fields, events)."""
    keys = [f"actions.status.{s}" for s in ACTION_STATUSES] + [f"actions.sources.{s}" for s in ACTION_SOURCES]
    keys += [f"inspection.status.{s}" for s in FINDING_STATUSES] + [f"inspection.kinds.{k}" for k in FINDING_KINDS]
    keys += [f"survivor_voice.status.{s}" for s in FEEDBACK_STATUSES]
    keys += [f"survivor_voice.stages.{s}" for s in FEEDBACK_STAGES]
    # A load's audit rows (data/ingest_audit.py) hold whole rows, so every column of the three tables has a name.
    columns = {c.name for model in (Action, Recommendation, FeedbackItem) for c in model.__table__.columns}
    fields = {*ACTION_FIELDS, *FINDING_FIELDS, *FEEDBACK_FIELDS, *columns}
    keys += [f"actions.fields.{f}" for f in sorted(fields)]
    keys += [f"audit.events.{e.replace('.', '_')}" for e in EVENTS]
    keys += [f"audit.entity_types.{e}" for e in ("action", "finding", "feedback", "report", "user", "export")]
    keys += [f"inspection.item_kinds.{k}" for k in ("action", "finding")]
    keys += [f"survivor_voice.fields.{f}" for f in ("received_date", "decision_date", "implemented_date",
                                                     "fed_back_date", "summary", "we_did", "theme")]  # fmt: skip
    return keys


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_keys_built_at_run_time_exist(lang):
    assert [key for key in built_keys() if key not in catalogue(lang)] == []


def error_codes() -> dict[str, set[str]]:
    """Every literal error code raised or checked in data/ and rules/, with the keyword parameters it comes with."""
    codes: dict[str, set[str]] = {}
    for path in sorted([*(ROOT / "data").glob("*.py"), *(ROOT / "rules").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                    params = {k.arg for k in node.keywords if k.arg}
                    if name == "check_text":
                        params.add("maximum")
                    codes.setdefault(arg.value, set()).update(params)
    # codes built with f-strings
    for section in ("actions", "inspection"):
        codes[f"{section}.errors.bad_move"] = {"before", "after"}
        codes[f"{section}.errors.unknown_status"] = {"status"}
    for field in ("theme", "summary", "summary_cy", "we_did", "we_did_cy"):
        codes[f"survivor_voice.errors.{field}_length"] = {"maximum"}
    codes["actions.errors.not_found"] = {"entity_id"}
    codes["actions.errors.stale"] = {"version", "expected"}
    return codes


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_error_has_a_message_that_fits_its_parameters(lang):
    codes = error_codes()
    assert {"actions.errors.closure_note_required", "evidence.errors.mismatch", "inspection.errors.final"} <= set(codes)
    messages = catalogue(lang)
    assert sorted(code for code in codes if code not in messages) == []
    assert {c: p for c, p in codes.items() if not placeholders(messages[c]) <= p} == {}
