"""Demo victim voice and support: satisfaction survey responses and Connect Gwent referrals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data import demo_params as P
from data.demo_util import (
    DNULL,
    WorkingDays,
    bool_col,
    choose,
    date_col,
    enum_col,
    ids,
    int_col,
    lognormal_days,
)
from data.demo_victims import Victims

MODES = ("phone", "online", "sms", "paper")
MODE_P = (0.55, 0.25, 0.15, 0.05)
SURVEY_RATE = 0.166  # a little above 15% because surveys due after the as-of date are not yet taken
# question: (target share satisfied, share null)
STAGES = {
    "q_ease_of_contact": (0.90, 0.03),
    "q_actions_taken": (0.74, 0.06),
    "q_kept_informed": (0.70, 0.05),
    "q_treatment": (0.88, 0.02),
}
FOLLOWS_WHOLE = 0.4  # how often a stage answer simply mirrors the whole-experience answer
SOURCES = ("police", "self", "partner")
SERVICES = (
    "emotional_support",
    "isva",
    "idva",
    "counselling",
    "practical",
    "advocacy",
    "children_young_people",
    "other",
)
SERVICE_P_GENERAL = (0.40, 0.02, 0.05, 0.12, 0.20, 0.15, 0.01, 0.05)


def _scores(rng: np.random.Generator, satisfied: np.ndarray) -> np.ndarray:
    """1–7 answers: 5–7 when satisfied, 1–4 otherwise."""
    n = len(satisfied)
    high = 5 + choose(rng, n, (0.30, 0.35, 0.35))
    low = 1 + choose(rng, n, (0.15, 0.15, 0.30, 0.40))
    return np.where(satisfied, high, low)


def generate_surveys(rng: np.random.Generator, v: Victims, as_of: int, first_id: int, width: int) -> pa.Table:
    """Survey responses from about 15% of victims, six to ten weeks after the outcome (or the report)."""
    n = len(v)
    anchor = np.where(v.outcome_date != DNULL, v.outcome_date, v.reported + 30)
    day = anchor + rng.integers(28, 71, n)
    idx = np.flatnonzero((rng.random(n) < SURVEY_RATE) & (day <= as_of))
    m = len(idx)
    ethnicity = v.ethnicity[idx]
    minority = np.isin(ethnicity, [P.ETHNICITIES.index(e) for e in P.MINORITY_ETHNICITIES])
    white = ethnicity == P.ETHNICITIES.index("white")
    p_whole = np.where(white, P.PLANTED_SAT_WHITE, np.where(minority, P.PLANTED_SAT_MINORITY, 0.76))
    whole = rng.random(m) < p_whole
    columns = {
        "response_id": ids("SR-", first_id, m, width),
        "case_id": v.case_ids(idx),
        "survey_date": date_col(day[idx]),
        "mode": enum_col(choose(rng, m, MODE_P), MODES),
    }
    mean_whole = float(np.mean(p_whole)) if m else 0.8
    for question, (target, null_share) in STAGES.items():
        own = min(1.0, max(0.0, (target - FOLLOWS_WHOLE * mean_whole) / (1 - FOLLOWS_WHOLE)))
        satisfied = np.where(rng.random(m) < FOLLOWS_WHOLE, whole, rng.random(m) < own)
        columns[question] = int_col(_scores(rng, satisfied), null=rng.random(m) < null_share)
    columns["q_whole_experience"] = int_col(_scores(rng, whole), null=rng.random(m) < 0.02)
    columns["q_aware_of_code"] = bool_col(rng.random(m) < 0.32, null=rng.random(m) < 0.05)
    report_again = rng.random(m) < np.where(whole, 0.9, 0.6)
    columns["q_would_report_again"] = bool_col(report_again, null=rng.random(m) < 0.04)
    # Demographics stay empty: the loader takes them from the linked victim.
    empty = np.full(m, -1)
    for column, values in (
        ("age_band", P.AGE_BANDS),
        ("sex", P.SEXES),
        ("ethnicity", P.ETHNICITIES),
        ("disability", P.DISABILITIES),
        ("area", P.AREAS),
        ("offence_group", P.OFFENCES),
    ):
        columns[column] = enum_col(empty, values)
    return pa.table(columns)


def generate_referrals(
    rng: np.random.Generator,
    v: Victims,
    referred: np.ndarray,
    as_of: int,
    first_day: int,
    wd: WorkingDays,
    first_id: int,
    width: int,
) -> pa.Table:
    """Connect Gwent referrals: police referrals after the R4 referral, partner referrals, and self-referrals."""
    n = len(v)
    police = np.flatnonzero((referred != DNULL) & (rng.random(n) < 0.5))
    partner_day = v.reported + rng.integers(1, 61, n)
    partner = np.flatnonzero((rng.random(n) < np.where(v.da, 0.12, 0.02)) & (partner_day <= as_of))
    linked = np.concatenate([police, partner])
    n_self = int(rng.binomial(len(linked), 0.25))
    victim = np.concatenate([linked, np.full(n_self, -1)])
    source = np.concatenate([np.zeros(len(police), int), np.full(len(partner), 2), np.ones(n_self, int)])
    ref_day = np.concatenate([referred[police], partner_day[partner], rng.integers(first_day, as_of + 1, n_self)])
    m = len(victim)
    is_self = victim < 0
    safe = np.where(is_self, 0, victim)

    # Planted: the share first contacted within 2 working days rises steadily across the period.
    progress = (ref_day - first_day) / max(as_of - first_day, 1)
    p_within = P.PLANTED_CG_CONTACT_START + (P.PLANTED_CG_CONTACT_END - P.PLANTED_CG_CONTACT_START) * progress
    within = rng.random(m) < p_within
    contacted = within | (rng.random(m) < 0.88)
    k = np.where(within, np.minimum(rng.geometric(0.5, m) - 1, 2), 2 + rng.geometric(0.25, m))
    contact = np.where(contacted, wd.add(ref_day, k), DNULL)
    contact = np.where(contact > as_of, DNULL, contact)
    has_contact = contact != DNULL
    assessed = np.where(has_contact & (rng.random(m) < 0.88), contact + rng.integers(0, 11, m), DNULL)
    assessed = np.where(assessed > as_of, DNULL, assessed)
    accepted = rng.random(m) < 0.72
    accepted_null = ~has_contact | (rng.random(m) < 0.05)
    takes_support = accepted & ~accepted_null
    closed = np.where(
        has_contact,
        contact + np.where(takes_support, 14 + lognormal_days(rng, 60.0, 0.6, m), rng.integers(0, 8, m)),
        np.where(contacted, DNULL, ref_day + rng.integers(10, 31, m)),  # closed as unable to contact
    )
    closed = np.where(closed > as_of, DNULL, closed)
    cope = np.where((closed != DNULL) & takes_support, (rng.random(m) < 0.78).astype(int), -1)

    offence = np.where(is_self, -1, v.offence[safe])
    da = ~is_self & v.da[safe]
    child = ~is_self & (v.age[safe] == 0)
    service = choose(rng, m, SERVICE_P_GENERAL)
    service = np.where(child & (rng.random(m) < 0.6), SERVICES.index("children_young_people"), service)
    service = np.where((offence == P.SEXUAL) & (rng.random(m) < 0.7), SERVICES.index("isva"), service)
    service = np.where(da & (rng.random(m) < 0.6), SERVICES.index("idva"), service)
    service = np.where(takes_support, service, -1)

    # Self-referrals carry their own demographics; linked ones take the victim's at load.
    ethnicity_self = np.where(
        rng.random(m) < 0.32, choose(rng, m, P.ETHNICITY_P_NEWPORT), choose(rng, m, P.ETHNICITY_P_OTHER)
    )

    def own(values: np.ndarray) -> np.ndarray:
        return np.where(is_self, values, -1)

    return pa.table(
        {
            "referral_id": ids("RF-", first_id, m, width),
            "case_id": _case_ids_or_null(v, victim),
            "referral_date": date_col(ref_day),
            "source": enum_col(source, SOURCES),
            "first_contact_date": date_col(contact),
            "needs_assessed_date": date_col(assessed),
            "support_accepted": bool_col(accepted, null=accepted_null),
            "service": enum_col(service, SERVICES),
            "closed_date": date_col(closed),
            "cope_recover_improved": bool_col(cope == 1, null=cope < 0),
            "age_band": enum_col(own(choose(rng, m, P.AGE_P)), P.AGE_BANDS),
            "sex": enum_col(own(choose(rng, m, P.SEX_P_DA_SEXUAL)), P.SEXES),
            "ethnicity": enum_col(own(ethnicity_self), P.ETHNICITIES),
            "disability": enum_col(own(choose(rng, m, P.DISABILITY_P)), P.DISABILITIES),
            "area": enum_col(own(choose(rng, m, P.AREA_P)), P.AREAS),
        }
    )


def _case_ids_or_null(v: Victims, victim: np.ndarray) -> pa.Array:
    """case_id of the linked victim, null for a self-referral (victim < 0)."""
    linked = v.case_ids(np.where(victim < 0, 0, victim))
    return pc.if_else(pa.array(victim < 0), pa.scalar(None, pa.string()), linked)
