"""Demo victims: one chunk of pseudonymous victims of recorded crime in Gwent, with their investigation journey."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from data import demo_params as P
from data.demo_util import DNULL, bool_col, categorical, choose, date_col, enum_col, format_ids, lognormal_days


@dataclass
class Victims:
    """A chunk of victims as parallel numpy arrays (category columns hold indices into the demo_params tuples)."""

    case_no: np.ndarray
    crime_no: np.ndarray
    reported: np.ndarray
    recorded: np.ndarray
    offence: np.ndarray
    da: np.ndarray
    hate: np.ndarray
    enhanced: np.ndarray
    reason: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    ethnicity: np.ndarray
    disability: np.ndarray
    language: np.ndarray
    area: np.ndarray
    unit: np.ndarray
    outcome: np.ndarray
    outcome_date: np.ndarray
    # the journey behind the record (not written to victims.csv)
    suspect: np.ndarray
    suspect_day: np.ndarray
    decision_day: np.ndarray
    statement_day: np.ndarray
    width: int

    def __len__(self) -> int:
        return len(self.case_no)

    def case_ids(self, index: np.ndarray | None = None) -> pa.Array:
        """case_id strings for all victims, or for the victims at the given positions."""
        numbers = self.case_no if index is None else self.case_no[index]
        return format_ids("VC-", numbers, self.width)


def day_weights(first: int, last: int) -> np.ndarray:
    """Relative reporting volume per day: a summer peak, a gentle rise over the period, quieter weekends."""
    days = np.arange(first, last + 1)
    doy = (days.astype("datetime64[D]") - days.astype("datetime64[D]").astype("datetime64[Y]")).astype(int)
    seasonal = 1 + 0.10 * np.sin(2 * np.pi * (doy - 100) / 365.25)
    trend = 1 + 0.05 * (days - first) / max(last - first, 1)
    weekday = np.where(((days + 3) % 7) >= 5, 0.88, 1.04)  # epoch day 0 was a Thursday
    w = seasonal * trend * weekday
    return w / w.sum()


def generate_victims(
    rng: np.random.Generator, n: int, first_case: int, first_crime: int, first_day: int, as_of: int, width: int
) -> Victims:
    """n victims numbered from first_case, reported between first_day and as_of (epoch days); ids width digits."""
    # Several victims may share a crime: each victim opens a new crime with probability 0.92.
    new_crime = rng.random(n) < 0.92
    new_crime[0] = True
    crime_local = np.cumsum(new_crime) - 1
    n_crimes = int(crime_local[-1]) + 1
    first_of_crime = np.flatnonzero(new_crime)

    weights = day_weights(first_day, as_of)
    c_reported = first_day + rng.choice(len(weights), size=n_crimes, p=weights)
    c_offence = choose(rng, n_crimes, P.OFFENCE_P)
    c_area = choose(rng, n_crimes, P.AREA_P)
    c_da = rng.random(n_crimes) < P.OFFENCE_DA[c_offence]
    c_hate = ~c_da & (rng.random(n_crimes) < P.OFFENCE_HATE[c_offence])
    c_suspect = rng.random(n_crimes) < np.where(c_da, 0.92, P.OFFENCE_SUSPECT[c_offence])
    recorded_lag = rng.choice(6, size=n_crimes, p=[0.74, 0.20, 0.03, 0.015, 0.01, 0.005])
    c_recorded = np.minimum(c_reported + recorded_lag, as_of)
    # Suspect identified: domestic abuse suspects are usually arrested within a day or two.
    c_suspect_lag = np.where(c_da, rng.geometric(0.6, n_crimes) - 1, lognormal_days(rng, 4.0, 1.0, n_crimes))
    c_suspect_day = np.where(c_suspect, c_reported + c_suspect_lag, DNULL)

    offence = c_offence[crime_local]
    da = c_da[crime_local]
    hate = c_hate[crime_local]
    suspect = c_suspect[crime_local]
    reported = c_reported[crime_local]
    area = c_area[crime_local]

    age = choose(rng, n, P.AGE_P)
    da_or_sexual = da | (offence == P.SEXUAL)
    sex = np.where(da_or_sexual, choose(rng, n, P.SEX_P_DA_SEXUAL), choose(rng, n, P.SEX_P_GENERAL))
    newport = area == P.AREAS.index("Newport")
    ethnicity = np.where(newport, choose(rng, n, P.ETHNICITY_P_NEWPORT), choose(rng, n, P.ETHNICITY_P_OTHER))
    disability = choose(rng, n, P.DISABILITY_P)
    language = choose(rng, n, P.LANGUAGE_P)

    enhanced, reason = _enhanced_rights(rng, offence, da, hate, age, disability)
    unit = _units(rng, offence, da, suspect, area, age, first_of_crime, crime_local)
    outcome, decision_day = _outcomes(rng, offence, da, suspect, reported, c_suspect_day[crime_local], as_of)
    outcome_date = np.where(outcome == 0, DNULL, decision_day)
    statement = rng.random(n) < np.where(suspect, 0.85, 0.35)
    statement_day = np.where(statement, reported + rng.geometric(0.35, n) - 1, DNULL)
    statement_day = np.where(statement_day > as_of, DNULL, statement_day)

    return Victims(
        case_no=first_case + np.arange(n),
        crime_no=first_crime + crime_local,
        reported=reported,
        recorded=c_recorded[crime_local],
        offence=offence,
        da=da,
        hate=hate,
        enhanced=enhanced,
        reason=reason,
        age=age,
        sex=sex,
        ethnicity=ethnicity,
        disability=disability,
        language=language,
        area=area,
        unit=unit,
        outcome=outcome,
        outcome_date=outcome_date,
        suspect=suspect,
        suspect_day=np.where(suspect, c_suspect_day[crime_local], DNULL),
        decision_day=decision_day,
        statement_day=statement_day,
        width=width,
    )


def _enhanced_rights(rng, offence, da, hate, age, disability) -> tuple[np.ndarray, np.ndarray]:
    """Enhanced Rights under the Code (about 40%) and the reason: the strongest ground that applies."""
    n = len(offence)
    sexual = offence == P.SEXUAL
    stalking = (offence == P.STALKING) & ~da
    vulnerable = (age == 0) | (disability == 0)
    # (probability of being identified as enhanced, reason) in order of precedence
    grounds = [
        (sexual, 0.95, 0),
        (da, 0.78, 0),
        (hate, 0.80, 0),
        (stalking, 0.35, 1),
        (vulnerable, np.where(age == 0, 0.55, 0.30), 2),
    ]
    p = np.full(n, 0.04)
    reason = np.full(n, 3)  # intimidated, the catch-all ground
    for applies, prob, ground in reversed(grounds):
        p = np.where(applies, np.maximum(p, prob), p)
        reason = np.where(applies, ground, reason)
    # some domestic abuse victims are recorded as intimidated rather than as victims of the most serious crime
    reason = np.where(da & ~sexual & (rng.random(n) < 0.15), 3, reason)
    enhanced = rng.random(n) < p
    return enhanced, np.where(enhanced, reason, -1)


def _units(rng, offence, da, suspect, area, age, first_of_crime, crime_local) -> np.ndarray:
    """The owning unit, decided per crime (from its first victim) so that co-victims share it."""
    u = P.UNITS.index
    east = np.isin(area, [P.AREAS.index(a) for a in P.EAST_AREAS])
    child = age[first_of_crime][crime_local] == 0
    personal = np.isin(offence, [0, 1, 2])
    desk = np.isin(offence, [P.OFFENCES.index(o) for o in ("burglary", "vehicle_offences", "theft", "other")])
    desk |= offence == P.OFFENCES.index("criminal_damage_arson")
    cid = rng.random(len(offence)) < P.OFFENCE_CID[offence]
    cid = cid[first_of_crime][crime_local]
    desk_pick = (rng.random(len(offence)) < 0.55)[first_of_crime][crime_local]
    newport_or_mon = np.isin(area, [P.AREAS.index("Newport"), P.AREAS.index("Monmouthshire")])
    unit = np.where(east, u("Response East"), u("Response West"))
    unit = np.where(desk & ~suspect & desk_pick, u("Victim Care Unit"), unit)
    unit = np.where(cid, np.where(newport_or_mon, u("CID Newport"), u("CID Caerphilly")), unit)
    unit = np.where(child & personal & ~da, u("Safeguarding Hub"), unit)
    unit = np.where(da | (offence == P.SEXUAL), u("Public Protection Unit"), unit)
    return unit


def _outcomes(rng, offence, da, suspect, reported, suspect_day, as_of) -> tuple[np.ndarray, np.ndarray]:
    """Outcome category and the day it was reached (ongoing when that day is after the as-of date)."""
    n = len(offence)
    probs = np.where(
        suspect[:, None],
        np.where(da[:, None], np.array(P.OUTCOME_P_SUSPECT_DA), np.array(P.OUTCOME_P_SUSPECT)),
        np.array(P.OUTCOME_P_NO_SUSPECT),
    )
    outcome = categorical(rng, probs)
    with_suspect = suspect_day + lognormal_days(rng, P.OFFENCE_OUTCOME_DAYS[offence], 0.8, n)
    without_suspect = reported + lognormal_days(rng, 12.0, 0.7, n)
    decided = np.where(suspect, with_suspect, without_suspect)
    ongoing = decided > as_of
    return np.where(ongoing, 0, outcome), np.where(ongoing, DNULL, decided)


def victims_table(v: Victims) -> pa.Table:
    """The victims chunk in contract columns."""
    return pa.table(
        {
            "case_id": v.case_ids(),
            "crime_ref": format_ids("CR-", v.crime_no, v.width),
            "reported_date": date_col(v.reported),
            "recorded_date": date_col(v.recorded),
            "offence_group": enum_col(v.offence, P.OFFENCES),
            "domestic_abuse": bool_col(v.da),
            "hate_crime": bool_col(v.hate),
            "enhanced_rights": bool_col(v.enhanced),
            "enhanced_reason": enum_col(v.reason, P.ENHANCED_REASONS),
            "age_band": enum_col(v.age, P.AGE_BANDS),
            "sex": enum_col(v.sex, P.SEXES),
            "ethnicity": enum_col(v.ethnicity, P.ETHNICITIES),
            "disability": enum_col(v.disability, P.DISABILITIES),
            "preferred_language": enum_col(v.language, P.LANGUAGES),
            "area": enum_col(v.area, P.AREAS),
            "unit": enum_col(v.unit, P.UNITS),
            "outcome": enum_col(v.outcome, P.OUTCOMES),
            "outcome_date": date_col(v.outcome_date),
        }
    )
