"""Parameters of the demo data: Gwent's areas and units, the case mix, timeliness, and the planted signals."""

from __future__ import annotations

import datetime as dt

import numpy as np

DEFAULT_AS_OF = dt.date(2026, 10, 31)

# ---------------------------------------------------------------- planted signals (asserted by tests elsewhere)
# a. R6 update compliance in one unit falls from PLANTED_R6_BEFORE to PLANTED_R6_AFTER for entitlements triggered
#    from the first day of the month PLANTED_R6_DROP_MONTHS_BEFORE_AS_OF months before the as-of month.
PLANTED_R6_UNIT = "Public Protection Unit"
PLANTED_R6_CODES = ("R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE")
PLANTED_R6_DROP_MONTHS_BEFORE_AS_OF = 6
PLANTED_R6_BEFORE = 0.90
PLANTED_R6_AFTER = 0.60
# b. whole-experience satisfaction (answers 5–7) by ethnicity.
PLANTED_SAT_WHITE = 0.80
PLANTED_SAT_MINORITY = 0.62
MINORITY_ETHNICITIES = ("mixed", "asian", "black", "other")
# c. Connect Gwent: share of referrals first contacted within 2 working days, rising linearly over the period.
PLANTED_CG_CONTACT_START = 0.65
PLANTED_CG_CONTACT_END = 0.92
# d. victims preferring Welsh are served in Welsh on this share of delivered entitlements.
PLANTED_CY_SERVED_IN_CY = 0.70
# e. good reasons (STATUTORY.md §1): one unit records `other_documented` as the reason for a third of its shortfalls
#    (late or missed instances) triggered from the first day of the month PLANTED_EXC_MONTHS_BEFORE_AS_OF months
#    before the as-of month; elsewhere, and before then, a small share of shortfalls carries a reason of the mix below.
PLANTED_EXC_UNIT = "Response East"
PLANTED_EXC_REASON = "other_documented"
PLANTED_EXC_MONTHS_BEFORE_AS_OF = 4
PLANTED_EXC_SHARE = 1 / 3
EXCEPTION_REASONS = (
    "victim_uncontactable", "victim_asked_other_route", "safeguarding_risk", "operational_risk",
    "delivered_by_other_agency", "other_documented",
)  # fmt: skip
EXC_BACKGROUND = 0.08  # share of shortfalls with a reason recorded, outside the planted unit and months
EXC_MIX = (0.40, 0.20, 0.10, 0.12, 0.12, 0.06)


def planted_r6_drop_month(as_of: dt.date) -> dt.date:
    """First day of the month from which the planted R6 drop applies (by entitlement trigger date)."""
    index = as_of.year * 12 + as_of.month - 1 - PLANTED_R6_DROP_MONTHS_BEFORE_AS_OF
    return dt.date(index // 12, index % 12 + 1, 1)


def planted_exc_month(as_of: dt.date) -> dt.date:
    """First day of the month from which the planted unit gives `other_documented` for a third of its shortfalls."""
    index = as_of.year * 12 + as_of.month - 1 - PLANTED_EXC_MONTHS_BEFORE_AS_OF
    return dt.date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- victims
# Local authorities weighted by recorded crime (police.uk, Gwent): Newport and Caerphilly largest.
AREAS = ("Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen")
AREA_P = (0.13, 0.28, 0.11, 0.32, 0.16)
EAST_AREAS = ("Monmouthshire", "Newport", "Torfaen")

UNITS = (
    "Response East",
    "Response West",
    "CID Newport",
    "CID Caerphilly",
    "Public Protection Unit",
    "Safeguarding Hub",
    "Victim Care Unit",
)
WCU_UNIT = "Witness Care Unit"
CPS_UNIT = "CPS Wales Victim Liaison Unit"

OFFENCES = (
    "violence_with_injury",
    "violence_without_injury",
    "stalking_harassment",
    "sexual_offences",
    "robbery",
    "burglary",
    "vehicle_offences",
    "theft",
    "criminal_damage_arson",
    "public_order",
    "other",
)
# Victim-based crime in England & Wales: violence and stalking/harassment dominate.
OFFENCE_P = (0.18, 0.20, 0.18, 0.04, 0.01, 0.05, 0.07, 0.10, 0.08, 0.07, 0.02)
# Per offence (in OFFENCES order): P(domestic abuse); P(hate crime | not DA); P(suspect identified);
# P(serious enough for CID); P(Crown Court | charged); P(compensation information owed).
OFFENCE_DA = np.array([0.45, 0.50, 0.45, 0.30, 0.02, 0.04, 0.02, 0.04, 0.20, 0.08, 0.15])
OFFENCE_HATE = np.array([0.04, 0.08, 0.08, 0.01, 0.01, 0.005, 0.005, 0.005, 0.05, 0.27, 0.01])
OFFENCE_SUSPECT = np.array([0.72, 0.62, 0.65, 0.60, 0.35, 0.22, 0.12, 0.18, 0.35, 0.55, 0.40])
OFFENCE_CID = np.array([0.45, 0.05, 0.05, 0.0, 0.9, 0.45, 0.10, 0.05, 0.10, 0.0, 0.10])
OFFENCE_CROWN = np.array([0.30, 0.05, 0.08, 0.85, 0.70, 0.30, 0.05, 0.05, 0.10, 0.05, 0.10])
OFFENCE_COMPENSATION = np.array([0.85, 0.55, 0.35, 0.70, 0.90, 0.80, 0.70, 0.65, 0.80, 0.30, 0.40])
# Median days from suspect identified to outcome (lognormal); sexual offences take longest.
OFFENCE_OUTCOME_DAYS = np.array([40, 30, 35, 200, 70, 60, 40, 35, 35, 25, 40])
SEXUAL = OFFENCES.index("sexual_offences")
STALKING = OFFENCES.index("stalking_harassment")
VIOLENCE_WITH_INJURY = OFFENCES.index("violence_with_injury")

AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
AGE_P = (0.10, 0.14, 0.22, 0.19, 0.15, 0.10, 0.07, 0.03)
SEXES = ("female", "male", "other", "unknown")
SEX_P_GENERAL = (0.46, 0.50, 0.005, 0.035)
SEX_P_DA_SEXUAL = (0.80, 0.17, 0.005, 0.025)
ETHNICITIES = ("white", "mixed", "asian", "black", "other", "unknown")
# Newport is the most diverse of the five authorities; overall about 93% white.
ETHNICITY_P_NEWPORT = (0.865, 0.030, 0.058, 0.022, 0.012, 0.013)
ETHNICITY_P_OTHER = (0.958, 0.012, 0.008, 0.004, 0.004, 0.014)
DISABILITIES = ("yes", "no", "unknown")
DISABILITY_P = (0.12, 0.70, 0.18)
LANGUAGES = ("en", "cy", "other", "unknown")
LANGUAGE_P = (0.84, 0.10, 0.02, 0.04)
ENHANCED_REASONS = ("most_serious", "persistently_targeted", "vulnerable", "intimidated")

OUTCOMES = (
    "ongoing",
    "charged",
    "out_of_court",
    "evidential_victim_declined",
    "evidential_other",
    "no_suspect",
    "not_in_public_interest",
    "other",
)
# Outcome once reached, given a suspect (ongoing excluded); domestic abuse sees more victim withdrawal.
OUTCOME_P_SUSPECT = (0.0, 0.19, 0.08, 0.36, 0.28, 0.0, 0.05, 0.04)
OUTCOME_P_SUSPECT_DA = (0.0, 0.17, 0.04, 0.50, 0.23, 0.0, 0.03, 0.03)
OUTCOME_P_NO_SUSPECT = (0.0, 0.0, 0.0, 0.04, 0.04, 0.88, 0.0, 0.04)

# ---------------------------------------------------------------- entitlements (METRICS.md §2)
# code: (standard timescale, enhanced timescale, calendar days?, P(timely), P(never delivered), P(declined))
ENTITLEMENTS: dict[str, tuple[int, int, bool, float, float, float]] = {
    "R1_NEEDS_COMMS": (1, 1, False, 0.93, 0.02, 0.0),
    "R2_RECORDED": (1, 1, True, 0.95, 0.0, 0.0),
    "R3_WRITTEN_ACK": (5, 5, False, 0.88, 0.03, 0.0),
    "R4_NEEDS_ASSESSMENT": (5, 2, False, 0.86, 0.03, 0.02),
    "R4_REFERRAL": (2, 2, False, 0.90, 0.02, 0.12),
    "R5_COMPENSATION_INFO": (10, 10, False, 0.82, 0.05, 0.01),
    "R6_SUSPECT_UPDATE": (5, 1, False, PLANTED_R6_BEFORE, 0.02, 0.01),
    "R6_DECISION_UPDATE": (5, 1, False, PLANTED_R6_BEFORE, 0.02, 0.02),
    "R6_CPS_DECISION": (5, 1, False, 0.82, 0.04, 0.0),
    "R7_VPS_OFFERED": (0, 0, False, 0.85, 0.05, 0.02),
    "R8_HEARING_INFO": (1, 1, False, 0.92, 0.01, 0.0),
    "R8_EVIDENCE_REQUIRED": (1, 1, False, 0.90, 0.02, 0.0),
    "R8_BAIL_OUTCOME": (5, 1, False, 0.88, 0.02, 0.0),
    "R8_SM_OUTCOME": (1, 1, False, 0.90, 0.02, 0.0),
    "R9_OUTCOME_INFO": (1, 1, False, 0.91, 0.02, 0.01),
    "R10_EXPENSES_INFO": (10, 10, False, 0.86, 0.04, 0.0),
    "R11_VCS_REFERRAL": (10, 10, False, 0.80, 0.05, 0.05),
    "R12_COMPLAINT_RESPONSE": (10, 10, False, 0.75, 0.05, 0.0),
    # Police Victims' Right to Review (STATUTORY.md §2), drawn from their own stream: acknowledge, then decide.
    "R6_VRR_ACK": (10, 10, False, 0.86, 0.03, 0.0),
    "R6_VRR_DECISION": (30, 30, False, 0.72, 0.06, 0.0),
}
CODES = tuple(ENTITLEMENTS)
WCU_CODES = frozenset(
    {"R8_HEARING_INFO", "R8_EVIDENCE_REQUIRED", "R8_BAIL_OUTCOME", "R8_SM_OUTCOME", "R9_OUTCOME_INFO"}
    | {"R10_EXPENSES_INFO", "R11_VCS_REFERRAL"}
)
# The Victim Care Unit makes first contact, assesses needs and refers (PRODUCT.md).
VCU_CODES = frozenset({"R3_WRITTEN_ACK", "R4_NEEDS_ASSESSMENT", "R4_REFERRAL", "R5_COMPENSATION_INFO"})
# Right to Review: victims whose case ended without a charge for these outcomes may ask for a review, this share of
# them, this many days (uniform) after the decision.
VRR_OUTCOMES = ("evidential_other", "not_in_public_interest")
VRR_P_REQUEST = 0.06
VRR_DAYS_AFTER_DECISION = (3, 60)
