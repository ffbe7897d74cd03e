"""Connect Gwent measures worked by hand, including first contact in working days with pending referrals."""

from __future__ import annotations

import pandas as pd

from metrics.measures_connect import contact_states
from tests.measures_fixtures import counts, pick, run, typed, victims

VICTIMS = victims({"domestic_abuse": True, "area": "Newport"})
WINDOW = {"start": "2024-03-01", "end": "2024-04-30", "as_of": "2024-04-10"}  # as-of: Wednesday 10 April
REFERRAL = {
    "case_id": "VC-1", "referral_date": "2024-03-04", "source": "police", "first_contact_date": None,
    "needs_assessed_date": None, "support_accepted": None, "closed_date": None, "cope_recover_improved": None,
    "age_band": None, "sex": None, "ethnicity": None, "disability": None, "area": None,
}  # fmt: skip


def referrals(rows):
    return typed([{"referral_id": f"R{i}", **REFERRAL, **r} for i, r in enumerate(rows)])


CONTACT = [
    ({"referral_date": "2024-03-01", "first_contact_date": "2024-03-05"}, "timely"),  # Fri -> Tue: 2 working days
    ({"referral_date": "2024-03-28", "first_contact_date": "2024-04-03"}, "timely"),  # over Easter: 2
    ({"referral_date": "2024-03-04", "first_contact_date": "2024-03-07"}, "late"),  # 3
    ({"referral_date": "2024-04-08", "first_contact_date": None}, "pending"),  # 2 working days so far
    ({"referral_date": "2024-04-04", "first_contact_date": None}, "missed"),  # 4 working days so far
    ({"referral_date": "2024-04-09", "first_contact_date": "2024-04-12"}, "pending"),  # contact after the as-of date
]


def test_contact_states():
    frame = referrals([r for r, _ in CONTACT])
    states = contact_states(frame, pd.Timestamp("2024-04-10"), 2)
    assert list(states) == [s for _, s in CONTACT]


def test_first_contact_within_two_working_days():
    frames = {"victims": VICTIMS, "referrals": referrals([r for r, _ in CONTACT])}
    # timely 2; late 1 and missed 1 count as misses; the two pending are not counted yet.
    assert counts(run(frames, metric_ids=["CG_CONTACT_2WD"], **WINDOW), "CG_CONTACT_2WD") == (2, 4)


def test_referrals_sources_needs_support_and_outcomes():
    rows = [
        {"source": "self", "case_id": None, "area": "Torfaen", "closed_date": "2024-03-20",
         "needs_assessed_date": "2024-03-06", "support_accepted": True, "cope_recover_improved": True},
        {"source": "police", "closed_date": "2024-03-20", "needs_assessed_date": None, "support_accepted": False,
         "cope_recover_improved": False},
        {"source": "partner", "closed_date": "2024-03-20", "needs_assessed_date": "2024-03-06",
         "support_accepted": True, "cope_recover_improved": None},
        {"source": "police", "closed_date": None, "needs_assessed_date": "2024-03-06", "support_accepted": True,
         "cope_recover_improved": True},  # still open: not in the closed-referral measures
        {"source": "self", "case_id": None, "closed_date": "2024-04-20", "cope_recover_improved": True},  # closes later
        {"source": "police", "referral_date": "2024-04-11"},  # after the as-of date
    ]  # fmt: skip
    frames = {"victims": VICTIMS, "referrals": referrals(rows)}
    metric_ids = [
        "CG_REFERRALS",
        "CG_SELF_REFERRAL_SHARE",
        "CG_NEEDS_ASSESSED",
        "CG_SUPPORT_ACCEPTED",
        "CG_COPE_RECOVER",
    ]
    result = run(frames, metric_ids=metric_ids, **WINDOW)
    assert counts(result, "CG_REFERRALS") == (5, None)
    assert pick(result, "CG_REFERRALS")["value"] == 5
    assert counts(result, "CG_SELF_REFERRAL_SHARE") == (2, 5)
    assert counts(result, "CG_NEEDS_ASSESSED") == (2, 3)  # of the 3 closed by the as-of date
    assert counts(result, "CG_SUPPORT_ACCEPTED") == (3, 4)
    assert counts(result, "CG_COPE_RECOVER") == (1, 2)  # closed with an answer: rows 1 and 2
    assert pick(result, "CG_REFERRALS")["rag"] is None  # neutral: no RAG


def test_self_referrals_keep_their_own_area_and_fall_outside_cohorts():
    rows = [{"source": "self", "case_id": None, "area": "Torfaen"}, {"source": "police"}]
    frames = {"victims": VICTIMS, "referrals": referrals(rows)}
    by_area = run(frames, metric_ids=["CG_REFERRALS"], by="area", **WINDOW)
    assert counts(by_area, "CG_REFERRALS", "Torfaen") == (1, None)
    assert counts(by_area, "CG_REFERRALS", "Newport") == (1, None)
    da = run(frames, metric_ids=["CG_REFERRALS"], portfolio="vawg_da", **WINDOW)
    assert counts(da, "CG_REFERRALS") == (1, None)
