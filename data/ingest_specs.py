"""The contract tables as column specs: kinds, limits, cross-column rules, references, period dates, fills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import String

from data.ingest_enums import (
    ACTION_STATUSES,
    AGE_BANDS,
    COURTS,
    DECISIONS,
    DELIVERY_LANGUAGES,
    DISABILITY,
    ELIGIBILITY,
    ENHANCED_REASONS,
    ETHNICITIES,
    FEEDBACK_STATUSES,
    FINDING_KINDS,
    FINDING_STATUSES,
    FORUMS,
    INEFFECTIVE_REASONS,
    LANGUAGES,
    MEASURES,
    OFFENCE_GROUPS,
    OUTCOMES,
    PLEAS,
    REFERRAL_SOURCES,
    SERVICES,
    SEXES,
    SOURCE_TYPES,
    SURVEY_MODES,
    TRIAL_OUTCOMES,
    entitlement_codes,
    exception_reason_codes,
)
from data.ingest_statutory_enums import GRADES, INSPECTION_BODIES, QUALITY_RESULTS, need_codes, quality_criteria
from data.models import CONTRACT_TABLES


@dataclass(frozen=True)
class Col:
    """One contract column: its kind (text, enum, date, bool, int, measures), whether required, and its limits."""

    name: str
    kind: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Rule:
    """A cross-column rule: `ok(frame)` is True where a row passes; a failure is reported against `column`."""

    column: str
    text: str
    ok: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Reference:
    """A foreign key: `column` must name an existing `table.key`."""

    column: str
    table: str
    key: str


@dataclass(frozen=True)
class TableSpec:
    """Everything the loader needs to know about one contract table."""

    name: str
    key: str
    columns: tuple[Col, ...]
    rules: tuple[Rule, ...] = ()
    references: tuple[Reference, ...] = ()
    period_dates: tuple[str, ...] = ()  # METRICS.md §1: the dates a record is counted by (for the as-of default)
    fill_from_victim: tuple[str, ...] = ()  # columns taken from the linked victim when null
    defaults: dict[str, object] = field(default_factory=dict)  # value stored when null
    key_from: tuple[str, ...] = ()  # a two-column natural key: `key` is stored as their values joined by "|"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Contract column names in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns that must be present in the header (the `req` ones)."""
        return tuple(c.name for c in self.columns if c.required)

    def col(self, name: str) -> Col:
        """The spec of one column."""
        return next(c for c in self.columns if c.name == name)


def _after(later: str, earlier: str) -> Rule:
    """`later` must be on or after `earlier` when both are given."""

    def ok(df: pd.DataFrame) -> pd.Series:
        return df[later].isna() | df[earlier].isna() | (df[later] >= df[earlier])

    return Rule(later, f"must be on or after {earlier}", ok)


def _required_when(column: str, condition: Callable[[pd.DataFrame], pd.Series], text: str) -> Rule:
    """`column` must be given on rows where `condition` holds."""

    def ok(df: pd.DataFrame) -> pd.Series:
        return df[column].notna() | ~condition(df).fillna(False).astype(bool)

    return Rule(column, text, ok)


def _not_more_than(column: str, limit: str) -> Rule:
    """`column` must not exceed `limit` when both are given."""

    def ok(df: pd.DataFrame) -> pd.Series:
        return (df[column].isna() | df[limit].isna() | (df[column] <= df[limit])).astype(bool)

    return Rule(column, f"must not be more than {limit}", ok)


def _demographics(with_offence: bool) -> tuple[Col, ...]:
    """The optional demographic columns of referrals and surveys (as victims)."""
    cols = (
        Col("age_band", "enum", values=AGE_BANDS),
        Col("sex", "enum", values=SEXES),
        Col("ethnicity", "enum", values=ETHNICITIES),
        Col("disability", "enum", values=DISABILITY),
        Col("area"),
    )
    return (*cols, Col("offence_group", "enum", values=OFFENCE_GROUPS)) if with_offence else cols


def _tables() -> dict[str, TableSpec]:
    """The contract tables (v1 and the optional v2 files), in load order."""
    answer = {"min_value": 1, "max_value": 7}
    specs = [
        TableSpec(
            "victims",
            "case_id",
            (
                Col("case_id", required=True, max_length=40),
                Col("crime_ref", required=True, max_length=40),
                Col("reported_date", "date", required=True),
                Col("recorded_date", "date"),
                Col("offence_group", "enum", required=True, values=OFFENCE_GROUPS),
                Col("domestic_abuse", "bool", required=True),
                Col("hate_crime", "bool", required=True),
                Col("enhanced_rights", "bool", required=True),
                Col("enhanced_reason", "enum", values=ENHANCED_REASONS),
                Col("age_band", "enum", required=True, values=AGE_BANDS),
                Col("sex", "enum", required=True, values=SEXES),
                Col("ethnicity", "enum", required=True, values=ETHNICITIES),
                Col("disability", "enum", required=True, values=DISABILITY),
                Col("preferred_language", "enum", required=True, values=LANGUAGES),
                Col("area", required=True),
                Col("unit", required=True),
                Col("outcome", "enum", required=True, values=OUTCOMES),
                Col("outcome_date", "date"),
            ),
            rules=(
                _after("recorded_date", "reported_date"),
                _required_when(
                    "enhanced_reason", lambda d: d["enhanced_rights"], "required when enhanced_rights is true"
                ),
                _required_when(
                    "outcome_date",
                    lambda d: d["outcome"].notna() & (d["outcome"] != "ongoing"),
                    "required unless outcome is ongoing",
                ),
                _after("outcome_date", "reported_date"),
            ),
            period_dates=("reported_date", "outcome_date"),
        ),
        TableSpec(
            "entitlements",
            "entitlement_id",
            (
                Col("entitlement_id", required=True),
                Col("case_id", required=True),
                Col("code", "enum", required=True, values=entitlement_codes()),
                Col("trigger_date", "date", required=True),
                Col("delivered_date", "date"),
                Col("declined", "bool"),
                Col("language", "enum", values=DELIVERY_LANGUAGES),
                Col("unit"),
                Col("exception_reason", "enum", values=exception_reason_codes()),  # STATUTORY.md §1 (optional)
            ),
            rules=(_after("delivered_date", "trigger_date"),),
            references=(Reference("case_id", "victims", "case_id"),),
            period_dates=("trigger_date",),
            fill_from_victim=("unit",),
            defaults={"declined": False},
        ),
        TableSpec(
            "quality_reviews",
            "review_id",
            (
                Col("review_id", required=True),
                Col("entitlement_id", required=True),
                Col("review_date", "date", required=True),
                Col("result", "enum", required=True, values=QUALITY_RESULTS),
                Col("failed_criteria", "measures", values=quality_criteria()),
            ),
            rules=(
                _required_when(
                    "failed_criteria",
                    lambda d: d["result"].notna() & (d["result"] != "meets"),
                    "required unless result is meets",
                ),
            ),
            references=(Reference("entitlement_id", "entitlements", "entitlement_id"),),
            period_dates=("review_date",),
        ),
        TableSpec(
            "referrals",
            "referral_id",
            (
                Col("referral_id", required=True),
                Col("case_id"),
                Col("referral_date", "date", required=True),
                Col("source", "enum", required=True, values=REFERRAL_SOURCES),
                Col("first_contact_date", "date"),
                Col("needs_assessed_date", "date"),
                Col("support_accepted", "bool"),
                Col("service", "enum", values=SERVICES),
                Col("closed_date", "date"),
                Col("cope_recover_improved", "bool"),
                *_demographics(with_offence=False),
            ),
            rules=(
                _after("first_contact_date", "referral_date"),
                _after("needs_assessed_date", "referral_date"),
                _after("closed_date", "referral_date"),
            ),
            references=(Reference("case_id", "victims", "case_id"),),
            period_dates=("referral_date",),
            fill_from_victim=("age_band", "sex", "ethnicity", "disability", "area"),
        ),
        TableSpec(
            "referral_needs",
            "row_key",
            (
                Col("row_key"),
                Col("referral_id", required=True),
                Col("need", "enum", required=True, values=need_codes()),
                Col("improved", "bool"),
            ),
            references=(Reference("referral_id", "referrals", "referral_id"),),
            key_from=("referral_id", "need"),
        ),
        TableSpec(
            "witnesses",
            "witness_id",
            (
                Col("witness_id", required=True),
                Col("case_id", required=True),
                Col("is_victim", "bool", required=True),
                Col("court", "enum", required=True, values=COURTS),
                Col("charge_date", "date", required=True),
                Col("plea", "enum", values=PLEAS),
                Col("needs_assessment_date", "date"),
                Col("trial_date", "date"),
                Col("required_to_attend", "bool"),
                Col("attended", "bool"),
                Col("trial_outcome", "enum", values=TRIAL_OUTCOMES),
                Col("ineffective_reason", "enum", values=INEFFECTIVE_REASONS),
                Col("witness_service_referred", "bool"),
                Col("pre_trial_visit", "bool"),
            ),
            references=(Reference("case_id", "victims", "case_id"),),
            period_dates=("trial_date",),
        ),
        TableSpec(
            "special_measures",
            "sm_id",
            (
                Col("sm_id", required=True),
                Col("witness_id", required=True),
                Col("eligibility", "enum", required=True, values=ELIGIBILITY),
                Col("identified_date", "date"),
                Col("discussed_date", "date"),
                Col("measures", "measures", values=MEASURES),
                Col("sma_quality_assured", "bool"),
                Col("application_date", "date"),
                Col("decision", "enum", values=DECISIONS),
                Col("decision_date", "date"),
            ),
            rules=(_after("decision_date", "application_date"),),
            references=(Reference("witness_id", "witnesses", "witness_id"),),
            period_dates=("application_date", "identified_date"),
        ),
        TableSpec(
            "survey_responses",
            "response_id",
            (
                Col("response_id", required=True),
                Col("case_id"),
                Col("survey_date", "date", required=True),
                Col("mode", "enum", values=SURVEY_MODES),
                Col("q_ease_of_contact", "int", **answer),
                Col("q_actions_taken", "int", **answer),
                Col("q_kept_informed", "int", **answer),
                Col("q_treatment", "int", **answer),
                Col("q_whole_experience", "int", **answer),
                Col("q_aware_of_code", "bool"),
                Col("q_would_report_again", "bool"),
                *_demographics(with_offence=True),
            ),
            references=(Reference("case_id", "victims", "case_id"),),
            period_dates=("survey_date",),
            fill_from_victim=("age_band", "sex", "ethnicity", "disability", "area", "offence_group"),
        ),
        TableSpec(
            "engagement_events",
            "event_id",
            (
                Col("event_id", required=True),
                Col("event_date", "date", required=True),
                Col("forum", "enum", required=True, values=FORUMS),
                Col("topic", required=True, max_length=200),
                Col("portfolio"),
                Col("participants", "int", required=True, min_value=0),
                Col("new_participants", "int", min_value=0),
            ),
            rules=(_not_more_than("new_participants", "participants"),),
            period_dates=("event_date",),
        ),
        TableSpec(
            "feedback_items",
            "feedback_id",
            (
                Col("feedback_id", required=True),
                Col("event_id"),
                Col("received_date", "date", required=True),
                Col("theme", required=True, max_length=100),
                Col("portfolio"),
                Col("summary", required=True, max_length=500),
                Col("status", "enum", required=True, values=FEEDBACK_STATUSES),
                Col("decision_date", "date"),
                Col("implemented_date", "date"),
                Col("we_did", max_length=500),
                Col("fed_back_date", "date"),
            ),
            references=(Reference("event_id", "engagement_events", "event_id"),),
            period_dates=("received_date",),
        ),
        TableSpec(
            "inspections",
            "report_id",
            (
                Col("report_id", required=True),
                Col("body", "enum", required=True, values=INSPECTION_BODIES),
                Col("title", required=True, max_length=300),
                Col("published_date", "date", required=True),
                Col("response_published_date", "date"),
            ),
            rules=(_after("response_published_date", "published_date"),),
            period_dates=("published_date",),
        ),
        TableSpec(
            "inspection_grades",
            "row_key",
            (
                Col("row_key"),
                Col("report_id", required=True),
                Col("question", required=True, max_length=200),
                Col("grade", "enum", required=True, values=GRADES),
            ),
            references=(Reference("report_id", "inspections", "report_id"),),
            key_from=("report_id", "question"),
        ),
        TableSpec(
            "recommendations",
            "rec_id",
            (
                Col("rec_id", required=True),
                Col("source", required=True),
                Col("published_date", "date", required=True),
                Col("kind", "enum", required=True, values=FINDING_KINDS),
                Col("reference"),
                Col("text", required=True, max_length=2000),
                Col("portfolio", required=True),
                Col("owner", required=True),
                Col("due_date", "date"),
                Col("status", "enum", required=True, values=FINDING_STATUSES),
                Col("closed_date", "date"),
                Col("report_id"),
            ),
            references=(Reference("report_id", "inspections", "report_id"),),
            period_dates=("published_date",),
        ),
        TableSpec(
            "actions",
            "action_id",
            (
                Col("action_id", required=True),
                Col("title", required=True, max_length=200),
                Col("description"),
                Col("portfolio", required=True),
                Col("owner", required=True),
                Col("source_type", "enum", required=True, values=SOURCE_TYPES),
                Col("source_ref"),
                Col("created_date", "date", required=True),
                Col("due_date", "date", required=True),
                Col("status", "enum", required=True, values=ACTION_STATUSES),
                Col("completed_date", "date"),
            ),
            period_dates=("created_date",),
        ),
    ]
    return {s.name: _with_model_lengths(s) for s in specs}


def _with_model_lengths(spec: TableSpec) -> TableSpec:
    """Give every text column without a contract limit the length of its database column (PostgreSQL enforces it)."""
    model_cols = CONTRACT_TABLES[spec.name].__table__.columns
    cols = []
    for c in spec.columns:
        length = (
            getattr(model_cols[c.name].type, "length", None) if isinstance(model_cols[c.name].type, String) else None
        )
        if c.kind in ("text", "measures") and c.max_length is None and length:
            c = Col(c.name, c.kind, c.required, c.values, length, c.min_value, c.max_value)
        cols.append(c)
    return TableSpec(
        spec.name, spec.key, tuple(cols), spec.rules, spec.references, spec.period_dates, spec.fill_from_victim,
        spec.defaults, spec.key_from,
    )  # fmt: skip


TABLES: dict[str, TableSpec] = _tables()
assert tuple(TABLES) == tuple(CONTRACT_TABLES), "contract specs must follow the models' load order"
