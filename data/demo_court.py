"""Demo court journey: charged cases' hearings and trials, the Witness Care Unit caseload and special measures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from data import demo_params as P
from data.demo_util import DNULL, bool_col, choose, date_col, enum_col, ids
from data.demo_victims import Victims

PLEAS = ("guilty", "not_guilty", "none_yet")
COURTS = ("magistrates", "crown")
TRIAL_OUTCOMES = ("effective", "cracked", "ineffective", "vacated")
TRIAL_OUTCOME_P = (0.45, 0.35, 0.13, 0.07)
INEFFECTIVE_REASONS = ("prosecution_witness_absent", "defence", "court", "other")
INEFFECTIVE_REASON_P = (0.30, 0.25, 0.30, 0.15)
ELIGIBILITY = (
    "s16_vulnerable",
    "s17_intimidated",
    "s17_4_sexual_or_slavery",
    "s17_4A_domestic_abuse",
    "s17_5_weapons",
    "not_eligible",
)
NOT_ELIGIBLE = ELIGIBILITY.index("not_eligible")
MEASURES = (
    "screens",
    "live_link",
    "evidence_in_private",
    "wigs_gowns",
    "video_evidence_in_chief",
    "s28_pre_recorded",
    "intermediary",
    "communication_aids",
    "remote_site",
)
MEASURE_SETS = tuple(";".join(m for i, m in enumerate(MEASURES) if mask >> i & 1) for mask in range(2 ** len(MEASURES)))
DECISIONS = ("granted", "partly_granted", "refused", "withdrawn", "pending")
DECISION_P = (0.82, 0.08, 0.06, 0.04)


@dataclass
class Court:
    """Charged victims' court journey (arrays aligned with case_index) and the witness and special-measures rows."""

    case_index: np.ndarray  # positions of the charged victims in the chunk
    charge: np.ndarray
    hearing: np.ndarray  # first hearing, DNULL when after the as-of date
    not_guilty: np.ndarray
    final: np.ndarray  # outcome and sentence known to the WCU, DNULL when not yet
    long_sentence: np.ndarray  # 12 months or more: Victim Contact Scheme
    sm_decision: np.ndarray  # the victim-witness's special-measures decision day (granted/partly/refused)
    witnesses: pa.Table
    special_measures: pa.Table


def _uniform(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    """Whole days uniformly in [low, high]."""
    return rng.integers(low, high + 1, n)


def generate_court(
    rng: np.random.Generator, v: Victims, as_of: int, first_witness: int, first_sm: int, width: int
) -> Court:
    """The court journey of every charged victim in the chunk, witnesses numbered from first_witness."""
    ci = np.flatnonzero(v.outcome == P.OUTCOMES.index("charged"))
    n = len(ci)
    charge = v.outcome_date[ci]
    crown = rng.random(n) < P.OFFENCE_CROWN[v.offence[ci]]
    hearing = charge + np.where(rng.random(n) < 0.15, 1, _uniform(rng, 7, 28, n))  # remanded: next day
    heard = hearing <= as_of
    guilty = heard & (rng.random(n) < np.where(crown, 0.45, 0.68))
    not_guilty = heard & ~guilty
    plea = np.where(guilty, 0, np.where(not_guilty, 1, 2))
    listed = hearing + np.where(crown, _uniform(rng, 120, 330, n), _uniform(rng, 42, 150, n))
    trial = np.where(not_guilty, listed, DNULL)
    held = not_guilty & (trial <= as_of)
    trial_outcome = np.where(held, choose(rng, n, TRIAL_OUTCOME_P), -1)
    ineffective = trial_outcome == TRIAL_OUTCOMES.index("ineffective")
    reason = np.where(ineffective, choose(rng, n, INEFFECTIVE_REASON_P), -1)
    witness_absent = reason == 0
    sentence_lag = np.where(crown, _uniform(rng, 28, 56, n), np.where(rng.random(n) < 0.6, 0, _uniform(rng, 21, 42, n)))
    after_trial = np.select(
        [trial_outcome == 0, trial_outcome == 1],
        [_uniform(rng, 0, 35, n), np.zeros(n, dtype=np.int64)],
        _uniform(rng, 60, 150, n),  # ineffective or vacated: relisted and resolved later
    )
    final = np.where(guilty, hearing + sentence_lag, np.where(held, trial + after_trial, DNULL))
    final = np.where(final > as_of, DNULL, final)
    convicted = guilty | (trial_outcome == 1) | (held & (rng.random(n) < 0.63))
    long_sentence = convicted & (final != DNULL) & (rng.random(n) < np.where(crown, 0.45, 0.03))

    # Witness rows: the victim (usually) and sometimes other witnesses.
    victim_witness = rng.random(n) < 0.93
    counts = victim_witness.astype(np.int64) + rng.poisson(0.6, n)
    case_pos = np.repeat(np.arange(n), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(len(case_pos)) - np.repeat(starts, counts)
    is_victim = victim_witness[case_pos] & (within == 0)
    m = len(case_pos)
    w_ng = not_guilty[case_pos]
    w_held = held[case_pos]
    w_outcome = trial_outcome[case_pos]
    vacated = w_outcome == TRIAL_OUTCOMES.index("vacated")
    needs = w_ng & (rng.random(m) < 0.94)
    needs_day = np.where(needs, hearing[case_pos] + _uniform(rng, 0, 10, m), DNULL)
    absent = witness_absent[case_pos] & (within == 0)  # the witness whose absence made the trial ineffective
    required = (np.where(is_victim, rng.random(m) < 0.96, rng.random(m) < 0.8) | absent) & w_ng & ~vacated
    required_null = ~heard[case_pos]
    attends = w_held & required & ~vacated
    attended = rng.random(m) < 0.95
    attended = np.where(absent, False, attended)
    witness_table = pa.table(
        {
            "witness_id": ids("WI-", first_witness, m, width),
            "case_id": v.case_ids(ci[case_pos]),
            "is_victim": bool_col(is_victim),
            "court": enum_col(crown[case_pos].astype(np.int64), COURTS),
            "charge_date": date_col(charge[case_pos]),
            "plea": enum_col(plea[case_pos], PLEAS),
            "needs_assessment_date": date_col(np.where(needs_day > as_of, DNULL, needs_day)),
            "trial_date": date_col(np.where(trial[case_pos] > as_of, DNULL, trial[case_pos])),
            "required_to_attend": bool_col(required, null=required_null),
            "attended": bool_col(attended, null=~attends),
            "trial_outcome": enum_col(w_outcome, TRIAL_OUTCOMES),
            "ineffective_reason": enum_col(reason[case_pos], INEFFECTIVE_REASONS),
            "witness_service_referred": bool_col(rng.random(m) < 0.9, null=~w_ng),
            "pre_trial_visit": bool_col(rng.random(m) < 0.22, null=~w_ng),
        }
    )

    sm_table, sm_decision_w = _special_measures(
        rng, v, ci, case_pos, is_victim, crown, hearing, listed, not_guilty, as_of, first_witness, first_sm, width
    )
    # The victim's own special-measures decision (the victim witness is the first row of its case).
    sm_decision = np.full(n, DNULL)
    sm_decision[case_pos[is_victim]] = sm_decision_w[is_victim]
    first_hearing = np.where(heard, hearing, DNULL)
    return Court(ci, charge, first_hearing, not_guilty, final, long_sentence, sm_decision, witness_table, sm_table)


def _special_measures(
    rng, v, ci, case_pos, is_victim, crown, hearing, listed, not_guilty, as_of, first_witness, first_sm, width
) -> tuple[pa.Table, np.ndarray]:
    """One row per witness considered for special measures; also each witness's decision day (or DNULL)."""
    m = len(case_pos)
    vi = ci[case_pos]
    offence, age = v.offence[vi], v.age[vi]
    eligibility = np.full(m, NOT_ELIGIBLE)
    # victim witnesses: the weakest statutory ground first, so that stronger grounds overwrite it
    victim_grounds = [
        ((offence == P.VIOLENCE_WITH_INJURY) & (rng.random(m) < 0.2), 4),
        (v.reason[vi] == P.ENHANCED_REASONS.index("intimidated"), 1),
        ((v.disability[vi] == 0) & (rng.random(m) < 0.6), 0),
        (age == 0, 0),
        (v.da[vi], 3),
        (offence == P.SEXUAL, 2),
    ]
    for applies, ground in victim_grounds:
        eligibility = np.where(is_victim & applies, ground, eligibility)
    other = choose(rng, m, (0.04, 0.12, 0.84))
    eligibility = np.where(~is_victim, np.where(other == 2, NOT_ELIGIBLE, other), eligibility)
    eligible = eligibility != NOT_ELIGIBLE
    considered = eligible | (rng.random(m) < 0.2)

    charge = v.outcome_date[vi]
    identified = np.maximum(charge - rng.integers(0, 31, m), v.reported[vi])
    discussed = np.where(eligible & (rng.random(m) < 0.93), identified + rng.integers(0, 15, m), DNULL)
    discussed = np.where(discussed > as_of, DNULL, discussed)
    trial = listed[case_pos]
    applied = eligible & not_guilty[case_pos] & (discussed != DNULL) & (rng.random(m) < 0.8)
    application = hearing[case_pos] + rng.integers(3, 46, m)
    application = np.maximum(np.minimum(application, trial - 3), hearing[case_pos])
    application = np.where(applied & (application <= as_of), application, DNULL)
    has_app = application != DNULL
    decided = application + rng.integers(3, 29, m)
    pending = has_app & (decided > as_of)
    decision = np.where(has_app, np.where(pending, 4, choose(rng, m, DECISION_P)), -1)
    decision_day = np.where(has_app & ~pending, decided, DNULL)

    measures = _measure_sets(rng, offence, age, crown[case_pos])
    keep = np.flatnonzero(considered)
    table = pa.table(
        {
            "sm_id": ids("SM-", first_sm, len(keep), width),
            "witness_id": ids("WI-", first_witness, m, width).take(pa.array(keep)),
            "eligibility": enum_col(eligibility[keep], ELIGIBILITY),
            "identified_date": date_col(identified[keep]),
            "discussed_date": date_col(discussed[keep]),
            "measures": enum_col(np.where(has_app, measures, -1)[keep], MEASURE_SETS),
            "sma_quality_assured": bool_col(rng.random(m)[keep] < 0.9, null=~has_app[keep]),
            "application_date": date_col(application[keep]),
            "decision": enum_col(decision[keep], DECISIONS),
            "decision_date": date_col(decision_day[keep]),
        }
    )
    informs = np.isin(decision, [0, 1, 2])
    return table, np.where(informs, decision_day, DNULL)


def _measure_sets(rng, offence, age, crown) -> np.ndarray:
    """A bitmask over MEASURES per witness: screens and live links commonly, video evidence for sexual offences."""
    m = len(offence)
    sexual = offence == P.SEXUAL
    child = age == 0
    p = np.column_stack(
        [
            np.full(m, 0.6),
            np.full(m, 0.4),
            np.where(sexual, 0.25, 0.02),
            np.where(crown, 0.15, 0.0),
            np.where(sexual, 0.7, np.where(child, 0.6, 0.03)),
            np.where(sexual & crown, 0.35, 0.0),
            np.where(child, 0.35, 0.03),
            np.full(m, 0.04),
            np.full(m, 0.05),
        ]
    )
    bits = rng.random((m, len(MEASURES))) < p
    mask = (bits * (1 << np.arange(len(MEASURES)))).sum(axis=1)
    return np.where(mask == 0, 1, mask)  # at least screens
