"""Loading contract files into the database (SQLite and PostgreSQL): rejections, references, transactions, reports."""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select, text

from data import ingest_write
from data.engine import PROJECT_ROOT
from data.ingest import MAX_ERRORS, errors_frame, format_report, import_bytes, import_paths, latest_as_of, load_frame
from data.models import Entitlement, Load, SurveyResponse, Victim
from data.schemas import FORBIDDEN_COLUMNS
from tests.test_ingest_support import (
    VALID,
    count,
    load_parents,
    load_rows,
    loads,
    row,
    snapshot,
    write_csv,
)


def victims(n: int, start: int = 1, **changes: str) -> list[dict[str, str]]:
    """n valid victims VC-<start>…"""
    return [row("victims", case_id=f"VC-{i}", **changes) for i in range(start, start + n)]


def entitlements(n: int, case_id: str = "VC-1", **changes: str) -> list[dict[str, str]]:
    """n valid entitlements EN-1… of one case."""
    return [row("entitlements", entitlement_id=f"EN-{i}", case_id=case_id, **changes) for i in range(1, n + 1)]


# ---------------------------------------------------------------- forbidden personal data


@pytest.mark.parametrize("column", [*FORBIDDEN_COLUMNS, "First Name", "E-mail", "Date of Birth", "Post-Code"])
def test_a_forbidden_column_rejects_the_file_and_stores_nothing(engine, tmp_path, column):
    rows = [{**r, column: "Jane Doe"} for r in victims(2)]
    result = load_rows(engine, tmp_path, "victims", rows)
    assert not result.ok and result.outcome == "rejected"
    assert f"'{column}'" in result.message and "personal data" in result.message
    assert [(e.row, e.column) for e in result.errors] == [(1, column)]
    assert "never hold" in result.errors[0].rule
    assert count(engine, "victims") == 0
    assert loads(engine) == [("victims", "rejected", 0, 0, 1)]


def test_extra_columns_are_ignored(engine, tmp_path):
    rows = [{**r, "notes": "anything", "unit_name": "x"} for r in victims(2)]
    result = load_rows(engine, tmp_path, "victims", rows)
    assert result.ok and result.rows_inserted == 2


# ---------------------------------------------------------------- columns and cells


def test_missing_required_column_is_an_error_and_optional_columns_may_be_absent(engine, tmp_path):
    columns = [c for c in VALID["victims"] if c not in ("recorded_date", "enhanced_reason", "outcome_date")]
    ok = load_rows(engine, tmp_path, "victims", victims(1, outcome="ongoing", enhanced_rights="no"), columns)
    assert ok.ok
    bad = load_rows(engine, tmp_path, "victims", victims(1), [c for c in VALID["victims"] if c != "unit"])
    assert [(e.row, e.column, e.rule) for e in bad.errors] == [(1, "unit", "required column missing")]


def test_bom_is_accepted(engine, tmp_path):
    path = write_csv(tmp_path / "victims.csv", victims(3), bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    [result] = import_paths(engine, [path])
    assert result.ok and count(engine, "victims") == 3


def test_values_are_stored_typed_and_stripped(engine, tmp_path):
    load_rows(engine, tmp_path, "victims", victims(1, reported_date="2023-01-05T09:15", domestic_abuse=" Yes "))
    with engine.connect() as conn:
        v = conn.execute(select(Victim)).one()
    assert v.reported_date == dt.date(2023, 1, 5) and v.domestic_abuse is True and v.enhanced_rights is True
    assert v.outcome_date == dt.date(2023, 3, 1) and v.area == "Newport"


def test_error_report_rows_are_the_rows_the_user_sees(engine, tmp_path):
    lines = [",".join(VALID["entitlements"])]
    good = ",".join(VALID["entitlements"].values())
    lines.append(good)  # row 2
    lines.append("")  # row 3: a blank line is still a row
    lines.append(good.replace("EN-1", "EN-4").replace("Victim Care Unit", '"Victim\nCare"'))  # row 4, two lines
    lines.append(good.replace("EN-1", "EN-5").replace("2023-01-09", "2023-01-04"))  # row 5: delivered < trigger
    path = tmp_path / "entitlements.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_parents(engine, tmp_path, "entitlements")
    [result] = import_paths(engine, [path])
    assert [(e.file, e.row, e.column, e.value, e.rule) for e in result.errors] == [
        ("entitlements.csv", 5, "delivered_date", "2023-01-04", "must be on or after trigger_date")
    ]
    assert count(engine, "entitlements") == 0


# ---------------------------------------------------------------- keys and references


def test_duplicate_keys_within_and_across_chunks(engine, tmp_path):
    rows = victims(5) + [row("victims", case_id="VC-2"), row("victims", case_id="VC-5")]
    result = load_rows(engine, tmp_path, "victims", rows, chunk_rows=2)
    assert [(e.row, e.column, e.value, e.rule) for e in result.errors] == [
        (7, "case_id", "VC-2", "duplicate case_id"),
        (8, "case_id", "VC-5", "duplicate case_id"),
    ]
    assert count(engine, "victims") == 0


def test_unknown_reference_is_an_error_naming_the_value(engine, tmp_path):
    load_parents(engine, tmp_path, "entitlements")
    rows = entitlements(2) + [row("entitlements", entitlement_id="EN-9", case_id="VC-9")]
    result = load_rows(engine, tmp_path, "entitlements", rows)
    assert [(e.row, e.column, e.value, e.rule) for e in result.errors] == [
        (4, "case_id", "VC-9", "case_id VC-9 not found in victims")
    ]
    assert count(engine, "entitlements") == 0


@pytest.mark.parametrize(
    ("table", "column", "parent"),
    [
        ("entitlements", "case_id", "victims"),
        ("referrals", "case_id", "victims"),
        ("witnesses", "case_id", "victims"),
        ("special_measures", "witness_id", "witnesses"),
        ("survey_responses", "case_id", "victims"),
        ("feedback_items", "event_id", "engagement_events"),
    ],
)
def test_every_reference_is_checked(engine, tmp_path, table, column, parent):
    load_parents(engine, tmp_path, table)
    result = load_rows(engine, tmp_path, table, [row(table, **{column: "NOPE-1"})])
    assert [(e.column, e.rule) for e in result.errors] == [(column, f"{column} NOPE-1 not found in {parent}")]
    assert load_rows(engine, tmp_path, table, [VALID[table]]).ok


def test_optional_references_may_be_empty(engine, tmp_path):
    self_referral = row("referrals", case_id="", age_band="18-24", sex="male", ethnicity="black", disability="no",
                        area="Torfaen")  # fmt: skip
    assert load_rows(engine, tmp_path, "referrals", [self_referral]).ok
    assert load_rows(engine, tmp_path, "feedback_items", [row("feedback_items", event_id="")]).ok


def test_a_later_file_is_attempted_after_an_earlier_one_fails(engine, tmp_path):
    write_csv(tmp_path / "in" / "victims.csv", victims(1, sex="unknown_sex"))
    write_csv(tmp_path / "in" / "entitlements.csv", entitlements(1))
    results = import_paths(engine, [tmp_path / "in"])
    assert [(r.table, r.outcome) for r in results] == [("victims", "rejected"), ("entitlements", "rejected")]
    assert results[1].errors[0].rule == "case_id VC-1 not found in victims"


# ---------------------------------------------------------------- filling from the victim


def test_demographics_and_unit_are_filled_from_the_linked_victim(engine, tmp_path):
    load_parents(engine, tmp_path, "survey_responses")
    survey_rows = [VALID["survey_responses"], row("survey_responses", response_id="SR-2", sex="male", case_id="")]
    assert load_rows(engine, tmp_path, "survey_responses", survey_rows).ok
    assert load_rows(engine, tmp_path, "entitlements", [row("entitlements", unit="")]).ok
    with engine.connect() as conn:
        filled, own = conn.execute(select(SurveyResponse).order_by(SurveyResponse.response_id)).all()
        unit = conn.execute(select(Entitlement.unit)).scalar_one()
    assert (filled.age_band, filled.sex, filled.ethnicity, filled.disability, filled.area, filled.offence_group) == (
        "25-34",
        "female",
        "white",
        "no",
        "Newport",
        "theft",
    )
    assert (own.sex, own.age_band) == ("male", None)
    assert unit == "Newport CID"


# ---------------------------------------------------------------- idempotency and transactions


def test_loading_twice_updates_instead_of_inserting(engine, tmp_path):
    first = load_rows(engine, tmp_path, "victims", victims(4))
    second = load_rows(engine, tmp_path, "victims", victims(4)[:3] + victims(2, start=5))
    assert (first.rows_inserted, first.rows_updated) == (4, 0)
    assert (second.rows_inserted, second.rows_updated) == (2, 3)
    assert count(engine, "victims") == 6
    assert [r[:4] for r in loads(engine)] == [("victims", "loaded", 4, 0), ("victims", "loaded", 2, 3)]
    with engine.connect() as conn:
        load_ids = dict(conn.execute(text("SELECT case_id, load_id FROM victims")).all())
    assert load_ids == {"VC-1": second.load_id, "VC-2": second.load_id, "VC-3": second.load_id,
                        "VC-4": first.load_id, "VC-5": second.load_id, "VC-6": second.load_id}  # fmt: skip


def test_reloading_an_edited_table_bumps_its_version(engine, tmp_path):
    load_rows(engine, tmp_path, "actions", [VALID["actions"]])
    load_rows(engine, tmp_path, "actions", [row("actions", status="at_risk")])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status, version FROM actions")).one() == ("at_risk", 2)


def test_a_fault_mid_load_leaves_the_database_as_it_was(engine, tmp_path, monkeypatch):
    load_rows(engine, tmp_path, "victims", victims(3, unit="Before"))
    before = snapshot(engine)
    real = ingest_write.write_chunk
    calls = []

    def fail_after_first(writer, values):
        if calls:
            raise OSError("disk full")
        calls.append(len(values))
        real(writer, values)

    monkeypatch.setattr(ingest_write, "write_chunk", fail_after_first)
    result = load_rows(engine, tmp_path, "victims", victims(3, unit="After") + victims(4, start=4), chunk_rows=2)
    assert calls == [2]  # the first chunk was written inside the transaction before the fault
    assert result.outcome == "failed" and not result.ok and "disk full" in result.message
    assert snapshot(engine) == before
    assert loads(engine)[-1] == ("victims", "failed", 0, 0, 0)


KILL_AFTER_FIRST_CHUNK = """
import os, signal, sys
from pathlib import Path
from data import ingest_write
from data.engine import make_engine
from data.ingest import import_paths

real = ingest_write.write_chunk

def write_then_die(writer, values):
    real(writer, values)
    os.kill(os.getpid(), signal.SIGKILL)

ingest_write.write_chunk = write_then_die
import_paths(make_engine(sys.argv[1]), [Path(sys.argv[2])], chunk_rows=2)
"""


def test_a_killed_process_mid_load_leaves_the_database_as_it_was(db_url, engine, tmp_path):
    load_rows(engine, tmp_path, "victims", victims(3, unit="Before"))
    before = snapshot(engine)
    path = write_csv(tmp_path / "killed" / "victims.csv", victims(3, unit="After") + victims(4, start=4))
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_FIRST_CHUNK, db_url, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert snapshot(engine) == before
    assert [r[1] for r in loads(engine)] == ["loaded"]  # a killed load leaves no trace, not even its own record


def test_a_rejected_file_leaves_nothing_written_even_after_clean_chunks(engine, tmp_path):
    rows = victims(6) + [row("victims", case_id="VC-7", outcome="maybe")]
    result = load_rows(engine, tmp_path, "victims", rows, chunk_rows=2)
    assert [(e.row, e.column) for e in result.errors] == [(8, "outcome")]
    assert count(engine, "victims") == 0
    assert loads(engine) == [("victims", "rejected", 0, 0, 1)]


def test_errors_beyond_the_first_thousand_are_counted_not_listed(engine, tmp_path):
    rows = victims(MAX_ERRORS + 200, sex="x")
    result = load_rows(engine, tmp_path, "victims", rows, chunk_rows=500)
    assert len(result.errors) == MAX_ERRORS and result.error_count == MAX_ERRORS + 200
    assert result.errors[-1].row == MAX_ERRORS + 1
    assert loads(engine) == [("victims", "rejected", 0, 0, MAX_ERRORS + 200)]
    assert "and 200 more errors not listed" in format_report([result])


# ---------------------------------------------------------------- workbooks and uploads


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file with the given sheets (first row = header)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_workbook_with_several_tables_loads_in_dependency_order(engine, tmp_path):
    victim = dict(VALID["victims"])
    cells = {**victim, "reported_date": dt.datetime(2023, 1, 5), "recorded_date": dt.date(2023, 1, 6),
             "domestic_abuse": False, "hate_crime": True, "outcome_date": dt.datetime(2023, 3, 1, 14, 30)}  # fmt: skip
    ent = {**VALID["entitlements"], "declined": 0}
    content = _workbook({
        "entitlements": [list(ent), list(ent.values())],  # before victims in the book: loaded after them
        "notes": [["anything"], ["else"]],
        "victims": [list(cells), list(cells.values())],
    })  # fmt: skip
    (tmp_path / "extract.xlsx").write_bytes(content)
    results = import_paths(engine, [tmp_path / "extract.xlsx"])
    assert [(r.table, r.file_name, r.ok) for r in results] == [
        ("victims", "extract.xlsx:victims", True),
        ("entitlements", "extract.xlsx:entitlements", True),
    ]
    with engine.connect() as conn:
        v = conn.execute(select(Victim)).one()
    assert (v.reported_date, v.outcome_date, v.hate_crime) == (dt.date(2023, 1, 5), dt.date(2023, 3, 1), True)


def test_import_bytes_and_load_frame_use_the_same_rules(engine, tmp_path):
    csv_bytes = write_csv(tmp_path / "victims.csv", victims(2)).read_bytes()
    [ok] = import_bytes(engine, "victims.csv", csv_bytes, loaded_by="analyst.one")
    assert ok.ok and ok.rows_inserted == 2
    frame = pd.DataFrame(entitlements(3), dtype="str")
    frame.loc[2, "code"] = "NOT_A_CODE"
    bad = load_frame(engine, "entitlements", frame, file_name="up.csv", sha256="0" * 64, loaded_by="analyst.one")
    assert [(e.row, e.column, e.value) for e in bad.errors] == [(4, "code", "NOT_A_CODE")]
    [unknown] = import_bytes(engine, "stuff.csv", b"a,b\n1,2\n", loaded_by="analyst.one")
    assert not unknown.ok and "does not name a table" in unknown.errors[0].rule
    [chosen] = import_bytes(engine, "export (3).csv", csv_bytes, loaded_by="analyst.one", table="victims")
    assert (chosen.table, chosen.rows_updated) == ("victims", 2)
    with engine.connect() as conn:
        by = conn.execute(select(Load.loaded_by).distinct()).scalars().all()
    assert by == ["analyst.one"]


def test_report_and_errors_frame(engine, tmp_path):
    good = load_rows(engine, tmp_path, "victims", victims(1))
    bad = load_rows(engine, tmp_path, "victims", victims(1, start=2, sex="x", age_band=""))
    report = format_report([good, bad])
    assert "victims.csv -> victims: LOADED — 1 inserted, 0 updated" in report
    assert "victims.csv row 2, column age_band: required" in report
    frame = errors_frame([good, bad])
    assert frame[["row", "column", "rule"]].values.tolist() == [
        [2, "age_band", "required"],
        [2, "sex", "must be one of: female, male, other, unknown"],
    ]


def test_non_utf8_file_is_rejected_with_a_reason(engine, tmp_path):
    path = tmp_path / "victims.csv"
    path.write_bytes(",".join(VALID["victims"]).encode() + b"\n" + ",".join(VALID["victims"].values()).encode("utf-16"))
    [result] = import_paths(engine, [path])
    assert result.outcome == "rejected" and "UTF-8" in result.errors[0].rule


# ---------------------------------------------------------------- as-of dates


def test_as_of_comes_from_the_option_then_as_of_txt_then_the_data(engine, tmp_path):
    folder = tmp_path / "extract"
    rows = victims(2, reported_date="2023-04-01", recorded_date="", outcome_date="2023-05-02")
    rows[1] |= {"reported_date": "2023-04-20", "outcome": "ongoing", "outcome_date": ""}
    write_csv(folder / "victims.csv", rows)
    [from_data] = import_paths(engine, [folder])
    assert from_data.as_of == dt.date(2023, 5, 2)  # the latest period date (reported or outcome)
    (folder / "as_of.txt").write_text("2023-06-30\n")
    [from_file] = import_paths(engine, [folder])
    [from_option] = import_paths(engine, [folder], as_of=dt.date(2023, 7, 31))
    assert from_data.ok and from_file.ok and from_option.ok
    assert (from_file.as_of, from_option.as_of) == (dt.date(2023, 6, 30), dt.date(2023, 7, 31))
    assert latest_as_of(engine) == dt.date(2023, 7, 31)


def test_as_of_from_the_data_is_capped_at_today(engine, tmp_path):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    load_parents(engine, tmp_path, "witnesses")
    result = load_rows(engine, tmp_path, "witnesses", [row("witnesses", trial_date=future)])
    assert result.as_of == dt.date.today()


def test_latest_as_of_ignores_failed_loads(engine, tmp_path):
    assert latest_as_of(engine) is None
    load_rows(engine, tmp_path, "victims", victims(1), as_of=dt.date(2024, 1, 31))
    load_rows(engine, tmp_path, "victims", victims(1, sex="x"), as_of=dt.date(2024, 2, 29))
    assert latest_as_of(engine) == dt.date(2024, 1, 31)
