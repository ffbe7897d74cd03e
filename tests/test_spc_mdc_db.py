"""Recorded SPC decisions (issue 17 item 1) on SQLite and PostgreSQL: who may rebase and annotate, the audit rows,
and the results reading them back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from auth.roles import Scope
from data import spc_decisions as decisions
from data.models import AuditLog
from metrics.catalogue import load_catalogue
from results.spc import load_decisions, spc_frame
from rules.workflow import AccessDenied, WorkflowError

CATALOGUE = load_catalogue()
METRIC = "VCOP_R6_SUSPECT_UPDATE"
LEAD = Scope.for_user("lead.da", {"lead"}, {"vawg_da"})
ANALYST = Scope.for_user("analyst.one", {"analyst"})
BOARD = Scope.for_user("board.one", {"board"})
INSPECTOR = Scope.for_user("inspector.one", {"inspector"})
NOW = dt.datetime(2026, 11, 20, 9, 30)


def _audit(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(AuditLog.__table__).order_by(AuditLog.id)).mappings()]


def test_a_lead_records_a_rebase_for_their_portfolio_and_it_is_audited(engine):
    row = decisions.record_rebase(engine, LEAD, CATALOGUE, METRIC, "2026-04-17", "  PPU took over updates ",
                                  portfolio_id="vawg_da", suggested=True, now=NOW)  # fmt: skip
    assert row["month"] == dt.date(2026, 4, 1) and row["reason"] == "PPU took over updates"
    stored = decisions.rebases_frame(engine)
    assert stored[["metric_id", "portfolio_id", "reason", "created_by"]].values.tolist() == [
        [METRIC, "vawg_da", "PPU took over updates", "lead.da"]
    ]
    (entry,) = _audit(engine)
    assert (entry["event"], entry["actor"], entry["portfolio"]) == ("spc.rebase_accept", "lead.da", "vawg_da")
    assert entry["entity_id"] == f"{METRIC}/vawg_da@2026-04" and "PPU took over updates" in entry["after_json"]
    with pytest.raises(WorkflowError) as duplicate:
        decisions.record_rebase(engine, LEAD, CATALOGUE, METRIC, "2026-04-01", "again", portfolio_id="vawg_da")
    assert duplicate.value.code == "spc.errors.duplicate"


@pytest.mark.parametrize(
    ("scope", "portfolio"),
    [(LEAD, "victim_care"), (LEAD, None), (BOARD, "vawg_da"), (INSPECTOR, None)],
)
def test_who_may_not_rebase_or_annotate(engine, scope, portfolio):
    with pytest.raises(AccessDenied):
        decisions.record_rebase(engine, scope, CATALOGUE, METRIC, "2026-04-01", "why", portfolio_id=portfolio)
    with pytest.raises(AccessDenied):
        decisions.record_annotation(engine, scope, CATALOGUE, METRIC, "2026-04-01", "note", portfolio_id=portfolio)
    assert decisions.rebases_frame(engine).empty and decisions.annotations_frame(engine).empty
    assert _audit(engine) == []


def test_refusals_name_what_is_wrong(engine):
    cases = [
        ((METRIC, "2026-04-01", "   "), {"portfolio_id": "vawg_da"}, "spc.errors.reason_needed"),
        ((METRIC, "2026-04-01", "x" * 301), {"portfolio_id": "vawg_da"}, "spc.errors.too_long"),
        (("NOT_A_MEASURE", "2026-04-01", "why"), {}, "spc.errors.unknown_measure"),
        (("CG_CONTACT_2WD", "2026-04-01", "why"), {"portfolio_id": "vawg_da"}, "spc.errors.not_on_scorecard"),
    ]
    for args, options, code in cases:
        with pytest.raises(WorkflowError) as refused:
            decisions.record_rebase(engine, ANALYST, CATALOGUE, *args, **options)
        assert refused.value.code == code


def test_an_analyst_rebases_every_measure_of_a_portfolio_and_withdraws_one(engine):
    measures = CATALOGUE.scorecard_measures("vawg_da")
    written = decisions.record_rebases(engine, ANALYST, CATALOGUE, measures, dt.date(2026, 4, 1), "New unit",
                                       portfolio_id="vawg_da", now=NOW)  # fmt: skip
    assert [row["metric_id"] for row in written] == list(dict.fromkeys(measures))
    assert [entry["event"] for entry in _audit(engine)] == ["spc.rebase"] * len(written)
    decisions.withdraw_rebase(engine, ANALYST, written[0]["id"], now=NOW)
    assert len(decisions.rebases_frame(engine)) == len(written) - 1
    assert len(decisions.rebases_frame(engine, include_withdrawn=True)) == len(written)
    assert _audit(engine)[-1]["event"] == "spc.rebase_withdraw"
    with pytest.raises(WorkflowError):
        decisions.withdraw_rebase(engine, ANALYST, written[0]["id"])
    with pytest.raises(AccessDenied):
        decisions.withdraw_rebase(engine, Scope.for_user("lead.other", {"lead"}, {"rasso"}), written[1]["id"])


def test_recorded_decisions_reach_the_xmr_frame(engine):
    before = decisions.decisions_version(engine)
    decisions.record_rebase(engine, LEAD, CATALOGUE, METRIC, "2025-09-01", "PPU", portfolio_id="vawg_da")
    decisions.record_annotation(engine, LEAD, CATALOGUE, METRIC, "2025-03-12", "new system live",
                                portfolio_id="vawg_da")  # fmt: skip
    assert decisions.decisions_version(engine) != before
    (note,) = _audit(engine)[-1:]
    assert note["event"] == "spc.annotate" and note["entity_type"] == "spc_annotation"
    values = pd.Series([0.9, 0.92, 0.91, 0.93, 0.92, 0.94, 0.91, 0.92] + [0.6] * 8,
                       index=pd.date_range("2025-01-01", periods=16, freq="MS"))  # fmt: skip
    frame = spc_frame(values, METRIC, CATALOGUE, 0.9, decisions=load_decisions(engine), portfolio_id="vawg_da")
    assert frame["segment"].tolist() == [0] * 8 + [1] * 8
    assert frame.attrs["assurance"] == "fail"  # the new process: 0.6 throughout, limits 0.6 – 0.6 below 0.9
    assert frame.attrs["rebases"] == (("2025-09-01", "PPU"),)
    assert frame.attrs["annotations"] == (("2025-03-01", "new system live"),)
