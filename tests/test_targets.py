"""Targets maintained by analysts: validation, who may change them, the audit trail, and the RAG that follows."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from sqlalchemy import select

from auth.roles import Scope
from data import queries
from data.models import AuditLog, Target
from data.targets import TargetKey, clear_target, set_target, targets_overview, targets_version
from metrics.catalogue import load_catalogue
from metrics.measures_finish import apply_targets
from rules.workflow import AccessDenied, WorkflowError

ANALYST = Scope.for_user("analyst", ["analyst"])
ADMIN = Scope.for_user("admin", ["admin"])
READERS = [
    Scope.for_user("lead.da", ["lead"], ["vawg_da"]),
    Scope.for_user("board", ["board"]),
    Scope.for_user("inspector", ["inspector"]),
]
APRIL = dt.date(2026, 4, 1)
NOW = dt.datetime(2026, 8, 3, 10, 0)
SAT = TargetKey("SAT_WHOLE")  # a rate, polarity up, catalogue target 0.80


@pytest.fixture
def catalogue():
    return load_catalogue()


def audit_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(AuditLog.__table__).order_by(AuditLog.__table__.c.id)).mappings().all()
    return [dict(r) for r in rows]


def target_rows(engine) -> list[tuple]:
    t = Target.__table__
    with engine.connect() as conn:
        stmt = select(t.c.metric_id, t.c.portfolio_id, t.c.target, t.c.valid_from, t.c.set_by).order_by(t.c.id)
        return [tuple(r) for r in conn.execute(stmt)]


def rag_of(engine, catalogue, metric_id: str, value: float, portfolio: str | None = None) -> tuple[float, str]:
    """The target and RAG the metrics engine gives one value for the period ending 31 July 2026."""
    measure = catalogue.measure(metric_id)
    rows = pd.DataFrame(
        {
            "metric_id": [metric_id],
            "period_end": [pd.Timestamp(2026, 7, 31)],
            "kind": [measure.kind],
            "polarity": [measure.polarity],
            "value": [value],
        }
    )
    out = apply_targets(rows, catalogue, queries.targets_frame(engine), portfolio).iloc[0]
    return out["target"], out["rag"]


def test_an_analyst_sets_a_target_and_the_rag_follows(engine, catalogue):
    # 0.78 against the catalogue's 0.80: 2 points short, within the 5-point amber margin.
    assert rag_of(engine, catalogue, "SAT_WHOLE", 0.78) == (0.80, "amber")
    set_target(engine, ANALYST, catalogue, SAT, 0.75, APRIL, now=NOW)
    assert target_rows(engine) == [("SAT_WHOLE", None, 0.75, APRIL, "analyst")]
    assert rag_of(engine, catalogue, "SAT_WHOLE", 0.78) == (0.75, "green")
    (row,) = audit_rows(engine)
    assert (row["actor"], row["event"], row["entity_type"], row["entity_id"]) == (
        "analyst", "target.set", "target", "SAT_WHOLE",
    )  # fmt: skip
    assert json.loads(row["before_json"]) == []
    entry = {"metric_id": "SAT_WHOLE", "portfolio_id": None, "target": 0.75, "valid_from": "2026-04-01"}
    assert json.loads(row["after_json"]) == [{**entry, "set_by": "analyst"}]


def test_changing_the_target_for_the_same_date_replaces_it(engine, catalogue):
    set_target(engine, ANALYST, catalogue, SAT, 0.75, APRIL, now=NOW)
    set_target(engine, ADMIN, catalogue, SAT, 0.90, APRIL, now=NOW + dt.timedelta(hours=1))
    assert target_rows(engine) == [("SAT_WHOLE", None, 0.90, APRIL, "admin")]
    # 0.78 against 0.90: 12 points short, beyond the amber margin.
    assert rag_of(engine, catalogue, "SAT_WHOLE", 0.78) == (0.90, "red")
    change = audit_rows(engine)[-1]
    assert [r["target"] for r in json.loads(change["before_json"])] == [0.75]
    assert [r["target"] for r in json.loads(change["after_json"])] == [0.90]


def test_a_later_target_leaves_earlier_periods_their_own(engine, catalogue):
    set_target(engine, ANALYST, catalogue, SAT, 0.70, dt.date(2025, 4, 1), now=NOW)
    set_target(engine, ANALYST, catalogue, SAT, 0.90, APRIL, now=NOW)
    overrides = queries.targets_frame(engine)
    before = targets_overview(catalogue, overrides, dt.date(2026, 3, 31)).set_index("metric_id").loc["SAT_WHOLE"]
    after = targets_overview(catalogue, overrides, dt.date(2026, 7, 31)).set_index("metric_id").loc["SAT_WHOLE"]
    assert (before["applies"], before["valid_from"]) == (0.70, dt.date(2025, 4, 1))
    assert (after["applies"], after["valid_from"], after["default"], after["source"]) == (0.90, APRIL, 0.80, "override")


def test_a_portfolio_target_beats_the_all_portfolio_one(engine, catalogue):
    set_target(engine, ANALYST, catalogue, SAT, 0.95, APRIL, now=NOW)
    set_target(engine, ANALYST, catalogue, TargetKey("SAT_WHOLE", "vawg_da"), 0.60, APRIL, now=NOW)
    assert rag_of(engine, catalogue, "SAT_WHOLE", 0.62, "vawg_da") == (0.60, "green")
    assert rag_of(engine, catalogue, "SAT_WHOLE", 0.62, "rasso") == (0.95, "red")
    overview = targets_overview(catalogue, queries.targets_frame(engine), dt.date(2026, 7, 31), "vawg_da")
    row = overview.set_index("metric_id").loc["SAT_WHOLE"]
    assert (row["applies"], row["override_portfolio"]) == (0.60, "vawg_da")
    assert audit_rows(engine)[-1]["entity_id"] == "SAT_WHOLE@vawg_da"


def test_clearing_returns_to_the_catalogue_default(engine, catalogue):
    set_target(engine, ANALYST, catalogue, SAT, 0.70, dt.date(2025, 4, 1), now=NOW)
    set_target(engine, ANALYST, catalogue, SAT, 0.75, APRIL, now=NOW)
    set_target(engine, ANALYST, catalogue, TargetKey("SAT_WHOLE", "rasso"), 0.5, APRIL, now=NOW)
    assert clear_target(engine, ANALYST, catalogue, SAT) == 2
    # The rasso target is a different key and stays.
    assert target_rows(engine) == [("SAT_WHOLE", "rasso", 0.5, APRIL, "analyst")]
    assert rag_of(engine, catalogue, "SAT_WHOLE", 0.78) == (0.80, "amber")
    cleared = audit_rows(engine)[-1]
    assert cleared["event"] == "target.clear"
    assert [r["target"] for r in json.loads(cleared["before_json"])] == [0.70, 0.75]
    assert json.loads(cleared["after_json"]) == []
    # Nothing left to clear: nothing written.
    assert clear_target(engine, ANALYST, catalogue, SAT) == 0
    assert len(audit_rows(engine)) == 4


@pytest.mark.parametrize(
    ("metric_id", "value", "code"),
    [
        ("SAT_WHOLE", 1.2, "targets.errors.range_rate"),  # 120%
        ("SAT_WHOLE", -0.01, "targets.errors.range_rate"),
        ("SAT_WHOLE", math.nan, "targets.errors.not_a_number"),
        ("SAT_WHOLE", math.inf, "targets.errors.not_a_number"),
        ("SAT_GAP_ETHNICITY", 1.5, "targets.errors.range_difference"),
        ("SE_EVENTS", -1, "targets.errors.range_count"),
        ("SE_PARTICIPANTS", -5, "targets.errors.range_sum"),
        ("SE_DAYS_TO_CLOSE", -0.5, "targets.errors.range_median"),
        ("CG_REFERRALS", 100, "targets.errors.neutral"),  # never rated, so a target would change nothing
        ("NOT_A_MEASURE", 0.5, "targets.errors.unknown_measure"),
    ],
)
def test_invalid_targets_are_refused_and_nothing_is_written(engine, catalogue, metric_id, value, code):
    with pytest.raises(WorkflowError) as info:
        set_target(engine, ANALYST, catalogue, TargetKey(metric_id), value, APRIL)
    assert info.value.code == code
    assert target_rows(engine) == [] and audit_rows(engine) == []


@pytest.mark.parametrize(
    ("metric_id", "value"),
    [("SAT_WHOLE", 0.0), ("SAT_WHOLE", 1.0), ("SAT_GAP_ETHNICITY", -0.02), ("SE_DAYS_TO_CLOSE", 45)],
)
def test_boundary_and_signed_targets_are_accepted(engine, catalogue, metric_id, value):
    set_target(engine, ANALYST, catalogue, TargetKey(metric_id), value, APRIL)
    assert target_rows(engine) == [(metric_id, None, value, APRIL, "analyst")]


def test_an_unknown_portfolio_is_refused(engine, catalogue):
    with pytest.raises(WorkflowError) as info:
        set_target(engine, ANALYST, catalogue, TargetKey("SAT_WHOLE", "nowhere"), 0.8, APRIL)
    assert info.value.code == "targets.errors.unknown_portfolio"


@pytest.mark.parametrize("scope", READERS, ids=lambda s: s.username)
def test_leads_board_and_inspectors_cannot_change_targets(engine, catalogue, scope):
    with pytest.raises(AccessDenied):
        set_target(engine, scope, catalogue, SAT, 0.75, APRIL)
    set_target(engine, ANALYST, catalogue, SAT, 0.75, APRIL)
    with pytest.raises(AccessDenied):
        clear_target(engine, scope, catalogue, SAT)
    assert target_rows(engine) == [("SAT_WHOLE", None, 0.75, APRIL, "analyst")]
    assert [r["actor"] for r in audit_rows(engine)] == ["analyst"]


def test_the_version_changes_with_every_change(engine, catalogue):
    seen = [targets_version(engine)]
    set_target(engine, ANALYST, catalogue, SAT, 0.75, APRIL, now=NOW)
    seen.append(targets_version(engine))
    set_target(engine, ANALYST, catalogue, SAT, 0.76, APRIL, now=NOW + dt.timedelta(seconds=1))  # same row, updated
    seen.append(targets_version(engine))
    clear_target(engine, ANALYST, catalogue, SAT)
    seen.append(targets_version(engine))
    assert seen[0] == (0, None, None)
    assert len(set(seen[:3])) == 3 and seen[3][0] == 0


def test_the_overview_lists_every_measure_with_its_default(engine, catalogue):
    overview = targets_overview(catalogue, queries.targets_frame(engine), dt.date(2026, 7, 31))
    assert list(overview["metric_id"]) == [m.id for m in catalogue.all_measures]
    row = overview.set_index("metric_id").loc["SAT_WHOLE"]
    assert (row["default"], row["applies"], row["source"]) == (0.80, 0.80, "catalogue")
    assert overview.set_index("metric_id").loc["CG_REFERRALS", "source"] == "none"
