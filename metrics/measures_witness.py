"""Witness Care Unit and special measures: attendance, needs assessments, ineffective trials, Witness Service, SM.

Inputs: the prepared witnesses frame (witness rows with case_id, plea, trial_date, required_to_attend, attended,
trial_outcome, ineffective_reason, needs_assessment_date, witness_service_referred) and special_measures frame (one
row per witness considered, with the witness's case_id and trial_date), both with the victim attributes attached and
dates after the as-of date already blanked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import (
    Context,
    add_direct,
    add_many,
    group_values,
    no_rule,
    per_period,
    truth,
)

ABSENT = "prosecution_witness_absent"
GRANTED = ("granted", "partly_granted")
DECIDED = ("granted", "partly_granted", "refused")


def _flag(values: pd.Series) -> np.ndarray:
    """A nullable boolean column as a plain mask (missing is not true)."""
    return truth(values.eq(True))


def attendance(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Attended ÷ required to attend a trial that was held (trial_outcome recorded)."""
    return _flag(rows["attended"]), _flag(rows["required_to_attend"]) & rows["trial_outcome"].notna().to_numpy()


def needs_assessment(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Witnesses with a needs assessment ÷ witnesses on not guilty pleas."""
    return rows["needs_assessment_date"].notna().to_numpy(), truth(rows["plea"].eq("not_guilty"))


def witness_service(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Witnesses referred to the Witness Service ÷ witnesses on not guilty pleas."""
    return _flag(rows["witness_service_referred"]), truth(rows["plea"].eq("not_guilty"))


def ineffective_through_absence(ctx: Context, measure: Measure, held: pd.DataFrame) -> None:
    """Distinct cases with a trial ineffective through prosecution witness absence ÷ distinct cases with an outcome.

    Cases are counted once per period even when their trials fall in several of its months, so this is computed per
    period rather than summed from months.
    """
    held = held.loc[held["trial_outcome"].notna().to_numpy()]
    cases = pd.DataFrame(
        {
            "month": held["month"].to_numpy(),
            "group_value": group_values(held, ctx.cut(measure)).to_numpy(),
            "case_id": held["case_id"].to_numpy(),
            "absent": truth(held["ineffective_reason"].eq(ABSENT)),
        }
    )
    cases = per_period(ctx, cases)
    keys = ["period", "group_value"]
    den = cases.groupby(keys)["case_id"].nunique()
    num = cases.loc[cases["absent"]].groupby(keys)["case_id"].nunique().reindex(den.index, fill_value=0)
    add_direct(ctx, measure, pd.DataFrame({"numerator": num, "denominator": den}).reset_index())


def discussed(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Eligible witnesses with special measures discussed ÷ witnesses whose eligibility is not not_eligible."""
    eligible = truth(rows["eligibility"].ne("not_eligible"))
    return rows["discussed_date"].notna().to_numpy(), eligible


def quality_assured(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Applications quality-assured by the advisor ÷ applications made."""
    return _flag(rows["sma_quality_assured"]), rows["application_date"].notna().to_numpy()


def granted(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Granted or partly granted ÷ granted, partly granted or refused (decisions known by the as-of date)."""
    decision = rows["decision"]
    return decision.isin(GRANTED).to_numpy(), decision.isin(DECIDED).to_numpy()


def timely(rows: pd.DataFrame, days_before_trial: int) -> tuple[np.ndarray, np.ndarray]:
    """Applications made at least `days_before_trial` days before the trial ÷ applications with a trial date."""
    trial = rows["trial_date"]
    made_in_time = (rows["application_date"] <= trial - pd.Timedelta(days=days_before_trial)).fillna(False)
    return made_in_time.to_numpy(dtype=bool), trial.notna().to_numpy()


RATES = {
    "WCU_ATTENDANCE": attendance,
    "WCU_NEEDS_ASSESSMENT": needs_assessment,
    "WCU_WITNESS_SERVICE": witness_service,
    "SM_DISCUSSED": discussed,
    "SM_QA": quality_assured,
    "SM_GRANTED": granted,
}


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the components of the witness care and special measures measures asked for."""
    batches: dict[tuple[str, str], list] = {}
    for m in measures:
        if ctx.frame(m.source) is None:
            continue
        if m.id == "WCU_INEFFECTIVE_WITNESS":
            ineffective_through_absence(ctx, m, ctx.rows(m.source, m.period_date))
            continue
        rows = ctx.rows(m.source, m.period_date)
        if m.id in RATES:
            numerator, denominator = RATES[m.id](rows)
        elif m.id == "SM_TIMELY":
            numerator, denominator = timely(rows, int(m.params.get("days_before_trial", 28)))
        else:
            no_rule(m)
        batches.setdefault((m.source, m.period_date), []).append((m, numerator, denominator))
    for (source, date), items in batches.items():
        add_many(ctx, ctx.rows(source, date), items)
