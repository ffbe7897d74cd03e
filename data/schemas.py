"""Pandera declarations of the contract input files (DATA_CONTRACT.md): one DataFrameSchema per table.

The columns, limits and cross-column rules are declared once in data/ingest_specs.py; this module turns them into
pandera schemas, which the loader runs on every parsed chunk.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa

from data.ingest_enums import (  # noqa: F401  (re-exported: the contract vocabulary lives with the schemas)
    ACTION_STATUSES,
    AGE_BANDS,
    COURTS,
    DATE_MAX,
    DATE_MIN,
    DECISIONS,
    DEFAULT_ENTITLEMENT_CODES,
    DELIVERY_LANGUAGES,
    DISABILITY,
    ELIGIBILITY,
    ENHANCED_REASONS,
    ETHNICITIES,
    FEEDBACK_STATUSES,
    FINDING_KINDS,
    FINDING_STATUSES,
    FORBIDDEN_COLUMNS,
    FORUMS,
    INEFFECTIVE_REASONS,
    LANGUAGES,
    MEASURES,
    OFFENCE_GROUPS,
    OUTCOMES,
    PLEAS,
    REFERRAL_SOURCES,
    SERVICES,
    SEXES,
    SOURCE_TYPES,
    SURVEY_MODES,
    TRIAL_OUTCOMES,
    entitlement_codes,
    forbidden_match,
    normalise_column_name,
)
from data.ingest_specs import TABLES, Col, Reference, Rule, TableSpec  # noqa: F401  (re-exported)

# ---------------------------------------------------------------- pandera schemas


def one_of(values: tuple[str, ...]) -> str:
    """The rule text of an enumeration."""
    return "must be one of: " + ", ".join(values)


def _measures_ok(values: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    """Every `;`-separated item of a measures cell is in the allowed list."""
    allowed = set(values)

    def ok(s: pd.Series) -> pd.Series:
        items = s.str.split(";").explode().str.strip()
        items = items[items != ""]
        bad_rows = items.index[~items.isin(allowed)].unique()
        return pd.Series(~s.index.isin(bad_rows), index=s.index)

    return ok


def _column_checks(c: Col) -> list[pa.Check]:
    """The pandera checks of one column; each carries the human-readable rule as its error."""
    checks: list[pa.Check] = []
    if c.kind == "enum":
        checks.append(pa.Check.isin(c.values, error=one_of(c.values)))
    if c.kind == "measures":
        item = "measure" if c.name == "measures" else "code"
        checks.append(pa.Check(_measures_ok(c.values), error=f"each {item} must be one of: " + ", ".join(c.values)))
    if c.kind in ("text", "measures") and c.max_length:
        checks.append(pa.Check.str_length(max_value=c.max_length, error=f"must be at most {c.max_length} characters"))
    if c.kind == "int" and c.min_value is not None and c.max_value is not None:
        checks.append(
            pa.Check.in_range(
                c.min_value, c.max_value, error=f"must be a whole number from {c.min_value} to {c.max_value}"
            )
        )
    elif c.kind == "int" and c.min_value is not None:
        checks.append(pa.Check.ge(c.min_value, error=f"must be {c.min_value} or more"))
    if c.kind == "date":
        low, high = pd.Timestamp(DATE_MIN), pd.Timestamp(DATE_MAX)
        checks.append(pa.Check.in_range(low, high, error=f"must be between {DATE_MIN} and {DATE_MAX}"))
    return checks


@functools.cache
def pandera_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of a parsed chunk of `table` (dates as datetime64, booleans and ints as nullable types).

    The frame's index is the row number the user sees; the key is unique within a chunk (the loader checks it
    across chunks). Cross-column rules are frame checks named after the column they are reported against.
    """
    spec = TABLES[table]
    columns = {
        c.name: pa.Column(
            nullable=not c.required,
            unique=c.name == spec.key,
            report_duplicates="exclude_first",
            checks=_column_checks(c),
        )
        for c in spec.columns
    }
    checks = [pa.Check(rule.ok, name=rule.column, error=rule.text) for rule in spec.rules]
    return pa.DataFrameSchema(columns, checks=checks, name=table)
