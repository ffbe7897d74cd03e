"""Declarations of the contract input files (DATA_CONTRACT.md): column specs per table and their pandera schemas."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml
from sqlalchemy import String

from data.models import CONTRACT_TABLES

# ---------------------------------------------------------------- forbidden personal-data columns

FORBIDDEN_COLUMNS: tuple[str, ...] = (
    "name", "first_name", "forename", "surname", "last_name", "full_name", "address", "street", "postcode",
    "post_code", "date_of_birth", "dob", "phone", "telephone", "mobile", "email", "nhs_number", "ni_number",
    "national_insurance",
)  # fmt: skip
# The contract's normalisation alone lets "E-mail" (e_mail) or "FirstName" through; matching also with the
# underscores removed closes that gap without touching any contract column name.
_FORBIDDEN_SQUASHED = {f.replace("_", ""): f for f in FORBIDDEN_COLUMNS}


def normalise_column_name(name: str) -> str:
    """The contract's normalised column name: lowercase, stripped, spaces and hyphens as underscores."""
    return re.sub(r"[ \-]", "_", str(name).strip().lower())


def forbidden_match(name: str) -> str | None:
    """The forbidden column a header name stands for (normalised, or normalised without underscores), else None."""
    normal = normalise_column_name(name)
    if normal in FORBIDDEN_COLUMNS:
        return normal
    return _FORBIDDEN_SQUASHED.get(normal.replace("_", ""))


# ---------------------------------------------------------------- enumerations

OFFENCE_GROUPS = (
    "violence_with_injury", "violence_without_injury", "stalking_harassment", "sexual_offences", "robbery",
    "burglary", "vehicle_offences", "theft", "criminal_damage_arson", "public_order", "other",
)  # fmt: skip
ENHANCED_REASONS = ("most_serious", "persistently_targeted", "vulnerable", "intimidated")
AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
SEXES = ("female", "male", "other", "unknown")
ETHNICITIES = ("white", "mixed", "asian", "black", "other", "unknown")
DISABILITY = ("yes", "no", "unknown")
LANGUAGES = ("en", "cy", "other", "unknown")
OUTCOMES = (
    "ongoing", "charged", "out_of_court", "evidential_victim_declined", "evidential_other", "no_suspect",
    "not_in_public_interest", "other",
)  # fmt: skip
DELIVERY_LANGUAGES = ("en", "cy")
REFERRAL_SOURCES = ("police", "self", "partner")
SERVICES = (
    "emotional_support", "isva", "idva", "counselling", "practical", "advocacy", "children_young_people", "other",
)  # fmt: skip
COURTS = ("magistrates", "crown")
PLEAS = ("guilty", "not_guilty", "none_yet")
TRIAL_OUTCOMES = ("effective", "cracked", "ineffective", "vacated")
INEFFECTIVE_REASONS = ("prosecution_witness_absent", "defence", "court", "other")
ELIGIBILITY = (
    "s16_vulnerable", "s17_intimidated", "s17_4_sexual_or_slavery", "s17_4A_domestic_abuse", "s17_5_weapons",
    "not_eligible",
)  # fmt: skip
MEASURES = (
    "screens", "live_link", "evidence_in_private", "wigs_gowns", "video_evidence_in_chief", "s28_pre_recorded",
    "intermediary", "communication_aids", "remote_site",
)  # fmt: skip
DECISIONS = ("granted", "partly_granted", "refused", "withdrawn", "pending")
SURVEY_MODES = ("phone", "online", "sms", "paper")
FORUMS = ("survivor_network", "victim_reference_group", "consultation", "scrutiny_panel", "training_codelivery")
FEEDBACK_STATUSES = ("received", "accepted", "not_accepted", "implemented")
FINDING_KINDS = ("cause_of_concern", "recommendation", "area_for_improvement")
FINDING_STATUSES = ("open", "in_progress", "evidence_submitted", "closed", "discharged")
SOURCE_TYPES = ("metric", "recommendation", "feedback", "board", "other")
ACTION_STATUSES = ("not_started", "on_track", "at_risk", "off_track", "complete", "closed")

# The entitlement catalogue of METRICS.md §2, used when config/catalogue.yaml does not (yet) list the codes.
DEFAULT_ENTITLEMENT_CODES = (
    "R1_NEEDS_COMMS", "R2_RECORDED", "R3_WRITTEN_ACK", "R4_NEEDS_ASSESSMENT", "R4_REFERRAL", "R5_COMPENSATION_INFO",
    "R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE", "R6_CPS_DECISION", "R7_VPS_OFFERED", "R8_HEARING_INFO",
    "R8_EVIDENCE_REQUIRED", "R8_BAIL_OUTCOME", "R8_SM_OUTCOME", "R9_OUTCOME_INFO", "R10_EXPENSES_INFO",
    "R11_VCS_REFERRAL", "R12_COMPLAINT_RESPONSE",
)  # fmt: skip
CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "config" / "catalogue.yaml"

# A date outside this window is a typing error (a year 0203 or 3023), not a victim's record.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


@functools.cache
def entitlement_codes() -> tuple[str, ...]:
    """Entitlement codes of the catalogue (config/catalogue.yaml `entitlements`), else METRICS.md §2's defaults."""
    if not CATALOGUE_PATH.is_file():
        return DEFAULT_ENTITLEMENT_CODES
    doc = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8")) or {}
    entries = doc.get("entitlements") if isinstance(doc, dict) else None
    if isinstance(entries, dict):
        codes = tuple(str(k) for k in entries)
    elif isinstance(entries, list):
        codes = tuple(str(e["code"]) for e in entries if isinstance(e, dict) and "code" in e)
    else:
        codes = ()
    return codes or DEFAULT_ENTITLEMENT_CODES


# ---------------------------------------------------------------- column and table specs


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
    """The ten contract tables, in load order."""
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
            ),
            rules=(_after("delivered_date", "trigger_date"),),
            references=(Reference("case_id", "victims", "case_id"),),
            period_dates=("trigger_date",),
            fill_from_victim=("unit",),
            defaults={"declined": False},
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
            ),
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
        length = getattr(model_cols[c.name].type, "length", None) if isinstance(model_cols[c.name].type, String) else None
        if c.kind in ("text", "measures") and c.max_length is None and length:
            c = Col(c.name, c.kind, c.required, c.values, length, c.min_value, c.max_value)
        cols.append(c)
    return TableSpec(
        spec.name, spec.key, tuple(cols), spec.rules, spec.references, spec.period_dates, spec.fill_from_victim,
        spec.defaults,
    )  # fmt: skip


TABLES: dict[str, TableSpec] = _tables()
assert tuple(TABLES) == tuple(CONTRACT_TABLES), "contract specs must follow the models' load order"


# ---------------------------------------------------------------- pandera schemas


def one_of(values: tuple[str, ...]) -> str:
    """The rule text of an enumeration."""
    return "must be one of: " + ", ".join(values)


def _measures_ok(values: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    """Every `;`-separated item of a measures cell is in the allowed list."""
    allowed = set(values)

    def ok(s: pd.Series) -> pd.Series:
        items = s.str.split(";").explode().str.strip()
        items = items[items != ""]
        bad_rows = items.index[~items.isin(allowed)].unique()
        return ~s.index.isin(bad_rows)

    return ok


def _column_checks(c: Col) -> list[pa.Check]:
    """The pandera checks of one column; each carries the human-readable rule as its error."""
    checks: list[pa.Check] = []
    if c.kind == "enum":
        checks.append(pa.Check.isin(c.values, error=one_of(c.values)))
    if c.kind == "measures":
        checks.append(pa.Check(_measures_ok(c.values), error="each measure must be one of: " + ", ".join(c.values)))
    if c.kind in ("text", "measures") and c.max_length:
        checks.append(pa.Check.str_length(max_value=c.max_length, error=f"must be at most {c.max_length} characters"))
    if c.kind == "int" and c.min_value is not None and c.max_value is not None:
        checks.append(
            pa.Check.in_range(c.min_value, c.max_value, error=f"must be a whole number from {c.min_value} to {c.max_value}")
        )
    elif c.kind == "int" and c.min_value is not None:
        checks.append(pa.Check.ge(c.min_value, error=f"must be {c.min_value} or more"))
    if c.kind == "date":
        low, high = pd.Timestamp(DATE_MIN), pd.Timestamp(DATE_MAX)
        checks.append(pa.Check.in_range(low, high, error=f"must be between {DATE_MIN} and {DATE_MAX}"))
    return checks


@functools.cache
def pandera_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of a parsed chunk of `table` (dates as datetime64, booleans and ints as nullable types).

    The frame's index is the row number the user sees; the key is unique within a chunk (the loader checks it
    across chunks). Cross-column rules are frame checks named after the column they are reported against.
    """
    spec = TABLES[table]
    columns = {
        c.name: pa.Column(
            nullable=not c.required,
            unique=c.name == spec.key,
            report_duplicates="exclude_first",
            checks=_column_checks(c),
        )
        for c in spec.columns
    }
    checks = [pa.Check(rule.ok, name=rule.column, error=rule.text) for rule in spec.rules]
    return pa.DataFrameSchema(columns, checks=checks, name=table)
