"""Demo generator: contract-exact CSV files, valid references and dates, realistic proportions, determinism."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from data.demo import write_demo

AS_OF = dt.date(2026, 10, 31)

# Written out by hand from DATA_CONTRACT.md (not imported from the generator, so a drift in either shows).
CONTRACT = {
    "victims": "case_id crime_ref reported_date recorded_date offence_group domestic_abuse hate_crime enhanced_rights "
    "enhanced_reason age_band sex ethnicity disability preferred_language area unit outcome outcome_date",
    "entitlements": "entitlement_id case_id code trigger_date delivered_date declined language unit exception_reason",
    "referrals": "referral_id case_id referral_date source first_contact_date needs_assessed_date support_accepted "
    "service closed_date cope_recover_improved age_band sex ethnicity disability area",
    "witnesses": "witness_id case_id is_victim court charge_date plea needs_assessment_date trial_date "
    "required_to_attend attended trial_outcome ineffective_reason witness_service_referred pre_trial_visit",
    "special_measures": "sm_id witness_id eligibility identified_date discussed_date measures sma_quality_assured "
    "application_date decision decision_date",
    "survey_responses": "response_id case_id survey_date mode q_ease_of_contact q_actions_taken q_kept_informed "
    "q_treatment q_whole_experience q_aware_of_code q_would_report_again age_band sex ethnicity disability area "
    "offence_group",
    "engagement_events": "event_id event_date forum topic portfolio participants new_participants",
    "feedback_items": "feedback_id event_id received_date theme portfolio summary status decision_date "
    "implemented_date we_did fed_back_date",
    "recommendations": "rec_id source published_date kind reference text portfolio owner due_date status closed_date "
    "report_id",
    "actions": "action_id title description portfolio owner source_type source_ref created_date due_date status "
    "completed_date",
    # Contract v2 (STATUTORY.md §3, §4, §6)
    "quality_reviews": "review_id entitlement_id review_date result failed_criteria",
    "referral_needs": "referral_id need improved",
    "inspections": "report_id body title published_date response_published_date",
    "inspection_grades": "report_id question grade",
}
KEYS = {
    "victims": "case_id",
    "entitlements": "entitlement_id",
    "referrals": "referral_id",
    "witnesses": "witness_id",
    "special_measures": "sm_id",
    "survey_responses": "response_id",
    "engagement_events": "event_id",
    "feedback_items": "feedback_id",
    "recommendations": "rec_id",
    "actions": "action_id",
    "quality_reviews": "review_id",
    "inspections": "report_id",
}
AGE = "0-17 18-24 25-34 35-44 45-54 55-64 65+ unknown"
SEX = "female male other unknown"
ETHNICITY = "white mixed asian black other unknown"
AREA = "Blaenau Gwent|Caerphilly|Monmouthshire|Newport|Torfaen"
OFFENCE = (
    "violence_with_injury violence_without_injury stalking_harassment sexual_offences robbery burglary "
    "vehicle_offences theft criminal_damage_arson public_order other"
)
CODES = (
    "R1_NEEDS_COMMS R2_RECORDED R3_WRITTEN_ACK R4_NEEDS_ASSESSMENT R4_REFERRAL R5_COMPENSATION_INFO R6_SUSPECT_UPDATE "
    "R6_DECISION_UPDATE R6_CPS_DECISION R7_VPS_OFFERED R8_HEARING_INFO R8_EVIDENCE_REQUIRED R8_BAIL_OUTCOME "
    "R8_SM_OUTCOME R9_OUTCOME_INFO R10_EXPENSES_INFO R11_VCS_REFERRAL R12_COMPLAINT_RESPONSE R6_VRR_ACK R6_VRR_DECISION"
)
EXCEPTION_REASONS = (
    "victim_uncontactable victim_asked_other_route safeguarding_risk operational_risk delivered_by_other_agency "
    "other_documented"
)
PORTFOLIOS = (
    "vcop vawg_da rasso hate_crime victim_care witness_care special_measures connect_gwent survivor_voice "
    "victims_first inspection"
)
BOOL = "true false"
OUTCOME = (
    "ongoing charged out_of_court evidential_victim_declined evidential_other no_suspect not_in_public_interest other"
)
SERVICE = "emotional_support isva idva counselling practical advocacy children_young_people other"
ELIGIBILITY = "s16_vulnerable s17_intimidated s17_4_sexual_or_slavery s17_4A_domestic_abuse s17_5_weapons not_eligible"
FORUM = "survivor_network victim_reference_group consultation scrutiny_panel training_codelivery"
# (table, column, allowed values, required)
ENUMS = [
    ("victims", "offence_group", OFFENCE, True),
    ("victims", "domestic_abuse", BOOL, True),
    ("victims", "hate_crime", BOOL, True),
    ("victims", "enhanced_rights", BOOL, True),
    ("victims", "enhanced_reason", "most_serious persistently_targeted vulnerable intimidated", False),
    ("victims", "age_band", AGE, True),
    ("victims", "sex", SEX, True),
    ("victims", "ethnicity", ETHNICITY, True),
    ("victims", "disability", "yes no unknown", True),
    ("victims", "preferred_language", "en cy other unknown", True),
    ("victims", "area", AREA, True),
    ("victims", "outcome", OUTCOME, True),
    ("entitlements", "code", CODES, True),
    ("entitlements", "exception_reason", EXCEPTION_REASONS, False),
    ("entitlements", "declined", BOOL, False),
    ("entitlements", "language", "en cy", False),
    ("referrals", "source", "police self partner", True),
    ("referrals", "support_accepted", BOOL, False),
    ("referrals", "service", SERVICE, False),
    ("referrals", "cope_recover_improved", BOOL, False),
    ("referrals", "age_band", AGE, False),
    ("referrals", "sex", SEX, False),
    ("referrals", "ethnicity", ETHNICITY, False),
    ("referrals", "area", AREA, False),
    ("witnesses", "is_victim", BOOL, True),
    ("witnesses", "court", "magistrates crown", True),
    ("witnesses", "plea", "guilty not_guilty none_yet", False),
    ("witnesses", "required_to_attend", BOOL, False),
    ("witnesses", "attended", BOOL, False),
    ("witnesses", "trial_outcome", "effective cracked ineffective vacated", False),
    ("witnesses", "ineffective_reason", "prosecution_witness_absent defence court other", False),
    ("witnesses", "witness_service_referred", BOOL, False),
    ("witnesses", "pre_trial_visit", BOOL, False),
    ("special_measures", "eligibility", ELIGIBILITY, True),
    ("special_measures", "sma_quality_assured", BOOL, False),
    ("special_measures", "decision", "granted partly_granted refused withdrawn pending", False),
    ("survey_responses", "mode", "phone online sms paper", False),
    ("survey_responses", "q_whole_experience", "1 2 3 4 5 6 7", False),
    ("survey_responses", "q_kept_informed", "1 2 3 4 5 6 7", False),
    ("survey_responses", "q_aware_of_code", BOOL, False),
    ("survey_responses", "q_would_report_again", BOOL, False),
    ("engagement_events", "forum", FORUM, True),
    ("engagement_events", "portfolio", PORTFOLIOS, False),
    ("feedback_items", "status", "received accepted not_accepted implemented", True),
    ("feedback_items", "portfolio", PORTFOLIOS, False),
    ("recommendations", "kind", "cause_of_concern recommendation area_for_improvement", True),
    ("recommendations", "status", "open in_progress evidence_submitted closed discharged", True),
    ("recommendations", "portfolio", PORTFOLIOS, True),
    ("actions", "source_type", "metric recommendation feedback board other", True),
    ("actions", "status", "not_started on_track at_risk off_track complete closed", True),
    ("actions", "portfolio", PORTFOLIOS, True),
]
# (table, later column, earlier column): the contract's ≥ rules plus the journey's own order
DATE_ORDER = [
    ("victims", "recorded_date", "reported_date"),
    ("victims", "outcome_date", "reported_date"),
    ("entitlements", "delivered_date", "trigger_date"),
    ("referrals", "first_contact_date", "referral_date"),
    ("referrals", "needs_assessed_date", "referral_date"),
    ("referrals", "closed_date", "referral_date"),
    ("special_measures", "decision_date", "application_date"),
    ("special_measures", "discussed_date", "identified_date"),
    ("witnesses", "trial_date", "charge_date"),
    ("feedback_items", "decision_date", "received_date"),
    ("feedback_items", "implemented_date", "decision_date"),
    ("feedback_items", "fed_back_date", "decision_date"),
    ("recommendations", "closed_date", "published_date"),
    ("actions", "due_date", "created_date"),
    ("actions", "completed_date", "created_date"),
]
FORBIDDEN = set(
    "name first_name forename surname last_name full_name address street postcode post_code date_of_birth dob phone "
    "telephone mobile email nhs_number ni_number national_insurance".split()
)


def _read(directory) -> dict[str, pd.DataFrame]:
    """Every table as strings, empty cells as None."""
    tables = {}
    for name in CONTRACT:
        frame = pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False)
        tables[name] = frame.replace("", None)
    return tables


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """3,000 victims in chunks of 1,000 (so chunk boundaries are crossed), the default as-of date."""
    out = tmp_path_factory.mktemp("demo_small")
    rows = write_demo(out, cases=3000, seed=11, chunk_size=1000)
    return out, rows, _read(out)


def _days(series: pd.Series) -> np.ndarray:
    """ISO dates as datetime64[D]; None as NaT."""
    return pd.to_datetime(series, format="%Y-%m-%d").to_numpy().astype("datetime64[D]")


# ---------------------------------------------------------------- shape of the files


@pytest.mark.parametrize("table", list(CONTRACT))
def test_header_is_exactly_the_contract_columns(small, table):
    out, _, _ = small
    header = (out / f"{table}.csv").read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert header == ",".join(CONTRACT[table].split())


def test_reported_row_counts_match_the_files_and_every_table_has_rows(small):
    _, rows, tables = small
    assert rows == {name: len(frame) for name, frame in tables.items()}
    assert all(count > 0 for count in rows.values())
    assert rows["victims"] == 3000
    assert 8.0 <= rows["entitlements"] / rows["victims"] <= 10.0
    assert 20 <= rows["recommendations"] <= 30 and 35 <= rows["actions"] <= 50


def test_no_personal_data_columns(small):
    _, _, tables = small
    for frame in tables.values():
        assert not FORBIDDEN & {c.strip().lower() for c in frame.columns}


@pytest.mark.parametrize("table", list(KEYS))
def test_keys_are_unique_and_patterned(small, table):
    _, _, tables = small
    keys = tables[table][KEYS[table]]
    assert keys.notna().all() and keys.is_unique
    assert keys.str.fullmatch(r"[A-Z]{2}-\d{3,}").all()


def test_foreign_keys_resolve(small):
    _, _, t = small
    cases = set(t["victims"].case_id)
    for table in ("entitlements", "witnesses", "referrals", "survey_responses"):
        linked = t[table].case_id.dropna()
        assert set(linked) <= cases, table
    assert set(t["special_measures"].witness_id) <= set(t["witnesses"].witness_id)
    assert set(t["feedback_items"].event_id.dropna()) <= set(t["engagement_events"].event_id)
    refs = t["actions"].dropna(subset=["source_ref"])
    by_type = {k: set(g.source_ref) for k, g in refs.groupby("source_type")}
    assert by_type["recommendation"] <= set(t["recommendations"].rec_id)
    assert by_type["feedback"] <= set(t["feedback_items"].feedback_id)
    assert all(re.fullmatch(r"[A-Z0-9_]+", ref) for ref in by_type["metric"])
    assert "VCOP_R6_SUSPECT_UPDATE" in by_type["metric"]


@pytest.mark.parametrize(("table", "column", "allowed", "required"), ENUMS)
def test_enum_values_are_valid(small, table, column, allowed, required):
    _, _, t = small
    values = t[table][column]
    allowed_set = set(allowed.split("|") if "|" in allowed else allowed.split())
    assert set(values.dropna()) <= allowed_set
    if required:
        assert values.notna().all()


def test_required_columns_are_filled(small):
    _, _, t = small
    required = {
        "victims": "case_id crime_ref reported_date unit",
        "entitlements": "entitlement_id case_id code trigger_date",
        "referrals": "referral_id referral_date source",
        "witnesses": "witness_id case_id charge_date",
        "special_measures": "sm_id witness_id",
        "survey_responses": "response_id survey_date",
        "engagement_events": "event_id event_date topic participants",
        "feedback_items": "feedback_id received_date theme summary",
        "recommendations": "rec_id source published_date text owner",
        "actions": "action_id title owner created_date due_date",
    }
    for table, columns in required.items():
        assert t[table][columns.split()].notna().all().all(), table


def test_dates_are_iso_and_nothing_is_after_the_as_of_date(small):
    out, _, t = small
    assert (out / "as_of.txt").read_text().strip() == AS_OF.isoformat()
    checked = 0
    for table, frame in t.items():
        for column in [c for c in frame.columns if c.endswith("_date")]:
            if table in ("recommendations", "actions") and column == "due_date":
                continue  # due dates are plans, and may lie ahead
            values = frame[column].dropna()
            assert values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), (table, column)
            assert values.max() <= AS_OF.isoformat(), (table, column)
            checked += 1
    assert checked == 26 + 3  # every date column of the contract except the two due dates (+ v2: review, report)
    reported = t["victims"].reported_date
    assert reported.min() >= "2023-11-01"  # 36 months ending October 2026


@pytest.mark.parametrize(("table", "later", "earlier"), DATE_ORDER)
def test_date_order(small, table, later, earlier):
    _, _, t = small
    both = t[table].dropna(subset=[later, earlier])
    assert len(both) > 0
    assert (both[later] >= both[earlier]).all()


def test_journey_dates_follow_the_report(small):
    _, _, t = small
    reported = t["victims"].set_index("case_id").reported_date
    for table, column in (
        ("entitlements", "trigger_date"),
        ("witnesses", "charge_date"),
        ("survey_responses", "survey_date"),
    ):
        frame = t[table]
        assert (frame[column].to_numpy() >= reported.loc[frame.case_id].to_numpy()).all(), table
    recorded_lag = _days(t["victims"].recorded_date) - _days(t["victims"].reported_date)
    assert np.mean(recorded_lag.astype(int) <= 1) > 0.9


def test_conditional_rules(small):
    _, _, t = small
    v = t["victims"]
    assert (v.enhanced_reason.notna() == (v.enhanced_rights == "true")).all()
    assert (v.outcome_date.isna() == (v.outcome == "ongoing")).all()
    e = t["entitlements"]
    assert e.delivered_date[e.declined == "true"].isna().all()
    assert (e.language.notna() == e.delivered_date.notna()).all()
    wcu = e.code.str.match(r"R(8|9|10|11)_")
    assert (e.unit[wcu] == "Witness Care Unit").all()
    r = t["referrals"]
    self_referral = r.source == "self"
    assert (r.case_id.isna() == self_referral).all()
    assert r.loc[self_referral, ["age_band", "sex", "ethnicity", "disability", "area"]].notna().all().all()
    assert r.loc[~self_referral, ["age_band", "sex", "ethnicity", "disability", "area"]].isna().all().all()
    s = t["survey_responses"]
    assert s[["age_band", "sex", "ethnicity", "disability", "area", "offence_group"]].isna().all().all()
    ev = t["engagement_events"]
    assert (ev.new_participants.astype(int) <= ev.participants.astype(int)).all()
    w = t["witnesses"]
    assert w.ineffective_reason.notna().sum() == (w.trial_outcome == "ineffective").sum()
    charged = set(t["victims"].case_id[v.outcome == "charged"])
    assert set(w.case_id) <= charged
    fb = t["feedback_items"]
    assert fb.implemented_date.notna().sum() == (fb.status == "implemented").sum()
    rec = t["recommendations"]
    assert (rec.closed_date.notna() == rec.status.isin(["closed", "discharged"])).all()
    act = t["actions"]
    assert (act.completed_date.notna() == act.status.isin(["complete", "closed"])).all()
    overdue = ~act.status.isin(["complete", "closed"]) & (act.due_date < AS_OF.isoformat())
    assert overdue.sum() >= 3


def _share(mask: pd.Series) -> float:
    return float(mask.mean())


# (name, share computed from the small dataset, target, tolerance)
PROPORTIONS = [
    ("enhanced rights", lambda t: _share(t["victims"].enhanced_rights == "true"), 0.40, 0.05),
    ("domestic abuse", lambda t: _share(t["victims"].domestic_abuse == "true"), 0.30, 0.05),
    ("hate crime", lambda t: _share(t["victims"].hate_crime == "true"), 0.04, 0.015),
    ("prefer Welsh", lambda t: _share(t["victims"].preferred_language == "cy"), 0.10, 0.03),
    ("white", lambda t: _share(t["victims"].ethnicity == "white"), 0.93, 0.02),
    (
        "charged of outcomes",
        lambda t: _share(t["victims"].outcome[t["victims"].outcome != "ongoing"] == "charged"),
        0.10,
        0.02,
    ),
    ("surveyed", lambda t: len(t["survey_responses"]) / len(t["victims"]), 0.15, 0.03),
    ("self-referral", lambda t: _share(t["referrals"].source == "self"), 0.20, 0.05),
    (
        "violence and stalking",
        lambda t: _share(
            t["victims"].offence_group.isin(["violence_with_injury", "violence_without_injury", "stalking_harassment"])
        ),
        0.56,
        0.05,
    ),
]


@pytest.mark.parametrize(("name", "share", "target", "tolerance"), PROPORTIONS, ids=[p[0] for p in PROPORTIONS])
def test_proportions(small, name, share, target, tolerance):
    _, _, t = small
    assert share(t) == pytest.approx(target, abs=tolerance)


def test_newport_and_caerphilly_are_the_largest_areas(small):
    _, _, t = small
    assert set(t["victims"].area.value_counts().index[:2]) == {"Newport", "Caerphilly"}


def test_deterministic_for_a_seed(tmp_path):
    for name in ("a", "b", "c"):
        write_demo(tmp_path / name, cases=400, seed=3 if name != "c" else 4, chunk_size=150)
    for table in CONTRACT:
        a, b, c = ((tmp_path / n / f"{table}.csv").read_bytes() for n in ("a", "b", "c"))
        assert a == b, table
    assert (tmp_path / "a" / "entitlements.csv").read_bytes() != (tmp_path / "c" / "entitlements.csv").read_bytes()


def test_as_of_and_months_bound_the_data(tmp_path):
    as_of = dt.date(2025, 3, 31)
    write_demo(tmp_path, cases=500, seed=2, months=12, as_of=as_of)
    t = _read(tmp_path)
    assert (tmp_path / "as_of.txt").read_text().strip() == "2025-03-31"
    assert t["victims"].reported_date.min() >= "2024-04-01"
    assert t["victims"].reported_date.max() <= "2025-03-31"
    for table, frame in t.items():
        for column in [c for c in frame.columns if c.endswith("_date") and c != "due_date"]:
            assert frame[column].dropna().max() <= "2025-03-31", (table, column)


def test_invalid_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        write_demo(tmp_path, cases=0, seed=1)


def test_cli_demo_writes_and_reports_counts(tmp_path):
    from cli import app

    args = f"demo --out {tmp_path} --cases 300 --seed 9 --months 12 --as-of 2025-06-30".split()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert re.search(r"victims\s+300\b", result.output)
    assert (tmp_path / "as_of.txt").read_text().strip() == "2025-06-30"
    assert len(pd.read_csv(tmp_path / "victims.csv")) == 300
