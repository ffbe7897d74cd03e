"""Targets maintained by analysts: every measure's catalogue default beside its override, and the audited changes.

A row of the `targets` table overrides a measure's catalogue target from its valid_from date, for one portfolio or
(portfolio blank) for all; metrics.measures_finish.resolve_targets picks the row that applies to each period. Setting
a target adds a row (or replaces the one with the same measure, portfolio and date), so earlier periods keep the target
they were judged against; clearing removes the override rows and the catalogue default applies again. Every change is
written to the audit log in the same transaction, with the rows before and after.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from auth.roles import Scope
from data import audit
from data.models import Target
from metrics.catalogue import Catalogue, Measure
from rules.workflow import AccessDenied, WorkflowError

TARGETS = Target.__table__
EDITORS = frozenset({"analyst", "admin"})
# The range a target may take, by kind of measure: proportions and differences of proportions as fractions.
RANGES: dict[str, tuple[float, float | None]] = {
    "rate": (0.0, 1.0),
    "difference": (-1.0, 1.0),
    "count": (0.0, None),
    "sum": (0.0, None),
    "median": (0.0, None),
}
ENTITY = "target"


def can_edit_targets(scope: Scope) -> bool:
    """Analysts maintain targets (PRODUCT.md); administrators may too."""
    return bool(scope.roles & EDITORS)


def _require_editor(scope: Scope) -> None:
    if not can_edit_targets(scope):
        raise AccessDenied("targets.errors.forbidden")


@dataclass(frozen=True)
class TargetKey:
    """What a target row is for: a measure and a portfolio (None: every portfolio without its own)."""

    metric_id: str
    portfolio_id: str | None = None

    @property
    def entity_id(self) -> str:
        """The audit log's record reference: METRIC or METRIC@portfolio."""
        return self.metric_id if self.portfolio_id is None else f"{self.metric_id}@{self.portfolio_id}"


def validate(catalogue: Catalogue, key: TargetKey, value: float) -> Measure:
    """The measure, once the key and value are acceptable; WorkflowError (a translation code) otherwise."""
    try:
        measure = catalogue.measure(key.metric_id)
    except KeyError:
        raise WorkflowError("targets.errors.unknown_measure", metric_id=key.metric_id) from None
    if key.portfolio_id is not None and key.portfolio_id not in {p.id for p in catalogue.portfolios}:
        raise WorkflowError("targets.errors.unknown_portfolio", portfolio=key.portfolio_id)
    if measure.polarity == "neutral":
        # A neutral measure is never rated, so a target would change nothing anyone sees.
        raise WorkflowError("targets.errors.neutral", metric_id=key.metric_id)
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        raise WorkflowError("targets.errors.not_a_number")
    low, high = RANGES[measure.kind]
    if value < low or (high is not None and value > high):
        raise WorkflowError(f"targets.errors.range_{measure.kind}")
    return measure


def _rows(conn: Connection, key: TargetKey) -> list[dict]:
    """The override rows of a key, oldest valid_from first, as plain dicts (for the audit log)."""
    stmt = select(TARGETS).where(TARGETS.c.metric_id == key.metric_id)
    if key.portfolio_id is None:
        stmt = stmt.where(TARGETS.c.portfolio_id.is_(None))
    else:
        stmt = stmt.where(TARGETS.c.portfolio_id == key.portfolio_id)
    rows = conn.execute(stmt.order_by(TARGETS.c.valid_from, TARGETS.c.id)).mappings().all()
    return [{k: row[k] for k in ("metric_id", "portfolio_id", "target", "valid_from", "set_by")} for row in rows]


def set_target(
    engine: Engine,
    scope: Scope,
    catalogue: Catalogue,
    key: TargetKey,
    value: float,
    valid_from: dt.date,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Set a measure's target from valid_from (a fraction for rates: 0.9 is 90%), replacing one set for that date."""
    _require_editor(scope)
    validate(catalogue, key, value)
    at = now or audit.utcnow()
    with audit.writing(engine) as conn:
        before = _rows(conn, key)
        same_day = [r for r in before if r["valid_from"] == valid_from]
        values = {"target": float(value), "set_by": scope.username, "set_at": at}
        if same_day:
            stmt = update(TARGETS).where(TARGETS.c.metric_id == key.metric_id, TARGETS.c.valid_from == valid_from)
            portfolio = TARGETS.c.portfolio_id
            stmt = stmt.where(portfolio.is_(None) if key.portfolio_id is None else portfolio == key.portfolio_id)
            conn.execute(stmt.values(**values))
        else:
            conn.execute(
                insert(TARGETS).values(
                    metric_id=key.metric_id, portfolio_id=key.portfolio_id, valid_from=valid_from, **values
                )
            )
        after = _rows(conn, key)
        audit.write(
            conn, actor=scope.username, event="target.set", entity_type=ENTITY, entity_id=key.entity_id,
            before=before, after=after, portfolio=key.portfolio_id, at=at,
        )  # fmt: skip


def clear_target(engine: Engine, scope: Scope, catalogue: Catalogue, key: TargetKey) -> int:
    """Remove every override row of the key (the catalogue default applies again); returns how many went."""
    _require_editor(scope)
    try:
        catalogue.measure(key.metric_id)
    except KeyError:
        raise WorkflowError("targets.errors.unknown_measure", metric_id=key.metric_id) from None
    with audit.writing(engine) as conn:
        before = _rows(conn, key)
        if not before:
            return 0
        stmt = delete(TARGETS).where(TARGETS.c.metric_id == key.metric_id)
        portfolio = TARGETS.c.portfolio_id
        conn.execute(stmt.where(portfolio.is_(None) if key.portfolio_id is None else portfolio == key.portfolio_id))
        audit.write(
            conn, actor=scope.username, event="target.clear", entity_type=ENTITY, entity_id=key.entity_id,
            before=before, after=[], portfolio=key.portfolio_id,
        )  # fmt: skip
    return len(before)


def targets_version(engine: Engine) -> tuple:
    """A cheap fingerprint of the targets table (rows, last id, last change): it changes with every set or clear,
    so cached computations keyed on it show a new target at once, whoever changed it."""
    stmt = select(func.count(), func.max(TARGETS.c.id), func.max(TARGETS.c.set_at)).select_from(TARGETS)
    with engine.connect() as conn:
        count, last_id, last_set = conn.execute(stmt).one()
    return (int(count), last_id, None if last_set is None else str(last_set))


def targets_overview(
    catalogue: Catalogue, overrides: pd.DataFrame, on: dt.date, portfolio_id: str | None = None
) -> pd.DataFrame:
    """One row per measure: kind, polarity, catalogue default and the override in force on `on` for the portfolio.

    `overrides` is data.queries.targets_frame. For a portfolio, its own row beats the all-portfolio one (as in
    resolve_targets); `applies` is the target the scorecard uses, `source` says where it comes from.
    """
    frame = overrides.copy()
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    wanted = frame["portfolio_id"].isna()
    if portfolio_id is not None:
        wanted |= frame["portfolio_id"] == portfolio_id
    frame = frame.loc[wanted & (frame["valid_from"] <= pd.Timestamp(on))]
    frame = frame.assign(specific=frame["portfolio_id"].notna())
    current = frame.sort_values(["specific", "valid_from", "set_at"]).groupby("metric_id").last()
    rows = []
    for m in catalogue.all_measures:
        found = m.id in current.index
        row = current.loc[m.id] if found else None
        override = float(row["target"]) if found else math.nan
        rows.append(
            {
                "metric_id": m.id,
                "kind": m.kind,
                "polarity": m.polarity,
                "default": math.nan if m.target is None else float(m.target),
                "override": override,
                "override_portfolio": (row["portfolio_id"] if found else None),
                "valid_from": row["valid_from"].date() if found else None,
                "set_by": row["set_by"] if found else None,
                "applies": override if found else (math.nan if m.target is None else float(m.target)),
                "source": ("override" if found else ("catalogue" if m.target is not None else "none")),
            }
        )
    return pd.DataFrame(rows)
