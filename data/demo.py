"""Demo data generator: contract-format CSV files for a realistic Gwent victim services dataset with planted signals."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from data import demo_governance as G
from data import demo_inspections as DI
from data.demo_court import generate_court
from data.demo_entitlements import generate_entitlements
from data.demo_needs import COLUMNS as NEED_COLUMNS
from data.demo_needs import generate_referral_needs
from data.demo_params import (  # noqa: F401  (re-exported: the planted signals tests elsewhere assert)
    DEFAULT_AS_OF,
    MINORITY_ETHNICITIES,
    PLANTED_CG_CONTACT_END,
    PLANTED_CG_CONTACT_START,
    PLANTED_CY_SERVED_IN_CY,
    PLANTED_R6_AFTER,
    PLANTED_R6_BEFORE,
    PLANTED_R6_CODES,
    PLANTED_R6_DROP_MONTHS_BEFORE_AS_OF,
    PLANTED_R6_UNIT,
    PLANTED_SAT_MINORITY,
    PLANTED_SAT_WHITE,
    planted_r6_drop_month,
)
from data.demo_quality import COLUMNS as QUALITY_COLUMNS
from data.demo_quality import generate_quality_reviews
from data.demo_util import WorkingDays, day, width_for
from data.demo_victims import generate_victims, victims_table
from data.demo_voice import generate_referrals, generate_surveys

# Contract columns (DATA_CONTRACT.md) in file order, per table, in load order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "victims": (
        "case_id", "crime_ref", "reported_date", "recorded_date", "offence_group", "domestic_abuse", "hate_crime",
        "enhanced_rights", "enhanced_reason", "age_band", "sex", "ethnicity", "disability", "preferred_language",
        "area", "unit", "outcome", "outcome_date",
    ),
    "entitlements": (
        "entitlement_id", "case_id", "code", "trigger_date", "delivered_date", "declined", "language", "unit",
        "exception_reason",
    ),
    "referrals": (
        "referral_id", "case_id", "referral_date", "source", "first_contact_date", "needs_assessed_date",
        "support_accepted", "service", "closed_date", "cope_recover_improved", "age_band", "sex", "ethnicity",
        "disability", "area",
    ),
    "witnesses": (
        "witness_id", "case_id", "is_victim", "court", "charge_date", "plea", "needs_assessment_date", "trial_date",
        "required_to_attend", "attended", "trial_outcome", "ineffective_reason", "witness_service_referred",
        "pre_trial_visit",
    ),
    "special_measures": (
        "sm_id", "witness_id", "eligibility", "identified_date", "discussed_date", "measures", "sma_quality_assured",
        "application_date", "decision", "decision_date",
    ),
    "survey_responses": (
        "response_id", "case_id", "survey_date", "mode", "q_ease_of_contact", "q_actions_taken", "q_kept_informed",
        "q_treatment", "q_whole_experience", "q_aware_of_code", "q_would_report_again", "age_band", "sex",
        "ethnicity", "disability", "area", "offence_group",
    ),
    "engagement_events": G.EVENT_COLUMNS,
    "feedback_items": G.FEEDBACK_COLUMNS,
    "recommendations": (*G.REC_COLUMNS, "report_id"),
    "actions": G.ACTION_COLUMNS,
    # Contract v2 (STATUTORY.md): optional files, drawn from streams of their own after the v1 tables.
    "quality_reviews": QUALITY_COLUMNS,
    "referral_needs": NEED_COLUMNS,
    "inspections": DI.INSPECTION_COLUMNS,
    "inspection_grades": DI.GRADE_COLUMNS,
}  # fmt: skip
# Seeds the statutory files' own random streams: v1 files and figures stay exactly what they were without them.
STATUTORY_STREAM = 13_000_013
CASE_TABLES = (
    "victims", "entitlements", "referrals", "witnesses", "special_measures", "survey_responses", "quality_reviews",
    "referral_needs",
)  # fmt: skip


def period_start(as_of: dt.date, months: int) -> dt.date:
    """First day of the first of `months` calendar months ending with the as-of month."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _cell(value: object) -> str:
    """A CSV cell in contract form: ISO dates, true/false, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _CsvSink:
    """Appends Arrow tables to one CSV file per table, header first; values are quoted only where they must be."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: dict[str, BinaryIO] = {}
        self.rows: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        # Case tables hold codes, ids and dates only; pyarrow refuses (rather than corrupts) a value needing quotes.
        self.options = pacsv.WriteOptions(include_header=False, quoting_style="none")

    def write(self, name: str, table: pa.Table) -> None:
        """Append the rows of table (columns already in contract order) to name.csv."""
        if list(table.column_names) != list(COLUMNS[name]):
            raise ValueError(f"{name}: columns {table.column_names} differ from the contract")
        handle = self.files.get(name)
        if handle is None:
            handle = open(self.out_dir / f"{name}.csv", "wb")  # noqa: SIM115 (closed in close())
            handle.write((",".join(COLUMNS[name]) + "\n").encode())
            self.files[name] = handle
        if table.num_rows and name in CASE_TABLES:
            pacsv.write_csv(table, handle, self.options)
        elif table.num_rows:
            # Free text (titles, "we did") may hold commas and quotes: the csv module quotes minimally.
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerows([_cell(value) for value in row.values()] for row in table.to_pylist())
            handle.write(text.getvalue().encode("utf-8"))
        self.rows[name] += table.num_rows

    def close(self) -> None:
        """Close every file; a table with no rows still gets its header."""
        for name in COLUMNS:
            if name not in self.files:
                self.write(name, pa.table({c: pa.array([], type=pa.string()) for c in COLUMNS[name]}))
        for handle in self.files.values():
            handle.close()


def write_demo(
    out_dir: Path,
    *,
    cases: int,
    seed: int,
    months: int = 36,
    as_of: dt.date | None = None,
    chunk_size: int = 50_000,
) -> dict[str, int]:
    """Write the demo dataset as contract CSV files (and as_of.txt) into out_dir; returns rows written per table.

    Victims are generated and written chunk by chunk with everything that hangs off them, so memory stays bounded
    however many cases are asked for. The output is a pure function of (cases, seed, months, as_of, chunk_size).
    """
    if cases < 1 or months < 1 or chunk_size < 1:
        raise ValueError("cases, months and chunk_size must be positive")
    as_of = as_of or DEFAULT_AS_OF
    first = period_start(as_of, months)
    first_day, as_of_day = day(first), day(as_of)
    drop_day = day(planted_r6_drop_month(as_of))
    wd = WorkingDays(first - dt.timedelta(days=400), as_of)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    case_width = width_for(cases, 7)
    entitlement_width = width_for(cases * 30, 8)

    sink = _CsvSink(out_dir)
    try:
        next_crime = 1
        for chunk, start in enumerate(range(0, cases, chunk_size)):
            n = min(chunk_size, cases - start)
            rng = np.random.default_rng([seed, chunk])
            v = generate_victims(rng, n, start + 1, next_crime, first_day, as_of_day, case_width)
            next_crime = int(v.crime_no[-1]) + 1
            sink.write("victims", victims_table(v))
            court = generate_court(
                rng, v, as_of_day, sink.rows["witnesses"] + 1, sink.rows["special_measures"] + 1, case_width
            )
            entitlements, referred = generate_entitlements(
                rng, v, court, as_of_day, wd, drop_day, sink.rows["entitlements"] + 1, entitlement_width
            )
            sink.write("entitlements", entitlements)
            sink.write("witnesses", court.witnesses)
            sink.write("special_measures", court.special_measures)
            surveys = generate_surveys(rng, v, as_of_day, sink.rows["survey_responses"] + 1, case_width)
            sink.write("survey_responses", surveys)
            referrals = generate_referrals(
                rng, v, referred, as_of_day, first_day, wd, sink.rows["referrals"] + 1, case_width
            )
            sink.write("referrals", referrals)
            statutory = np.random.default_rng([seed, chunk, STATUTORY_STREAM])
            first_review = sink.rows["quality_reviews"] + 1
            sink.write(
                "quality_reviews",
                generate_quality_reviews(statutory, entitlements, as_of_day, first_review, entitlement_width),
            )
            sink.write("referral_needs", generate_referral_needs(statutory, referrals))
        # The governance tables do not scale with cases; their own stream keeps them the same for any chunking.
        rng = np.random.default_rng([seed, 1_000_000_007])
        events, feedback, feedback_rows = G.engagement(rng, first, as_of)
        recs, rec_rows = G.recommendations(rng, as_of)
        sink.write("engagement_events", events)
        sink.write("feedback_items", feedback)
        sink.write("recommendations", DI.with_report_ids(recs, as_of))
        sink.write("actions", G.actions(rng, as_of, first, rec_rows, feedback_rows))
        reports, grades = DI.inspections(as_of)  # fixed, no random draw
        sink.write("inspections", reports)
        sink.write("inspection_grades", grades)
    finally:
        sink.close()
    (out_dir / "as_of.txt").write_text(as_of.isoformat() + "\n", encoding="utf-8")
    return dict(sink.rows)
