"""One CSV writer (issue #15, item 6): every CSV the project writes -- `cli.py metrics` and `cli.py scorecard`,
downloads and packs -- goes through metrics/safety.py, which neutralises spreadsheet formulas."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pandas as pd
from sqlalchemy import update

from data.models import Victim
from results.commands import scorecard_csv
from tests.test_cli_metrics import loaded, metrics  # noqa: F401 (the fixture and the CLI runner)

ROOT = Path(__file__).resolve().parent.parent
HYPERLINK = '=HYPERLINK("http://x","y")'
WRITER = "metrics/safety.py"
# Rooms whose files leave the system. data/ writes only the contract-format demo files (its own generated values)
# and hashes the catalogue's timescales for the snapshot's fingerprint, neither a file a user downloads.
WRITING_ROOMS = ("cli.py", "app.py", "app_pages", "ui", "reports", "results", "metrics", "charts")


def test_cli_metrics_by_area_neutralises_a_formula_in_the_data(loaded, db_url, monkeypatch):  # noqa: F811
    with loaded.begin() as conn:
        conn.execute(update(Victim).where(Victim.area == "Newport").values(area=HYPERLINK))
    result = metrics(db_url, monkeypatch, "--from", "2024-03-01", "--to", "2024-03-31", "--by", "area")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    values = {r["group_value"] for r in rows}
    assert "'" + HYPERLINK in values
    assert not [r for r in rows for cell in r.values() if cell.startswith(("=", "@", "+HYPERLINK"))]
    assert "\n" + HYPERLINK not in result.stdout and "," + HYPERLINK not in result.stdout


def test_cli_scorecard_csv_neutralises_text_cells_but_not_numbers():
    table = pd.DataFrame({"measure": [HYPERLINK, "plain"], "value": [-0.25, 0.5], "note": ["-5 days", None]})
    rows = list(csv.reader(io.StringIO(scorecard_csv(table))))
    assert rows == [["measure", "value", "note"], ["'" + HYPERLINK, "-0.25", "'-5 days"], ["plain", "0.5", ""]]


def _writes_csv(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "to_csv":
            return True
        if node.func.attr in {"writer", "DictWriter"} and getattr(node.func.value, "id", "") == "csv":
            return True
    return False


def test_no_csv_is_written_outside_the_one_writer():
    offenders = []
    for room in WRITING_ROOMS:
        path = ROOT / room
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            relative = file.relative_to(ROOT).as_posix()
            if relative == WRITER:
                continue
            tree = ast.parse(file.read_text(encoding="utf-8"))
            offenders += [f"{relative}:{n.lineno}" for n in ast.walk(tree) if _writes_csv(n)]
    assert offenders == []
