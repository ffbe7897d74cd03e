"""The catalogue: config/catalogue.yaml loads, generates the VCOP measures, and rejects mistakes by entry and field."""

from __future__ import annotations

import copy

import pytest
import yaml

from metrics.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue, parse_catalogue

CUTS = [
    "area",
    "unit",
    "offence_group",
    "enhanced_rights",
    "age_band",
    "sex",
    "ethnicity",
    "disability",
    "preferred_language",
]
RAW = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def raw():
    return copy.deepcopy(RAW)


def test_version_and_statistics_settings():
    cat = load_catalogue()
    assert cat.version == "2026.2"
    stats = cat.statistics
    assert (stats.suppression_threshold, stats.publication_threshold, stats.amber_margin) == (10, 5, 0.05)
    assert stats.spc_screen_outliers is False and stats.rebase_dates == []


def test_load_is_cached():
    assert load_catalogue() is load_catalogue()


@pytest.mark.parametrize(
    ("code", "standard", "enhanced", "unit"),
    [
        ("R1_NEEDS_COMMS", 1, 1, "working"),
        ("R2_RECORDED", 1, 1, "calendar"),
        ("R4_NEEDS_ASSESSMENT", 5, 2, "working"),
        ("R6_SUSPECT_UPDATE", 5, 1, "working"),
        ("R6_CPS_DECISION", 5, 1, "working"),
        ("R7_VPS_OFFERED", 0, 0, "working"),
        ("R8_BAIL_OUTCOME", 5, 1, "working"),
        ("R12_COMPLAINT_RESPONSE", 10, 10, "working"),
    ],
)
def test_entitlement_timescales_follow_metrics_md(code, standard, enhanced, unit):
    e = load_catalogue().entitlement(code)
    assert (e.standard, e.enhanced, e.unit) == (standard, enhanced, unit)


def test_twenty_entitlements_and_their_rights_named():
    cat = load_catalogue()
    # METRICS.md §2's 18, the two of Right to Review (STATUTORY.md §2) and probation's release information (§7)
    assert len(cat.entitlements) == 21
    assert cat.entitlement("R6_CPS_DECISION").right_name == "investigation and prosecution"
    assert cat.entitlement("R6_CPS_DECISION").owner == "cps"


@pytest.mark.parametrize(
    ("metric_id", "codes"),
    [
        ("VCOP_R3_WRITTEN_ACK", ["R3_WRITTEN_ACK"]),
        ("VCOP_RIGHT_4", ["R4_NEEDS_ASSESSMENT", "R4_REFERRAL"]),
        (
            "VCOP_RIGHT_6",
            ["R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE", "R6_CPS_DECISION", "R6_VRR_ACK", "R6_VRR_DECISION"],
        ),
        ("VCOP_RIGHT_8", ["R8_HEARING_INFO", "R8_EVIDENCE_REQUIRED", "R8_BAIL_OUTCOME", "R8_SM_OUTCOME"]),
        ("VCOP_MOJ_UPDATES", ["R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE"]),
        ("VCOP_MOJ_RELEASE", ["R11_RELEASE_INFO"]),  # probation's, no longer the force's referral (STATUTORY.md §7)
    ],
)
def test_generated_vcop_measures_pool_their_codes(metric_id, codes):
    m = load_catalogue().measure(metric_id)
    assert m.codes == codes
    assert (m.kind, m.polarity, m.target, m.source, m.period_date) == (
        "rate",
        "up",
        0.9,
        "entitlements",
        "trigger_date",
    )


def test_every_metrics_md_measure_is_in_the_catalogue():
    ids = {m.id for m in load_catalogue().all_measures}
    listed = {
        "VCOP_OVERALL", "SAT_EASE", "SAT_ACTIONS", "SAT_INFORMED", "SAT_TREATMENT", "SAT_WHOLE", "SAT_GAP_ETHNICITY",
        "SAT_CODE_AWARE", "WCU_ATTENDANCE", "WCU_NEEDS_ASSESSMENT", "WCU_INEFFECTIVE_WITNESS", "WCU_WITNESS_SERVICE",
        "SM_DISCUSSED", "SM_QA", "SM_GRANTED", "SM_TIMELY", "CG_REFERRALS", "CG_SELF_REFERRAL_SHARE",
        "CG_CONTACT_2WD", "CG_NEEDS_ASSESSED", "CG_SUPPORT_ACCEPTED", "CG_COPE_RECOVER", "SE_EVENTS",
        "SE_PARTICIPANTS", "SE_FEEDBACK_ACCEPTED", "SE_FEEDBACK_IMPLEMENTED", "SE_FED_BACK", "SE_DAYS_TO_CLOSE",
        "ATT_VICTIM_DECLINED", "ATT_CHARGED", "HM_OPEN", "HM_OVERDUE", "ACT_OVERDUE", "WL_PREFERENCE_RECORDED",
        "WL_CY_DELIVERED_IN_CY", "PUB_CRIMES", "PUB_UNABLE_TO_PROSECUTE",
    }  # fmt: skip
    listed |= {f"VCOP_RIGHT_{n}" for n in range(1, 13)}
    listed |= {f"VCOP_MOJ_{a}" for a in ("ACK", "REFERRAL", "UPDATES", "VPS", "RELEASE")}
    listed |= {f"VCOP_{e.code}" for e in load_catalogue().entitlements}
    # STATUTORY.md §1: the duty met overall, per right and per code, and the share of shortfalls with a good reason.
    listed |= {"DUTY_OVERALL", "EXC_SHARE"} | {f"DUTY_RIGHT_{n}" for n in range(1, 13)}
    listed |= {f"DUTY_{e.code}" for e in load_catalogue().entitlements}
    # STATUTORY.md §3-§6: quality, inspection responses, every group, every need (one per category).
    listed |= {"QUAL_MEETS", "QUAL_UPDATES_MEETS", "HM_RESPONSE_ON_TIME", "SAT_GAP_DISABILITY", "SAT_GAP_AGE"}
    listed |= {"SAT_GAP_SEX", "SAT_REPORT_AGAIN"} | {f"CG_NEED_{n.code.upper()}" for n in load_catalogue().needs}
    assert ids == listed  # 37 + 12 + 5 + 21 = 75, + 2 + 12 + 21 = 110, + 7 + 8 = 125, nothing more, nothing less
    assert len(ids) == 125


@pytest.mark.parametrize(
    ("metric_id", "kind", "polarity", "target"),
    [
        ("SAT_WHOLE", "rate", "up", 0.80),
        ("SAT_EASE", "rate", "up", 0.85),
        ("SAT_GAP_ETHNICITY", "difference", "toward_zero", 0.0),
        ("WCU_INEFFECTIVE_WITNESS", "rate", "down", 0.05),
        ("SM_QA", "rate", "up", 1.0),
        ("CG_REFERRALS", "count", "neutral", None),
        ("SE_PARTICIPANTS", "sum", "up", None),
        ("SE_DAYS_TO_CLOSE", "median", "down", 90),
        ("HM_OVERDUE", "rate", "down", 0.0),
        ("PUB_CRIMES", "count", "neutral", None),
    ],
)
def test_measure_settings(metric_id, kind, polarity, target):
    m = load_catalogue().measure(metric_id)
    assert (m.kind, m.polarity, m.target) == (kind, polarity, target)


@pytest.mark.parametrize(
    ("metric_id", "case_based", "cuts"),
    [
        ("SE_EVENTS", False, []),
        ("HM_OPEN", False, []),
        ("PUB_CRIMES", False, ["area"]),
        ("SAT_GAP_ETHNICITY", True, [c for c in CUTS if c != "ethnicity"]),  # a gap between ethnicities
        ("VCOP_OVERALL", True, CUTS),
    ],
)  # fmt: skip
def test_measures_take_case_basis_and_cuts_from_their_source(metric_id, case_based, cuts):
    m = load_catalogue().measure(metric_id)
    assert (m.case_based, m.cuts) == (case_based, cuts)


@pytest.mark.parametrize(
    ("portfolio", "expected"),
    [
        ("vawg_da", ["VCOP_OVERALL", "VCOP_R4_REFERRAL", "VCOP_R6_SUSPECT_UPDATE", "VCOP_R6_DECISION_UPDATE",
                     "VCOP_R6_CPS_DECISION", "VCOP_R6_VRR_ACK", "VCOP_R6_VRR_DECISION", "SAT_WHOLE",
                     "ATT_VICTIM_DECLINED", "SM_DISCUSSED", "QUAL_UPDATES_MEETS"]),
        ("special_measures", ["SM_DISCUSSED", "SM_QA", "SM_GRANTED", "SM_TIMELY"]),
        ("inspection", ["HM_OPEN", "HM_OVERDUE", "HM_RESPONSE_ON_TIME", "ACT_OVERDUE"]),
        ("hate_crime", ["VCOP_OVERALL", "SAT_WHOLE", "SAT_GAP_ETHNICITY", "SAT_GAP_DISABILITY"]),
    ],
)  # fmt: skip
def test_scorecard_patterns_expand_in_order(portfolio, expected):
    assert load_catalogue().scorecard_measures(portfolio) == expected


def test_vcop_scorecard_has_overall_twelve_rights_five_moj_areas_the_duty_and_the_share():
    ids = load_catalogue().scorecard_measures("vcop")
    assert ids[0] == "VCOP_OVERALL" and len(ids) == 22
    assert ids[1:13] == [f"VCOP_RIGHT_{n}" for n in range(1, 13)]
    assert ids[18:20] == ["DUTY_OVERALL", "EXC_SHARE"]  # STATUTORY.md §1
    assert ids[20:] == ["QUAL_MEETS", "QUAL_UPDATES_MEETS"]  # STATUTORY.md §3


def test_pattern_r1_does_not_match_r10():
    assert load_catalogue().expand(["VCOP_R1_*"]) == ["VCOP_R1_NEEDS_COMMS"]


@pytest.mark.parametrize(
    ("portfolio", "cohort", "tier"),
    [
        ("vcop", {}, "national"),
        ("vawg_da", {"domestic_abuse": True}, "national"),
        ("rasso", {"offence_group": ["sexual_offences"]}, "national"),
        ("hate_crime", {"hate_crime": True}, "local"),
        ("connect_gwent", {}, "opcc"),
    ],
)
def test_portfolio_cohorts_are_declarative(portfolio, cohort, tier):
    p = load_catalogue().portfolio(portfolio)
    assert (p.cohort, p.tier) == (cohort, tier)
    assert p.lead


def test_definition_for_the_ui():
    d = load_catalogue().definition("VCOP_MOJ_UPDATES")
    assert d["name"] == "MoJ return: Timely updates"
    assert [e["code"] for e in d["entitlements"]] == ["R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE"]
    assert d["entitlements"][0]["enhanced"] == 1 and d["catalogue_version"] == "2026.2"
    assert "answers 5-7" in load_catalogue().definition("SAT_WHOLE")["numerator"]


def test_unknown_lookups_name_what_is_known():
    cat = load_catalogue()
    with pytest.raises(KeyError, match="unknown portfolio 'nope'; known: vcop"):
        cat.portfolio("nope")
    with pytest.raises(KeyError, match="unknown measure 'NOPE'"):
        cat.measure("NOPE")


def _break(path, value):
    data = raw()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("measures", 4, "polarity"), "sideways",
         "measures[4] (SAT_WHOLE).polarity: must be one of up, down, neutral, toward_zero"),
        (("measures", 0, "kind"), "ratio",
         "measures[0] (SAT_EASE).kind: must be one of rate, count, sum, median, difference"),
        (("entitlements", 1, "unit"), "hours", "entitlements[1] (R2_RECORDED).unit: must be one of working, calendar"),
        (("entitlements", 0, "standard"), -1, "entitlements[0] (R1_NEEDS_COMMS).standard: input should be greater"),
        (("portfolios", 1, "tier"), "regional", "portfolios[1] (vawg_da).tier: must be one of national, local, opcc"),
        (("portfolios", 1, "cohort"), {"colour": True}, "portfolios[1] (vawg_da).cohort: unknown cohort column"),
        (("portfolios", 2, "cohort"), {"domestic_abuse": "y"}, "portfolios[2] (rasso).cohort: domestic_abuse must be"),
        (("measures", 0, "source"), "emails", "measures[0] (SAT_EASE).source: unknown source 'emails'"),
        (("portfolios", 0, "scorecard"), ["NOPE_*"], "portfolios[0] (vcop).scorecard: 'NOPE_*' matches no measure"),
        (("moj_areas", 0, "codes"), ["R99_NOPE"], "moj_areas[0] (ACK).codes: unknown entitlement code R99_NOPE"),
        (("statistics", "suppression_threshold"), 0, "statistics.suppression_threshold: input should be greater"),
    ],
)  # fmt: skip
def test_errors_name_the_entry_and_field(path, value, message):
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(_break(path, value))
    assert message in str(info.value)


def test_misspelt_field_is_rejected_not_ignored():
    data = raw()
    data["measures"][4]["targett"] = 0.7
    with pytest.raises(CatalogueError, match=r"measures\[4\] \(SAT_WHOLE\)\.targett: is not a known field"):
        parse_catalogue(data)


def test_duplicate_measure_id_is_rejected():
    data = raw()
    data["measures"].append(copy.deepcopy(data["measures"][0]))
    with pytest.raises(CatalogueError, match="id SAT_EASE appears more than once"):
        parse_catalogue(data)


def test_every_problem_is_listed_at_once():
    data = raw()
    data["measures"][0]["polarity"] = "x"
    data["measures"][1]["kind"] = "y"
    message = str(pytest.raises(CatalogueError, parse_catalogue, data).value)
    assert "measures[0] (SAT_EASE).polarity" in message and "measures[1] (SAT_ACTIONS).kind" in message


def test_load_from_another_path(tmp_path):
    data = raw()
    data["version"] = "2027.1"
    data["entitlements"][9]["standard"] = 2  # R7_VPS_OFFERED given two working days
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    cat = load_catalogue(path)
    assert cat.version == "2027.1" and cat.entitlement("R7_VPS_OFFERED").standard == 2
    assert load_catalogue().entitlement("R7_VPS_OFFERED").standard == 0
