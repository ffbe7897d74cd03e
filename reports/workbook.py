"""XlsxWriter workbook builder: DataFrames in, .xlsx bytes out, with formula-safe text and typed number formats."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter

from reports.safety import neutralise

# strings_to_formulas off: text starting with "=" is written as text, never as a formula (and is quoted besides).
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}
NUMBER_FORMATS = {
    "proportion": "0.0%",
    "percentage_points": "+0.0%;-0.0%;0.0%",
    "count": "#,##0",
    "number": "#,##0.0##",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
KINDS = {"text", "wrap", "value", *NUMBER_FORMATS}
WIDTHS = {"text": 16, "wrap": 60, "value": 11, "proportion": 11, "percentage_points": 11, "count": 11}
WIDTHS |= {"number": 11, "date": 12, "datetime": 20}
MAX_TEXT = 32_767  # Excel's limit on the characters in one cell
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One worksheet: a frame, each column's kind (text, wrap, proportion, count, number, date, datetime, value).

    `value` columns take their number format per row from `units` (proportion, percentage_points, count, number),
    so a sheet mixing rates and counts shows each correctly. `fills` colours text cells: column -> {text: (fill,
    font colour)}; the text itself always carries the meaning. `headers` maps column -> displayed header.
    """

    name: str
    frame: pd.DataFrame
    kinds: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    fills: Mapping[str, Mapping[str, tuple[str, str]]] = field(default_factory=dict)
    units: Sequence[str] | None = None


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: no []:*?/\\, no leading or trailing apostrophe, at most 31 characters."""
    clean = _BAD_SHEET_CHARACTERS.sub("-", name).strip().strip("'")[:MAX_SHEET_NAME] or "Sheet"
    candidate, number = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = clean[: MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def _blank(value) -> bool:
    """None, NaN, NaT and pd.NA are all empty cells."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _naive(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: aware datetimes are written in UTC."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


class _Writer:
    """Writes one cell with the right XlsxWriter call for its Python type and the column's format."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.cache: dict[tuple, object] = {}

    def fmt(self, **properties):
        key = tuple(sorted(properties.items()))
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format(properties)
        return self.cache[key]

    def cell(self, sheet, row: int, col: int, value, number_format, text_format) -> None:
        if _blank(value):
            return  # no cell at all: an empty cell reads back as empty, and a large sheet writes much faster
        if isinstance(value, str):
            sheet.write_string(row, col, str(neutralise(value))[:MAX_TEXT], text_format)
        elif isinstance(value, bool | np.bool_):
            sheet.write_boolean(row, col, bool(value))
        elif isinstance(value, int | float | np.integer | np.floating):
            number = float(value)
            if math.isinf(number):
                sheet.write_string(row, col, "∞" if number > 0 else "-∞", text_format)
            else:
                sheet.write_number(row, col, number, number_format)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, _naive(value), self.fmt(num_format=NUMBER_FORMATS["datetime"]))
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, self.fmt(num_format=NUMBER_FORMATS["date"]))
        else:
            sheet.write_string(row, col, str(neutralise(str(value)))[:MAX_TEXT], text_format)


def _width(kind: str, header: str, series: pd.Series) -> float:
    """A readable column width: the kind's default, widened for the header and (for text) the first values."""
    width = max(WIDTHS.get(kind, 16), min(len(header) + 2, 40))
    if kind == "text" and len(series):
        longest = series.head(500).map(lambda v: len(v) if isinstance(v, str) else 0).max()
        width = max(width, min(int(longest) + 2, 50))
    return width


def _write_sheet(workbook, writer: _Writer, spec: Sheet, name: str) -> None:
    """One worksheet: bold header row, typed cells, frozen header, filter, sensible widths."""
    sheet = workbook.add_worksheet(name)
    frame = spec.frame
    columns = list(frame.columns)
    header_format = writer.fmt(bold=True, bg_color="#DEE0E2", text_wrap=True, valign="top", bottom=1)
    wrap = writer.fmt(text_wrap=True, valign="top")
    unit_formats = {unit: writer.fmt(num_format=NUMBER_FORMATS[unit]) for unit in NUMBER_FORMATS}
    plans: list[tuple[str, object, object, Mapping]] = []
    for col, column in enumerate(columns):
        kind = spec.kinds.get(column, "text")
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r} for {column!r}")
        header = str(spec.headers.get(column, column))
        sheet.write_string(0, col, str(neutralise(header)), header_format)
        sheet.set_column(col, col, _width(kind, header, frame[column]))
        fills = {
            text: writer.fmt(bg_color=fill, font_color=font)
            for text, (fill, font) in spec.fills.get(column, {}).items()
        }
        number_format = unit_formats.get(kind)
        plans.append((kind, number_format, wrap if kind == "wrap" else None, fills))
    units = list(spec.units) if spec.units is not None else None
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for col, value in enumerate(values):
            kind, number_format, text_format, fills = plans[col]
            if kind == "value":
                number_format = unit_formats.get(units[r - 1] if units else "number", unit_formats["number"])
            if fills and isinstance(value, str) and value in fills:
                text_format = fills[value]
            writer.cell(sheet, r, col, value, number_format, text_format)
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)


def build_workbook(sheets: Sequence[Sheet], properties: Mapping[str, object] | None = None) -> bytes:
    """An .xlsx file of the sheets in order; text cells neutralised, strings never turned into formulas or links."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    if properties:
        workbook.set_properties(dict(properties))
    writer = _Writer(workbook)
    taken: set[str] = set()
    for spec in sheets:
        _write_sheet(workbook, writer, spec, sheet_name(spec.name, taken))
    workbook.close()
    return output.getvalue()


Formatter = Callable[[object], object]


def mapped(series: pd.Series, mapping: Mapping[object, str] | Formatter) -> pd.Series:
    """A column with codes replaced by display text (e.g. "green" -> "✓ Green"); blanks stay blank."""
    lookup = mapping if callable(mapping) else (lambda value: mapping.get(value, value))
    # Built as an object Series: pandas 3 would otherwise infer `str` and turn the blanks back into NaN.
    return pd.Series([None if _blank(v) else lookup(v) for v in series], index=series.index, dtype=object)
