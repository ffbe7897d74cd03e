"""Case-level reads: the late and missed entitlement instances behind a Victims' Code measure, access checked first.

This is the only read of case-level entitlement rows for a page. The user's Scope is checked before any SQL runs:
a user may read a portfolio's cases only when `scope.can_see_cases(portfolio)`, and only for the entitlement codes
that the portfolio's scorecard measures (the portfolio's own case-level data). The portfolio's cohort comes from
the catalogue, never from the caller, so the portfolio named in the check is the one whose victims are read.
Rows carry pseudonymous references only (case_id, entitlement_id): no other identifier is selected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Date, Engine, and_, case, func, literal, not_, or_, select

from auth.roles import Scope
from data.models import Entitlement, Victim
from data.queries import INDEX_RANGE_DAYS, _as_date, _between, _cohort_conditions, read_frame
from metrics.catalogue import COHORT_FLAGS, CUTS, Catalogue, load_catalogue
from metrics.entitlements import elapsed_days, entitlement_states, timescale_days
from rules import workflow

V, E = Victim.__table__, Entitlement.__table__
SHOWN_STATES = ("late", "missed")
# Victim columns a case list may be narrowed by (the measure cuts; unit is the owing unit, see _unit()).
FILTERS = CUTS
COLUMNS = [
    "case_id",
    "entitlement_id",
    "code",
    "trigger_date",
    "delivered_date",
    "state",
    "elapsed",
    "timescale",
    "day_unit",
    "enhanced_rights",
    "unit",
    "area",
]


class AccessDenied(workflow.AccessDenied):
    """The user may not read this portfolio's case-level data (or these codes are not part of it)."""

    def __init__(self, code: str = "vcop.cases.forbidden", **params):
        super().__init__(code, **params)


def portfolio_codes(catalogue: Catalogue, portfolio_id: str) -> tuple[str, ...]:
    """Entitlement codes whose instances are the portfolio's case-level data: those its scorecard measures pool."""
    codes: list[str] = []
    for metric_id in catalogue.scorecard_measures(portfolio_id):
        for code in catalogue.measure(metric_id).codes:
            if code not in codes:
                codes.append(code)
    return tuple(codes)


def resolve_codes(catalogue: Catalogue, code_or_right: str | int | Sequence[str] | None) -> tuple[str, ...]:
    """The entitlement codes asked for: a code (R6_SUSPECT_UPDATE or VCOP_R6_SUSPECT_UPDATE), a right number (6 or
    "6"), a list of codes, or None for every code. Unknown codes or rights raise KeyError."""
    known = [e.code for e in catalogue.entitlements]
    if code_or_right is None:
        return tuple(known)
    if isinstance(code_or_right, int) or (isinstance(code_or_right, str) and code_or_right.isdigit()):
        right = int(code_or_right)
        codes = tuple(e.code for e in catalogue.entitlements if e.right == right)
        if not codes:
            raise KeyError(f"no entitlements under right {right}")
        return codes
    items = [code_or_right] if isinstance(code_or_right, str) else list(code_or_right)
    codes = tuple(dict.fromkeys(c.removeprefix("VCOP_") for c in items))
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise KeyError(f"unknown entitlement codes {unknown or items}")
    return codes


def check_access(scope: Scope, portfolio_id: str, codes: Iterable[str], catalogue: Catalogue) -> None:
    """Raise AccessDenied unless the user may read the portfolio's cases and every code is part of the portfolio."""
    if not scope.can_see_cases(portfolio_id):
        raise AccessDenied("vcop.cases.forbidden", portfolio=portfolio_id)
    try:
        own = set(portfolio_codes(catalogue, portfolio_id))
    except KeyError:
        raise AccessDenied("vcop.cases.forbidden", portfolio=portfolio_id) from None
    outside = [c for c in codes if c not in own]
    if outside:
        raise AccessDenied("vcop.cases.not_in_portfolio", portfolio=portfolio_id, codes=", ".join(outside))


def _unit():
    """The unit that owed the entitlement, defaulting to the victim's unit (DATA_CONTRACT: entitlements.unit)."""
    return func.coalesce(E.c.unit, V.c.unit)


def _filter_conditions(cuts: Mapping[str, object] | None) -> list:
    """Conditions narrowing the list to one value of each given cut (values as measure rows label them)."""
    conditions = []
    for column, value in (cuts or {}).items():
        if column not in FILTERS:
            raise ValueError(f"cannot filter cases by {column!r}; choose one of {', '.join(FILTERS)}")
        if column in COHORT_FLAGS:
            wanted = value if isinstance(value, bool) else str(value).lower() == "true"
            conditions.append(V.c[column].is_(wanted))
        elif column == "unit":
            conditions.append(_unit() == str(value))
        else:
            conditions.append(V.c[column] == str(value))
    return conditions


def _days_between(dialect: str, first, last):
    """Calendar days from `first` to `last` (SQLite keeps dates as ISO text; PostgreSQL subtracts dates to days)."""
    if dialect == "sqlite":
        return func.julianday(last) - func.julianday(first)
    return last - first


def _surely_not_shown(dialect: str, codes: Sequence[str], timescales: pd.DataFrame, as_of) -> list:
    """Conditions dropping, before pandas sees them, instances that can only be timely or pending.

    A count of working days never exceeds the calendar days between the same two dates, so an instance delivered (by
    the as-of date) within its code's shorter timescale in calendar days is timely whatever the day unit or rights,
    and one still undelivered that few days after its trigger is pending. Neither is late or missed, and most
    instances are timely, so the exact judgement in pandas (classify_cases) sees only the candidates.

    One comparison a row: the calendar days from the trigger to the delivery (or to the as-of date when undelivered
    by then) against the code's days, looked up with a CASE on the code (codes without a timescale are all kept).
    """
    known = {code: int(min(timescales.at[code, "standard"], timescales.at[code, "enhanced"])) for code in codes
             if code in timescales.index}  # fmt: skip
    if not known:
        return []
    as_of = literal(as_of, Date)
    delivered = and_(E.c.delivered_date.is_not(None), E.c.delivered_date <= as_of)
    until = case((delivered, E.c.delivered_date), else_=as_of)
    within = _days_between(dialect, E.c.trigger_date, until) <= case(known, value=E.c.code)
    if len(known) == len(set(codes)):
        return [not_(within)]
    return [or_(E.c.code.not_in(list(known)), not_(within))]


def _select(engine: Engine, codes: Sequence[str], start, last, as_of, catalogue: Catalogue, where: list, extra=()):
    """The candidate instances of the codes triggered in [start, last] (late or missed possible), oldest first."""
    return (
        select(
            E.c.case_id,
            E.c.entitlement_id,
            E.c.code,
            E.c.trigger_date,
            E.c.delivered_date,
            E.c.declined,
            V.c.enhanced_rights,
            _unit().label("unit"),
            V.c.area,
            *extra,
        )
        .select_from(E.join(V, E.c.case_id == V.c.case_id))
        .where(E.c.code.in_(list(codes)), _between(engine, E.c.trigger_date, start, last))
        # Declined instances are excluded whatever their dates; delivered on the trigger day is always timely.
        .where(E.c.declined.is_not(True))
        .where(*where)
        .where(*_surely_not_shown(engine.dialect.name, codes, catalogue.timescales(), as_of))
        .order_by(_oldest_first(engine, start, last), E.c.case_id, E.c.entitlement_id)
    )


def _oldest_first(engine: Engine, start, last):
    """The sort key for oldest trigger first. For a long range on SQLite, date(trigger_date), which is the stored ISO
    text unchanged (the same order): sorting by the bare column, SQLite walks the trigger-date index to spare a sort
    and so reads most rows through it despite _between (a year of a 1.8M-row table: 1.6 CPU s; a scan and a sort of
    the 130,000 rows kept: 0.9 s)."""
    long_range = (_as_date(last) - _as_date(start)).days > INDEX_RANGE_DAYS
    if engine.dialect.name == "sqlite" and long_range:
        return func.date(E.c.trigger_date)
    return E.c.trigger_date


def missed_and_late(
    engine: Engine,
    scope: Scope,
    portfolio_id: str,
    code_or_right: str | int | Sequence[str] | None,
    start,
    end,
    as_of,
    cuts: Mapping[str, object] | None = None,
    *,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Late and missed instances of the codes for the portfolio's cohort, triggered in [start, end], judged at as_of.

    AccessDenied (before anything is read) unless the user may see the portfolio's cases and the codes are part of
    it. `cuts` narrows to one value per cut column (e.g. {"unit": "Public Protection Unit", "enhanced_rights":
    "true"}). Returns COLUMNS: pseudonymous references, dates (a delivery after as_of is not yet a delivery), the
    state, days elapsed (to delivery, or to as_of when undelivered), the timescale that applied and its day unit
    (working/calendar), enhanced rights, owing unit and area; oldest trigger first.
    """
    catalogue = catalogue or load_catalogue()
    codes = resolve_codes(catalogue, code_or_right)
    check_access(scope, portfolio_id, codes, catalogue)
    cohort = catalogue.portfolio(portfolio_id).cohort
    as_of = _as_date(as_of)
    last = min(_as_date(end), as_of)  # nothing triggered after the as-of date counts
    where = [*_cohort_conditions(cohort), *_filter_conditions(cuts)]
    rows = read_frame(engine, _select(engine, codes, start, last, as_of, catalogue, where))
    return classify_cases(rows, catalogue.timescales(), as_of)


def missed_and_late_of_portfolios(
    engine: Engine,
    scope: Scope,
    portfolio_ids: Sequence[str],
    start,
    end,
    as_of,
    *,
    catalogue: Catalogue | None = None,
) -> dict[str, pd.DataFrame]:
    """Each portfolio's late and missed instances of its own codes (portfolio_codes), as missed_and_late gives them
    for that portfolio and its codes, read in one query for all (an evidence pack reads seven portfolios, most of
    them the same Code instances of narrower cohorts); portfolios without codes are left out.

    AccessDenied (before anything is read) unless the user may see every portfolio's cases. The query reads the
    instances of every portfolio's codes for victims in any portfolio's cohort, with the victim columns the cohorts
    name; each portfolio's rows are then those of its codes whose victim is in its cohort (the same conditions
    evaluated in pandas), in the same order.
    """
    catalogue = catalogue or load_catalogue()
    wanted = {}
    for portfolio_id in portfolio_ids:
        codes = portfolio_codes(catalogue, portfolio_id)
        check_access(scope, portfolio_id, codes, catalogue)
        if codes:
            wanted[portfolio_id] = codes
    if not wanted:
        return {}
    cohorts = {p: dict(catalogue.portfolio(p).cohort or {}) for p in wanted}
    flags = sorted({key for cohort in cohorts.values() for key in cohort})
    extra = [V.c[key].label(f"cohort_{key}") for key in flags]
    # Any victim of any portfolio's cohort (every victim when some portfolio has no cohort).
    where = [or_(*(and_(*_cohort_conditions(c)) for c in cohorts.values()))] if all(cohorts.values()) else []
    codes = tuple(dict.fromkeys(code for own in wanted.values() for code in own))
    as_of = _as_date(as_of)
    last = min(_as_date(end), as_of)
    rows = read_frame(engine, _select(engine, codes, start, last, as_of, catalogue, where, extra))
    if rows.empty:
        return {p: _empty() for p in wanted}
    judged = _judged(rows, catalogue.timescales(), as_of)
    shown = judged["state"].isin(SHOWN_STATES).to_numpy()
    out = {}
    for portfolio_id, own in wanted.items():
        keep = shown & rows["code"].isin(own).to_numpy()
        for key, value in cohorts[portfolio_id].items():
            column = rows[f"cohort_{key}"]
            inside = column.eq(value) if isinstance(value, bool) else column.isin(list(value))
            keep &= inside.fillna(False).to_numpy(dtype=bool)
        frame = judged.loc[keep].reset_index(drop=True)
        out[portfolio_id] = frame if len(frame) else _empty()
    return out


def classify_cases(rows: pd.DataFrame, timescales: pd.DataFrame, as_of) -> pd.DataFrame:
    """The late and missed rows of fetched instances, with state, elapsed days and the timescale that applied."""
    if rows.empty:
        return _empty()
    out = _judged(rows, timescales, as_of)
    return out.loc[out["state"].isin(SHOWN_STATES).to_numpy()].reset_index(drop=True)


def _judged(rows: pd.DataFrame, timescales: pd.DataFrame, as_of) -> pd.DataFrame:
    """Every fetched instance (not empty) as COLUMNS, with its state, elapsed days and the timescale that applied."""
    as_of_ts = pd.Timestamp(as_of)
    timescale, calendar = timescale_days(rows["code"], rows["enhanced_rights"], timescales)
    elapsed, delivered = elapsed_days(rows, as_of_ts, calendar)
    state = entitlement_states(rows, timescales, as_of_ts)
    return pd.DataFrame(
        {
            "case_id": rows["case_id"].astype("string"),
            "entitlement_id": rows["entitlement_id"].astype("string"),
            "code": rows["code"].astype("string"),
            "trigger_date": rows["trigger_date"],
            "delivered_date": rows["delivered_date"].where(pd.Series(delivered, index=rows.index)),
            "state": state.astype("string"),
            "elapsed": pd.array(elapsed, dtype="Float64").astype("Int64"),
            "timescale": pd.array(timescale, dtype="Float64").astype("Int64"),
            "day_unit": pd.Series(np.where(calendar, "calendar", "working"), index=rows.index, dtype="string"),
            "enhanced_rights": rows["enhanced_rights"].astype("boolean"),
            "unit": rows["unit"].astype("string"),
            "area": rows["area"].astype("string"),
        }
    )


def _empty() -> pd.DataFrame:
    """No rows, with the columns and types of a case list."""
    types = {"trigger_date": "datetime64[s]", "delivered_date": "datetime64[s]", "elapsed": "Int64"}
    types |= {"timescale": "Int64", "enhanced_rights": "boolean"}
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, "string")) for c in COLUMNS})
