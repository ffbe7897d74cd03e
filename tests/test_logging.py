"""Issue 16: timestamped, levelled log lines (config/logs.py) for the app and the command line, and loads logged
as well as recorded in `loads` (file, table, outcome, counts, hash; never a cell's value)."""

from __future__ import annotations

import logging
import re

from typer.testing import CliRunner

from cli import app
from config.logs import formatter, level_from, setup_logging

runner = CliRunner()
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")


def test_the_format_is_utc_time_level_logger_message():
    record = logging.LogRecord("auth.gate", logging.INFO, __file__, 1, "sign-in: %s", ("lead.da",), None)
    record.created = 1_796_610_600.0  # 2026-12-07T02:30:00Z
    assert formatter().format(record) == "2026-12-07T02:30:00Z INFO auth.gate: sign-in: lead.da"


def test_levels_come_from_the_environment_and_setup_is_idempotent(monkeypatch):
    assert (level_from("debug"), level_from("WARNING"), level_from("nonsense"), level_from(None)) == (
        logging.DEBUG, logging.WARNING, logging.INFO, logging.INFO)  # fmt: skip
    monkeypatch.setenv("VSD_LOG_LEVEL", "warning")
    setup_logging()
    setup_logging()
    marked = [h for h in logging.getLogger().handlers if getattr(h, "_vsd_handler", False)]
    assert len(marked) == 1
    assert logging.getLogger("data.ingest").getEffectiveLevel() == logging.WARNING
    monkeypatch.delenv("VSD_LOG_LEVEL")
    setup_logging()
    assert logging.getLogger("data.ingest").getEffectiveLevel() == logging.INFO


def test_loads_are_logged(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    good = tmp_path / "good" / "engagement_events.csv"
    good.parent.mkdir()
    bad = tmp_path / "bad" / "engagement_events.csv"
    bad.parent.mkdir()
    header = "event_id,event_date,forum,topic,portfolio,participants,new_participants\n"
    good.write_text(header + "EV-1,2023-11-08,survivor_network,Victim Personal Statements,vcop,12,2\n")
    bad.write_text(header + "EV-2,not-a-date,survivor_network,Secret topic,vcop,12,2\n")
    loaded = runner.invoke(app, ["import", str(good)])
    assert loaded.exit_code == 0, loaded.output
    (line,) = [x for x in loaded.stderr.splitlines() if "data.ingest" in x]
    assert LINE.match(line) and " INFO data.ingest: load 1 by cli" in line
    assert "engagement_events.csv into engagement_events loaded, 1 rows inserted, 0 updated, 0 errors, SHA-256 " in line
    rejected = runner.invoke(app, ["import", str(bad)])
    assert rejected.exit_code == 1
    (line,) = [x for x in rejected.stderr.splitlines() if "data.ingest" in x]
    assert " WARNING data.ingest: load " in line and "engagement_events rejected" in line and "1 errors" in line
    assert "Secret topic" not in line and "not-a-date" not in line
