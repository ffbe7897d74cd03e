"""Publication-mode disclosure control of metric rows and scorecards (METRICS.md §5), on top of metrics.suppression.

Each rate row is treated as a small table: the interior cells are the numerator ("met") and denominator − numerator
("not met"), and the denominator is their total. The rows of one block (one measure, portfolio and breakdown: the
months, or the areas) form the columns, whose totals are published elsewhere (the headline row, the other
breakdowns), so `metrics.suppression.publication_table` hides counts 1..threshold−1 and then any further cell that a
row or column total would reveal. A rate, its interval, RAG, SPC flags and change are blanked wherever the numerator
or the "not met" count is hidden, because rate × denominator would give the hidden count back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.suppression import publication_table

SECONDARY_LABEL = "[c]"
BLOCK_KEYS = ["metric_id", "portfolio_id", "group"]
# Columns that give a hidden count back (directly or with the denominator) and so go blank with it.
DEPENDENT = [
    "value",
    "ci_low",
    "ci_high",
    "rag",
    "variation",
    "special_cause",
    "rule",
    "variation_icon",
    "assurance",
    "change",
    "change_significant",
]
LOG_COLUMNS = ["metric_id", "portfolio_id", "group", "group_value", "column", "reason", "detail"]
NOT_MET = "not_met"


def _count(value) -> object:
    """A published count back as a number when it is one ("12" -> 12); labels such as "<5" and "[c]" stay text."""
    if value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def _block_table(numerator: np.ndarray, denominator: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """The count cells of a block: numerator, not met and denominator for rates; the numerator alone for counts."""
    if not np.isnan(denominator).all():
        cells = {"numerator": numerator, NOT_MET: denominator - numerator, "denominator": denominator}
        return pd.DataFrame(cells), ["numerator", NOT_MET, "denominator"]
    return pd.DataFrame({"numerator": numerator}), ["numerator"]


def _small(values: np.ndarray, threshold: int) -> np.ndarray:
    return (values >= 1) & (values < threshold)


def publish(frame: pd.DataFrame, *, threshold: int = 5, blocks: list[str] | None = None):
    """(frame, log) ready to publish: small counts hidden, secondary cells hidden, dependent columns blanked.

    `blocks` names the columns whose equal values form one table (default: measure, portfolio and breakdown). The log
    names each hidden cell and why, never its true value.
    Adds `publication_hidden` (bool) so renderers can tell "[c]" from a small-base rate.
    """
    result = frame.reset_index(drop=True)
    numerator = pd.to_numeric(result["numerator"], errors="coerce").to_numpy(dtype=float)
    denominator = pd.to_numeric(result["denominator"], errors="coerce").to_numpy(dtype=float)
    published = {column: np.array(result[column].tolist(), dtype=object) for column in ("numerator", "denominator")}
    hidden = np.zeros(len(result), dtype=bool)
    log_rows: list[tuple] = []
    keys = [key for key in (BLOCK_KEYS if blocks is None else blocks) if key in result.columns]
    block_ids = (
        result.groupby(keys, dropna=False, sort=False).ngroup().to_numpy() if keys else np.zeros(len(result), int)
    )
    touched = _small(numerator, threshold) | _small(denominator - numerator, threshold)
    touched |= _small(denominator, threshold)
    # Only blocks holding a small count can change; the rest (nearly all, at scale) are left as they are.
    for block in np.unique(block_ids[touched]):
        positions = np.flatnonzero(block_ids == block)
        cells, columns = _block_table(numerator[positions], denominator[positions])
        table, log = publication_table(cells, columns, threshold=threshold, secondary_label=SECONDARY_LABEL)
        for column in ("numerator", "denominator"):
            if column in table.columns:
                published[column][positions] = [_count(value) for value in table[column]]
        for row, column, _value, reason, detail in log.itertuples(index=False):
            position = positions[row]
            hidden[position] |= column in ("numerator", NOT_MET)
            log_rows.append((*(result.at[position, k] if k in result else None for k in LOG_COLUMNS[:4]), column,
                             reason, detail))  # fmt: skip
    for column in ("numerator", "denominator"):
        result[column] = published[column]
    for column in DEPENDENT:
        if column in result.columns:
            result[column] = result[column].astype(object).where(~hidden, None)
    result["publication_hidden"] = hidden
    if "suppressed" in result.columns:
        result["suppressed"] = result["suppressed"].astype(object).where(~hidden, True)
    return result, pd.DataFrame(log_rows, columns=LOG_COLUMNS)


def publish_scorecard(frame: pd.DataFrame, *, threshold: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A scorecard ready to publish: each measure's row is its own table (its totals are the row's denominator)."""
    if frame.empty:
        return frame.assign(publication_hidden=pd.Series(dtype=bool)), pd.DataFrame(columns=LOG_COLUMNS)
    keyed = frame.assign(_row=np.arange(len(frame)))
    published, log = publish(keyed, threshold=threshold, blocks=["_row"])
    return published.drop(columns="_row"), log
