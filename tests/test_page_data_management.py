"""The data management page: who may open it, uploads through the loader, reports, freshness and history."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from auth.demo import DEMO_ACCOUNTS
from auth.roles import PAGES, Scope
from config.i18n import catalogue
from data.history import SOURCES, freshness_status, load_history
from data.ingest import errors_frame
from data.models import Entitlement, PoliceUkOutcome, Victim
from tests.apptest_support import can_open, sign_in
from tests.conftest import POLICEUK_DIR
from tests.download_support import click_download, media_fixture  # noqa: F401 (the media fixture)
from ui import uploads
from ui.uploads import load_order, process_uploads

APP = "../app.py"
PAGE = "app_pages/data_management.py"
PASSWORD = {username: password for username, _name, password, _roles, _ports in DEMO_ACCOUNTS}
ROLES = {username: roles for username, _name, _pw, roles, _ports in DEMO_ACCOUNTS}
VICTIM_HEADER = (
    "case_id,crime_ref,reported_date,offence_group,domestic_abuse,hate_crime,enhanced_rights,enhanced_reason,"
    "age_band,sex,ethnicity,disability,preferred_language,area,unit,outcome,outcome_date"
)
# Two valid victims (DATA_CONTRACT.md): an ongoing theft, and a charged burglary of an enhanced-rights victim.
VICTIMS = (
    VICTIM_HEADER
    + "\nVC-0000001,CR-1,2025-03-04,theft,no,no,no,,25-34,female,white,no,en,Newport,CID,ongoing,"
    + "\nVC-0000002,CR-2,2025-04-10,burglary,yes,no,yes,vulnerable,65+,male,asian,yes,cy,Torfaen,CID,charged,"
    + "2025-05-01\n"
).encode()
# The same two, with row 3 (header = row 1) naming an offence group the contract does not have.
BAD_VICTIMS = VICTIMS.replace(b",burglary,", b",=burglary,")
ENTITLEMENTS = b"entitlement_id,case_id,code,trigger_date,delivered_date\nE-1,VC-0000001,R2_RECORDED,2025-03-05,\n"


def open_page(username: str = "analyst") -> AppTest:
    at = sign_in(username)
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def upload(at: AppTest, files: list[tuple[str, bytes]], as_of: dt.date | None = None) -> AppTest:
    uploader = at.file_uploader(key="vsd_dm_files")
    for name, content in files:
        uploader.upload(name, content, "text/csv")
    if as_of is not None:
        at.date_input(key="vsd_dm_as_of").set_value(as_of)
    return at.button(key="vsd_dm_submit").click().run()


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_only_analysts_and_admins_reach_the_page(app_engine):
    assert PAGES["data_management"] == {"analyst", "admin"}
    for username, roles in ROLES.items():
        at = sign_in(username)
        allowed = bool(set(roles) & {"analyst", "admin"})
        assert can_open(at, PAGE) is allowed, username
        if allowed:
            at.run()
            assert not at.exception and not at.error
            assert at.title[0].value == "Data management"


ROLE_CASES = [
    (["lead"], False), (["board"], False), (["inspector"], False), (["analyst"], True), (["admin"], True),
    (["board", "analyst"], True),
]  # fmt: skip


@pytest.mark.parametrize(("roles", "allowed"), ROLE_CASES)
def test_require_page_refuses_other_roles_even_when_the_file_is_run_directly(app_engine, roles, allowed):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=30)
    at.session_state["vsd_scope"] = Scope.for_user("someone", roles, ["vawg_da"])
    at.run()
    assert not at.exception
    refused = [e.value for e in at.error] == ["You do not have access to this page."]
    assert refused is not allowed
    assert (len(at.file_uploader) == 1) is allowed


def test_nobody_signed_in_sees_nothing(app_engine):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=30).run()
    assert not at.exception
    assert len(at.title) == 0 and len(at.file_uploader) == 0


def test_analyst_uploads_valid_victims_and_the_rows_are_stored(app_engine):
    at = open_page("analyst")
    assert at.file_uploader(key="vsd_dm_files").allowed_type == [".csv", ".xlsx"]
    assert at.info[0].value == "No as-of date yet: no data extract has been loaded."
    at = upload(at, [("victims.csv", VICTIMS)])
    assert not at.exception
    assert [s.value for s in at.success] == ["victims.csv was loaded into Victims. Rows inserted: 2; rows updated: 0."]
    with app_engine.connect() as conn:
        stored = conn.execute(select(Victim.case_id, Victim.offence_group).order_by(Victim.case_id)).all()
    assert stored == [("VC-0000001", "theft"), ("VC-0000002", "burglary")]
    summary = at.dataframe[0].value
    assert list(summary["Outcome"]) == ["Loaded"]
    assert list(summary["SHA-256 hash"]) == [load_history(app_engine)["sha256"].iloc[0]]
    assert at.info[0].value.startswith("Data are as of 1 May 2025")  # the file's latest period date
    history = at.dataframe[-1].value
    assert list(history["Loaded by"]) == ["analyst"]
    assert list(history["Rows inserted"]) == [2]


def test_as_of_override_is_recorded(app_engine):
    at = upload(open_page("admin"), [("victims.csv", VICTIMS)], as_of=dt.date(2025, 6, 30))
    assert at.success and not at.error
    assert load_history(app_engine)["as_of_date"].tolist() == [dt.date(2025, 6, 30)]
    assert at.info[0].value.startswith("Data are as of 30 June 2025")


def test_bad_row_shows_the_report_and_writes_nothing(app_engine):
    at = upload(open_page("analyst"), [("victims.csv", BAD_VICTIMS)])
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith(
        "victims.csv (Victims) was rejected and nothing from it was stored. Errors found: 1;"
    )
    assert count(app_engine, Victim) == 0
    report = next(d.value for d in at.dataframe if "Rule" in d.value.columns)
    assert report[["File", "Row", "Column", "Value"]].values.tolist() == [
        ["victims.csv", 3, "offence_group", "=burglary"]
    ]
    assert report["Rule"].iloc[0].startswith("must be one of: violence_with_injury")
    assert at.get("download_button")[0].label == "Download the report (CSV)"
    history = load_history(app_engine)
    assert history[["outcome", "error_count", "loaded_by"]].values.tolist() == [["rejected", 1, "analyst"]]


def test_report_download_is_the_report_as_csv_with_formula_cells_neutralised(app_engine, media):
    at = upload(open_page("analyst"), [("victims.csv", BAD_VICTIMS)])
    assert not [n for n, _d in media.stored if n and n.startswith("validation-report")]  # made only on click
    data = click_download(at, "vsd_dm_report_0", media)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["File", "Row", "Column", "Value", "Rule"]
    assert len(rows) == 2
    assert rows[1][:4] == ["victims.csv", "3", "offence_group", "'=burglary"]  # a spreadsheet shows it as text
    assert rows[1][4].startswith("must be one of: violence_with_injury")


def test_fault_in_the_loader_is_logged_and_shown_without_a_trace(app_engine, monkeypatch, caplog):
    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(uploads, "import_bytes", explode)
    at = upload(open_page("analyst"), [("victims.csv", VICTIMS)])
    assert not at.exception
    assert at.error[0].value.startswith("victims.csv (Victims) could not be loaded because of a fault")
    assert "disk on fire" not in at.error[0].value
    assert count(app_engine, Victim) == 0


def test_process_uploads_loads_in_dependency_order(app_engine):
    results = process_uploads(
        app_engine, [("entitlements.csv", ENTITLEMENTS), ("victims.csv", VICTIMS)], None, "analyst"
    )
    assert [(r.table, r.ok, r.rows_inserted) for r in results] == [("victims", True, 2), ("entitlements", True, 1)]
    assert count(app_engine, Entitlement) == 1
    assert set(load_history(app_engine)["loaded_by"]) == {"analyst"}


def test_process_uploads_catches_a_fault_per_file(app_engine, monkeypatch, caplog):
    real = uploads.import_bytes

    def flaky(engine, name, content, **kwargs):
        if name == "entitlements.csv":
            raise OSError("no space left on device")
        return real(engine, name, content, **kwargs)

    monkeypatch.setattr(uploads, "import_bytes", flaky)
    results = process_uploads(
        app_engine, [("victims.csv", VICTIMS), ("entitlements.csv", ENTITLEMENTS)], None, "analyst"
    )
    assert [(r.table, r.outcome) for r in results] == [("victims", "loaded"), ("entitlements", "failed")]
    assert count(app_engine, Entitlement) == 0
    assert "no space left on device" in caplog.text


def test_process_uploads_loads_a_police_uk_file(app_engine):
    path = POLICEUK_DIR / "2022-07-gwent-outcomes.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        data_rows = sum(1 for _ in csv.reader(fh)) - 1
    results = process_uploads(app_engine, [(path.name, path.read_bytes())], None, "analyst")
    assert [(r.table, r.outcome, r.rows_inserted) for r in results] == [("policeuk_outcomes", "loaded", data_rows)]
    assert count(app_engine, PoliceUkOutcome) == data_rows
    assert load_history(app_engine)[["table_name", "loaded_by"]].values.tolist() == [["policeuk_outcomes", "analyst"]]


@pytest.mark.parametrize(
    ("name", "position"),
    [
        ("victims.csv", 0),
        ("entitlements.xlsx", 1),
        ("actions.csv", 13),
        ("book.xlsx", 14),
        ("2024-01-gwent-street.csv", 15),
    ],
)
def test_load_order(name, position):
    assert load_order(name) == position


def test_unreadable_upload_is_rejected_with_a_reason(app_engine):
    results = process_uploads(app_engine, [("victims.xlsx", b"not a workbook")], None, "analyst")
    assert [(r.outcome, r.ok) for r in results] == [("rejected", False)]
    assert "not a readable .xlsx workbook" in results[0].errors[0].rule


def test_process_uploads_loads_a_workbook_with_a_sheet_per_table(app_engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "victims"
    for line in VICTIMS.decode().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    results = process_uploads(app_engine, [("extract.xlsx", buffer.getvalue())], dt.date(2025, 6, 30), "analyst")
    assert [(r.table, r.file_name, r.ok, r.rows_inserted) for r in results] == [
        ("victims", "extract.xlsx:victims", True, 2)
    ]
    assert count(app_engine, Victim) == 2


def test_every_label_the_page_builds_at_run_time_exists_in_both_languages():
    statuses = {freshness_status(None, None, 0), "register", "unknown", "stale", "current"}
    built = [f"data_management.tables.{s.table}" for s in SOURCES] + ["data_management.tables.unknown"]
    built += [f"data_management.outcomes.{o}" for o in ("loaded", "rejected", "failed")]
    built += [f"data_management.status.{s}" for s in statuses]
    built += [f"data_management.report.{c}" for c in errors_frame([]).columns if c != "table"]
    for lang in ("en", "cy"):
        assert [key for key in built if key not in catalogue(lang)] == [], lang


def test_a_source_behind_the_as_of_date_is_flagged(app_engine):
    # Latest reported_date 10 April 2025 against an as-of date of 31 July 2025: three months behind.
    at = upload(open_page("analyst"), [("victims.csv", VICTIMS)], as_of=dt.date(2025, 7, 31))
    assert [w.value for w in at.warning] == [
        "Stale sources (latest data more than 2 months older than the as-of date): Victims."
    ]
    freshness = next(d.value for d in at.dataframe if "Freshness" in d.value.columns).set_index("Source")
    assert freshness.loc["Victims", "Freshness"] == "Stale: latest data 3 months before the as-of date"
    assert freshness.loc["Victims", "Latest data"] == "10 April 2025"
    assert freshness.loc["Victims", "As-of date"] == "31 July 2025"
    assert freshness.loc["Entitlements", "Freshness"] == "No data yet"
