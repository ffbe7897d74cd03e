"""Shared helpers of the ingest tests: one valid row per contract table, and writing/loading small CSV files.

(No tests here; the file is named test_* only so it sits with the ingest tests it serves.)
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from data.ingest import LoadResult, import_paths
from data.models import CONTRACT_TABLES, Load

# One valid row per table, all cells as the strings a file holds. Parents: VC-1 (victim), WI-1 (witness), EV-1 (event).
VALID: dict[str, dict[str, str]] = {
    "victims": {
        "case_id": "VC-1", "crime_ref": "CR-1", "reported_date": "2023-01-05", "recorded_date": "2023-01-06",
        "offence_group": "theft", "domestic_abuse": "false", "hate_crime": "false", "enhanced_rights": "true",
        "enhanced_reason": "vulnerable", "age_band": "25-34", "sex": "female", "ethnicity": "white",
        "disability": "no", "preferred_language": "cy", "area": "Newport", "unit": "Newport CID",
        "outcome": "charged", "outcome_date": "2023-03-01",
    },
    "entitlements": {
        "entitlement_id": "EN-1", "case_id": "VC-1", "code": "R3_WRITTEN_ACK", "trigger_date": "2023-01-05",
        "delivered_date": "2023-01-09", "declined": "false", "language": "cy", "unit": "Victim Care Unit",
    },
    "quality_reviews": {
        "review_id": "QR-1", "entitlement_id": "EN-1", "review_date": "2023-02-01", "result": "partly_meets",
        "failed_criteria": "empathetic;next_steps",
    },
    "referrals": {
        "referral_id": "RF-1", "case_id": "VC-1", "referral_date": "2023-01-06", "source": "police",
        "first_contact_date": "2023-01-07", "needs_assessed_date": "2023-01-09", "support_accepted": "yes",
        "service": "isva", "closed_date": "2023-04-01", "cope_recover_improved": "true", "age_band": "",
        "sex": "", "ethnicity": "", "disability": "", "area": "",
    },
    "referral_needs": {"referral_id": "RF-1", "need": "drugs_alcohol", "improved": "true"},
    "witnesses": {
        "witness_id": "WI-1", "case_id": "VC-1", "is_victim": "true", "court": "crown", "charge_date": "2023-03-01",
        "plea": "not_guilty", "needs_assessment_date": "2023-03-03", "trial_date": "2023-09-04",
        "required_to_attend": "true", "attended": "true", "trial_outcome": "effective", "ineffective_reason": "",
        "witness_service_referred": "true", "pre_trial_visit": "false",
    },
    "special_measures": {
        "sm_id": "SM-1", "witness_id": "WI-1", "eligibility": "s17_4_sexual_or_slavery",
        "identified_date": "2023-03-02", "discussed_date": "2023-03-03", "measures": "screens;live_link",
        "sma_quality_assured": "true", "application_date": "2023-04-01", "decision": "granted",
        "decision_date": "2023-04-20",
    },
    "survey_responses": {
        "response_id": "SR-1", "case_id": "VC-1", "survey_date": "2023-05-01", "mode": "phone",
        "q_ease_of_contact": "7", "q_actions_taken": "5", "q_kept_informed": "1", "q_treatment": "6",
        "q_whole_experience": "", "q_aware_of_code": "no", "q_would_report_again": "y", "age_band": "",
        "sex": "", "ethnicity": "", "disability": "", "area": "", "offence_group": "",
    },
    "engagement_events": {
        "event_id": "EV-1", "event_date": "2023-02-01", "forum": "survivor_network", "topic": "Updates",
        "portfolio": "vcop", "participants": "12", "new_participants": "3",
    },
    "feedback_items": {
        "feedback_id": "FB-1", "event_id": "EV-1", "received_date": "2023-02-01", "theme": "Updates",
        "portfolio": "vcop", "summary": "Updates arrive late.", "status": "implemented",
        "decision_date": "2023-02-10", "implemented_date": "2023-03-01", "we_did": "Weekly update calls.",
        "fed_back_date": "2023-03-05",
    },
    "inspections": {
        "report_id": "IR-1", "body": "hmicfrs", "title": "PEEL 2025-27: Gwent Police", "published_date": "2025-06-01",
        "response_published_date": "2025-07-20",
    },
    "inspection_grades": {"report_id": "IR-1", "question": "Engaging with and treating the public", "grade": "good"},
    "recommendations": {
        "rec_id": "HM-1", "source": "HMICFRS PEEL 2023-25", "published_date": "2024-08-15",
        "kind": "area_for_improvement", "reference": "AFI 1", "text": "Improve victim updates.",
        "portfolio": "victim_care", "owner": "Head of Victim Services", "due_date": "2025-03-31",
        "status": "open", "closed_date": "",
    },
    "actions": {
        "action_id": "AC-1", "title": "Recover timely updates", "description": "", "portfolio": "vawg_da",
        "owner": "lead.da", "source_type": "metric", "source_ref": "VCOP_R6_SUSPECT_UPDATE",
        "created_date": "2024-01-10", "due_date": "2024-06-30", "status": "on_track", "completed_date": "",
    },
}  # fmt: skip

# The parent rows each table's references need.
PARENTS = {
    "entitlements": ["victims"],
    "referrals": ["victims"],
    "witnesses": ["victims"],
    "special_measures": ["victims", "witnesses"],
    "survey_responses": ["victims"],
    "feedback_items": ["engagement_events"],
    "quality_reviews": ["victims", "entitlements"],
    "referral_needs": ["victims", "referrals"],
    "inspection_grades": ["inspections"],
}


def row(table: str, **changes: str) -> dict[str, str]:
    """The valid row of `table` with some cells changed."""
    return {**VALID[table], **changes}


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None, bom: bool = False) -> Path:
    """Write rows as a UTF-8 CSV file (optionally with a BOM) and return its path."""
    columns = columns or list(rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def load_rows(
    engine: Engine, folder: Path, table: str, rows: list[dict[str, str]], columns: list[str] | None = None, **kwargs
) -> LoadResult:
    """Write rows as `<table>.csv` in a fresh sub-folder and load that one file."""
    folder = folder / f"{table}_{len(list(folder.glob(f'{table}_*')))}"
    [result] = import_paths(engine, [write_csv(folder / f"{table}.csv", rows, columns)], **kwargs)
    return result


def load_parents(engine: Engine, folder: Path, table: str) -> None:
    """Load the valid parent rows `table` refers to."""
    for parent in PARENTS.get(table, []):
        assert load_rows(engine, folder, parent, [VALID[parent]]).ok


def count(engine: Engine, table: str) -> int:
    """Rows in a table."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(CONTRACT_TABLES[table].__table__)).scalar_one()


def loads(engine: Engine) -> list[tuple]:
    """(table_name, outcome, rows_inserted, rows_updated, error_count) of every recorded load, in order."""
    t = Load.__table__
    query = select(t.c.table_name, t.c.outcome, t.c.rows_inserted, t.c.rows_updated, t.c.error_count)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query.order_by(t.c.load_id))]


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every contract table's rows, sorted, to compare the database before and after."""
    with engine.connect() as conn:
        return {
            name: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {name}")))  # noqa: S608
            for name in CONTRACT_TABLES
        }
