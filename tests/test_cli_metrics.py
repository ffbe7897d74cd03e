"""`cli.py metrics` (METRICS.md §6) end to end on SQLite and PostgreSQL, and the queries behind it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from cli import app
from data import queries
from data.models import Entitlement, Load, PoliceUkStreet, Referral, SurveyResponse, Target, Victim

D = dt.date.fromisoformat
# Every measure of the catalogue: the 75 of METRICS.md with Right to Review's two codes and probation's release
# information (test_catalogue.py), the 34 generated duty ones (1 + 12 rights + 21 codes) and EXC_SHARE (§1).
MEASURES = 75 + 34 + 1 + 15  # + STATUTORY.md §3-§6: 2 quality, 1 response, 3 gaps and report-again, 8 needs
HEADER = ("metric_id,portfolio_id,group,group_value,period_start,period_end,numerator,denominator,value,ci_low,"
          "ci_high,suppressed,target,rag")  # fmt: skip
VICTIM = {
    "crime_ref": "CR-1", "reported_date": D("2024-02-20"), "recorded_date": None, "offence_group": "theft",
    "domestic_abuse": False, "hate_crime": False, "enhanced_rights": False, "enhanced_reason": None,
    "age_band": "25-34", "sex": "female", "ethnicity": "white", "disability": "no", "preferred_language": "en",
    "area": "Newport", "unit": "Victim Care Unit", "outcome": "ongoing", "outcome_date": None,
}  # fmt: skip
# The instances of tests/test_measures_vcop.py, worked there by hand (as at 30 April 2024).
INSTANCES = [
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-11", False, None, None),  # timely
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-12", False, None, None),  # late
    ("VC-1", "R6_SUSPECT_UPDATE", "2024-03-01", "2024-03-05", False, None, None),  # timely (standard)
    ("VC-1", "R6_DECISION_UPDATE", "2024-03-06", None, False, None, None),  # missed
    ("VC-1", "R4_REFERRAL", "2024-03-28", "2024-04-03", False, None, None),  # timely over Easter
    ("VC-1", "R7_VPS_OFFERED", "2024-03-05", "2024-03-05", False, None, None),  # timely
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-11", None, True, None, None),  # declined
    ("VC-2", "R6_SUSPECT_UPDATE", "2024-03-01", "2024-03-05", False, None, None),  # late (enhanced)
    ("VC-2", "R6_CPS_DECISION", "2024-03-07", "2024-03-08", False, None, "CPS Wales"),  # timely
    ("VC-2", "R2_RECORDED", "2024-03-01", "2024-03-04", False, None, None),  # late (calendar days)
    ("VC-2", "R3_WRITTEN_ACK", "2024-02-29", "2024-02-29", False, None, None),  # February: timely
    ("VC-2", "R3_WRITTEN_ACK", "2024-04-02", "2024-04-02", False, None, None),  # April
    ("VC-3", "R1_NEEDS_COMMS", "2024-03-04", "2024-03-05", False, "cy", None),  # timely, in Welsh
    ("VC-3", "R1_NEEDS_COMMS", "2024-03-11", "2024-03-11", False, "en", None),  # timely, in English
    ("VC-3", "R3_WRITTEN_ACK", "2024-03-11", None, False, None, None),  # missed (pending on 15 March)
]


@pytest.fixture
def loaded(engine):
    """The hand-built dataset inserted with SQLAlchemy; the latest load says the data is as at 30 April 2024."""
    victims = [
        {"case_id": "VC-1", **VICTIM, "domestic_abuse": True},
        {"case_id": "VC-2", **VICTIM, "enhanced_rights": True, "enhanced_reason": "vulnerable", "area": "Torfaen",
         "offence_group": "sexual_offences"},
        {"case_id": "VC-3", **VICTIM, "preferred_language": "cy"},
    ]  # fmt: skip
    instances = [
        {"entitlement_id": f"E{i}", "case_id": c, "code": code, "trigger_date": D(t), "delivered_date": d and D(d),
         "declined": x, "language": lang, "unit": unit}
        for i, (c, code, t, d, x, lang, unit) in enumerate(INSTANCES)
    ]  # fmt: skip
    answers = [7, 6, 5, 5, 6, 5, 4, 3, 2, 1]  # 6 satisfied of 10
    surveys = [
        {"response_id": f"S{i}", "case_id": "VC-1" if i < 5 else None, "survey_date": D("2024-03-15"),
         "q_whole_experience": a, "ethnicity": "white", "area": "Newport"}
        for i, a in enumerate(answers)
    ]  # fmt: skip
    referrals = [
        {"referral_id": "R1", "case_id": "VC-1", "referral_date": D("2024-03-04"), "source": "police", "area": None},
        {"referral_id": "R2", "case_id": None, "referral_date": D("2024-03-05"), "source": "self", "area": "Torfaen"},
    ]
    street = [
        {"file_month": "2024-03", "falls_within": "Gwent Police", "crime_id": "X1", "month": "2024-03",
         "local_authority": "Newport", "crime_type": "Burglary", "last_outcome": "Unable to prosecute suspect"},
        {"file_month": "2024-03", "falls_within": "Gwent Police", "crime_id": "X2", "month": "2024-03",
         "local_authority": "Torfaen", "crime_type": "Robbery", "last_outcome": "Under investigation"},
        {"file_month": "2024-03", "falls_within": "Gwent Police", "crime_id": None, "month": "2024-03",
         "local_authority": "Torfaen", "crime_type": "Anti-social behaviour", "last_outcome": None},
    ]  # fmt: skip
    load = {"table_name": "victims", "file_name": "victims.csv", "sha256": "0" * 64, "loaded_by": "test",
            "loaded_at": dt.datetime(2024, 5, 1, 9), "outcome": "loaded", "as_of_date": D("2024-04-30")}  # fmt: skip
    older = {**load, "loaded_at": dt.datetime(2024, 4, 1, 9), "as_of_date": D("2024-03-31")}
    target = {"metric_id": "SAT_WHOLE", "portfolio_id": None, "target": 0.5, "valid_from": D("2024-01-01"),
              "set_by": "analyst", "set_at": dt.datetime(2024, 1, 1)}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Load), [older, load])
        conn.execute(insert(Victim), victims)
        conn.execute(insert(Entitlement), instances)
        conn.execute(insert(SurveyResponse), surveys)
        conn.execute(insert(Referral), referrals)
        conn.execute(insert(PoliceUkStreet), street)
        conn.execute(insert(Target), [target])
    return engine


def metrics(db_url, monkeypatch, *args):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return CliRunner().invoke(app, ["metrics", *args])


def table(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    return {(r["metric_id"], r["group_value"]): r for r in rows}, rows


def test_every_measure_one_row_with_exact_columns(loaded, db_url, monkeypatch):
    result = metrics(db_url, monkeypatch, "--from", "2024-03-01", "--to", "2024-03-31")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == HEADER
    by_id, rows = table(result.stdout)
    assert len(rows) == MEASURES and {r["group"] for r in rows} == {"all"}
    assert {r["portfolio_id"] for r in rows} == {"vcop"}
    overall = by_id[("VCOP_OVERALL", "all")]
    assert (overall["period_start"], overall["period_end"]) == ("2024-03-01", "2024-03-31")
    assert (overall["numerator"], overall["denominator"], overall["suppressed"]) == ("7", "12", "false")
    assert float(overall["value"]) == pytest.approx(7 / 12)
    # Wilson 95% for 7/12: centre 0.56313, half-width 0.24362.
    assert (float(overall["ci_low"]), float(overall["ci_high"])) == (pytest.approx(0.3195, abs=1e-4),
                                                                     pytest.approx(0.8068, abs=1e-4))  # fmt: skip
    assert (overall["target"], overall["rag"]) == ("0.9", "red")
    r3 = by_id[("VCOP_R3_WRITTEN_ACK", "all")]
    assert (r3["numerator"], r3["denominator"], r3["suppressed"], r3["value"], r3["ci_low"], r3["rag"]) == (
        "1", "3", "true", "", "", "")  # fmt: skip
    assert by_id[("WL_CY_DELIVERED_IN_CY", "all")]["numerator"] == "1"
    referrals = by_id[("CG_REFERRALS", "all")]
    assert (referrals["numerator"], referrals["denominator"], referrals["value"], referrals["rag"]) == (
        "2",
        "",
        "2",
        "",
    )
    satisfaction = by_id[("SAT_WHOLE", "all")]
    assert (satisfaction["numerator"], satisfaction["denominator"], satisfaction["value"]) == ("6", "10", "0.6")
    assert (satisfaction["target"], satisfaction["rag"]) == ("0.5", "green")  # the targets table's 0.5
    assert by_id[("PUB_CRIMES", "all")]["numerator"] == "2"
    assert by_id[("PUB_UNABLE_TO_PROSECUTE", "all")][("numerator")] == "1"


def test_by_month(loaded, db_url, monkeypatch):
    result = metrics(db_url, monkeypatch, "--from", "2024-02-01", "--to", "2024-03-31", "--by", "month")
    assert result.exit_code == 0, result.output
    by_id, rows = table(result.stdout)
    assert len(rows) == MEASURES * 2 and {r["group"] for r in rows} == {"month"}
    assert by_id[("VCOP_OVERALL", "2024-02")]["numerator"] == "1"
    assert by_id[("VCOP_OVERALL", "2024-02")]["period_end"] == "2024-02-29"
    assert (by_id[("VCOP_OVERALL", "2024-03")]["numerator"], by_id[("VCOP_OVERALL", "2024-03")]["denominator"]) == (
        "7", "12")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "group", "expected"),
    [
        (["--by", "area"], "area", {"Newport": ("6", "9"), "Torfaen": ("1", "3")}),
        (["--by", "enhanced_rights"], "enhanced_rights", {"true": ("1", "3"), "false": ("6", "9")}),
        (["--by", "unit"], "unit", {"CPS Wales": ("1", "1"), "Victim Care Unit": ("6", "11")}),
        # VC-3 prefers Welsh (m, n timely; o missed); VC-1 and VC-2 English (a c e f i timely of a b c d e f h i j)
        (["--by", "preferred_language"], "preferred_language", {"cy": ("2", "3"), "en": ("5", "9")}),
        (["--portfolio", "vawg_da"], "all", {"all": ("4", "6")}),
        (["--portfolio", "rasso", "--by", "area"], "area", {"Torfaen": ("1", "3")}),
        (["--as-of", "2024-03-15"], "all", {"all": ("6", "10")}),  # e not yet triggered; o pending
    ],
)
def test_cuts_cohorts_and_as_of(loaded, db_url, monkeypatch, args, group, expected):
    result = metrics(db_url, monkeypatch, "--from", "2024-03-01", "--to", "2024-03-31", *args)
    assert result.exit_code == 0, result.output
    rows = [r for r in table(result.stdout)[1] if r["metric_id"] == "VCOP_OVERALL"]
    assert {r["group_value"]: (r["numerator"], r["denominator"]) for r in rows} == expected
    assert {r["group"] for r in rows} == {group}


def test_non_case_measures_ignore_the_cohort(loaded, db_url, monkeypatch):
    result = metrics(db_url, monkeypatch, "--from", "2024-03-01", "--to", "2024-03-31", "--portfolio", "hate_crime")
    by_id = table(result.stdout)[0]
    assert by_id[("PUB_CRIMES", "all")]["numerator"] == "2"  # police.uk: all crimes
    assert by_id[("CG_REFERRALS", "all")]["numerator"] == "0"  # case-based: no hate crime victims


def test_json_to_a_file(loaded, db_url, monkeypatch, tmp_path):
    out = tmp_path / "metrics.json"
    result = metrics(db_url, monkeypatch, "--from", "2024-03-01", "--to", "2024-03-31", "--format", "json",
                     "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    records = {r["metric_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert len(records) == MEASURES and list(records["VCOP_OVERALL"]) == HEADER.split(",")
    assert (records["VCOP_OVERALL"]["numerator"], records["VCOP_OVERALL"]["suppressed"]) == (7, False)
    assert records["VCOP_R3_WRITTEN_ACK"]["value"] is None and records["VCOP_R3_WRITTEN_ACK"]["suppressed"] is True
    assert records["CG_REFERRALS"]["denominator"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--portfolio", "nope"], "unknown portfolio 'nope'"),
        (["--by", "colour"], "--by: 'colour' is not one of month"),
        (["--format", "xml"], "--format: 'xml' is not csv or json"),
    ],
)
def test_bad_options_exit_2(loaded, db_url, monkeypatch, args, message):
    result = metrics(db_url, monkeypatch, "--from", "2024-03-01", "--to", "2024-03-31", *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_to_before_from_exits_2(db_url, monkeypatch):
    result = metrics(db_url, monkeypatch, "--from", "2024-03-31", "--to", "2024-03-01")
    assert result.exit_code == 2 and "before --from" in result.stderr


def test_latest_as_of_is_the_latest_successful_load(loaded):
    assert queries.latest_as_of(loaded) == dt.date(2024, 4, 30)


def test_entitlement_frame_types_and_cohort_pushed_into_sql(loaded):
    every = queries.entitlement_frame(loaded, "2024-03-01", "2024-03-31")
    assert len(every) == 13 and str(every["trigger_date"].dtype) == "datetime64[s]"
    assert str(every["declined"].dtype) == "boolean" and every["code"].dtype == "category"
    da = queries.entitlement_frame(loaded, "2024-03-01", "2024-03-31", {"domestic_abuse": True})
    assert set(da["case_id"]) == {"VC-1"} and len(da) == 7
    sexual = queries.entitlement_frame(loaded, "2024-03-01", "2024-03-31", {"offence_group": ["sexual_offences"]})
    assert set(sexual["case_id"]) == {"VC-2"}


def test_unlinked_rows_qualify_on_their_own_columns(loaded):
    in_torfaen = queries.referral_frame(loaded, "2024-03-01", "2024-03-31", {"area": ["Torfaen"]})
    assert list(in_torfaen["referral_id"]) == ["R2"]  # the self-referral carries its own area
    domestic_abuse = queries.referral_frame(loaded, "2024-03-01", "2024-03-31", {"domestic_abuse": True})
    assert domestic_abuse["referral_id"].tolist() == ["R1"]  # unlinked rows carry no domestic_abuse flag


def test_metric_frames_of_an_empty_database(engine):
    frames = queries.metric_frames(engine, "2024-01-01", "2024-03-31")
    assert all(len(f) == 0 for f in frames.values())
    assert queries.latest_as_of(engine) is None


def test_chunks_are_typed_and_joined(loaded, monkeypatch):
    """A fetch in several chunks (one of them with no language at all) gives the same frame as one chunk."""
    whole = queries.entitlement_frame(loaded, "2024-02-01", "2024-04-30")
    monkeypatch.setattr(queries, "CHUNK", 4)
    chunked = queries.entitlement_frame(loaded, "2024-02-01", "2024-04-30")
    assert chunked["language"].dtype == "category" and chunked["code"].dtype == "category"
    assert (
        chunked.astype(str)
        .sort_values(list(chunked.columns))
        .reset_index(drop=True)
        .equals(whole.astype(str).sort_values(list(whole.columns)).reset_index(drop=True))
    )
    assert len(whole) == 15


SCORECARD_HEADER = ("portfolio_id,metric_id,name,value,ci_low,ci_high,numerator,denominator,suppressed,target,rag,"
                    "variation,assurance,change,change_significant")  # fmt: skip


def test_scorecard_rows_to_a_file(loaded, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "scorecard.csv"
    result = CliRunner().invoke(app, ["scorecard", "--portfolio", "vcop", "--as-of", "2024-04-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == SCORECARD_HEADER
    rows = {r["metric_id"]: r for r in csv.DictReader(io.StringIO("\n".join(lines)))}
    assert {r["portfolio_id"] for r in rows.values()} == {"vcop"}
    # May 2023 – April 2024: March's 7 of 12, February's 1 of 1 and April's 1 of 1 (worked in test_measures_vcop).
    overall = rows["VCOP_OVERALL"]
    assert (overall["numerator"], overall["denominator"], overall["suppressed"]) == ("9", "14", "false")
    assert float(overall["value"]) == pytest.approx(9 / 14)
    # Wilson 95% for 9/14: centre 0.61210, half-width 0.22445.
    assert (float(overall["ci_low"]), float(overall["ci_high"])) == (pytest.approx(0.3877, abs=1e-4),
                                                                     pytest.approx(0.8365, abs=1e-4))  # fmt: skip
    assert (overall["target"], overall["rag"]) == ("0.9", "red")
    # No earlier 12 months of data: no change; fewer than two monthly points: no SPC reading.
    assert (overall["change"], overall["change_significant"], overall["variation"]) == ("", "", "")
    assert f"{len(rows)} rows written" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--portfolio", "nosuch"], "--portfolio: 'nosuch' is not all or one of"),
        (["--portfolio", "all", "--format", "xml"], "--format: 'xml' is not csv or json"),
        (["--portfolio", "all", "--as-of", "31/10/2026"], "--as-of: '31/10/2026' is not a date"),
    ],
)
def test_scorecard_bad_options_exit_2(loaded, db_url, monkeypatch, args, message):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["scorecard", *args])
    assert result.exit_code == 2 and message in result.stderr
