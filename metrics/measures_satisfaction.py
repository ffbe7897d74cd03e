"""Victim satisfaction measures: the five survey stages, the gap between two groups of any column (ethnicity,
disability, age, sex: STATUTORY.md §5), awareness of the Code and whether victims would report again.

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


def group_gap(ctx: Context, measure: Measure, rows: pd.DataFrame) -> None:
    """Satisfaction of the reference group and of the comparison group of one column (`params.column`, default
    ethnicity: white against minority ethnic), for their difference with a Newcombe interval."""
    satisfied, answered = _answers(rows, measure.params["question"])
    column = measure.params.get("column", "ethnicity")
    values = rows[column].astype("string") if column in rows.columns else pd.Series(pd.NA, index=rows.index)
    default_comparison = ctx.catalogue.statistics.minority_ethnicities if column == "ethnicity" else []
    reference = truth(values.isin([str(v) for v in measure.params.get("reference", ["white"])]))
    comparison = truth(values.isin([str(v) for v in measure.params.get("comparison", default_comparison)]))
    components = {
        "x1": satisfied & reference,
        "n1": answered & reference,
        "x2": satisfied & comparison,
        "n2": answered & comparison,
    }
    add_monthly(ctx, measure, rows, np.full(len(rows), np.nan), None, components)


ethnicity_gap = group_gap  # the v1 name


def yes_share(rows: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """Respondents answering yes to a yes/no question ÷ respondents who answered it."""
    answer = rows[column]
    return answer.eq(True), answer.notna()


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
            group_gap(ctx, m, rows)
            continue
        if "question" in m.params:
            numerator, denominator = stage(m, rows)
        elif m.id == "SAT_CODE_AWARE":
            numerator, denominator = aware_of_code(rows)
        elif "flag" in m.params:
            numerator, denominator = yes_share(rows, m.params["flag"])
        else:
            no_rule(m)
        batches.setdefault(m.period_date, []).append((m, numerator, denominator))
    for date, items in batches.items():
        add_many(ctx, ctx.rows("survey_responses", date), items)
