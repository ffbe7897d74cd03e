"""Demo generator: the planted signals are present in the raw files, computed directly (no app code but SPC)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data import demo
from data.demo import write_demo
from tests.test_demo import AS_OF, _days, _read

TIMESCALE = {"R6_SUSPECT_UPDATE": (5, 1), "R6_DECISION_UPDATE": (5, 1)}  # (standard, enhanced) working days


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """3,000 victims with the default as-of date."""
    out = tmp_path_factory.mktemp("demo_signals")
    write_demo(out, cases=3000, seed=11, chunk_size=1000)
    return _read(out)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """20,000 victims: enough survey respondents for the ethnicity gap to be significant."""
    out = tmp_path_factory.mktemp("demo_large")
    write_demo(out, cases=20_000, seed=5)
    return _read(out)


def _r6_monthly(t: dict[str, pd.DataFrame], unit: str | None) -> pd.DataFrame:
    """Monthly R6 compliance (timely ÷ timely, late, missed) for one unit, or every other unit when unit is None."""
    e = t["entitlements"]
    e = e[e.code.isin(list(TIMESCALE)) & (e.declined != "true")]
    e = e.merge(t["victims"][["case_id", "enhanced_rights"]], on="case_id")
    e = e[e.unit == unit] if unit else e[e.unit != demo.PLANTED_R6_UNIT]
    timescale = np.where(e.enhanced_rights == "true", 1, 5)
    trigger, delivered = _days(e.trigger_date), _days(e.delivered_date)
    done = ~np.isnat(delivered)
    # working days d with trigger < d ≤ delivered (bank holidays ignored for this check)
    elapsed = np.busday_count(trigger + 1, np.where(done, delivered, trigger) + 1)
    overdue = np.busday_count(trigger + 1, np.datetime64(AS_OF) + 1) > timescale
    frame = pd.DataFrame({"month": e.trigger_date.str[:7].to_numpy(), "timely": done & (elapsed <= timescale)})
    return frame[done | overdue].groupby("month").timely.agg(["sum", "count"])


def _rate(monthly: pd.DataFrame) -> float:
    return monthly["sum"].sum() / monthly["count"].sum()


def test_planted_r6_drop_in_one_unit(small):
    t = small
    drop = demo.planted_r6_drop_month(AS_OF).isoformat()[:7]
    assert drop == "2026-04"
    unit = _r6_monthly(t, demo.PLANTED_R6_UNIT)
    before, after = unit[unit.index < drop], unit[unit.index >= drop]
    assert len(after) == 7 and len(before) >= 24
    assert _rate(before) > 0.85 and _rate(after) < 0.70
    others = _r6_monthly(t, None)
    assert _rate(others[others.index >= drop]) > 0.80  # the drop is local to the one unit


def test_planted_r6_drop_is_special_cause_at_two_thousand_cases(tmp_path):
    from metrics.spc import xmr

    write_demo(tmp_path, cases=2000, seed=21)
    unit = _r6_monthly(_read(tmp_path), demo.PLANTED_R6_UNIT)
    chart = xmr((unit["sum"] / unit["count"]).to_numpy(), polarity="up")
    latest = chart.tail(demo.PLANTED_R6_DROP_MONTHS_BEFORE_AS_OF + 1)
    assert latest.special_cause.all()
    assert set(latest.variation) == {"concern"}


def test_planted_satisfaction_gap_is_significant(large):
    s = large["survey_responses"].drop(columns=["ethnicity"]).merge(large["victims"][["case_id", "ethnicity"]])
    s = s.dropna(subset=["q_whole_experience"])
    satisfied = s.q_whole_experience.astype(int) >= 5
    white = s.ethnicity == "white"
    minority = s.ethnicity.isin(list(demo.MINORITY_ETHNICITIES))
    p1, n1 = satisfied[white].mean(), white.sum()
    p2, n2 = satisfied[minority].mean(), minority.sum()
    assert p1 == pytest.approx(0.80, abs=0.03) and p2 == pytest.approx(0.62, abs=0.08)
    pooled = (satisfied[white].sum() + satisfied[minority].sum()) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert z > 1.96


def test_planted_connect_gwent_contact_trend(small):
    t = small
    r = t["referrals"]
    referred, contacted = _days(r.referral_date), _days(r.first_contact_date)
    done = ~np.isnat(contacted)
    elapsed = np.busday_count(referred + 1, np.where(done, contacted, referred) + 1)
    pending = ~done & (np.busday_count(referred + 1, np.datetime64(AS_OF) + 1) <= 2)
    within = pd.Series(done & (elapsed <= 2))[~pending]
    year = pd.Series(r.referral_date.str[:4].to_numpy())[~pending]
    by_year = within.groupby(year).mean()
    # 2023 holds two months only; compare the first full year with the latest
    assert by_year["2024"] == pytest.approx(0.70, abs=0.06)
    assert by_year["2026"] == pytest.approx(0.87, abs=0.06)
    assert by_year["2024"] < by_year["2025"] < by_year["2026"]


def test_planted_welsh_speakers_served_in_welsh(small):
    t = small
    e = t["entitlements"].merge(t["victims"][["case_id", "preferred_language"]], on="case_id")
    delivered = e[e.delivered_date.notna()]
    welsh = delivered[delivered.preferred_language == "cy"]
    assert (welsh.language == "cy").mean() == pytest.approx(demo.PLANTED_CY_SERVED_IN_CY, abs=0.04)
    assert (delivered[delivered.preferred_language == "en"].language == "en").all()
