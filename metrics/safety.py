"""The project's one CSV writer and its formula-injection defence: text cells that a spreadsheet could run as a formula
get a leading quote.

Every CSV the project writes goes through `csv_text` (the command line's text) or `csv_bytes` (downloads and packs:
the same text with a byte-order mark), and every workbook cell through `neutralise`. It lives in metrics/ (pure
pandas, no other room) so that every room that writes a file may import it: metrics.measures_table for
`cli.py metrics`, results.commands for `cli.py scorecard`, and (through reports/safety.py, which names it for
the rooms above) packs, downloads and pages.

A cell is neutralised when it is text (a `str`) whose first character is `=`, `+`, `-`, `@`, a tab or a carriage
return: it is written as `'` followed by the original text, so Excel, LibreOffice and Google Sheets show it as text.

Numbers are never touched: a negative number (-5, -0.25) is a number, written as one, and cannot run anything.

Text decision, for cells such as "-5 days" or "+3 pp": they are neutralised ("'-5 days"). A spreadsheet decides
whether to evaluate a cell from its first character, not from whether the rest looks harmless, and the classic
payloads start the same way (`-2+3+cmd|' /C calc'!A0`, `+HYPERLINK(...)`), so a text cell starting with `-` or `+`
is quoted whatever follows. The one exception is text that is exactly a plain decimal number ("-5", "+0.25",
"-1.5e3"): a spreadsheet reads it as that number, which is what it is, and quoting it would only turn a figure into
text. Anything else after the sign, even a single space ("-5 "), makes it text and it is quoted.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def needs_neutralising(value: object) -> bool:
    """True for text that a spreadsheet could evaluate: it starts with a trigger and is not a plain number."""
    return isinstance(value, str) and value.startswith(TRIGGERS) and _PLAIN_NUMBER.fullmatch(value) is None


def neutralise(value: object) -> object:
    """The value to write: dangerous text gets a leading quote; every other value (numbers included) is unchanged."""
    return QUOTE + value if needs_neutralising(value) else value


def _is_text_column(series: pd.Series) -> bool:
    """Columns that can hold text: object and string dtypes (pandas 3 infers `str` for text)."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _text_cells(series: pd.Series) -> pd.Series:
    """The column as a string column: its text cells, every other cell missing."""
    if isinstance(series.dtype, pd.StringDtype):
        return series
    if pd.api.types.infer_dtype(series, skipna=True) == "string":  # an object column holding text and blanks only
        return series.astype("string")
    return series.map(lambda value: value if isinstance(value, str) else None).astype("string")


def neutralise_series(series: pd.Series) -> pd.Series:
    """A column with dangerous text cells quoted; numeric, boolean and date columns come back unchanged."""
    if not _is_text_column(series):
        return series
    # Vectorised for the case extracts (hundreds of thousands of rows): first the cells that start with a trigger (a
    # few, usually); only those are tested one by one with needs_neutralising's own plain-number rule.
    starts = _text_cells(series).str.startswith(TRIGGERS).fillna(False).to_numpy(dtype=bool)
    if not starts.any():
        return series
    candidates = np.flatnonzero(starts)
    texts = series.iloc[candidates].astype(object).to_numpy()
    risky = [(i, QUOTE + text) for i, text in zip(candidates, texts, strict=True) if not _PLAIN_NUMBER.fullmatch(text)]
    if not risky:
        return series
    result = series.astype(object).copy()
    positions, quoted = zip(*risky, strict=True)
    result.iloc[list(positions)] = list(quoted)
    return result


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every dangerous text cell and column name quoted."""
    result = frame.copy()
    for column in result.columns:
        result[column] = neutralise_series(result[column])
    result.columns = [neutralise(str(name)) for name in result.columns]
    return result


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV text, neutralised, without the index; "\n" line ends."""
    # lineterminator "\n": the same bytes on every platform, so a pack's hashes do not depend on where it was built.
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV (csv_text), UTF-8 with a byte-order mark so Excel shows Welsh letters (ŵ, ŷ) correctly."""
    return csv_text(frame).encode("utf-8-sig")
