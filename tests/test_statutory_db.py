"""The statutory files loaded through the loader and read back on SQLite and PostgreSQL: every new measure in
`cli.py metrics` with values worked out by hand, the cohort and cuts from the linked victim (or a self-referral's own
columns), and the inspection page's register and grades."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from typer.testing import CliRunner

from cli import app
from data.ingest import import_paths
from metrics.catalogue import load_catalogue
from results.inspections import graded_questions, reports_register
from tests.test_ingest_support import VALID, write_csv

AS_OF = dt.date(2024, 4, 30)
V = VALID["victims"]
REVIEWS = [  # E1 is an update (R6) of VC-1, a domestic abuse victim; E2 a written acknowledgement of VC-2
    *[("E1", "meets", "")] * 7,
    *[("E1", "does_not_meet", "next_steps")] * 3,
    ("E2", "meets", ""),
    ("E2", "partly_meets", "empathetic"),
]


def _files(folder):
    """The small v2 dataset as contract CSV files, in one folder."""
    victims = [
        {**V, "case_id": "VC-1", "domestic_abuse": "true", "area": "Newport"},
        {**V, "case_id": "VC-2", "area": "Caerphilly"},
    ]
    entitlements = [
        {"entitlement_id": "E1", "case_id": "VC-1", "code": "R6_SUSPECT_UPDATE", "trigger_date": "2024-03-01",
         "delivered_date": "2024-03-04"},
        {"entitlement_id": "E2", "case_id": "VC-2", "code": "R3_WRITTEN_ACK", "trigger_date": "2024-03-04",
         "delivered_date": "2024-03-05"},
    ]  # fmt: skip
    reviews = [
        {"review_id": f"Q{i:02d}", "entitlement_id": e, "review_date": "2024-03-10", "result": r, "failed_criteria": f}
        for i, (e, r, f) in enumerate(REVIEWS, start=1)
    ]
    referrals = [
        {"referral_id": "R1", "case_id": "VC-1", "referral_date": "2024-03-04", "source": "police",
         "closed_date": "2024-03-30"},
        {"referral_id": "R2", "case_id": "", "referral_date": "2024-03-05", "source": "self",
         "closed_date": "2024-03-25", "area": "Torfaen"},
        {"referral_id": "R3", "case_id": "VC-2", "referral_date": "2024-03-06", "source": "police"},  # still open
    ]  # fmt: skip
    needs = [
        {"referral_id": "R1", "need": "drugs_alcohol", "improved": "true"},
        {"referral_id": "R1", "need": "finance_benefits", "improved": "false"},
        {"referral_id": "R1", "need": "social_interaction", "improved": ""},  # outcome not recorded
        {"referral_id": "R2", "need": "finance_benefits", "improved": "yes"},
        {"referral_id": "R3", "need": "drugs_alcohol", "improved": ""},  # open
    ]
    reports = [
        {"report_id": "I1", "body": "hmicfrs", "title": "PEEL 2023-25", "published_date": "2024-01-05",
         "response_published_date": "2024-03-01"},  # due 1 March: on time
        {"report_id": "I2", "body": "victims_commissioner", "title": "VC review", "published_date": "2024-01-20",
         "response_published_date": ""},  # due 16 March: missed
        {"report_id": "I3", "body": "hmicfrs", "title": "PEEL 2025-27", "published_date": "2024-03-20",
         "response_published_date": ""},  # due 15 May, after the as-of date: not counted yet
        {"report_id": "I4", "body": "cjji", "title": "Witness care", "published_date": "2024-02-01",
         "response_published_date": ""},  # no deadline
    ]  # fmt: skip
    grades = [
        {"report_id": "I1", "question": "Investigating crime", "grade": "requires_improvement"},
        {"report_id": "I3", "question": "Investigating crime", "grade": "good"},
        {"report_id": "I3", "question": "Responding to the public", "grade": "adequate"},
    ]
    recs = [{**VALID["recommendations"], "rec_id": "VC-R1", "source": "Victims' Commissioner", "report_id": "I2"}]
    tables = {
        "victims": victims, "entitlements": entitlements, "quality_reviews": reviews, "referrals": referrals,
        "referral_needs": needs, "inspections": reports, "inspection_grades": grades, "recommendations": recs,
    }  # fmt: skip
    for name, rows in tables.items():
        columns = list(dict.fromkeys(c for r in rows for c in r))
        write_csv(folder / f"{name}.csv", rows, columns)
    return folder


@pytest.fixture
def loaded(engine, tmp_path):
    results = import_paths(engine, [_files(tmp_path / "v2")], as_of=AS_OF, loaded_by="test")
    assert all(r.ok for r in results), [(r.file_name, r.errors) for r in results if not r.ok]
    return engine


def _metrics(db_url, monkeypatch, *args):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["metrics", "--from", "2024-01-01", "--to", "2024-03-31", *args])
    assert result.exit_code == 0, result.output
    return {(r["metric_id"], r["group_value"]): r for r in csv.DictReader(io.StringIO(result.stdout))}


def _counts(row):
    return row["numerator"], row["denominator"], row["suppressed"]


def test_every_new_measure_in_cli_metrics(loaded, db_url, monkeypatch):
    rows = _metrics(db_url, monkeypatch)
    assert _counts(rows[("QUAL_MEETS", "all")]) == ("8", "12", "false")
    updates = rows[("QUAL_UPDATES_MEETS", "all")]
    assert _counts(updates) == ("7", "10", "false")
    # Wilson 95% interval of 7/10: (0.3968, 0.8922).
    assert float(updates["value"]) == pytest.approx(0.7)
    assert (float(updates["ci_low"]), float(updates["ci_high"])) == (
        pytest.approx(0.3968, abs=1e-4), pytest.approx(0.8922, abs=1e-4))  # fmt: skip
    assert (updates["target"], updates["rag"]) == ("0.85", "red")
    assert _counts(rows[("CG_NEED_DRUGS_ALCOHOL", "all")]) == ("1", "1", "true")  # R3 is still open
    assert _counts(rows[("CG_NEED_FINANCE_BENEFITS", "all")]) == ("1", "2", "true")
    assert _counts(rows[("CG_NEED_SOCIAL_INTERACTION", "all")]) == ("0", "0", "true")
    assert _counts(rows[("HM_RESPONSE_ON_TIME", "all")]) == ("1", "2", "true")
    assert rows[("HM_RESPONSE_ON_TIME", "all")]["value"] == ""  # fewer than 10: never 0% or 100%


def test_the_cohort_and_cuts_come_from_the_linked_victim(loaded, db_url, monkeypatch):
    da = _metrics(db_url, monkeypatch, "--portfolio", "vawg_da")
    assert _counts(da[("QUAL_UPDATES_MEETS", "all")]) == ("7", "10", "false")  # VC-1's reviews
    by_area = _metrics(db_url, monkeypatch, "--by", "area")
    assert _counts(by_area[("CG_NEED_FINANCE_BENEFITS", "Torfaen")])[:2] == ("1", "1")  # the self-referral's own
    assert _counts(by_area[("CG_NEED_FINANCE_BENEFITS", "Newport")])[:2] == ("0", "1")
    assert _counts(by_area[("QUAL_MEETS", "Caerphilly")])[:2] == ("1", "2")


def test_the_reports_register_and_grades(loaded):
    register = reports_register(loaded, load_catalogue(), AS_OF).set_index("report_id")
    assert register.loc["I1", "status"] == "responded_on_time"
    assert (register.loc["I2", "status"], register.loc["I2", "days_left"]) == ("overdue", -45)  # 16 Mar to 30 Apr
    assert (register.loc["I3", "status"], register.loc["I3", "days_left"]) == ("due", 15)  # 15 May
    assert register.loc["I4", "status"] == "no_deadline"
    assert register.loc["I2", "findings"] == 1 and register.loc["I1", "findings"] == 0
    grades = graded_questions(loaded).set_index("question")
    assert grades.loc["Investigating crime", ["latest", "previous", "direction"]].tolist() == [
        "good", "requires_improvement", "improved"]  # fmt: skip
    assert grades.loc["Responding to the public", "direction"] == "first"
