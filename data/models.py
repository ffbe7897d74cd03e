"""SQLAlchemy 2 models: one class per table of DATA_CONTRACT.md plus the app's own tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a shared, named metadata."""

    metadata = MetaData(naming_convention=NAMING)


def _load_id() -> Mapped[int | None]:
    """The load that last wrote a row (provenance for the evidence manifest)."""
    return mapped_column(Integer, nullable=True)


# ---------------------------------------------------------------- contract tables


class Victim(Base):
    """One victim of a recorded crime (pseudonymous)."""

    __tablename__ = "victims"
    case_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    crime_ref: Mapped[str] = mapped_column(String(40))
    reported_date: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_date: Mapped[dt.date | None] = mapped_column(Date)
    offence_group: Mapped[str] = mapped_column(String(32))
    domestic_abuse: Mapped[bool] = mapped_column(Boolean)
    hate_crime: Mapped[bool] = mapped_column(Boolean)
    enhanced_rights: Mapped[bool] = mapped_column(Boolean)
    enhanced_reason: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(16))
    ethnicity: Mapped[str] = mapped_column(String(16))
    disability: Mapped[str] = mapped_column(String(16))
    preferred_language: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(40))
    outcome_date: Mapped[dt.date | None] = mapped_column(Date)
    load_id: Mapped[int | None] = _load_id()


class Entitlement(Base):
    """One duty owed to a victim under the Code (an entitlement instance)."""

    __tablename__ = "entitlements"
    entitlement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("victims.case_id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    trigger_date: Mapped[dt.date] = mapped_column(Date)
    delivered_date: Mapped[dt.date | None] = mapped_column(Date)
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(4))
    unit: Mapped[str | None] = mapped_column(String(64))
    # STATUTORY.md §1: the good reason (VPA 2024 s5) recorded for a late or missed duty; a catalogue code.
    exception_reason: Mapped[str | None] = mapped_column(Text)
    load_id: Mapped[int | None] = _load_id()

    __table_args__ = (Index("ix_entitlements_trigger_code", "trigger_date", "code"),)


class Referral(Base):
    """A Connect Gwent support hub referral."""

    __tablename__ = "referrals"
    referral_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("victims.case_id"), index=True)
    referral_date: Mapped[dt.date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(16))
    first_contact_date: Mapped[dt.date | None] = mapped_column(Date)
    needs_assessed_date: Mapped[dt.date | None] = mapped_column(Date)
    support_accepted: Mapped[bool | None] = mapped_column(Boolean)
    service: Mapped[str | None] = mapped_column(String(32))
    closed_date: Mapped[dt.date | None] = mapped_column(Date)
    cope_recover_improved: Mapped[bool | None] = mapped_column(Boolean)
    age_band: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(16))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    disability: Mapped[str | None] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(64))
    load_id: Mapped[int | None] = _load_id()


class Witness(Base):
    """A witness on a case that reaches court (Witness Care Unit caseload)."""

    __tablename__ = "witnesses"
    witness_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("victims.case_id"), index=True)
    is_victim: Mapped[bool] = mapped_column(Boolean)
    court: Mapped[str] = mapped_column(String(16))
    charge_date: Mapped[dt.date] = mapped_column(Date)
    plea: Mapped[str | None] = mapped_column(String(16))
    needs_assessment_date: Mapped[dt.date | None] = mapped_column(Date)
    trial_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    required_to_attend: Mapped[bool | None] = mapped_column(Boolean)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    trial_outcome: Mapped[str | None] = mapped_column(String(16))
    ineffective_reason: Mapped[str | None] = mapped_column(String(40))
    witness_service_referred: Mapped[bool | None] = mapped_column(Boolean)
    pre_trial_visit: Mapped[bool | None] = mapped_column(Boolean)
    load_id: Mapped[int | None] = _load_id()


class SpecialMeasure(Base):
    """A witness considered for special measures."""

    __tablename__ = "special_measures"
    sm_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    witness_id: Mapped[str] = mapped_column(ForeignKey("witnesses.witness_id"), index=True)
    eligibility: Mapped[str] = mapped_column(String(40))
    identified_date: Mapped[dt.date | None] = mapped_column(Date)
    discussed_date: Mapped[dt.date | None] = mapped_column(Date)
    measures: Mapped[str | None] = mapped_column(String(400))
    sma_quality_assured: Mapped[bool | None] = mapped_column(Boolean)
    application_date: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    load_id: Mapped[int | None] = _load_id()


class SurveyResponse(Base):
    """A victim satisfaction survey response."""

    __tablename__ = "survey_responses"
    response_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("victims.case_id"), index=True)
    survey_date: Mapped[dt.date] = mapped_column(Date, index=True)
    mode: Mapped[str | None] = mapped_column(String(16))
    q_ease_of_contact: Mapped[int | None] = mapped_column(Integer)
    q_actions_taken: Mapped[int | None] = mapped_column(Integer)
    q_kept_informed: Mapped[int | None] = mapped_column(Integer)
    q_treatment: Mapped[int | None] = mapped_column(Integer)
    q_whole_experience: Mapped[int | None] = mapped_column(Integer)
    q_aware_of_code: Mapped[bool | None] = mapped_column(Boolean)
    q_would_report_again: Mapped[bool | None] = mapped_column(Boolean)
    age_band: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(16))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    disability: Mapped[str | None] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(64))
    offence_group: Mapped[str | None] = mapped_column(String(32))
    load_id: Mapped[int | None] = _load_id()


class EngagementEvent(Base):
    """A Survivor Network, Victim Reference Group or other engagement event."""

    __tablename__ = "engagement_events"
    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    forum: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(200))
    portfolio: Mapped[str | None] = mapped_column(String(40))
    participants: Mapped[int] = mapped_column(Integer)
    new_participants: Mapped[int | None] = mapped_column(Integer)
    load_id: Mapped[int | None] = _load_id()


class FeedbackItem(Base):
    """A "you said" feedback item and what was done about it."""

    __tablename__ = "feedback_items"
    feedback_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str | None] = mapped_column(ForeignKey("engagement_events.event_id"))
    received_date: Mapped[dt.date] = mapped_column(Date)
    theme: Mapped[str] = mapped_column(String(100))
    portfolio: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    implemented_date: Mapped[dt.date | None] = mapped_column(Date)
    we_did: Mapped[str | None] = mapped_column(String(500))
    fed_back_date: Mapped[dt.date | None] = mapped_column(Date)
    # Welsh versions for the bilingual "you said, we did" summary (entered in the app; not part of the contract).
    summary_cy: Mapped[str | None] = mapped_column(String(500))
    we_did_cy: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    load_id: Mapped[int | None] = _load_id()


class Recommendation(Base):
    """An HMICFRS (or other) inspection finding."""

    __tablename__ = "recommendations"
    rec_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    published_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(2000))
    portfolio: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    closed_date: Mapped[dt.date | None] = mapped_column(Date)
    # STATUTORY.md §4: the published report the finding comes from (checked against inspections by the loader).
    report_id: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    load_id: Mapped[int | None] = _load_id()


class Action(Base):
    """An action-plan entry: someone accountable for a shortfall."""

    __tablename__ = "actions"
    action_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    portfolio: Mapped[str] = mapped_column(String(40), index=True)
    owner: Mapped[str] = mapped_column(String(100))
    source_type: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    created_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    completed_date: Mapped[dt.date | None] = mapped_column(Date)
    milestones: Mapped[str | None] = mapped_column(Text)  # JSON list of {title, due, done}
    closure_note: Mapped[str | None] = mapped_column(Text)
    meeting_ref: Mapped[str | None] = mapped_column(String(100))
    # Optimistic locking: every save must name the version it read.
    version: Mapped[int] = mapped_column(Integer, default=1)
    load_id: Mapped[int | None] = _load_id()


# ---------------------------------------------------------------- contract v2 (STATUTORY.md)
# Tables whose natural key has two columns carry a stored `row_key` ("first|second", built by the loader) as their
# primary key, so the one-key upsert of the loader serves them too; the pair is also declared unique.


class QualityReview(Base):
    """A supervisor's or quality team's dip-sample review of one entitlement instance (STATUTORY.md §3)."""

    __tablename__ = "quality_reviews"
    review_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entitlement_id: Mapped[str] = mapped_column(ForeignKey("entitlements.entitlement_id"), index=True)
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    result: Mapped[str] = mapped_column(String(20))
    failed_criteria: Mapped[str | None] = mapped_column(String(400))
    load_id: Mapped[int | None] = _load_id()


class Inspection(Base):
    """A published inspection or review report, and when the response to it was published (STATUTORY.md §4)."""

    __tablename__ = "inspections"
    report_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    published_date: Mapped[dt.date] = mapped_column(Date)
    response_published_date: Mapped[dt.date | None] = mapped_column(Date)
    load_id: Mapped[int | None] = _load_id()


class InspectionGrade(Base):
    """A PEEL-style graded question of a report (STATUTORY.md §4)."""

    __tablename__ = "inspection_grades"
    row_key: Mapped[str] = mapped_column(String(250), primary_key=True)  # report_id|question
    report_id: Mapped[str] = mapped_column(ForeignKey("inspections.report_id"), index=True)
    question: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(32))
    load_id: Mapped[int | None] = _load_id()

    __table_args__ = (UniqueConstraint("report_id", "question", name="uq_inspection_grades_report_question"),)


class ReferralNeed(Base):
    """One need assessed on a Connect Gwent referral and whether it improved by closure (STATUTORY.md §6)."""

    __tablename__ = "referral_needs"
    row_key: Mapped[str] = mapped_column(String(90), primary_key=True)  # referral_id|need
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.referral_id"), index=True)
    need: Mapped[str] = mapped_column(String(40))
    improved: Mapped[bool | None] = mapped_column(Boolean)
    load_id: Mapped[int | None] = _load_id()

    __table_args__ = (UniqueConstraint("referral_id", "need", name="uq_referral_needs_referral_need"),)


# ---------------------------------------------------------------- police.uk open data


class PoliceUkStreet(Base):
    """A row of a police.uk street file (a crime, or an anti-social behaviour incident)."""

    __tablename__ = "policeuk_street"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_month: Mapped[str] = mapped_column(String(7), index=True)  # the file's YYYY-MM
    falls_within: Mapped[str] = mapped_column(String(100))
    crime_id: Mapped[str | None] = mapped_column(String(80), index=True)
    month: Mapped[str] = mapped_column(String(7))
    lsoa_code: Mapped[str | None] = mapped_column(String(16))
    lsoa_name: Mapped[str | None] = mapped_column(String(100))
    local_authority: Mapped[str | None] = mapped_column(String(100))
    crime_type: Mapped[str] = mapped_column(String(100))
    last_outcome: Mapped[str | None] = mapped_column(String(200))
    load_id: Mapped[int | None] = _load_id()


class PoliceUkOutcome(Base):
    """A row of a police.uk outcomes file."""

    __tablename__ = "policeuk_outcomes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_month: Mapped[str] = mapped_column(String(7), index=True)
    falls_within: Mapped[str] = mapped_column(String(100))
    crime_id: Mapped[str] = mapped_column(String(80), index=True)
    month: Mapped[str] = mapped_column(String(7))
    lsoa_code: Mapped[str | None] = mapped_column(String(16))
    lsoa_name: Mapped[str | None] = mapped_column(String(100))
    local_authority: Mapped[str | None] = mapped_column(String(100))
    outcome_type: Mapped[str] = mapped_column(String(200))
    load_id: Mapped[int | None] = _load_id()


# ---------------------------------------------------------------- the app's own tables


class Load(Base):
    """The record of one file load: what, from where, by whom, with what result."""

    __tablename__ = "loads"
    load_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # loaded | rejected | failed
    as_of_date: Mapped[dt.date | None] = mapped_column(Date)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A person who may sign in. Passwords are bcrypt hashes; nothing else personal."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))  # work address, for the authenticator only
    password_hash: Mapped[str] = mapped_column(String(100))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Bumped on sign-out and password change; a cookie carrying an older version is refused.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(4), default="en")
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UserRole(Base):
    """A role a user holds (lead, board, inspector, analyst, admin)."""

    __tablename__ = "user_roles"
    username: Mapped[str] = mapped_column(ForeignKey("users.username", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class UserPortfolio(Base):
    """A portfolio a lead is scoped to."""

    __tablename__ = "user_portfolios"
    username: Mapped[str] = mapped_column(ForeignKey("users.username", ondelete="CASCADE"), primary_key=True)
    portfolio_id: Mapped[str] = mapped_column(String(40), primary_key=True)


class AuditLog(Base):
    """Append-only record of every change and export (no code path updates or deletes it)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(40))  # e.g. action.update, export.evidence, user.add
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    # The portfolio the changed or exported thing belongs to, so a lead's exports can filter the trail.
    portfolio: Mapped[str | None] = mapped_column(String(40), index=True)


class ActionUpdate(Base):
    """An append-only update to an action: the action's timeline."""

    __tablename__ = "action_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.action_id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    author: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str | None] = mapped_column(String(20))
    changes: Mapped[str | None] = mapped_column(Text)  # JSON {field: [before, after]} of the fields this update changed


class Target(Base):
    """A target set by an analyst, overriding the catalogue default for a measure (optionally per portfolio)."""

    __tablename__ = "targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metric_id: Mapped[str] = mapped_column(String(60), index=True)
    portfolio_id: Mapped[str | None] = mapped_column(String(40))
    target: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EvidenceFile(Base):
    """A file attached as evidence to an action or an inspection finding, with its detected type and SHA-256."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(20))  # action | finding
    entity_id: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the content, never from the name
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_evidence_files_entity", "entity_type", "entity_id"),)


class ReportResponse(Base):
    """The PCC's published response to an inspection report (due 56 days after the report is published)."""

    __tablename__ = "report_responses"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)  # the findings' `source`, e.g. HMICFRS PEEL
    response_date: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Meeting(Base):
    """A governance board meeting: every portfolio's scorecard frozen as at its opening, and open or closed."""

    __tablename__ = "meetings"
    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # MT-001; actions name it as meeting_ref
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    as_of: Mapped[dt.date] = mapped_column(Date)  # the as-of date of the data the snapshot was taken from
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # JSON {"agenda": [{id, name}], "rows": [scorecard rows]}; a trigger (migration 0003) refuses any change to it.
    snapshot: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open | closed
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Commentary(Base):
    """A lead's commentary on a portfolio for the board pack, on the data as of one date, in English and Welsh."""

    __tablename__ = "commentary"
    portfolio: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the as-of date of the data it comments on
    body_en: Mapped[str] = mapped_column(Text, default="")  # either text may be empty, never both
    body_cy: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: every save must name the version it read (0 for commentary not yet written).
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("body_en <> '' OR body_cy <> ''", name="not_empty"),)


class SpcRebase(Base):
    """A recorded process change: a measure's SPC limits start a new segment at a month, for a reason (issue 17).

    portfolio_id NULL applies to the measure in every portfolio. A withdrawn rebase is kept (who and when) so the
    decision's history stays readable beside the audit trail."""

    __tablename__ = "spc_rebases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metric_id: Mapped[str] = mapped_column(String(60), index=True)
    portfolio_id: Mapped[str | None] = mapped_column(String(40))
    month: Mapped[dt.date] = mapped_column(Date)  # the first day of the first month of the new segment
    reason: Mapped[str] = mapped_column(Text)
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)  # accepted from the app's suggestion
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("reason <> ''", name="reason_given"),)


class SpcAnnotation(Base):
    """A note on one month of a measure's SPC chart ("new system live"), shown on the chart and its table."""

    __tablename__ = "spc_annotations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metric_id: Mapped[str] = mapped_column(String(60), index=True)
    portfolio_id: Mapped[str | None] = mapped_column(String(40))
    month: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("note <> ''", name="note_given"),)


# Contract tables in dependency (load) order: a table's foreign keys point only to earlier ones.
CONTRACT_TABLES: dict[str, type[Base]] = {
    "victims": Victim,
    "entitlements": Entitlement,
    "quality_reviews": QualityReview,
    "referrals": Referral,
    "referral_needs": ReferralNeed,
    "witnesses": Witness,
    "special_measures": SpecialMeasure,
    "survey_responses": SurveyResponse,
    "engagement_events": EngagementEvent,
    "feedback_items": FeedbackItem,
    "inspections": Inspection,
    "inspection_grades": InspectionGrade,
    "recommendations": Recommendation,
    "actions": Action,
}
