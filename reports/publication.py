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


def _counts(block: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The count cells of a block: numerator, not met and denominator for rates; the numerator alone for counts."""
    numerator = pd.to_numeric(block["numerator"], errors="coerce")
    denominator = pd.to_numeric(block["denominator"], errors="coerce")
    if denominator.notna().any():
        cells = pd.DataFrame({"numerator": numerator, NOT_MET: denominator - numerator, "denominator": denominator})
        return cells, ["numerator", NOT_MET, "denominator"]
    return pd.DataFrame({"numerator": numerator}), ["numerator"]


def _publish_block(block: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(published counts, log) for one block; (None, None) when no count in it is small enough to hide."""
    cells, columns = _counts(block)
    values = cells[columns].to_numpy(dtype=float)
    if not ((values >= 1) & (values < threshold)).any():
        return None, None
    return publication_table(cells, columns, threshold=threshold, secondary_label=SECONDARY_LABEL)


def publish(frame: pd.DataFrame, *, threshold: int = 5, blocks: list[str] | None = None):
    """(frame, log) ready to publish: small counts hidden, secondary cells hidden, dependent columns blanked.

    `blocks` names the columns whose equal values form one table (default: measure, portfolio and breakdown). The log
    names each hidden cell and why, never its true value.
    Adds `publication_hidden` (bool) so renderers can tell "[c]" from a small-base rate.
    """
    result = frame.reset_index(drop=True)
    for column in ("numerator", "denominator", *DEPENDENT):
        if column in result.columns:
            result[column] = result[column].astype(object)
    result["publication_hidden"] = False
    log_rows: list[tuple] = []
    keys = [key for key in (BLOCK_KEYS if blocks is None else blocks) if key in result.columns]
    grouped = result.groupby(keys, dropna=False, sort=False) if keys else [(None, result)]
    for _, block in grouped:
        table, log = _publish_block(block, threshold)
        if table is None:
            continue
        for column in ("numerator", "denominator"):
            if column in table.columns:
                result.loc[block.index, column] = [_count(value) for value in table[column]]
        hidden_rows = set(log.loc[log["column"].isin(["numerator", NOT_MET]), "row"])
        if hidden_rows:
            rows = list(hidden_rows)
            for column in DEPENDENT:
                if column in result.columns:
                    result.loc[rows, column] = None
            result.loc[rows, "publication_hidden"] = True
            if "suppressed" in result.columns:
                result.loc[rows, "suppressed"] = True
        for row, column, _value, reason, detail in log.itertuples(index=False):
            source = result.loc[row]
            log_rows.append(
                (
                    source.get("metric_id"),
                    source.get("portfolio_id"),
                    source.get("group"),
                    source.get("group_value"),
                    column,
                    reason,
                    detail,
                )
            )
    return result, pd.DataFrame(log_rows, columns=LOG_COLUMNS)


def publish_scorecard(frame: pd.DataFrame, *, threshold: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A scorecard ready to publish: each measure's row is its own table (its totals are the row's denominator)."""
    if frame.empty:
        return frame.assign(publication_hidden=pd.Series(dtype=bool)), pd.DataFrame(columns=LOG_COLUMNS)
    keyed = frame.assign(_row=np.arange(len(frame)))
    published, log = publish(keyed, threshold=threshold, blocks=["_row"])
    return published.drop(columns="_row"), log
