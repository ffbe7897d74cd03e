"""Issue 16: `--period last-month|last-quarter|rolling-12|last-financial-year` for `cli.py export` and `metrics`,
counted back from the data's as-of date (UK financial year 1 April – 31 March). Dates worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app, relative_period
from data.models import AuditLog

D = dt.date
runner = CliRunner()

# anchor (the as-of date) -> {period: (first day, last day)}
WORKED = {
    # The demo's as-of date: October is complete, so is the quarter July–September (Q2).
    D(2026, 10, 31): {
        "last-month": (D(2026, 10, 1), D(2026, 10, 31)),
        "last-quarter": (D(2026, 7, 1), D(2026, 9, 30)),
        "rolling-12": (D(2025, 11, 1), D(2026, 10, 31)),
        "last-financial-year": (D(2025, 4, 1), D(2026, 3, 31)),
    },
    # Mid-month: November is not complete, so October is the last month.
    D(2026, 11, 15): {
        "last-month": (D(2026, 10, 1), D(2026, 10, 31)),
        "last-quarter": (D(2026, 7, 1), D(2026, 9, 30)),
        "rolling-12": (D(2025, 11, 1), D(2026, 10, 31)),
        "last-financial-year": (D(2025, 4, 1), D(2026, 3, 31)),
    },
    # The financial year's last day: the year just ended is complete, and so is its Q4 (January–March).
    D(2026, 3, 31): {
        "last-month": (D(2026, 3, 1), D(2026, 3, 31)),
        "last-quarter": (D(2026, 1, 1), D(2026, 3, 31)),
        "rolling-12": (D(2025, 4, 1), D(2026, 3, 31)),
        "last-financial-year": (D(2025, 4, 1), D(2026, 3, 31)),
    },
    # The day before: March is not complete, so neither is Q4 or the year 2025-26.
    D(2026, 3, 30): {
        "last-month": (D(2026, 2, 1), D(2026, 2, 28)),
        "last-quarter": (D(2025, 10, 1), D(2025, 12, 31)),
        "rolling-12": (D(2025, 3, 1), D(2026, 2, 28)),
        "last-financial-year": (D(2024, 4, 1), D(2025, 3, 31)),
    },
    # New year: the quarter October–December (Q3) has just ended.
    D(2026, 1, 5): {
        "last-month": (D(2025, 12, 1), D(2025, 12, 31)),
        "last-quarter": (D(2025, 10, 1), D(2025, 12, 31)),
        "rolling-12": (D(2025, 1, 1), D(2025, 12, 31)),
        "last-financial-year": (D(2024, 4, 1), D(2025, 3, 31)),
    },
    # A leap day ends February 2024.
    D(2024, 2, 29): {
        "last-month": (D(2024, 2, 1), D(2024, 2, 29)),
        "last-quarter": (D(2023, 10, 1), D(2023, 12, 31)),
        "rolling-12": (D(2023, 3, 1), D(2024, 2, 29)),
        "last-financial-year": (D(2022, 4, 1), D(2023, 3, 31)),
    },
}
CASES = [(anchor, name, span) for anchor, periods in WORKED.items() for name, span in periods.items()]


@pytest.mark.parametrize(("anchor", "name", "span"), CASES, ids=[f"{a}-{n}" for a, n, _ in CASES])
def test_relative_periods_worked_by_hand(anchor, name, span):
    assert relative_period(name, anchor) == span


def test_metrics_period_counts_back_from_the_data(small_demo, db_url, monkeypatch):
    """The small demo's as-of date is 2024-03-31: last-quarter is January–March 2024."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["metrics", "--period", "last-quarter"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {(r["period_start"], r["period_end"]) for r in rows} == {("2024-01-01", "2024-03-31")}
    explicit = runner.invoke(app, ["metrics", "--from", "2024-01-01", "--to", "2024-03-31"])
    assert explicit.stdout == result.stdout


def test_metrics_period_counts_back_from_a_stated_as_of(small_demo, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["metrics", "--period", "last-month", "--as-of", "2024-02-10", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {(r["period_start"], r["period_end"]) for r in rows} == {("2024-01-01", "2024-01-31")}


def test_export_period_is_audited_with_its_dates(small_demo, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "board.pdf"
    result = runner.invoke(app, ["export", "--kind", "board", "--period", "last-financial-year", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with small_demo.connect() as conn:
        detail = json.loads(conn.execute(select(AuditLog.detail).where(AuditLog.event == "export.board")).scalar_one())
    assert (detail["from"], detail["to"], detail["as_of"]) == ("2023-04-01", "2024-03-31", "2024-03-31")
    assert out.read_bytes().startswith(b"%PDF")
