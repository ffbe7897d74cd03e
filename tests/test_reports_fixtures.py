"""Hand-built report inputs shared by the tests/test_reports_* modules (plus a check that they are consistent)."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest

from reports.inputs import ReportInputs, chart_key

AS_OF = dt.date(2026, 10, 31)
PERIOD = (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
EXPORTED_AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
HYPERLINK = '=HYPERLINK("http://x","y")'
PORTFOLIOS = {"vcop": "Victims' Code compliance (MoJ)", "vawg_da": "VAWG — domestic abuse"}
PORTFOLIOS_CY = {"vcop": "Cydymffurfio â Chod y Dioddefwyr (MoJ)", "vawg_da": "VAWG — cam-drin domestig"}

# SAT_WHOLE for vawg_da, months 2026-07..10: the 3 in 2026-08 must be hidden in publication packs, and the
# smallest other cells of its row (not met 47) and columns (numerator 30, not met 10 in 2026-07) with it.
SAT_MONTHS = [("2026-07", 30, 40), ("2026-08", 3, 50), ("2026-09", 45, 60), ("2026-10", 50, 70)]
VCOP_MONTHS = [("2026-07", 40, 60), ("2026-08", 45, 60), ("2026-09", 47, 60), ("2026-10", 48, 60)]


def _row(metric, portfolio, group, group_value, start, end, num, den, value, low, high, target, rag, **spc):
    suppressed = den is not None and den < 10
    return {
        "metric_id": metric,
        "portfolio_id": portfolio,
        "group": group,
        "group_value": group_value,
        "period_start": start,
        "period_end": end,
        "numerator": num,
        "denominator": den,
        "value": None if suppressed else value,
        "ci_low": None if suppressed else low,
        "ci_high": None if suppressed else high,
        "suppressed": suppressed,
        "target": target,
        "rag": None if suppressed else rag,
        **spc,
    }


def _month_bounds(month: str) -> tuple[str, str]:
    start = pd.Timestamp(f"{month}-01")
    return start.date().isoformat(), (start + pd.offsets.MonthEnd(0)).date().isoformat()


def metric_rows() -> pd.DataFrame:
    """Tidy rows as METRICS.md §6 plus SPC columns; values are numerator ÷ denominator worked by hand."""
    start, end = PERIOD[0].isoformat(), PERIOD[1].isoformat()
    rows = [
        # 180/240 = 0.75; Wilson 95%: (0.6916, 0.8006)
        _row("VCOP_OVERALL", "vcop", "all", "all", start, end, 180, 240, 0.75, 0.6916, 0.8006, 0.9, "red"),
        _row("VCOP_R4_REFERRAL", "vcop", "all", "all", start, end, 6, 8, 0.75, None, None, 0.9, "red"),
        _row("PUB_CRIMES", "vcop", "all", "all", start, end, 1234, None, 1234, None, None, None, None),
        _row("SAT_WHOLE", "vawg_da", "all", "all", start, end, 128, 220, 128 / 220, 0.5158, 0.6450, 0.8, "red"),
        _row("VCOP_OVERALL", "vawg_da", "all", "all", start, end, 184, 200, 0.92, 0.8740, 0.9502, 0.9, "green"),
    ]
    for month, num, den in VCOP_MONTHS:
        rows.append(
            _row(*("VCOP_OVERALL", "vcop", "month", month), *_month_bounds(month), num, den, num / den, None, None,
                 0.9, None, variation="improvement" if month == "2026-10" else "common",
                 special_cause=month == "2026-10", rule="trend" if month == "2026-10" else "")
        )  # fmt: skip
    for month, num, den in SAT_MONTHS:
        rows.append(
            _row(*("SAT_WHOLE", "vawg_da", "month", month), *_month_bounds(month), num, den, num / den, None, None,
                 0.8, None, variation="concern" if month == "2026-08" else "common",
                 special_cause=month == "2026-08", rule="outside_limits" if month == "2026-08" else "")
        )  # fmt: skip
    return pd.DataFrame(rows)


def definitions() -> pd.DataFrame:
    """Catalogue definitions (METRICS.md §3) of the measures in the fixtures."""
    return pd.DataFrame(
        [
            ("VCOP_OVERALL", "All entitlements", "timely", "timely + late + missed", "per code", "entitlements",
             "up", 0.9),
            ("VCOP_R4_REFERRAL", "Referral to support", "timely", "timely + late + missed", "2 working days",
             "entitlements", "up", 0.9),
            ("SAT_WHOLE", "Whole experience", "answers 5–7", "answers 1–7", "–", "survey_responses", "up", 0.8),
            ("PUB_CRIMES", "Recorded crimes (police.uk)", "distinct Crime IDs", "–", "month", "police.uk", "neutral",
             None),
        ],
        columns=["metric_id", "name", "numerator", "denominator", "timescale", "source", "polarity", "target"],
    )  # fmt: skip


def scorecards() -> dict[str, pd.DataFrame]:
    """Scorecard frames in the shape results/scorecards.py returns."""
    columns = ["portfolio_id", "metric_id", "name", "value", "ci_low", "ci_high", "numerator", "denominator"]
    columns += ["suppressed", "target", "rag", "variation_icon", "assurance", "change", "change_significant"]
    # fmt: off
    vcop = [
        ("vcop", "VCOP_OVERALL", "All entitlements", 0.75, 0.6916, 0.8006, 180, 240, False, 0.9, "red",
         "concern_low", "fail", -0.052, True),
        ("vcop", "VCOP_R4_REFERRAL", "Referral to support", None, None, None, 6, 8, True, 0.9, None, None, None,
         None, None),
        ("vcop", "PUB_CRIMES", "Recorded crimes (police.uk)", 1234, None, None, 1234, None, False, None, None,
         "common_cause", None, 31, None),
    ]
    vawg = [
        ("vawg_da", "SAT_WHOLE", "Whole experience", 128 / 220, 0.5158, 0.6450, 128, 220, False, 0.8, "red",
         "common_cause", "hit_and_miss", 0.01, False),
        ("vawg_da", "VCOP_OVERALL", "All entitlements", 0.92, 0.8740, 0.9502, 184, 200, False, 0.9, "green",
         "improvement_high", "pass", 0.031, False),
    ]
    # fmt: on
    return {"vcop": pd.DataFrame(vcop, columns=columns), "vawg_da": pd.DataFrame(vawg, columns=columns)}


@functools.cache
def tiny_png() -> bytes:
    """A real PNG rendered by vl-convert from a two-point Vega-Lite line chart."""
    import vl_convert

    spec = {
        "data": {"values": [{"x": 1, "y": 0.7}, {"x": 2, "y": 0.8}]},
        "mark": "line",
        "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
        "width": 240,
        "height": 120,
    }
    return vl_convert.vegalite_to_png(spec, scale=1)


def actions() -> pd.DataFrame:
    """Action plan rows: overdue, due soon, complete, due later, and one titled with a formula."""
    columns = ["action_id", "title", "portfolio", "owner", "source_type", "source_ref", "created_date", "due_date"]
    columns += ["status", "completed_date"]
    day = dt.date
    # fmt: off
    rows = [
        ("A-001", "Refresh referral scripts", "vcop", "j.evans", "metric", "VCOP_R4_REFERRAL", day(2026, 6, 1),
         day(2026, 10, 1), "off_track", None),
        ("A-002", "Audit victim updates", "vcop", "s.morgan", "metric", "VCOP_OVERALL", day(2026, 7, 1),
         day(2026, 11, 20), "on_track", None),
        ("A-003", "Closed action", "vcop", "s.morgan", "board", None, day(2026, 1, 1), day(2026, 3, 1), "complete",
         day(2026, 2, 20)),
        ("A-004", "Later action", "vawg_da", "r.price", "feedback", "F-1", day(2026, 9, 1), day(2027, 6, 1),
         "not_started", None),
        ("A-005", HYPERLINK, "vawg_da", "r.price", "feedback", "F-1", day(2026, 9, 1), day(2026, 10, 20), "at_risk",
         None),
    ]
    # fmt: on
    return pd.DataFrame(rows, columns=columns)


def audit() -> pd.DataFrame:
    """Audit log rows (with the portfolio each concerns) including a formula in free text."""
    return pd.DataFrame(
        {
            "at": [dt.datetime(2026, 10, 3, 10, 0), dt.datetime(2026, 10, 4, 11, 0)],
            "actor": ["j.evans", "r.price"],
            "event": ["action.update", "feedback.add"],
            "entity_type": ["action", "feedback"],
            "entity_id": ["A-001", "F-1"],
            "detail": ["status off_track", HYPERLINK],
            "portfolio": ["vcop", "vawg_da"],
        }
    )


def loads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table_name": ["victims", "entitlements"],
            "file_name": ["victims.csv", "entitlements.csv"],
            "sha256": ["a" * 64, "b" * 64],
            "rows_inserted": [200, 1500],
            "rows_updated": [0, 12],
            "loaded_by": ["analyst", "analyst"],
            "loaded_at": [dt.datetime(2026, 11, 1, 8, 0), dt.datetime(2026, 11, 1, 8, 5)],
        }
    )


def case_extracts() -> dict[str, pd.DataFrame]:
    """Missed and late entitlements, pseudonymised; one unit name starts with '-' (text, so it is quoted)."""
    missed = pd.DataFrame(
        {
            "portfolio_id": ["vcop", "vawg_da"],
            "case_id": ["VC-0000001", "VC-0000002"],
            "code": ["R4_REFERRAL", "R6_SUSPECT_UPDATE"],
            "trigger_date": [dt.date(2026, 9, 1), dt.date(2026, 9, 2)],
            "delivered_date": [None, None],
            "state": ["missed", "missed"],
            "unit": ["-5 days unit", "Newport CID"],
        }
    )
    late = pd.DataFrame(
        {
            "portfolio_id": ["vawg_da"],
            "case_id": ["VC-0000003"],
            "code": ["R3_WRITTEN_ACK"],
            "trigger_date": [dt.date(2026, 8, 3)],
            "delivered_date": [dt.date(2026, 8, 20)],
            "state": ["late"],
            "unit": ["Torfaen PPU"],
        }
    )
    return {"missed": missed, "late": late}


def feedback() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feedback_id": ["F-1", "F-2"],
            "received_date": [dt.date(2026, 9, 1), dt.date(2026, 9, 5)],
            "theme": ["Updates", "Court"],
            "portfolio": ["vawg_da", "vcop"],
            "summary": [HYPERLINK, "Tell us the court date sooner"],
            "status": ["accepted", "implemented"],
            "we_did": [None, "Hearing dates now sent within a day"],
        }
    )


def make_inputs(**overrides) -> ReportInputs:
    """Complete ReportInputs from the fixtures; keyword arguments replace fields."""
    png = tiny_png()
    charts = {chart_key(p, m): png for p, card in scorecards().items() for m in card["metric_id"]}
    fields = {
        "as_of": AS_OF,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "portfolios": PORTFOLIOS,
        "metric_rows": metric_rows(),
        "definitions": definitions(),
        "scorecards": scorecards(),
        "charts": charts,
        "actions": actions(),
        "commentary": {"vcop": "Referrals fell in August; the unit is retraining call handlers."},
        "audit": audit(),
        "loads": loads(),
        "case_extracts": case_extracts(),
        "feedback": feedback(),
        "exported_by": "inspector1",
        "exported_at": EXPORTED_AT,
        "catalogue_version": "2026.1",
        "app_version": "1.2.3",
    }
    fields.update(overrides)
    return ReportInputs(**fields)


@pytest.mark.parametrize(("metric", "portfolio"), [("VCOP_OVERALL", "vcop"), ("SAT_WHOLE", "vawg_da")])
def test_fixture_values_are_numerator_over_denominator(metric, portfolio):
    rows = metric_rows()
    block = rows[(rows.metric_id == metric) & (rows.portfolio_id == portfolio) & ~rows.suppressed]
    assert (block["value"] - block["numerator"] / block["denominator"]).abs().max() < 1e-12


def test_fixture_months_add_up_to_the_sat_headline():
    assert sum(n for _, n, _ in SAT_MONTHS) == 128
