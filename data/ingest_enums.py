"""The contract's vocabularies: forbidden personal-data column names and every enumeration (DATA_CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import yaml

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


# STATUTORY.md §1's default good reasons, used when config/catalogue.yaml does not (yet) list them.
DEFAULT_EXCEPTION_REASONS = (
    "victim_uncontactable", "victim_asked_other_route", "safeguarding_risk", "operational_risk",
    "delivered_by_other_agency", "other_documented",
)  # fmt: skip


@functools.cache
def exception_reason_codes() -> tuple[str, ...]:
    """Good-reason codes of the catalogue (config/catalogue.yaml `exception_reasons`), else STATUTORY.md §1's."""
    if not CATALOGUE_PATH.is_file():
        return DEFAULT_EXCEPTION_REASONS
    doc = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8")) or {}
    entries = doc.get("exception_reasons") if isinstance(doc, dict) else None
    codes = tuple(str(e["code"]) for e in entries if isinstance(e, dict) and "code" in e) if entries else ()
    return codes or DEFAULT_EXCEPTION_REASONS
