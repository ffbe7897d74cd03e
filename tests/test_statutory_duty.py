"""Good reasons (STATUTORY.md §1, Victims and Prisoners Act 2024 s5) worked by hand on small frames: the justified
state and its precedence, DUTY_* and EXC_SHARE with its cut by reason, VCOP_* unchanged, Right to Review's timescales.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.entitlements import classify, entitlement_states, state_counts
from metrics.measures_table import measure_table
from tests.measures_fixtures import CAT, counts, entitlements, run, victims

VICTIMS = victims({"area": "Newport"})
# Window March–April 2024, judged on 30 April. R3_WRITTEN_ACK: 5 working days; R6_SUSPECT_UPDATE 5; R6_VRR_ACK 10;
# R6_VRR_DECISION 30 (Good Friday 29 March and Easter Monday 1 April are not working days).
ROWS = [
    # (case, code, trigger, delivered, declined, reason)               state
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-11", False, "victim_uncontactable"),  # a: 5 -> timely
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-12", False, None),  # b: 6 -> late
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", "2024-03-12", False, "safeguarding_risk"),  # c: late + reason -> justified
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", None, False, "other_documented"),  # d: missed + reason -> justified
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", None, False, None),  # e: missed
    ("VC-1", "R3_WRITTEN_ACK", "2024-03-04", None, True, "other_documented"),  # f: declined -> excluded
    ("VC-1", "R3_WRITTEN_ACK", "2024-04-29", None, False, "operational_risk"),  # g: 1 day so far -> pending
    ("VC-1", "R6_SUSPECT_UPDATE", "2024-03-01", "2024-03-05", False, None),  # h: 2 -> timely
    ("VC-1", "R6_VRR_ACK", "2024-03-01", "2024-03-15", False, None),  # i: 10 -> timely
    ("VC-1", "R6_VRR_DECISION", "2024-03-01", None, False, "victim_asked_other_route"),  # j: 33 so far -> justified
]
STATES = ["timely", "late", "justified", "justified", "missed", "excluded", "pending", "timely", "timely", "justified"]
WINDOW = {"start": "2024-03-01", "end": "2024-04-30", "as_of": "2024-04-30"}


def _frame(with_reasons: bool = True) -> pd.DataFrame:
    frame = entitlements(*[row[:5] for row in ROWS])
    if with_reasons:
        frame["exception_reason"] = pd.Series([row[5] for row in ROWS], dtype="string")
    return frame


def _judged(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(enhanced_rights=False)


@pytest.mark.parametrize(
    ("elapsed", "timescale", "delivered", "declined", "reasoned", "expected"),
    [
        (6, 5, True, True, True, "excluded"),  # declined wins over everything
        (5, 5, True, False, True, "timely"),  # a reason on a timely instance changes nothing
        (4, 5, False, False, True, "pending"),  # nor on a pending one
        (6, 5, True, False, True, "justified"),  # late with a reason
        (6, 5, False, False, True, "justified"),  # missed with a reason
        (6, 5, True, False, False, "late"),
        (6, 5, False, False, False, "missed"),
        (np.nan, 5, False, False, True, None),  # unknown stays unknown
    ],
)
def test_justified_comes_after_pending_and_before_late(elapsed, timescale, delivered, declined, reasoned, expected):
    got = classify([elapsed], [timescale], [delivered], [declined], [reasoned])[0]
    assert (None if pd.isna(got) else got) == expected


def test_states_of_the_hand_made_instances():
    states = entitlement_states(_judged(_frame()), CAT.timescales(), WINDOW["as_of"])
    assert list(states) == STATES


def test_a_blank_reason_is_no_reason_and_a_frame_without_the_column_is_v1():
    frame = _frame()
    frame.loc[2, "exception_reason"] = "  "
    states = entitlement_states(_judged(frame), CAT.timescales(), WINDOW["as_of"])
    assert states[2] == "late"
    v1 = entitlement_states(_judged(_frame(with_reasons=False)), CAT.timescales(), WINDOW["as_of"])
    assert "justified" not in set(v1)
    table = state_counts(pd.DataFrame({"code": ["R3"], "state": v1[:1]}), ["code"])
    assert list(table.columns) == ["code", "excluded", "timely", "late", "missed", "pending"]  # the v1 table


# numerator ÷ denominator worked from the table above (counted: timely, late, missed, justified).
EXPECTED = [
    ("VCOP_R3_WRITTEN_ACK", 1, 5),  # a ÷ a b c d e: a justified instance is not timely
    ("DUTY_R3_WRITTEN_ACK", 3, 5),  # a c d ÷ a b c d e
    ("VCOP_RIGHT_6", 2, 3),  # h i ÷ h i j: Right to Review pools into right 6
    ("DUTY_RIGHT_6", 3, 3),
    ("VCOP_R6_VRR_ACK", 1, 1),
    ("VCOP_R6_VRR_DECISION", 0, 1),
    ("DUTY_R6_VRR_DECISION", 1, 1),
    ("VCOP_OVERALL", 3, 8),  # a h i ÷ a b c d e h i j
    ("DUTY_OVERALL", 6, 8),  # a c d h i j
    ("EXC_SHARE", 3, 5),  # c d j ÷ b c d e j
]
IDS = [e[0] for e in EXPECTED]


@pytest.mark.parametrize(("metric_id", "numerator", "denominator"), EXPECTED)
def test_duty_and_share_counts(metric_id, numerator, denominator):
    result = run({"victims": VICTIMS, "entitlements": _frame()}, metric_ids=IDS, **WINDOW)
    assert counts(result, metric_id) == (numerator, denominator)


def test_v1_data_gives_the_v1_figures_and_the_duty_equals_compliance():
    result = run({"victims": VICTIMS, "entitlements": _frame(with_reasons=False)}, metric_ids=IDS, **WINDOW)
    # Without reasons c is late and d, j missed: VCOP_* are what they are with reasons (a reason never makes timely).
    assert counts(result, "VCOP_R3_WRITTEN_ACK") == (1, 5)
    assert counts(result, "VCOP_OVERALL") == (3, 8)
    assert counts(result, "DUTY_OVERALL") == (3, 8)
    assert counts(result, "EXC_SHARE") == (0, 5)


def test_share_cut_by_reason_divides_by_every_shortfall():
    result = run({"victims": VICTIMS, "entitlements": _frame()}, metric_ids=IDS, by="exception_reason", **WINDOW)
    share = result.loc[result["metric_id"] == "EXC_SHARE"].set_index("group_value")
    assert set(share["group"]) == {"exception_reason"}
    assert sorted(share.index) == sorted(r.code for r in CAT.exception_reasons)  # every reason, used or not
    got = {reason: (row["numerator"], row["denominator"]) for reason, row in share.iterrows()}
    assert got == {
        "safeguarding_risk": (1, 5),  # c
        "other_documented": (1, 5),  # d (f is declined)
        "victim_asked_other_route": (1, 5),  # j
        "victim_uncontactable": (0, 5),  # a is timely: its reason counts nowhere
        "operational_risk": (0, 5),  # g is pending
        "delivered_by_other_agency": (0, 5),
    }
    # Other measures ignore the cut, as non-case measures ignore a cohort.
    assert set(result.loc[result["metric_id"] == "DUTY_OVERALL", "group_value"]) == {"all"}
    assert counts(result, "DUTY_OVERALL") == (6, 8)


def test_metrics_table_by_exception_reason():
    frames = {"victims": VICTIMS, "entitlements": _frame()}
    table = measure_table(frames, CAT, start="2024-03-01", end="2024-04-30", as_of="2024-04-30", by="exception_reason")
    share = table.loc[table["metric_id"] == "EXC_SHARE"]
    assert len(share) == 6 and share["numerator"].sum() == 3 and set(share["denominator"]) == {5}
    others = table.loc[table["metric_id"] != "EXC_SHARE"]
    assert set(others["group_value"]) == {"all"} and others["metric_id"].is_unique


def test_duty_measures_are_generated_from_the_catalogue():
    m = CAT.measure("DUTY_RIGHT_6")
    assert m.codes == ["R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE", "R6_CPS_DECISION", "R6_VRR_ACK", "R6_VRR_DECISION"]
    assert (m.target, m.polarity, m.name_cy.startswith("Dyletswydd")) == (0.95, "up", True)
    share = CAT.measure("EXC_SHARE")
    assert (share.polarity, share.target, share.cuts[-1]) == ("neutral", None, "exception_reason")
    assert "exception_reason" not in CAT.measure("VCOP_OVERALL").cuts
    assert "DUTY_OVERALL" in CAT.scorecard_measures("victims_first")


def test_every_duty_definition_shares_the_welsh_template():
    duty = [m for m in CAT.all_measures if m.id.startswith("DUTY_")]
    assert len(duty) == 1 + 12 + 21
    welsh = {(CAT.definition(m.id, "cy")["numerator"], CAT.definition(m.id, "cy")["denominator"]) for m in duty}
    assert welsh == {(CAT.duty_measures.numerator_cy, CAT.duty_measures.denominator_cy)}


def test_reasons_by_unit_worked_by_hand():
    from metrics.measures_vcop import reasons_by_unit

    month = pd.Timestamp("2024-03-01")
    rows = [  # (month, unit, state, reason, n)
        (month, "U1", "justified", "other_documented", 3),
        (month, "U1", "justified", "safeguarding_risk", 1),
        (month, "U1", "missed", None, 2),
        (month, "U1", "late", None, 1),
        (month, "U1", "timely", "victim_uncontactable", 10),  # not a shortfall: its reason counts nowhere
        (month, "U2", "justified", "victim_uncontactable", 1),
        (month, "U2", "missed", None, 4),
        (month, "U3", "late", None, 2),
        (pd.NaT, "U1", "justified", "other_documented", 5),  # triggered outside the window
    ]
    frame = pd.DataFrame(rows, columns=["month_trigger_date", "unit", "state", "exception_reason", "n"])
    reasons = [r.code for r in CAT.exception_reasons]
    table = reasons_by_unit(frame, reasons).set_index("unit")
    assert list(table.index) == ["U1", "U2", "U3"]  # most justified first
    u1 = table.loc["U1", ["shortfalls", "justified", "other_documented", "safeguarding_risk"]]
    assert u1.tolist() == [7, 4, 3, 1]
    assert table.loc["U1", "victim_uncontactable"] == 0 and table.loc["U1", "top_reason"] == "other_documented"
    assert table.loc["U2", ["shortfalls", "justified", "victim_uncontactable"]].tolist() == [5, 1, 1]
    assert table.loc["U3", ["shortfalls", "justified"]].tolist() == [2, 0] and table.loc["U3", "top_reason"] is None


def test_compliance_and_duty_by_owning_agency_pool_counts():
    from results.vcop import by_agency

    given = [  # (metric_id, numerator, denominator)
        ("VCOP_R3_WRITTEN_ACK", 8, 10), ("VCOP_R6_SUSPECT_UPDATE", 10, 10), ("VCOP_R6_CPS_DECISION", 3, 4),
        ("DUTY_R3_WRITTEN_ACK", 9, 10), ("DUTY_R6_SUSPECT_UPDATE", 10, 10), ("DUTY_R6_CPS_DECISION", 4, 4),
        ("VCOP_R11_RELEASE_INFO", 0, 0),  # probation: nothing loaded
        ("VCOP_RIGHT_6", 99, 99),  # not a code's row: never pooled
    ]  # fmt: skip
    rows = pd.DataFrame(given, columns=["metric_id", "numerator", "denominator"]).assign(group_value="all")
    out = by_agency(rows, CAT).set_index(["owner", "family"])
    police = out.loc[("police", "VCOP")]
    assert (police["numerator"], police["denominator"], police["value"], police["rag"]) == (18, 20, 0.9, "green")
    assert police["ci_low"] == pytest.approx(0.6990, abs=1e-4) and police["ci_high"] == pytest.approx(0.9721, abs=1e-4)
    assert out.loc[("police", "DUTY"), ["numerator", "denominator", "value", "rag"]].tolist() == [19, 20, 0.95, "green"]
    cps = out.loc[("cps", "VCOP")]
    assert (cps["numerator"], cps["denominator"], bool(cps["suppressed"]), cps["rag"]) == (3, 4, True, None)
    assert pd.isna(cps["value"])  # fewer than 10: suppressed, never 75%
    assert out.loc[("probation", "VCOP"), "denominator"] == 0
    assert ("wcu", "VCOP") not in out.index  # no rows given for its codes


def test_good_reasons_grouped_by_owning_agency():
    from metrics.measures import Prepared
    from results.vcop import reasons_by_unit as by_group

    month = pd.Timestamp("2024-03-01")
    rows = [  # (code, state, reason, n): R3 police, R8 the Witness Care Unit, R6_CPS_DECISION the CPS
        ("R3_WRITTEN_ACK", "justified", "victim_uncontactable", 4),
        ("R3_WRITTEN_ACK", "missed", None, 8),
        ("R8_HEARING_INFO", "justified", "delivered_by_other_agency", 2),
        ("R6_CPS_DECISION", "late", None, 1),
    ]
    frame = pd.DataFrame(rows, columns=["code", "state", "exception_reason", "n"]).assign(month_trigger_date=month)
    ready = Prepared({"entitlements": frame}, month, month, month, None)
    table = by_group(ready, CAT, "vcop", by="owner").set_index("unit")
    assert list(table.index) == ["police", "wcu", "cps"]
    assert table.loc["police", ["shortfalls", "justified", "victim_uncontactable"]].tolist() == [12, 4, 4]
    assert table.loc["police", "share"] == pytest.approx(4 / 12)  # 12 shortfalls: shown
    assert table.loc["wcu", "top_reason"] == "delivered_by_other_agency" and pd.isna(table.loc["wcu", "share"])
    assert table.loc["cps", "justified"] == 0 and table.loc["cps", "top_reason"] is None
