"""The formula-safe CSV writer and cell neutraliser, as packs, downloads and pages import them.

The one implementation is metrics/safety.py (it lives there so that metrics.measures_table, which writes
`cli.py metrics --format csv`, may use it too); this module only names it for the rooms above metrics.
"""

from __future__ import annotations

from metrics.safety import (
    QUOTE,
    TRIGGERS,
    csv_bytes,
    csv_text,
    needs_neutralising,
    neutralise,
    neutralise_frame,
    neutralise_series,
)

__all__ = [
    "QUOTE",
    "TRIGGERS",
    "csv_bytes",
    "csv_text",
    "needs_neutralising",
    "neutralise",
    "neutralise_frame",
    "neutralise_series",
]
