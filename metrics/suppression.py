"""Statistical disclosure control: small-denominator rates on the dashboard, small counts in published tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

LOG_COLUMNS = ["row", "column", "value", "reason", "detail"]


def primary(numerator, denominator, threshold: int = 10) -> pd.Series:
    """True where a rate must not be shown: denominator below the threshold (or missing)."""
    index = next((item.index for item in (denominator, numerator) if isinstance(item, pd.Series)), None)
    counts = np.atleast_1d(np.asarray(denominator, dtype=float))
    if np.ndim(numerator) and np.size(numerator) != counts.size:
        raise ValueError("numerator and denominator must have the same length")
    # A missing denominator is no safer than a small one.
    return pd.Series(~(counts >= threshold), index=index, dtype=bool)


def _count_text(value: float) -> str:
    """A shown count as text: whole numbers without a decimal point."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _secondary_candidate(values: np.ndarray, hidden: np.ndarray, cells: list[tuple[int, int]]) -> tuple | None:
    """The cell to suppress next in one line: the smallest shown non-zero count, else the smallest shown count.

    Zeros come last because a zero is often known to be zero (structural), so hiding it protects nothing.
    """
    shown = [cell for cell in cells if not hidden[cell] and not np.isnan(values[cell])]
    if not shown:
        return None
    return min(shown, key=lambda cell: (values[cell] == 0, values[cell]))


def publication_table(
    df: pd.DataFrame,
    value_columns: Sequence[str],
    threshold: int = 5,
    secondary_label: str = "[c]",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts ready to publish: 1..threshold−1 become "<threshold", then secondary suppression; returns (table, log).

    `value_columns` are the interior cells of a table whose row and column totals are published (or derivable), so a
    row or column with exactly one hidden cell would reveal it: the smallest other shown cell in that line is hidden
    too (as `secondary_label`), repeating until no line has a single hidden cell. Other columns pass through as they
    are. The log lists every hidden cell with its true value, "primary" or "secondary", and why.
    """
    columns = list(value_columns)
    values = df[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    hidden = (values >= 1) & (values < threshold)
    log = [
        (df.index[i], columns[j], values[i, j], "primary", f"count below {threshold}") for i, j in np.argwhere(hidden)
    ]
    n_rows, n_cols = values.shape
    lines = [("row", i, [(i, j) for j in range(n_cols)]) for i in range(n_rows)]
    lines += [("column", j, [(i, j) for i in range(n_rows)]) for j in range(n_cols)]
    secondary = np.zeros_like(hidden)
    changed = True
    while changed:
        changed = False
        for kind, position, cells in lines:
            if len(cells) < 2 or sum(hidden[cell] for cell in cells) != 1:
                continue
            cell = _secondary_candidate(values, hidden, cells)
            if cell is None:
                continue
            hidden[cell] = secondary[cell] = True
            name = df.index[position] if kind == "row" else columns[position]
            log.append((df.index[cell[0]], columns[cell[1]], values[cell], "secondary", f"protects {kind} {name}"))
            changed = True
    table = df.copy()
    for j, column in enumerate(columns):
        table[column] = [
            ""
            if np.isnan(values[i, j])
            else secondary_label
            if secondary[i, j]
            else f"<{threshold}"
            if hidden[i, j]
            else _count_text(values[i, j])
            for i in range(n_rows)
        ]
    return table, pd.DataFrame(log, columns=LOG_COLUMNS)
