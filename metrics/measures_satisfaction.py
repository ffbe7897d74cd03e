"""Victim satisfaction measures: the five survey stages, the ethnicity gap and awareness of the Code.

Input: the prepared survey_responses frame: survey_date, the q_* answers (1–7, or NaN when not asked / don't know),
q_aware_of_code, and the victim attributes (a linked victim's, else the response's own).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import Measure
from metrics.measures_base import Context, add_many, add_monthly, no_rule, truth

SATISFIED = 5  # 5 fairly, 6 very, 7 completely satisfied


def _answers(rows: pd.DataFrame, question: str) -> tuple[np.ndarray, np.ndarray]:
    """(satisfied, answered) per response: answered is 1–7, satisfied 5–7."""
    values = pd.to_numeric(rows[question], errors="coerce").astype(float)
    answered = truth(values.between(1, 7))
    return truth(values >= SATISFIED) & answered, answered


def stage(measure: Measure, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Answers 5–7 ÷ answers 1–7 to the measure's question."""
    return _answers(rows, measure.params["question"])


def ethnicity_gap(ctx: Context, measure: Measure, rows: pd.DataFrame) -> None:
    """Satisfaction of the reference group (white) and the comparison group (minority ethnic), for their difference."""
    satisfied, answered = _answers(rows, measure.params["question"])
    ethnicity = rows["ethnicity"].astype("string")
    reference = truth(ethnicity.isin(measure.params.get("reference", ["white"])))
    comparison = truth(ethnicity.isin(measure.params.get("comparison", ctx.catalogue.statistics.minority_ethnicities)))
    components = {
        "x1": satisfied & reference,
        "n1": answered & reference,
        "x2": satisfied & comparison,
        "n2": answered & comparison,
    }
    add_monthly(ctx, measure, rows, np.full(len(rows), np.nan), None, components)


def aware_of_code(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Respondents aware of the Victims' Code ÷ respondents who answered."""
    answer = rows["q_aware_of_code"]
    return answer.eq(True), answer.notna()


def compute(ctx: Context, measures: list[Measure]) -> None:
    """Add the monthly components of the satisfaction measures asked for."""
    frame = ctx.frame("survey_responses")
    if frame is None:
        return
    batches: dict[str, list] = {}
    for m in measures:
        rows = ctx.rows(m.source, m.period_date)
        if m.kind == "difference":
            ethnicity_gap(ctx, m, rows)
            continue
        if "question" in m.params:
            numerator, denominator = stage(m, rows)
        elif m.id == "SAT_CODE_AWARE":
            numerator, denominator = aware_of_code(rows)
        else:
            no_rule(m)
        batches.setdefault(m.period_date, []).append((m, numerator, denominator))
    for date, items in batches.items():
        add_many(ctx, ctx.rows("survey_responses", date), items)
