"""What the command line asks of results/: the METRICS.md §6 measure table and the scorecard table, from the same
frames and functions the app and the packs use."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data import queries
from metrics import scorecard as windows
from metrics.catalogue import Catalogue
from metrics.measures_table import cut_of, table_of
from metrics.safety import csv_text
from results import frames
from results.scorecards import scorecard_table, scorecards
from results.spc import load_decisions


def metrics_table(
    engine: Engine,
    catalogue: Catalogue,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    portfolio: str,
    by: str | None = None,
) -> pd.DataFrame:
    """Every measure for a portfolio's cohort over [start, end] judged at `as_of` (METRICS.md §6 columns)."""
    ready = frames.prepared(engine, catalogue, as_of, start, end, by=cut_of(by))
    return table_of(ready, catalogue, start=start, end=end, portfolio=portfolio, by=by,
                    targets=queries.targets_frame(engine))  # fmt: skip


def scorecard_rows(
    engine: Engine, catalogue: Catalogue, *, as_of: dt.date, portfolio_ids: list[str], lang: str = "en"
) -> pd.DataFrame:
    """The scorecard table (results.scorecards.scorecard_table) of the portfolios at `as_of`, in catalogue order."""
    start, end = windows.window(as_of)
    ready = frames.prepared(engine, catalogue, as_of, start, end)
    cards = scorecards(ready, catalogue, targets=queries.targets_frame(engine), portfolio_ids=portfolio_ids,
                       decisions=load_decisions(engine))  # fmt: skip
    return scorecard_table(cards.rows, catalogue, lang)


def _plain(value):
    """A cell as plain JSON data: whole numbers as int, booleans as bool, None when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.number):
        value = float(value)
        return int(value) if value.is_integer() else value
    return str(value)


def scorecard_json(table: pd.DataFrame) -> str:
    """The scorecard table as a JSON list of objects (null where a cell is blank: no icon, suppressed)."""
    return json.dumps([{c: _plain(v) for c, v in zip(table.columns, row, strict=True)}
                       for row in table.itertuples(index=False)], ensure_ascii=False)  # fmt: skip


def scorecard_csv(table: pd.DataFrame) -> str:
    """The scorecard table as CSV (the one formula-safe writer): numbers at full precision, booleans true/false, blank
    where a cell is blank."""
    out = pd.DataFrame({c: table[c].map(lambda v: _csv_cell(_plain(v))) for c in table.columns})
    return csv_text(out)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
