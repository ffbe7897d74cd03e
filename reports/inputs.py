"""What the report builders take (plain frames and dicts), and the one place scope and publication rules apply."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from config.i18n import check_language
from metrics.measures_table import COLUMNS as TABLE_COLUMNS
from reports.formatting import metric_units
from reports.manifest import app_version
from reports.publication import LOG_COLUMNS, publish, publish_scorecard
from results.scorecards import TABLE_COLUMNS as TABLE_COLUMNS_OF_SCORECARD

METRIC_COLUMNS = TABLE_COLUMNS  # METRICS.md §6, one definition shared with `cli.py metrics`
SPC_COLUMNS = ["variation", "special_cause", "rule"]
# The scorecard rows every reader is given (results.scorecards.TABLE_COLUMNS), the variation column named as the
# workbook has always named it.
SCORECARD_COLUMNS = [("variation_icon" if c == "variation" else c) for c in TABLE_COLUMNS_OF_SCORECARD]
DEFINITION_COLUMNS = ["metric_id", "name", "numerator", "denominator", "timescale", "source", "polarity", "target"]
# Case extracts carry pseudonymised references and case facts only; anything else is dropped before writing.
CASE_COLUMNS = [
    "portfolio_id",
    "case_id",
    "entitlement_id",
    "code",
    "trigger_date",
    "delivered_date",
    "state",
    "unit",
    "area",
    "offence_group",
    "enhanced_rights",
    "timescale",
    "elapsed",
]
# DATA_CONTRACT.md's forbidden personal-data columns: an extract carrying one is refused, not trimmed.
FORBIDDEN_COLUMNS = {
    "name",
    "first_name",
    "forename",
    "surname",
    "last_name",
    "full_name",
    "address",
    "street",
    "postcode",
    "post_code",
    "date_of_birth",
    "dob",
    "phone",
    "telephone",
    "mobile",
    "email",
    "nhs_number",
    "ni_number",
    "national_insurance",
}


@dataclass(frozen=True)
class ReportInputs:
    """Everything a board pack or an evidence pack shows; frames follow METRICS.md §6 and DATA_CONTRACT.md.

    `portfolios` maps id -> display name in agenda order; `charts` maps chart_key(portfolio, metric) -> PNG bytes;
    `scope` lists the portfolios the exporting user may see (None: all). Names and commentary arrive already in `lang`.
    """

    as_of: dt.date
    period_start: dt.date
    period_end: dt.date
    portfolios: Mapping[str, str]
    metric_rows: pd.DataFrame
    definitions: pd.DataFrame
    scorecards: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    charts: Mapping[str, bytes] = field(default_factory=dict)
    chart_alt_text: Mapping[str, str] = field(default_factory=dict)
    # chart_key -> the chart's recorded process changes and notes, and any suggested recalculation, as lines of text
    # (charts.spc.decision_notes): the board pack prints them under the chart, so the reason is text as well as image.
    chart_notes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    actions: pd.DataFrame | None = None
    commentary: Mapping[str, str] = field(default_factory=dict)
    audit: pd.DataFrame | None = None
    loads: pd.DataFrame | None = None
    case_extracts: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    feedback: pd.DataFrame | None = None
    lang: str = "en"
    publication: bool = False
    scope: Sequence[str] | None = None
    exported_by: str = ""
    exported_at: dt.datetime | None = None
    catalogue_version: str = ""
    app_version: str | None = None
    rate_threshold: int = 10
    publication_threshold: int = 5
    amber_margin: float = 0.05  # rates: amber within this many proportion points of target (catalogue statistics)
    amber_margin_relative: float = 0.05  # counts, sums and medians: amber within this share of target
    charts_per_portfolio: int = 4
    headline_per_portfolio: int = 3
    due_within_days: int = 28
    # The one clock actions and findings age by: the day they are read (the app) or the pack is made (gather sets
    # it to that day); None falls back to the as-of date.
    aged_to: dt.date | None = None

    @property
    def ageing_day(self) -> dt.date:
        """The day days overdue are counted to."""
        return self.aged_to or self.as_of


@dataclass(frozen=True)
class Prepared:
    """Inputs after scope and publication rules, with the suppression log and the export time fixed."""

    inputs: ReportInputs
    suppression_log: pd.DataFrame
    exported_at: dt.datetime
    units: dict[str, str] = field(default_factory=dict)


def chart_key(portfolio_id: str, metric_id: str) -> str:
    """The key of a chart in ReportInputs.charts (and its path under charts/ in the evidence pack)."""
    return f"{portfolio_id}/{metric_id}"


def _in_scope(frame: pd.DataFrame | None, column: str, allowed: set[str], what: str) -> pd.DataFrame | None:
    """Rows of a frame whose portfolio column is in scope; a scoped export refuses a frame it cannot check."""
    if frame is None:
        return None
    if column not in frame.columns:
        raise ValueError(f"{what} needs a '{column}' column so that a scoped export can keep only its portfolios")
    return frame[frame[column].isin(allowed)].reset_index(drop=True)


def _charts_in_scope(charts: Mapping[str, bytes], allowed: set[str]) -> Mapping[str, bytes]:
    """The charts of the allowed portfolios; charts still being drawn in other processes (reports.chart_images
    PendingCharts) are not waited for."""
    in_scope = lambda key: key.split("/", 1)[0] in allowed  # noqa: E731
    if hasattr(charts, "restricted"):
        return charts.restricted(in_scope)
    return {key: png for key, png in charts.items() if in_scope(key)}


def _checked_case_extract(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Only the allowed case columns; a forbidden personal-data column stops the export."""
    forbidden = sorted(c for c in frame.columns if str(c).strip().lower().replace(" ", "_") in FORBIDDEN_COLUMNS)
    if forbidden:
        raise ValueError(f"case extract {name!r} carries personal data columns {forbidden}; they are never exported")
    return frame[[c for c in CASE_COLUMNS if c in frame.columns]]


def rate_suppression_log(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """One log row per metric row whose rate is hidden for a small base (denominator below the threshold)."""
    if rows.empty or "suppressed" not in rows.columns:
        return pd.DataFrame(columns=LOG_COLUMNS)
    flagged = rows[rows["suppressed"].fillna(False).astype(bool)]
    if "publication_hidden" in flagged.columns:
        flagged = flagged[~flagged["publication_hidden"].astype(bool)]
    log = pd.DataFrame({column: flagged.get(column) for column in LOG_COLUMNS[:4]})
    log["column"] = "value"
    log["reason"] = "rate"
    log["detail"] = f"denominator below {threshold}"
    return log[LOG_COLUMNS].reset_index(drop=True)


def prepare(inputs: ReportInputs) -> Prepared:
    """Apply the exporter's scope, then publication rules; every builder renders from the result."""
    check_language(inputs.lang)
    changes: dict = {}
    if inputs.scope is not None:
        allowed = set(inputs.scope)
        changes["portfolios"] = {k: v for k, v in inputs.portfolios.items() if k in allowed}
        changes["metric_rows"] = _in_scope(inputs.metric_rows, "portfolio_id", allowed, "metric_rows")
        changes["scorecards"] = {k: v for k, v in inputs.scorecards.items() if k in allowed}
        changes["charts"] = _charts_in_scope(inputs.charts, allowed)
        changes["commentary"] = {k: v for k, v in inputs.commentary.items() if k in allowed}
        changes["actions"] = _in_scope(inputs.actions, "portfolio", allowed, "actions")
        changes["audit"] = _in_scope(inputs.audit, "portfolio", allowed, "audit")
        changes["feedback"] = _in_scope(inputs.feedback, "portfolio", allowed, "feedback")
        changes["case_extracts"] = {
            name: _in_scope(frame, "portfolio_id", allowed, f"case extract {name!r}")
            for name, frame in inputs.case_extracts.items()
        }
    scoped = dataclasses.replace(inputs, **changes)
    rows = scoped.metric_rows.reset_index(drop=True)
    logs = []
    if scoped.publication:
        rows, log = publish(rows, threshold=scoped.publication_threshold)
        logs.append(log)
        scorecards = {}
        for portfolio, frame in scoped.scorecards.items():
            scorecards[portfolio], card_log = publish_scorecard(frame, threshold=scoped.publication_threshold)
            logs.append(card_log.assign(group="scorecard"))
        case_extracts: dict[str, pd.DataFrame] = {}  # publication packs never carry case-level data
        # Nor the internal audit trail (staff usernames, before/after records): it is evidence, not a statistic.
        audit = None
    else:
        scorecards = dict(scoped.scorecards)
        case_extracts = {name: _checked_case_extract(name, frame) for name, frame in scoped.case_extracts.items()}
        audit = scoped.audit
    logs.insert(0, rate_suppression_log(rows, scoped.rate_threshold))
    final = dataclasses.replace(
        scoped,
        metric_rows=rows,
        scorecards=scorecards,
        case_extracts=case_extracts,
        audit=audit,
        app_version=inputs.app_version or app_version(),
    )
    exported_at = inputs.exported_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    filled = [frame for frame in logs if not frame.empty]
    log = pd.concat(filled, ignore_index=True) if filled else pd.DataFrame(columns=LOG_COLUMNS)
    # Units come from the unsuppressed inputs: a publication pack must still show a hidden rate's target as a %.
    units = metric_units(inputs.definitions, [inputs.metric_rows, *inputs.scorecards.values()])
    return Prepared(inputs=final, suppression_log=log, exported_at=exported_at, units=units)
