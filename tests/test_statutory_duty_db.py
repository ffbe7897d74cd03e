"""Good reasons through the database (SQLite and PostgreSQL): an entitlements file with exception_reason loads, a
reason outside the catalogue rejects the file with row, column, value and rule and stores nothing, a v1 file still
loads, and `cli.py metrics --by exception_reason` gives EXC_SHARE by reason as worked by hand in
tests/test_statutory_duty.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from typer.testing import CliRunner

from cli import app
from tests.test_ingest_support import VALID, count, load_parents, load_rows, loads, row
from tests.test_statutory_duty import ROWS


def _rows() -> list[dict[str, str]]:
    """The hand-worked instances of tests/test_statutory_duty.py as file rows of case VC-1."""
    return [
        row(
            "entitlements",
            entitlement_id=f"EN-{i}",
            code=code,
            trigger_date=trigger,
            delivered_date=delivered or "",
            declined="true" if declined else "false",
            language="en" if delivered else "",
            exception_reason=reason or "",
        )
        for i, (_, code, trigger, delivered, declined, reason) in enumerate(ROWS, start=1)
    ]


def test_a_reason_outside_the_catalogue_rejects_the_file_and_stores_nothing(engine, tmp_path):
    load_parents(engine, tmp_path, "entitlements")
    rows = _rows()
    rows[2]["exception_reason"] = "too_busy"  # file row 4 (the header is row 1)
    result = load_rows(engine, tmp_path, "entitlements", rows)
    assert not result.ok and result.outcome == "rejected"
    [error] = result.errors
    assert (error.row, error.column, error.value) == (4, "exception_reason", "too_busy")
    assert "other_documented" in error.rule and "victim_uncontactable" in error.rule
    assert count(engine, "entitlements") == 0
    assert loads(engine)[-1][:3] == ("entitlements", "rejected", 0)


def test_a_v1_file_without_the_column_still_loads(engine, tmp_path):
    load_parents(engine, tmp_path, "entitlements")
    columns = [c for c in VALID["entitlements"] if c != "exception_reason"]
    v1 = [{c: r[c] for c in columns} for r in _rows()]
    assert load_rows(engine, tmp_path, "entitlements", v1, columns).ok
    assert count(engine, "entitlements") == len(ROWS)


def test_cli_metrics_by_exception_reason(engine, db_url, tmp_path, monkeypatch):
    victim = row("victims", enhanced_rights="false", enhanced_reason="")  # standard timescales, as by hand
    assert load_rows(engine, tmp_path, "victims", [victim]).ok
    assert load_rows(engine, tmp_path, "entitlements", _rows(), as_of=dt.date(2024, 4, 30)).ok
    monkeypatch.setenv("DATABASE_URL", db_url)
    args = ["metrics", "--from", "2024-03-01", "--to", "2024-04-30", "--as-of", "2024-04-30"]
    result = CliRunner().invoke(app, [*args, "--by", "exception_reason"])
    assert result.exit_code == 0, result.output
    rows = {(r["metric_id"], r["group_value"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    got = {
        v: (rows[("EXC_SHARE", v)]["numerator"], rows[("EXC_SHARE", v)]["denominator"])
        for m, v in rows
        if m == "EXC_SHARE"
    }
    assert got == {
        "safeguarding_risk": ("1", "5"),
        "other_documented": ("1", "5"),
        "victim_asked_other_route": ("1", "5"),
        "victim_uncontactable": ("0", "5"),
        "operational_risk": ("0", "5"),
        "delivered_by_other_agency": ("0", "5"),
    }
    assert rows[("DUTY_OVERALL", "all")]["numerator"] == "6" and rows[("DUTY_OVERALL", "all")]["denominator"] == "8"
    assert rows[("VCOP_OVERALL", "all")]["numerator"] == "3"  # a justified instance is not timely
