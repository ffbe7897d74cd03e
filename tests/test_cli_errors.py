"""Issue 16: every CLI command fails with one clear line and a non-zero exit status, and `cli.py export` writes its
file before it audits it (a failed export leaves no file and no audit row)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import reports.exporting
from cli import app
from data.engine import make_engine
from data.models import AuditLog, Load

runner = CliRunner()
UNREACHABLE = "postgresql+psycopg://vsd@127.0.0.1:1/vsd"  # nothing listens on port 1
BOARD = ["export", "--kind", "board", "--from", "2024-01-01", "--to", "2024-03-31"]
# The file handling below (written beside the target, moved into place, then audited) is the same for every pack; a
# one-portfolio board pack goes through it in well under a second, the whole framework's (every portfolio's charts) in
# several. The whole framework's pack from the command line: tests/test_cli_periods.py.
ONE_BOARD = [*BOARD, "--portfolio", "vawg_da"]


def one_line(result) -> str:
    """The failure's only line on standard error (no traceback, nothing else)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def exports(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        return conn.execute(select(AuditLog).where(AuditLog.event.like("export.%"))).all()


# ---------------------------------------------------------------- exports: written, then audited


def test_export_into_a_missing_folder_leaves_no_file_and_no_audit_row(small_demo, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "no" / "such" / "folder" / "pack.pdf"
    result = runner.invoke(app, [*ONE_BOARD, "--out", str(out)])
    assert result.exit_code == 1
    assert "folder" in one_line(result) and "does not exist" in one_line(result)
    assert not out.exists() and exports(small_demo) == []


def test_export_whose_write_fails_leaves_no_file_no_temporary_and_no_audit_row(
    small_demo, db_url, monkeypatch, tmp_path
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    folder = tmp_path / "out"
    (folder / "pack.pdf").mkdir(parents=True)  # a folder where the file should go: the move into place fails
    (folder / "pack.pdf" / "keep").write_text("")
    result = runner.invoke(app, [*ONE_BOARD, "--out", str(folder / "pack.pdf")])
    assert result.exit_code == 1
    assert "Is a directory" in one_line(result)
    assert [p.name for p in folder.iterdir()] == ["pack.pdf"]  # no temporary twin left beside it
    assert exports(small_demo) == []


def test_export_whose_audit_fails_removes_the_file(small_demo, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    seen = []

    def audit_down(*args, **kwargs):
        seen.append(sorted(p.name for p in (tmp_path / "out").iterdir()))  # the file is in place before the audit
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(reports.exporting, "record_export", audit_down)
    folder = tmp_path / "out"
    folder.mkdir()
    result = runner.invoke(app, [*ONE_BOARD, "--out", str(folder / "pack.pdf")])
    assert result.exit_code == 1 and "audit log unavailable" in one_line(result)
    assert seen == [["pack.pdf"]]
    assert list(folder.iterdir()) == []


def test_a_good_export_replaces_the_target_whole_and_is_audited_after(small_demo, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "pack.pdf"
    out.write_bytes(b"yesterday's pack")
    result = runner.invoke(app, [*ONE_BOARD, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in folder.iterdir()] == ["pack.pdf"]
    (row,) = exports(small_demo)
    assert json.loads(row.detail)["file"] == "pack.pdf"


# ---------------------------------------------------------------- one line for every failure


@pytest.mark.parametrize(
    "args",
    [
        ["init-db"],
        ["health"],
        ["metrics", "--from", "2024-01-01", "--to", "2024-01-31"],
        ["metrics", "--period", "last-month"],
        ["scorecard", "--portfolio", "all"],
        ["users", "list"],
        ["users", "unlock", "someone"],
        ["export", "--kind", "board", "--period", "last-month", "--out", "pack.pdf"],
        ["bootstrap"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_an_unreachable_database_is_one_line_and_exit_1(monkeypatch, tmp_path, args):
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    if args[0] == "health":  # one line per check, the failing ones saying why
        assert "database: FAIL - the database cannot be reached" in result.stdout
        assert "Traceback" not in result.output
        return
    line = one_line(result)
    assert line.startswith("error: the database cannot be reached (postgresql+psycopg://vsd@127.0.0.1:1/vsd)")
    assert list(tmp_path.iterdir()) == []


def test_debug_puts_the_traceback_in_the_log(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    result = runner.invoke(app, ["--debug", "users", "list"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "ERROR cli: command failed" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: the database cannot be reached")


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["metrics", "--from", "2024-13-01", "--to", "2024-12-31"], 2, "is not a date"),
        (["metrics", "--from", "2024-01-01", "--to", "2024-01-31", "--portfolio", "nosuch"], 2, "nosuch"),
        (["metrics", "--from", "2024-01-01"], 2, "give --period, or both --from and --to"),
        (["metrics", "--period", "last-week"], 2, "is not one of last-month"),
        (["metrics", "--period", "last-month", "--from", "2024-01-01"], 2, "not both"),
        (["scorecard", "--portfolio", "nosuch"], 2, "nosuch"),
        (BOARD + ["--portfolio", "nosuch", "--out", "x.pdf"], 2, "unknown portfolio"),
        (["users", "disable", "nobody"], 2, "nobody"),
        (["users", "assign", "nobody", "--role", "board"], 2, "nobody"),
        (["users", "assign", "nobody", "--portfolio", "vawg_dx"], 2, "'vawg_dx' is not one of"),
        (["users", "add", "newlead", "--name", "N", "--role", "lead", "--portfolio", "nosuch", "--password-stdin"],
         2, "'nosuch' is not one of"),
        (["verify-pack", "no-such-pack.zip"], 1, "no-such-pack.zip"),
        (["metrics", "--from", "2024-01-01", "--to", "2024-01-31", "--out", "missing/out.csv"], 1, "does not exist"),
        (["scorecard", "--portfolio", "all", "--out", "missing/out.csv"], 1, "does not exist"),
        (["metrics", "--period", "last-month"], 1, "no data has been loaded"),
    ],
)  # fmt: skip
def test_wrong_names_dates_and_files_are_one_line(db_url, monkeypatch, tmp_path, args, status, words):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args, input="a long enough password\n")
    assert result.exit_code == status, result.output
    assert words in one_line(result)


def test_a_user_cannot_be_given_a_portfolio_the_catalogue_lacks(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    add = ["users", "add", "lead.x", "--name", "Lead X", "--role", "lead", "--password-stdin"]
    assert runner.invoke(app, [*add, "--portfolio", "nosuch"], input="a long enough password\n").exit_code == 2
    made = runner.invoke(app, [*add, "--portfolio", "vawg_da"], input="a long enough password\n")
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, ["users", "assign", "lead.x", "--portfolio", "vawg_dx"]).exit_code == 2
    listed = runner.invoke(app, ["users", "list"]).stdout
    assert "vawg_dx" not in listed and "nosuch" not in listed and "vawg_da" in listed


@pytest.mark.parametrize("command", ["import", "import-policeuk"])
def test_import_of_a_missing_file_is_one_line_and_loads_nothing(db_url, monkeypatch, tmp_path, command):
    monkeypatch.setenv("DATABASE_URL", db_url)
    (tmp_path / "engagement_events.csv").write_text("event_id\n")
    result = runner.invoke(app, [command, str(tmp_path / "engagement_events.csv"), str(tmp_path / "victims.csv")])
    assert result.exit_code == 1
    assert one_line(result) == f"error: no such file or folder: {tmp_path / 'victims.csv'}"
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Load)).scalar_one() == 0
    engine.dispose()


def test_a_database_without_tables_says_run_init_db(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = runner.invoke(app, ["scorecard", "--portfolio", "all"])
    assert result.exit_code == 1
    assert one_line(result).endswith("has no tables yet, or not all of them: run `python cli.py init-db`")


def test_log_lines_are_timestamped_and_levelled(small_demo, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, [*ONE_BOARD, "--out", str(tmp_path / "pack.pdf")])
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stderr.splitlines() if "export.board" in line]
    stamp, level, logger = line.split(" ")[:3]
    assert len(stamp) == 20 and stamp[10] == "T" and stamp.endswith("Z")
    assert (level, logger) == ("INFO", "reports.exporting:")
    assert "by cli:" in line and "pack.pdf" in line


def test_relative_and_explicit_periods_must_not_be_mixed_even_before_the_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    result = runner.invoke(app, ["metrics", "--period", "rolling-12", "--to", "2024-01-31"])
    assert result.exit_code == 2 and "not both" in one_line(result)
