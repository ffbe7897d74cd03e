"""`cli.py import` and `cli.py import-policeuk`: exit status and the report on the right stream."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from cli import app
from data.ingest import latest_as_of
from data.models import PoliceUkOutcome
from tests.conftest import POLICEUK_DIR
from tests.test_ingest_support import VALID, count, loads, row, write_csv


def test_import_exits_0_when_every_file_loads(db_url, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    write_csv(tmp_path / "victims.csv", [VALID["victims"]])
    write_csv(tmp_path / "entitlements.csv", [VALID["entitlements"]])
    result = CliRunner().invoke(app, ["import", str(tmp_path), "--as-of", "2023-06-30"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 files loaded" in result.stdout
    assert latest_as_of(engine) == dt.date(2023, 6, 30)
    assert [r[:2] for r in loads(engine)] == [("victims", "loaded"), ("entitlements", "loaded")]
    assert loads(engine) and count(engine, "entitlements") == 1


def test_import_exits_non_zero_with_the_report_on_stderr(db_url, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    write_csv(tmp_path / "victims.csv", [row("victims", outcome="lost")])
    result = CliRunner().invoke(app, ["import", str(tmp_path / "victims.csv")])
    assert result.exit_code == 1
    assert "victims.csv row 2, column outcome, value 'lost': must be one of: ongoing" in result.stderr
    assert result.stdout == ""
    assert count(engine, "victims") == 0


def test_import_rejects_a_bad_as_of_option(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["import", str(tmp_path), "--as-of", "30/06/2023"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_import_policeuk_command(db_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    path = POLICEUK_DIR / "2022-07-gwent-outcomes.csv"
    result = CliRunner().invoke(app, ["import-policeuk", str(path)])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        from sqlalchemy import func, select

        rows = conn.execute(select(func.count()).select_from(PoliceUkOutcome)).scalar_one()
    with open(path, encoding="utf-8-sig") as fh:
        assert rows == sum(1 for _ in fh) - 1
    missing = CliRunner().invoke(app, ["import-policeuk", str(POLICEUK_DIR / "1999-01-nowhere-street.csv")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
