"""Demo entitlements: the Victims' Code duties each victim is owed along the journey, and how each was delivered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from data import demo_params as P
from data.demo_court import Court
from data.demo_util import DNULL, EPOCH, WorkingDays, bool_col, choose, date_col, day, enum_col, ids
from data.demo_victims import Victims

CODE_INDEX = {code: i for i, code in enumerate(P.CODES)}
_SPEC = np.array([P.ENTITLEMENTS[c] for c in P.CODES], dtype=float)
STANDARD, ENHANCED, CALENDAR, P_TIMELY, P_MISSED, P_DECLINED = (_SPEC[:, i] for i in range(6))
ALL_UNITS = (*P.UNITS, P.WCU_UNIT, P.CPS_UNIT)
_OWNER_UNIT = np.array(
    [
        ALL_UNITS.index(P.WCU_UNIT)
        if c in P.WCU_CODES
        else ALL_UNITS.index("Victim Care Unit")
        if c in P.VCU_CODES
        else ALL_UNITS.index(P.CPS_UNIT)
        if c == "R6_CPS_DECISION"
        else -1  # the victim's own unit
        for c in P.CODES
    ]
)
_PLANTED_CODES = np.array([CODE_INDEX[c] for c in P.PLANTED_R6_CODES])


@dataclass
class _Rows:
    """Entitlement instances being assembled: victim position, code index, trigger day."""

    victim: list[np.ndarray] = field(default_factory=list)
    code: list[np.ndarray] = field(default_factory=list)
    trigger: list[np.ndarray] = field(default_factory=list)

    def add(self, victim: np.ndarray, code: str, trigger: np.ndarray, as_of: int) -> None:
        """Add the instances whose trigger has happened by the as-of date."""
        keep = (trigger != DNULL) & (trigger <= as_of)
        self.victim.append(victim[keep])
        self.code.append(np.full(int(keep.sum()), CODE_INDEX[code]))
        self.trigger.append(trigger[keep])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The instances as three parallel arrays."""
        return np.concatenate(self.victim), np.concatenate(self.code), np.concatenate(self.trigger)


@dataclass
class Delivery:
    """How each instance was delivered (DNULL delivered_date when not, yet or ever)."""

    delivered: np.ndarray
    declined: np.ndarray


def deliver(
    rng: np.random.Generator,
    v: Victims,
    victim: np.ndarray,
    code: np.ndarray,
    trigger: np.ndarray,
    as_of: int,
    wd: WorkingDays,
    drop_day: int,
) -> Delivery:
    """Draw timely / late / never / declined per instance and the delivery day it implies."""
    n = len(code)
    enhanced = v.enhanced[victim]
    timescale = np.where(enhanced, ENHANCED[code], STANDARD[code]).astype(np.int64)
    p_timely, p_missed = P_TIMELY[code], P_MISSED[code]
    planted = (
        np.isin(code, _PLANTED_CODES) & (v.unit[victim] == P.UNITS.index(P.PLANTED_R6_UNIT)) & (trigger >= drop_day)
    )
    p_timely = np.where(planted, P.PLANTED_R6_AFTER, p_timely)
    p_missed = np.where(planted, 0.05, p_missed)
    declined = rng.random(n) < P_DECLINED[code]
    u = rng.random(n)
    timely = ~declined & (u < p_timely)
    never = ~declined & ~timely & (u < p_timely + p_missed)
    # Timely deliveries cluster early in the window; late ones trail off over the following weeks.
    k = np.where(timely, np.minimum(rng.geometric(0.55, n) - 1, timescale), timescale + rng.geometric(0.22, n))
    delivered = np.where(CALENDAR[code] > 0, trigger + k, wd.add(trigger, k))
    delivered = np.where(declined | never | (delivered > as_of), DNULL, delivered)
    return Delivery(delivered, declined)


def generate_entitlements(
    rng: np.random.Generator,
    v: Victims,
    court: Court,
    as_of: int,
    wd: WorkingDays,
    drop_day: int,
    first_id: int,
    width: int,
) -> tuple[pa.Table, np.ndarray]:
    """Entitlement instances of the chunk's victims; also each victim's R4 referral delivery day (or DNULL)."""
    n = len(v)
    everyone = np.arange(n)
    rows = _Rows()
    for code in ("R1_NEEDS_COMMS", "R2_RECORDED", "R3_WRITTEN_ACK", "R4_NEEDS_ASSESSMENT"):
        rows.add(everyone, code, v.reported, as_of)
    compensation = rng.random(n) < P.OFFENCE_COMPENSATION[v.offence]
    rows.add(everyone, "R5_COMPENSATION_INFO", np.where(compensation, v.reported + rng.integers(0, 4, n), DNULL), as_of)
    # Suspect updates (arrest, interview and release, bail or RUI review) up to the decision.
    cap = np.where(v.decision_day == DNULL, as_of, v.decision_day)
    updates = 1 + rng.binomial(3, 0.5, n)
    lags = (np.zeros(n, dtype=np.int64), rng.integers(1, 4, n), rng.integers(21, 61, n), rng.integers(61, 121, n))
    for i, lag in enumerate(lags):
        day = v.suspect_day + lag
        rows.add(everyone, "R6_SUSPECT_UPDATE", np.where(v.suspect & (updates > i) & (day <= cap), day, DNULL), as_of)
    decision = (v.outcome != 0) & (rng.random(n) < 0.97)
    rows.add(everyone, "R6_DECISION_UPDATE", np.where(decision, v.decision_day, DNULL), as_of)
    rows.add(everyone, "R7_VPS_OFFERED", v.statement_day, as_of)
    complaint = np.where(rng.random(n) < 0.006, v.reported + rng.integers(10, 201, n), DNULL)
    rows.add(everyone, "R12_COMPLAINT_RESPONSE", complaint, as_of)
    _court_rows(rng, rows, court, as_of)

    victim, code, trigger = rows.arrays()
    done = deliver(rng, v, victim, code, trigger, as_of, wd, drop_day)
    # Crime recording is delivered when the crime is recorded.
    r2 = code == CODE_INDEX["R2_RECORDED"]
    done.delivered[r2] = v.recorded[victim[r2]]
    done.declined[r2] = False

    # Referral to support follows the needs assessment, for most victims.
    assessed = np.full(n, DNULL)
    na = (code == CODE_INDEX["R4_NEEDS_ASSESSMENT"]) & (done.delivered != DNULL)
    assessed[victim[na]] = done.delivered[na]
    referral_rows = _Rows()
    referral_rows.add(everyone, "R4_REFERRAL", np.where(rng.random(n) < 0.88, assessed, DNULL), as_of)
    r_victim, r_code, r_trigger = referral_rows.arrays()
    r_done = deliver(rng, v, r_victim, r_code, r_trigger, as_of, wd, drop_day)
    referred = np.full(n, DNULL)
    referred[r_victim] = r_done.delivered

    victim = np.concatenate([victim, r_victim])
    code = np.concatenate([code, r_code])
    trigger = np.concatenate([trigger, r_trigger])
    delivered = np.concatenate([done.delivered, r_done.delivered])
    declined = np.concatenate([done.declined, r_done.declined])
    order = np.lexsort((trigger, victim))
    victim, code, trigger, delivered, declined = (a[order] for a in (victim, code, trigger, delivered, declined))
    table = _table(rng, v, victim, code, trigger, delivered, declined, first_id, width)
    # Rows and columns added since v1 come from a stream of their own, after the v1 rows (which keep their ids), so
    # that adding them moves no v1 figure: `rng` is left exactly as v1 left it for the tables generated after this one.
    extra = rng.spawn(1)[0]
    reasons = _reasons(extra, v, victim, code, trigger, delivered, declined, as_of, wd)
    table = table.append_column("exception_reason", enum_col(reasons, P.EXCEPTION_REASONS))
    review = _review_rows(extra, v, as_of, wd, drop_day, first_id + table.num_rows, width)
    return pa.concat_tables([table, review]), referred


def _reasons(
    rng: np.random.Generator,
    v: Victims,
    victim: np.ndarray,
    code: np.ndarray,
    trigger: np.ndarray,
    delivered: np.ndarray,
    declined: np.ndarray,
    as_of: int,
    wd: WorkingDays,
) -> np.ndarray:
    """A good reason (index into EXCEPTION_REASONS, −1 for none) on some shortfalls: late or missed instances.

    The planted unit gives `other_documented` for a third of its shortfalls triggered from the planted month; other
    shortfalls carry a reason of the background mix now and then."""
    n = len(code)
    timescale = np.where(v.enhanced[victim], ENHANCED[code], STANDARD[code]).astype(np.int64)
    deadline = np.where(CALENDAR[code] > 0, trigger + timescale, wd.add(trigger, timescale))
    undelivered = delivered == DNULL
    shortfall = ~declined & np.where(undelivered, as_of > deadline, delivered > deadline)
    owner = _OWNER_UNIT[code]
    unit = np.where(owner >= 0, owner, v.unit[victim])
    from_day = day(P.planted_exc_month(EPOCH + dt.timedelta(days=int(as_of))))
    planted = shortfall & (unit == ALL_UNITS.index(P.PLANTED_EXC_UNIT)) & (trigger >= from_day)
    u = rng.random(n)
    mix = choose(rng, n, P.EXC_MIX)
    reason = np.where(shortfall & (u < P.EXC_BACKGROUND), mix, -1)
    planted_reason = np.where(u < P.PLANTED_EXC_SHARE, P.EXCEPTION_REASONS.index(P.PLANTED_EXC_REASON), -1)
    return np.where(planted, planted_reason, reason)


def _review_rows(
    rng: np.random.Generator, v: Victims, as_of: int, wd: WorkingDays, drop_day: int, first_id: int, width: int
) -> pa.Table:
    """Police Victims' Right to Review: a share of victims whose case ended without a charge ask for a review, which
    is acknowledged (R6_VRR_ACK) and decided (R6_VRR_DECISION), both timed from the request."""
    n = len(v)
    outcomes = np.array([P.OUTCOMES.index(o) for o in P.VRR_OUTCOMES])
    low, high = P.VRR_DAYS_AFTER_DECISION
    asks = np.isin(v.outcome, outcomes) & (v.decision_day != DNULL) & (rng.random(n) < P.VRR_P_REQUEST)
    requested = np.where(asks, v.decision_day + rng.integers(low, high + 1, n), DNULL)
    rows = _Rows()
    rows.add(np.arange(n), "R6_VRR_ACK", requested, as_of)
    rows.add(np.arange(n), "R6_VRR_DECISION", requested, as_of)
    victim, code, trigger = rows.arrays()
    done = deliver(rng, v, victim, code, trigger, as_of, wd, drop_day)
    order = np.lexsort((trigger, victim))
    victim, code, trigger, delivered, declined = (
        a[order] for a in (victim, code, trigger, done.delivered, done.declined)
    )
    table = _table(rng, v, victim, code, trigger, delivered, declined, first_id, width)
    reasons = _reasons(rng, v, victim, code, trigger, delivered, declined, as_of, wd)
    return table.append_column("exception_reason", enum_col(reasons, P.EXCEPTION_REASONS))


def _court_rows(rng: np.random.Generator, rows: _Rows, court: Court, as_of: int) -> None:
    """Duties arising once a case is charged: CPS decisions and the Witness Care Unit's information duties."""
    ci, m = court.case_index, len(court.case_index)
    cps = np.where(rng.random(m) < 0.25, court.charge + rng.integers(14, 121, m), DNULL)
    cps = np.where((court.final != DNULL) & (cps > court.final), DNULL, cps)
    rows.add(ci, "R6_CPS_DECISION", cps, as_of)
    heard = court.hearing != DNULL
    rows.add(ci, "R8_HEARING_INFO", court.charge + rng.integers(0, 3, m), as_of)
    rows.add(ci, "R8_HEARING_INFO", np.where(court.not_guilty, court.hearing + rng.integers(0, 3, m), DNULL), as_of)
    rows.add(ci, "R8_EVIDENCE_REQUIRED", court.hearing, as_of)
    rows.add(ci, "R8_BAIL_OUTCOME", np.where(heard & (rng.random(m) < 0.85), court.hearing, DNULL), as_of)
    rows.add(ci, "R8_SM_OUTCOME", court.sm_decision, as_of)
    rows.add(ci, "R9_OUTCOME_INFO", court.final, as_of)
    rows.add(ci, "R10_EXPENSES_INFO", np.where(court.not_guilty, court.hearing + rng.integers(0, 6, m), DNULL), as_of)
    rows.add(ci, "R11_VCS_REFERRAL", np.where(court.long_sentence, court.final, DNULL), as_of)


def _table(rng, v, victim, code, trigger, delivered, declined, first_id, width) -> pa.Table:
    """The entitlements chunk in contract columns."""
    n = len(code)
    is_delivered = delivered != DNULL
    welsh = v.language[victim] == P.LANGUAGES.index("cy")
    in_welsh = welsh & (rng.random(n) < P.PLANTED_CY_SERVED_IN_CY)
    language = np.where(is_delivered, in_welsh.astype(np.int64), -1)  # 0 = en, 1 = cy
    owner = _OWNER_UNIT[code]
    unit = np.where(owner >= 0, owner, v.unit[victim])
    return pa.table(
        {
            "entitlement_id": ids("EN-", first_id, n, width),
            "case_id": v.case_ids(victim),
            "code": enum_col(code, P.CODES),
            "trigger_date": date_col(trigger),
            "delivered_date": date_col(delivered),
            "declined": bool_col(declined),
            "language": enum_col(language, ("en", "cy")),
            "unit": enum_col(unit, ALL_UNITS),
        }
    )
