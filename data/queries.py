"""Read-side queries: the DataFrames the metrics need, filtered in SQL (date range, cohort) with bound parameters.

Every function takes all of its inputs explicitly (engine, dates, cohort) so that a cache keyed on its arguments is
safe to share. Frames come back with datetime64[s] dates, nullable booleans and categorical low-cardinality text.
The per-row work (working days, states) happens in metrics/, never here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Boolean, Date, Engine, Float, Integer, and_, func, or_, select
from sqlalchemy.sql import Select

from config.sources import LIVE, MEASURED, OWN_ATTRIBUTES
from data.models import (
    CONTRACT_TABLES,
    Action,
    EngagementEvent,
    Entitlement,
    FeedbackItem,
    Inspection,
    InspectionGrade,
    Load,
    PoliceUkStreet,
    QualityReview,
    Recommendation,
    Referral,
    ReferralNeed,
    SpecialMeasure,
    SurveyResponse,
    Target,
    Victim,
    Witness,
)

V, E = Victim.__table__, Entitlement.__table__
CHUNK = 200_000  # rows fetched at a time: bounded memory while a large frame is built
# A range longer than this scans the table rather than the date index on SQLite: reading most rows through an index
# jumps around the file (measured on 9M entitlements: 54 s through the index, 25 s by scanning).
INDEX_RANGE_DAYS = 92
CATEGORIES = {
    "case_id", "code", "language", "unit", "offence_group", "age_band", "sex", "ethnicity", "disability",
    "preferred_language", "area", "outcome", "source", "plea", "trial_outcome", "ineffective_reason", "eligibility",
    "decision", "status", "kind", "portfolio", "local_authority", "crime_type", "last_outcome",
    "result", "need", "body",
}  # fmt: skip
BOOL_FLAGS = ("domestic_abuse", "hate_crime", "enhanced_rights")
VICTIM_TEXT = ("offence_group", "area", "unit", "age_band", "sex", "ethnicity", "disability", "preferred_language")
# Victim columns a source carries itself (for rows with no linked victim, e.g. self-referrals).
OWN = OWN_ATTRIBUTES


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else pd.Timestamp(value).date()


def read_frame(engine: Engine, stmt: Select) -> pd.DataFrame:
    """Run a select in chunks and build a typed frame: dates as datetime64[s], booleans nullable, codes categorical.

    Each chunk is typed as it arrives, so the Python objects of at most one chunk are alive at a time.
    """
    types = {column.name: column.type for column in stmt.selected_columns}
    names = list(types)
    parts: dict[str, list[pd.Series]] = {name: [] for name in names}
    with engine.connect() as conn:
        result = conn.execute(stmt)
        # Rows are read straight from the driver's cursor: SQLAlchemy's Row objects and per-value date conversion
        # cost more than the query itself on large frames, and every column is typed below, once per chunk (SQLite
        # hands dates over as their stored ISO text, 0/1 for booleans; psycopg as date and bool objects).
        cursor = result.cursor
        while chunk := cursor.fetchmany(CHUNK):
            for name, values in zip(names, zip(*chunk, strict=True), strict=True):
                parts[name].append(_typed(list(values), types[name], name))
        result.close()
    return pd.DataFrame({name: _joined(parts[name], types[name], name) for name in names})


def _joined(parts: list[pd.Series], sql_type, name: str) -> pd.Series:
    """A column's typed chunks as one Series (categoricals united, so no chunk's codes are lost)."""
    if not parts:
        return _typed([], sql_type, name)
    if len(parts) == 1:
        return parts[0]
    if name in CATEGORIES:
        # A chunk with no values at all has categories of another dtype; give it the others' (empty) categories.
        filled = [p for p in parts if len(p.cat.categories)]
        if not filled:
            return pd.concat(parts, ignore_index=True)
        empty = filled[0].cat.categories[:0]
        parts = [p if len(p.cat.categories) else p.cat.set_categories(empty) for p in parts]
        return pd.Series(union_categoricals(parts))
    return pd.concat(parts, ignore_index=True)


def _typed(values: list, sql_type, name: str) -> pd.Series:
    """One column (or chunk) converted by its SQL type: dates, nullable booleans and integers, codes, text."""
    raw = pd.Series(values, dtype=object)
    if isinstance(sql_type, Date):
        text = isinstance(next((v for v in values if v is not None), None), str)
        return pd.to_datetime(raw, format="ISO8601" if text else None).astype("datetime64[s]")
    if isinstance(sql_type, Boolean):
        return raw.astype("boolean")
    if isinstance(sql_type, Integer):
        return raw.astype("Int64")
    if isinstance(sql_type, Float):
        return raw.astype(float)
    return raw.astype("category") if name in CATEGORIES else raw.astype("string")


def _cohort_conditions(cohort: dict | None, table=V) -> list:
    """Conditions on victims' columns for a declarative cohort ({domestic_abuse: true}, {offence_group: [...]})."""
    conditions = []
    for key, wanted in (cohort or {}).items():
        column = table.c[key]
        conditions.append(column.is_(wanted) if isinstance(wanted, bool) else column.in_(list(wanted)))
    return conditions


def _in_cohort(table, cohort: dict | None, own: tuple[str, ...] = ()):
    """Rows of a case-linked table whose victim is in the cohort; unlinked rows qualify on their own columns.

    None when there is no cohort (every row qualifies).
    """
    if not cohort:
        return None
    victims = select(V.c.case_id).where(*_cohort_conditions(cohort))
    linked = table.c.case_id.in_(victims)
    if own and set(cohort) <= set(own):
        unlinked = and_(table.c.case_id.is_(None), *_cohort_conditions(cohort, table))
        return or_(linked, unlinked)
    return linked


def _between(engine: Engine, column, start=None, end=None):
    """start <= column <= end (either bound optional), written so that SQLite scans rather than walks the date index
    when the range is long (SQLite's planner has no statistics to tell; PostgreSQL's does and is left to choose)."""
    start, end = (None if start is None else _as_date(start)), (None if end is None else _as_date(end))
    long_range = start is None or end is None or (end - start).days > INDEX_RANGE_DAYS
    if engine.dialect.name == "sqlite" and long_range:
        # date() returns the stored ISO text unchanged, but an expression is not served by the index.
        column = func.date(column)
    bounds = ([column >= start] if start is not None else []) + ([column <= end] if end is not None else [])
    return and_(*bounds)


def _where(stmt: Select, *conditions) -> Select:
    return stmt.where(*[c for c in conditions if c is not None])


CASE_EXTRACT = ("victims", "entitlements")  # the extract whose as-of date is the dashboard's


def _latest_load_as_of(conn, tables) -> dt.date | None:
    """The as-of date of the latest successful load (by load order) of one of `tables` that recorded one."""
    loads = Load.__table__
    stmt = (
        select(loads.c.as_of_date)
        .where(loads.c.outcome == "loaded", loads.c.as_of_date.is_not(None))
        .where(loads.c.table_name.in_(list(tables)))
        .order_by(loads.c.load_id.desc())
        .limit(1)
    )
    return conn.execute(stmt).scalar_one_or_none()


def dashboard_as_of(conn) -> dt.date | None:
    """The dashboard's as-of date, decided here alone: that of the latest load of the case extract (victims and
    entitlements). Before any case extract is loaded, that of the latest load of any contract table; None before
    any load. A load of feedback, surveys or findings never moves it."""
    return _latest_load_as_of(conn, CASE_EXTRACT) or _latest_load_as_of(conn, CONTRACT_TABLES)


def table_as_of(conn, table: str) -> dt.date | None:
    """The as-of date of the latest successful load of one table (None when it has none)."""
    return _latest_load_as_of(conn, (table,))


def latest_as_of(engine: Engine) -> dt.date | None:
    """The dashboard's as-of date (dashboard_as_of), on its own connection."""
    with engine.connect() as conn:
        return dashboard_as_of(conn)


def source_loads(engine: Engine) -> pd.DataFrame:
    """Each contract table's latest successful load: its as-of date and when it was loaded (one row a table)."""
    loads = Load.__table__
    latest = (
        select(func.max(loads.c.load_id).label("load_id"))
        .where(loads.c.outcome == "loaded", loads.c.table_name.in_(list(CONTRACT_TABLES)))
        .group_by(loads.c.table_name)
        .subquery()
    )
    stmt = select(loads.c.table_name, loads.c.as_of_date, loads.c.loaded_at).join(
        latest, loads.c.load_id == latest.c.load_id
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["table_name", "as_of_date", "loaded_at"])
    order = {name: i for i, name in enumerate(CONTRACT_TABLES)}
    return frame.sort_values("table_name", key=lambda s: s.map(order)).reset_index(drop=True)


def victim_frame(
    engine: Engine, cohort: dict | None = None, *, reported_until=None, columns: list[str] | None = None
) -> pd.DataFrame:
    """Victims (every case-level attribute, or only `columns` besides case_id), optionally only a cohort's."""
    every = ["reported_date", "recorded_date", *BOOL_FLAGS, *VICTIM_TEXT, "outcome", "outcome_date"]
    names = ["case_id", *[name for name in every if columns is None or name in columns]]
    stmt = select(*[V.c[name] for name in names])
    stmt = _where(stmt, *_cohort_conditions(cohort))
    if reported_until is not None:
        stmt = stmt.where(_between(engine, V.c.reported_date, end=reported_until))
    victims = read_frame(engine, stmt)
    # Unique per victim: plain text, the index other frames' categorical case_ids are looked up in.
    victims["case_id"] = victims["case_id"].astype("string")
    return victims


def entitlement_frame(
    engine: Engine, start, end, cohort: dict | None = None, *, with_unit: bool = True
) -> pd.DataFrame:
    """Entitlement instances triggered in [start, end] (one row each), optionally only those of a cohort's victims.

    The owing unit is only needed to cut by unit: `with_unit=False` leaves it out of a large fetch.
    """
    names = ["case_id", "code", "trigger_date", "delivered_date", "declined", "language", "exception_reason"]
    names += ["unit"] * with_unit
    stmt = select(*[E.c[name] for name in names]).where(_between(engine, E.c.trigger_date, start, end))
    return read_frame(engine, _where(stmt, _in_cohort(E, cohort)))


def survey_frame(engine: Engine, start, end, cohort: dict | None = None) -> pd.DataFrame:
    """Survey responses dated in [start, end]; a cohort keeps linked responses of its victims (and unlinked ones
    whose own columns satisfy it)."""
    t = SurveyResponse.__table__
    stmt = select(*[c for c in t.c if c.name != "load_id"]).where(_between(engine, t.c.survey_date, start, end))
    return read_frame(engine, _where(stmt, _in_cohort(t, cohort, OWN["survey_responses"])))


def referral_frame(engine: Engine, start, end, cohort: dict | None = None) -> pd.DataFrame:
    """Connect Gwent referrals received in [start, end], optionally only a cohort's."""
    t = Referral.__table__
    stmt = select(*[c for c in t.c if c.name != "load_id"]).where(_between(engine, t.c.referral_date, start, end))
    return read_frame(engine, _where(stmt, _in_cohort(t, cohort, OWN["referrals"])))


def quality_review_frame(engine: Engine, start, end, cohort: dict | None = None) -> pd.DataFrame:
    """Dip-sample reviews dated in [start, end] with the reviewed instance's case_id and code (STATUTORY.md §3)."""
    q, e = QualityReview.__table__, E
    stmt = (
        select(q.c.review_id, q.c.entitlement_id, q.c.review_date, q.c.result, q.c.failed_criteria)
        .add_columns(e.c.case_id, e.c.code)
        .select_from(q.join(e, q.c.entitlement_id == e.c.entitlement_id))
        .where(_between(engine, q.c.review_date, start, end))
    )
    return read_frame(engine, _where(stmt, _in_cohort(e, cohort)))


def referral_need_frame(engine: Engine, start, end, cohort: dict | None = None) -> pd.DataFrame:
    """Needs assessed on referrals received in [start, end], with the referral's dates and own demographics
    (STATUTORY.md §6)."""
    n, r = ReferralNeed.__table__, Referral.__table__
    own = [r.c[c] for c in OWN["referral_needs"]]
    stmt = (
        select(n.c.referral_id, n.c.need, n.c.improved, r.c.case_id, r.c.referral_date, r.c.closed_date, *own)
        .select_from(n.join(r, n.c.referral_id == r.c.referral_id))
        .where(_between(engine, r.c.referral_date, start, end))
    )
    return read_frame(engine, _where(stmt, _in_cohort(r, cohort, OWN["referral_needs"])))


def inspections_frame(engine: Engine, until=None) -> pd.DataFrame:
    """Published reports (all when `until` is None, else those published by then) with their response dates."""
    t = Inspection.__table__
    stmt = select(t.c.report_id, t.c.body, t.c.title, t.c.published_date, t.c.response_published_date)
    return read_frame(engine, stmt if until is None else stmt.where(_between(engine, t.c.published_date, end=until)))


def inspection_grades_frame(engine: Engine) -> pd.DataFrame:
    """Every graded question of every report (report_id, question, grade) with its report's publication date."""
    g, i = InspectionGrade.__table__, Inspection.__table__
    stmt = select(g.c.report_id, g.c.question, g.c.grade, i.c.published_date).select_from(
        g.join(i, g.c.report_id == i.c.report_id)
    )
    return read_frame(engine, stmt)


def findings_per_report(engine: Engine) -> pd.DataFrame:
    """How many findings of the register name each report (report_id, findings)."""
    t = Recommendation.__table__
    stmt = select(t.c.report_id, func.count().label("findings")).where(t.c.report_id.is_not(None))
    return read_frame(engine, stmt.group_by(t.c.report_id))


def witness_frame(engine: Engine, start, end, cohort: dict | None = None) -> pd.DataFrame:
    """Witnesses whose trial date lies in [start, end], optionally only those on a cohort's cases."""
    t = Witness.__table__
    stmt = select(*[c for c in t.c if c.name != "load_id"]).where(_between(engine, t.c.trial_date, start, end))
    return read_frame(engine, _where(stmt, _in_cohort(t, cohort)))


def special_measures_frame(engine: Engine, start, end, cohort: dict | None = None) -> pd.DataFrame:
    """Special measures rows identified or applied for in [start, end], with their witness's case_id and trial_date."""
    sm, w = SpecialMeasure.__table__, Witness.__table__
    start, end = _as_date(start), _as_date(end)
    stmt = (
        select(*[c for c in sm.c if c.name != "load_id"], w.c.case_id, w.c.trial_date)
        .select_from(sm.join(w, sm.c.witness_id == w.c.witness_id))
        .where(
            or_(
                and_(sm.c.identified_date >= start, sm.c.identified_date <= end),
                and_(sm.c.application_date >= start, sm.c.application_date <= end),
            )
        )
    )
    return read_frame(engine, _where(stmt, _in_cohort(w, cohort)))


def events_frame(engine: Engine, start, end) -> pd.DataFrame:
    """Engagement events held in [start, end]."""
    t = EngagementEvent.__table__
    stmt = select(t.c.event_id, t.c.event_date, t.c.forum, t.c.portfolio, t.c.participants, t.c.new_participants)
    return read_frame(engine, stmt.where(_between(engine, t.c.event_date, start, end)))


def feedback_frame(engine: Engine, start, end) -> pd.DataFrame:
    """Feedback items received in [start, end]."""
    t = FeedbackItem.__table__
    stmt = select(
        t.c.feedback_id, t.c.event_id, t.c.received_date, t.c.theme, t.c.portfolio, t.c.status, t.c.decision_date,
        t.c.implemented_date, t.c.fed_back_date,
    )  # fmt: skip
    return read_frame(engine, stmt.where(_between(engine, t.c.received_date, start, end)))


def recommendations_frame(engine: Engine, until=None) -> pd.DataFrame:
    """Inspection findings published by `until` (all when None): a stock, judged at each period's end."""
    t = Recommendation.__table__
    stmt = select(
        t.c.rec_id, t.c.source, t.c.published_date, t.c.kind, t.c.portfolio, t.c.owner, t.c.due_date, t.c.status,
        t.c.closed_date,
    )  # fmt: skip
    return read_frame(engine, stmt if until is None else stmt.where(_between(engine, t.c.published_date, end=until)))


def actions_frame(engine: Engine, until=None) -> pd.DataFrame:
    """Action-plan entries created by `until` (all when None): a stock, judged at each period's end."""
    t = Action.__table__
    stmt = select(
        t.c.action_id, t.c.portfolio, t.c.owner, t.c.source_type, t.c.source_ref, t.c.created_date, t.c.due_date,
        t.c.status, t.c.completed_date,
    )  # fmt: skip
    return read_frame(engine, stmt if until is None else stmt.where(_between(engine, t.c.created_date, end=until)))


def policeuk_frame(engine: Engine, start, end) -> pd.DataFrame:
    """police.uk street rows of the crimes first appearing in the months of [start, end] (all their rows)."""
    t = PoliceUkStreet.__table__
    first, last = pd.Timestamp(start).strftime("%Y-%m"), pd.Timestamp(end).strftime("%Y-%m")
    crimes = (
        select(t.c.crime_id)
        .where(t.c.crime_id.is_not(None))
        .group_by(t.c.crime_id)
        .having(and_(func.min(t.c.month) >= first, func.min(t.c.month) <= last))
    )
    columns = ["id", "crime_id", "month", "file_month", "local_authority", "crime_type", "last_outcome"]
    stmt = select(*[t.c[c] for c in columns]).where(t.c.crime_id.in_(crimes))
    return read_frame(engine, stmt)


def targets_frame(engine: Engine) -> pd.DataFrame:
    """Targets set by analysts (metric_id, portfolio_id or blank for all, target, valid_from, set_at)."""
    t = Target.__table__
    stmt = select(t.c.metric_id, t.c.portfolio_id, t.c.target, t.c.valid_from, t.c.set_by, t.c.set_at)
    frame = read_frame(engine, stmt)
    frame["set_at"] = pd.to_datetime(frame["set_at"])
    return frame


FETCHERS = {
    "quality_reviews": quality_review_frame,
    "referral_needs": referral_need_frame,
    "survey_responses": survey_frame,
    "referrals": referral_frame,
    "witnesses": witness_frame,
    "special_measures": special_measures_frame,
}


# The source frames metric_frames returns, in order. The live ones are edited in the app (action plan, findings,
# feedback, events) rather than only loaded, so they are never snapshotted and caches are keyed on live_version.
SOURCE_ORDER = MEASURED  # in load order (config/sources.py)
LIVE_SOURCES = LIVE
# The tables the app itself edits (engagement events only ever arrive by a load, which loads_version covers).
EDITED_TABLES = (Action.__table__, Recommendation.__table__, FeedbackItem.__table__)


def live_version(engine: Engine) -> tuple:
    """A fingerprint of the rows the app edits (actions, findings, feedback): each table's row count and the sum of
    its rows' versions. Every insert adds a row and every save bumps a version (optimistic locking), so any change
    gives a new fingerprint: the key that keeps cached measures from outliving an edit. One small query."""
    counts = [select(func.count()).select_from(table).scalar_subquery() for table in EDITED_TABLES]
    versions = [select(func.coalesce(func.sum(table.c.version), 0)).scalar_subquery() for table in EDITED_TABLES]
    with engine.connect() as conn:
        row = conn.execute(select(*counts, *versions)).one()
    return tuple(int(value) for value in row)


def metric_frames(
    engine: Engine,
    start,
    end,
    *,
    cohort: dict | None = None,
    as_of=None,
    victim_columns: list[str] | None = None,
    sources: tuple[str, ...] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every source frame the measure engine uses (or only `sources`), for one window and (optionally) one cohort.

    Victims are fetched whole (for the cohort) because instances in the window may belong to cases reported before
    it; the stocks (findings, actions) are fetched up to the as-of date. `victim_columns` (see
    metrics.measures.victim_columns) fetches only the victim attributes a computation needs.
    """
    until = as_of or end
    with_unit = victim_columns is None or "unit" in victim_columns
    fetchers = {
        "victims": lambda: victim_frame(engine, cohort, reported_until=until, columns=victim_columns),
        "entitlements": lambda: entitlement_frame(engine, start, end, cohort, with_unit=with_unit),
        **{source: (lambda fetch=fetch: fetch(engine, start, end, cohort)) for source, fetch in FETCHERS.items()},
        "engagement_events": lambda: events_frame(engine, start, end),
        "feedback_items": lambda: feedback_frame(engine, start, end),
        "inspections": lambda: inspections_frame(engine, until),
        "recommendations": lambda: recommendations_frame(engine, until),
        "actions": lambda: actions_frame(engine, until),
        "policeuk_street": lambda: policeuk_frame(engine, start, end),
    }
    unknown = set(sources or ()) - set(SOURCE_ORDER)
    if unknown:
        raise ValueError(f"unknown source frames: {', '.join(sorted(unknown))}")
    return {source: fetchers[source]() for source in SOURCE_ORDER if sources is None or source in sources}
