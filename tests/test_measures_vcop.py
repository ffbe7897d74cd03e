"""Victims' Code measures worked by hand: per code, right, MoJ area and overall; cuts; cohorts; suppression."""

from __future__ import annotations

import math

import pytest

from tests.measures_fixtures import counts, entitlements, pick, run, victims

VICTIMS = victims(
    {"domestic_abuse": True, "area": "Newport"},  # VC-1: standard timescales
    {"enhanced_rights": True, "area": "Torfaen", "offence_group": "sexual_offences"},  # VC-2: enhanced
    {"preferred_language": "cy", "area": "Newport"},  # VC-3: prefers Welsh
)
ENTITLEMENTS = entitlements(
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-11"),  # a: 5 working days -> timely
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-12"),  # b: 6 -> late
    ("VC-1", "R6_SUSPECT_UPDATE", "2024-03-01", "2024-03-05"),  # c: 2 <= 5 (standard) -> timely
    ("VC-1", "R6_DECISION_UPDATE", "2024-03-06", None),  # d: never delivered, long past -> missed
    ("VC-1", "R4_REFERRAL", "2024-03-28", "2024-04-03"),  # e: 2 working days over Easter -> timely
    ("VC-1", "R7_VPS_OFFERED", "2024-03-05", "2024-03-05"),  # f: same day -> timely
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-11", None, True),  # g: declined -> excluded
    ("VC-2", "R6_SUSPECT_UPDATE", "2024-03-01", "2024-03-05"),  # h: 2 > 1 (enhanced) -> late
    ("VC-2", "R6_CPS_DECISION", "2024-03-07", "2024-03-08", None, None, "CPS Wales"),  # i: 1 <= 1 -> timely
    ("VC-2", "R2_RECORDED", "2024-03-01", "2024-03-04"),  # j: 3 calendar days > 1 -> late
    ("VC-2", "R3_WRITTEN_ACK", "2024-02-29", "2024-02-29"),  # k: before the window
    ("VC-2", "R3_WRITTEN_ACK", "2024-04-02", "2024-04-02"),  # l: after the window
    ("VC-3", "R1_NEEDS_COMMS", "2024-03-04", "2024-03-05", False, "cy"),  # m: timely, in Welsh
    ("VC-3", "R1_NEEDS_COMMS", "2024-03-11", "2024-03-11", False, "en"),  # n: timely, in English
    ("VC-3", "R3_WRITTEN_ACK", "2024-03-11", None),  # o: missed
)
FRAMES = {"victims": VICTIMS, "entitlements": ENTITLEMENTS}
WINDOW = {"start": "2024-03-01", "end": "2024-03-31", "as_of": "2024-04-30"}
VCOP = [
    "VCOP_OVERALL", "VCOP_RIGHT_1", "VCOP_RIGHT_4", "VCOP_RIGHT_6", "VCOP_R2_RECORDED", "VCOP_R3_WRITTEN_ACK",
    "VCOP_R7_VPS_OFFERED", "VCOP_MOJ_UPDATES", "VCOP_MOJ_ACK", "VCOP_R11_VCS_REFERRAL", "WL_CY_DELIVERED_IN_CY",
]  # fmt: skip


@pytest.mark.parametrize(
    ("metric_id", "numerator", "denominator"),
    [
        ("VCOP_R3_WRITTEN_ACK", 1, 3),  # a timely; b late; o missed; g declined; k, l outside
        ("VCOP_MOJ_ACK", 1, 3),
        ("VCOP_RIGHT_6", 2, 4),  # c, i timely; d missed; h late
        ("VCOP_MOJ_UPDATES", 1, 3),  # c timely; d missed; h late (CPS decisions are not in the MoJ area)
        ("VCOP_R2_RECORDED", 0, 1),  # calendar days
        ("VCOP_RIGHT_4", 1, 1),
        ("VCOP_R7_VPS_OFFERED", 1, 1),
        ("VCOP_RIGHT_1", 2, 2),
        ("VCOP_OVERALL", 7, 12),  # timely a c e f i m n; counted a b c d e f h i j m n o
        ("VCOP_R11_VCS_REFERRAL", 0, 0),  # no instances: a row all the same, suppressed
        ("WL_CY_DELIVERED_IN_CY", 1, 2),  # VC-3's delivered entitlements: m in Welsh, n in English
    ],
)
def test_compliance_counts(metric_id, numerator, denominator):
    result = run(FRAMES, metric_ids=VCOP, **WINDOW)
    assert counts(result, metric_id) == (numerator, denominator)


@pytest.mark.parametrize(
    ("by", "group_value", "numerator", "denominator"),
    [
        ("area", "Newport", 6, 9),  # VC-1 (a b c d e f: 4 timely) and VC-3 (m n o: 2 timely)
        ("area", "Torfaen", 1, 3),  # VC-2: h late, i timely, j late
        ("enhanced_rights", "true", 1, 3),
        ("enhanced_rights", "false", 6, 9),
        ("offence_group", "sexual_offences", 1, 3),
        ("unit", "CPS Wales", 1, 1),  # the entitlement's own unit wins over the victim's
        ("unit", "Victim Care Unit", 6, 11),
        ("preferred_language", "cy", 2, 3),  # VC-3: m, n timely; o missed
        ("preferred_language", "en", 5, 9),  # VC-1 (a c e f timely of a-f) and VC-2 (i timely of h i j)
    ],
)
def test_overall_cut(by, group_value, numerator, denominator):
    result = run(FRAMES, metric_ids=["VCOP_OVERALL"], by=by, **WINDOW)
    assert counts(result, "VCOP_OVERALL", group_value) == (numerator, denominator)
    assert set(result["group"]) == {by}


def test_cohort_keeps_only_the_portfolios_victims():
    result = run(FRAMES, metric_ids=["VCOP_OVERALL", "VCOP_RIGHT_6"], portfolio="vawg_da", **WINDOW)
    assert counts(result, "VCOP_OVERALL") == (4, 6)  # VC-1 only: a c e f timely of a b c d e f
    assert counts(result, "VCOP_RIGHT_6") == (1, 2)
    assert set(result["portfolio_id"]) == {"vawg_da"}


def test_as_of_date_decides_missed_or_pending():
    """o (R3, triggered Monday 11 March, never delivered) is still pending on 15 March, missed on 19 March."""
    early = run(FRAMES, metric_ids=["VCOP_R3_WRITTEN_ACK"], start="2024-03-01", end="2024-03-31", as_of="2024-03-15")
    late = run(FRAMES, metric_ids=["VCOP_R3_WRITTEN_ACK"], start="2024-03-01", end="2024-03-31", as_of="2024-03-19")
    # 15 March: a timely, b late, o pending (4 working days); 19 March: o missed (6 working days).
    assert counts(early, "VCOP_R3_WRITTEN_ACK") == (1, 2)
    assert counts(late, "VCOP_R3_WRITTEN_ACK") == (1, 3)


def _timely_r12(n):
    rows = [("VC-1", "R12_COMPLAINT_RESPONSE", "2024-03-04", "2024-03-05") for _ in range(n)]
    return {"victims": VICTIMS, "entitlements": entitlements(*rows)}


def test_ten_instances_are_shown():
    row = pick(
        run(_timely_r12(10), metric_ids=["VCOP_R12_COMPLAINT_RESPONSE"], **WINDOW), "VCOP_R12_COMPLAINT_RESPONSE"
    )
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (10, 10, 1.0, False)
    assert row["ci_high"] == 1.0 and row["rag"] == "green"


def test_nine_instances_are_suppressed_but_counts_kept():
    row = pick(run(_timely_r12(9), metric_ids=["VCOP_R12_COMPLAINT_RESPONSE"], **WINDOW), "VCOP_R12_COMPLAINT_RESPONSE")
    assert (row["numerator"], row["denominator"], row["suppressed"]) == (9, 9, True)
    assert math.isnan(row["value"]) and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    assert row["rag"] is None


def test_wilson_interval_and_rag():
    """9 timely of 10: p 0.9; Wilson 95%: centre (0.9 + 1.9208/10) / 1.38415 = 0.78898, half-width 0.19314."""
    rows = [("VC-1", "R12_COMPLAINT_RESPONSE", "2024-03-04", "2024-03-05")] * 9
    rows.append(("VC-1", "R12_COMPLAINT_RESPONSE", "2024-03-04", None))  # missed by 30 April
    result = run({"victims": VICTIMS, "entitlements": entitlements(*rows)}, metric_ids=["VCOP_OVERALL"], **WINDOW)
    row = pick(result, "VCOP_OVERALL")
    assert row["value"] == pytest.approx(0.9)
    assert row["ci_low"] == pytest.approx(0.5958, abs=5e-5) and row["ci_high"] == pytest.approx(0.9821, abs=5e-5)
    assert (row["target"], row["rag"]) == (0.9, "green")  # 0.9 meets a 0.90 target


def test_rag_amber_and_red():
    """17/20 = 0.85 is amber (within 5 points of 0.90); 16/20 = 0.80 is red."""

    def overall(timely):
        rows = [("VC-1", "R12_COMPLAINT_RESPONSE", "2024-03-04", "2024-03-05")] * timely
        rows += [("VC-1", "R12_COMPLAINT_RESPONSE", "2024-03-04", None)] * (20 - timely)
        frames = {"victims": VICTIMS, "entitlements": entitlements(*rows)}
        return pick(run(frames, metric_ids=["VCOP_OVERALL"], **WINDOW), "VCOP_OVERALL")["rag"]

    assert (overall(17), overall(16)) == ("amber", "red")
