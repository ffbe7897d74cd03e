"""The measure engine: periods (months, financial years, rolling 12), the as-of rule, targets, cuts and errors."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.measures import cohort_mask, compute, prepare
from metrics.periods import (
    Period,
    financial_quarter,
    financial_year,
    financial_years,
    last_complete_month,
    months,
    recent_months,
    rolling_12,
)
from tests.measures_fixtures import CAT, counts, entitlements, pick, run, typed, victims


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        ("2024-03-31", "2023-04-01", "2024-03-31", "2023-24"),
        ("2024-04-01", "2024-04-01", "2025-03-31", "2024-25"),
        ("2024-01-15", "2023-04-01", "2024-03-31", "2023-24"),
        ("2099-12-31", "2099-04-01", "2100-03-31", "2099-00"),
    ],
)
def test_financial_year(day, start, end, label):
    fy = financial_year(day)
    assert (str(fy.start.date()), str(fy.end.date()), fy.label) == (start, end, label)


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        ("2024-04-01", "2024-04-01", "2024-06-30", "2024-25 Q1"),
        ("2024-12-31", "2024-10-01", "2024-12-31", "2024-25 Q3"),
        ("2025-03-31", "2025-01-01", "2025-03-31", "2024-25 Q4"),
    ],
)
def test_financial_quarter(day, start, end, label):
    q = financial_quarter(day)
    assert (str(q.start.date()), str(q.end.date()), q.label) == (start, end, label)


@pytest.mark.parametrize(
    ("as_of", "back", "start", "end"),
    [
        ("2024-03-31", 0, "2023-04-01", "2024-03-31"),  # the last day of March completes March
        ("2024-03-30", 0, "2023-03-01", "2024-02-29"),  # March is not complete yet
        ("2024-03-01", 0, "2023-03-01", "2024-02-29"),
        ("2024-03-31", 1, "2022-04-01", "2023-03-31"),
        ("2024-02-29", 0, "2023-03-01", "2024-02-29"),
    ],
)
def test_rolling_12_complete_months(as_of, back, start, end):
    period = rolling_12(as_of, back=back)
    assert (str(period.start.date()), str(period.end.date()), period.kind) == (start, end, "rolling_12")


def test_months_are_clipped_and_recent_months_are_complete():
    clipped = months("2024-01-15", "2024-03-10")
    assert [(p.label, str(p.start.date()), str(p.end.date())) for p in clipped] == [
        ("2024-01", "2024-01-15", "2024-01-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2024-03", "2024-03-01", "2024-03-10"),
    ]
    recent = recent_months("2024-03-15", 36)
    assert len(recent) == 36 and recent[-1].label == "2024-02" and recent[0].label == "2021-03"
    assert last_complete_month("2024-03-31").label == "2024-03"
    assert [p.label for p in financial_years("2023-01-01", "2024-12-31")] == ["2022-23", "2023-24", "2024-25"]
    with pytest.raises(ValueError, match="ends"):
        Period("2024-02-01", "2024-01-01")


VICTIMS = victims({}, {"domestic_abuse": True, "area": "Torfaen"})


def _r3(trigger, delivered, case="VC-1"):
    return (case, "R3_WRITTEN_ACK", trigger, delivered)


def test_records_belong_to_the_financial_year_of_their_trigger_date():
    frames = {
        "victims": VICTIMS,
        "entitlements": entitlements(
            _r3("2023-03-31", "2023-04-03"),  # 2022-23: Friday 31 March, Monday 3 April: 1 working day
            _r3("2023-04-03", "2023-04-20"),  # 2023-24: 12 working days, late (Easter 7 and 10 April)
            _r3("2024-03-28", None),  # 2023-24: never delivered, missed
            _r3("2024-04-02", "2024-04-03"),  # 2024-25
        ),
    }
    years = financial_years("2022-04-01", "2025-03-31")
    result = run(frames, metric_ids=["VCOP_R3_WRITTEN_ACK"], periods=years, start="2022-04-01", end="2025-03-31",
                 as_of="2025-03-31")  # fmt: skip
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="2022-23") == (1, 1)
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="2023-24") == (0, 2)
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="2024-25") == (1, 1)


def test_rolling_windows_and_months_together():
    rows = [_r3(f"2023-{m:02d}-06", f"2023-{m:02d}-06") for m in range(1, 13)]  # one timely instance a month
    rows += [_r3("2024-01-08", None), _r3("2024-02-05", "2024-02-05")]
    frames = {"victims": VICTIMS, "entitlements": entitlements(*rows)}
    as_of = "2024-02-29"
    periods = [*recent_months(as_of, 14), rolling_12(as_of), rolling_12(as_of, back=1)]
    result = run(frames, metric_ids=["VCOP_R3_WRITTEN_ACK"], periods=periods, start="2022-03-01", end=as_of,
                 as_of=as_of)  # fmt: skip
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="12 months to 2024-02") == (11, 12)  # Mar 2023 - Feb 2024
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="12 months to 2023-02") == (2, 2)  # Jan and Feb 2023
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="2024-01") == (0, 1)
    assert counts(result, "VCOP_R3_WRITTEN_ACK", label="2023-02") == (1, 1)


def test_nothing_after_the_as_of_date_counts():
    frames = {
        "victims": VICTIMS,
        "entitlements": entitlements(_r3("2024-03-04", "2024-03-05"), _r3("2024-03-20", "2024-03-20")),
    }
    result = run(frames, metric_ids=["VCOP_R3_WRITTEN_ACK"], start="2024-03-01", end="2024-03-31", as_of="2024-03-15")
    assert counts(result, "VCOP_R3_WRITTEN_ACK") == (1, 1)


def test_periods_must_be_whole_months_of_the_window():
    prepared = prepare({"victims": VICTIMS}, CAT, as_of="2024-06-30", start="2024-01-01", end="2024-06-30")
    with pytest.raises(ValueError, match="not made of whole months"):
        compute(prepared, CAT, periods=[Period("2024-02-10", "2024-03-31")], metric_ids=["VCOP_OVERALL"])


def test_unknown_cut_is_refused():
    with pytest.raises(ValueError, match="cannot cut by 'colour'"):
        prepare({}, CAT, as_of="2024-06-30", start="2024-01-01", end="2024-06-30", by="colour")


def test_every_catalogue_measure_computes_on_empty_sources():
    empty = {
        "victims": VICTIMS.iloc[:0],
        "entitlements": entitlements(_r3("2024-01-02", "2024-01-02")).iloc[:0],
    }
    prepared = prepare(empty, CAT, as_of="2024-06-30", start="2024-01-01", end="2024-06-30")
    result = compute(prepared, CAT, periods=[Period("2024-01-01", "2024-06-30")], portfolio="vcop")
    assert list(result["metric_id"]) == [m.id for m in CAT.all_measures]
    assert pick(result, "VCOP_OVERALL")["suppressed"]
    assert pick(result, "VCOP_OVERALL")["denominator"] == 0


def _targets(*rows):
    return pd.DataFrame(rows, columns=["metric_id", "portfolio_id", "target", "valid_from", "set_at"]).assign(
        valid_from=lambda t: pd.to_datetime(t["valid_from"]), set_at=lambda t: pd.to_datetime(t["set_at"])
    )


@pytest.mark.parametrize(
    ("targets", "portfolio", "expected"),
    [
        (None, "vcop", 0.90),  # catalogue default
        ([("VCOP_OVERALL", None, 0.95, "2024-01-01", "2024-01-01")], "vcop", 0.95),  # global override
        ([("VCOP_OVERALL", None, 0.95, "2024-07-01", "2024-01-01")], "vcop", 0.90),  # not valid until after the end
        ([("VCOP_OVERALL", None, 0.95, "2024-01-01", "2024-01-01"),
          ("VCOP_OVERALL", "vawg_da", 0.80, "2023-01-01", "2023-01-01")], "vawg_da", 0.80),  # portfolio beats global
        ([("VCOP_OVERALL", None, 0.95, "2024-01-01", "2024-01-01"),
          ("VCOP_OVERALL", "vawg_da", 0.80, "2023-01-01", "2023-01-01")], "vcop", 0.95),  # another portfolio's
        ([("VCOP_OVERALL", None, 0.95, "2023-01-01", "2023-01-01"),
          ("VCOP_OVERALL", None, 0.85, "2024-02-01", "2024-02-01")], "vcop", 0.85),  # the latest valid_from
        ([("SAT_WHOLE", None, 0.50, "2024-01-01", "2024-01-01")], "vcop", 0.90),  # another measure's
    ],
)  # fmt: skip
def test_targets_table_overrides_the_catalogue(targets, portfolio, expected):
    # Ten timely instances of VC-2, a domestic abuse victim: in both the vcop and vawg_da cohorts.
    frames = {"victims": VICTIMS, "entitlements": entitlements(*[_r3("2024-03-04", "2024-03-05", "VC-2")] * 10)}
    result = run(frames, metric_ids=["VCOP_OVERALL"], portfolio=portfolio, start="2024-01-01", end="2024-06-30",
                 as_of="2024-06-30", targets=None if targets is None else _targets(*targets))  # fmt: skip
    row = pick(result, "VCOP_OVERALL")
    assert row["target"] == expected
    assert row["rag"] == ("green" if expected <= 1.0 else "red")


def test_a_target_on_a_measure_without_one_brings_a_rag():
    frames = {"victims": VICTIMS, "entitlements": entitlements(*[_r3("2024-03-04", "2024-03-05")] * 10)}
    targets = _targets(("VCOP_OVERALL", None, 1.5, "2024-01-01", "2024-01-01"))  # impossible: red
    result = run(frames, metric_ids=["VCOP_OVERALL"], start="2024-01-01", end="2024-06-30", as_of="2024-06-30",
                 targets=targets)  # fmt: skip
    assert pick(result, "VCOP_OVERALL")["rag"] == "red"


@pytest.mark.parametrize(
    ("cohort", "expected"),
    [
        ({}, [True, True, True]),
        ({"domestic_abuse": True}, [False, True, False]),
        ({"offence_group": ["sexual_offences", "robbery"]}, [False, False, True]),
        ({"domestic_abuse": True, "offence_group": ["theft"]}, [False, True, False]),
        ({"preferred_language": ["cy"]}, [False, False, False]),
    ],
)
def test_cohort_mask(cohort, expected):
    frame = typed(
        [
            {"domestic_abuse": False, "offence_group": "theft", "preferred_language": "en"},
            {"domestic_abuse": True, "offence_group": "theft", "preferred_language": "en"},
            {"domestic_abuse": None, "offence_group": "robbery", "preferred_language": None},
        ]
    )
    assert cohort_mask(frame, cohort).tolist() == expected


def test_a_cohort_on_a_column_a_frame_lacks_keeps_nothing():
    frame = typed([{"area": "Newport"}])
    assert cohort_mask(frame, {"hate_crime": True}).tolist() == [False]


def test_counts_are_never_suppressed():
    events = typed([{"event_id": "E1", "event_date": "2024-01-10", "participants": 3}])
    row = pick(run({"engagement_events": events}, metric_ids=["SE_EVENTS"], start="2024-01-01", end="2024-01-31",
                   as_of="2024-01-31"), "SE_EVENTS")  # fmt: skip
    assert (row["value"], row["suppressed"]) == (1, False)
    assert math.isnan(row["ci_low"])


def test_victim_columns_for_a_slim_fetch():
    from metrics.measures import victim_columns

    scorecards = victim_columns(CAT)
    assert scorecards == sorted(
        ["reported_date", "outcome", "outcome_date", "enhanced_rights", "preferred_language", "ethnicity",
         "domestic_abuse", "hate_crime", "offence_group"]
    )  # fmt: skip
    assert "area" in victim_columns(CAT, "area") and "area" not in scorecards
