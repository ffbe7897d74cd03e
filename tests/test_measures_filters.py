"""A filter narrows every number: computing with filters equals computing on the filtered rows alone."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.measures import compute, prepare
from metrics.periods import Period
from tests.measures_fixtures import CAT, counts
from tests.test_measures_vcop import ENTITLEMENTS, FRAMES, VCOP, VICTIMS, WINDOW

COLUMNS = ["metric_id", "group_value", "numerator", "denominator", "value", "suppressed"]


def _run(frames, filters=None, portfolio=None):
    prepared = prepare(frames, CAT, as_of=WINDOW["as_of"], start=WINDOW["start"], end=WINDOW["end"], filters=filters)
    periods = [Period(WINDOW["start"], WINDOW["end"])]
    return compute(prepared, CAT, periods=periods, portfolio=portfolio, metric_ids=VCOP)


def _only(case_ids):
    """The fixture frames with the other victims (and their entitlements) removed by hand."""
    return {
        "victims": VICTIMS.loc[VICTIMS["case_id"].isin(case_ids)].reset_index(drop=True),
        "entitlements": ENTITLEMENTS.loc[ENTITLEMENTS["case_id"].isin(case_ids)].reset_index(drop=True),
    }


@pytest.mark.parametrize(
    ("filters", "case_ids"),
    [
        ({"area": "Newport"}, ["VC-1", "VC-3"]),
        ({"area": "Torfaen"}, ["VC-2"]),
        ({"enhanced_rights": "true"}, ["VC-2"]),
        ({"preferred_language": "cy", "area": "Newport"}, ["VC-3"]),
    ],
)
def test_filtered_compute_equals_compute_on_the_filtered_rows(filters, case_ids):
    filtered = _run(FRAMES, filters)[COLUMNS].reset_index(drop=True)
    by_hand = _run(_only(case_ids))[COLUMNS].reset_index(drop=True)
    pd.testing.assert_frame_equal(filtered, by_hand)


def test_area_filter_numbers_worked_by_hand():
    newport = _run(FRAMES, {"area": "Newport"})
    # VC-1 (a b c d e f: a c e f timely) and VC-3 (m n o: m n timely); VC-2's h i j are gone.
    assert counts(newport, "VCOP_OVERALL") == (6, 9)
    assert counts(newport, "VCOP_RIGHT_6") == (1, 2)  # c timely, d missed (h was VC-2's)
    assert counts(newport, "VCOP_R2_RECORDED") == (0, 0)  # j was VC-2's
    torfaen = _run(FRAMES, {"area": "Torfaen"})
    assert counts(torfaen, "VCOP_OVERALL") == (1, 3)  # h late, i timely, j late
    assert counts(torfaen, "VCOP_R2_RECORDED") == (0, 1)


def test_filter_narrows_a_portfolio_cohort_further():
    # vawg_da is VC-1 alone (domestic abuse, Newport): Torfaen leaves nobody, Newport leaves VC-1.
    assert counts(_run(FRAMES, {"area": "Newport"}, "vawg_da"), "VCOP_OVERALL") == (4, 6)
    assert counts(_run(FRAMES, {"area": "Torfaen"}, "vawg_da"), "VCOP_OVERALL") == (0, 0)


def test_unit_filter_uses_the_owing_unit():
    # i was owed by CPS Wales (its own unit wins over VC-2's Victim Care Unit), and is timely.
    assert counts(_run(FRAMES, {"unit": "CPS Wales"}), "VCOP_OVERALL") == (1, 1)


def test_unknown_filter_column_is_refused():
    with pytest.raises(ValueError, match="cannot cut by"):
        _run(FRAMES, {"case_id": "VC-1"})
