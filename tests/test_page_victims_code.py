"""The Victims' Code page through AppTest: who may open it, numbers that match metrics/, the drill-down kept in the
URL, the case list only for users allowed the portfolio's cases, and the MoJ quarterly return pooled honestly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from auth.roles import Scope
from auth.users import set_language
from config.i18n import format_percent
from data import queries
from data.cases import missed_and_late
from data.engine import make_engine
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import Period, rolling_12
from metrics.rates import wilson_scalar
from results import moj
from tests.apptest_support import open_page, sign_in
from ui import vcop

PAGE = "app_pages/victims_code.py"
CODE = "R6_SUSPECT_UPDATE"
CASE_COLUMN = "Case reference"


@pytest.fixture(scope="module")
def expected(seeded_db_url):
    """Rolling-12-month and MoJ-quarter rows straight from the metrics engine, with the case list of lead.da."""
    engine = make_engine(seeded_db_url)
    catalogue = load_catalogue()
    as_of = queries.latest_as_of(engine)
    period = rolling_12(as_of)
    ids = list(vcop.measure_ids(catalogue))
    frames = queries.metric_frames(engine, period.start.date(), period.end.date(), as_of=as_of)
    prepared = prepare(frames, catalogue, as_of=as_of, start=period.start, end=period.end)
    targets = queries.targets_frame(engine)
    r12 = {
        p: compute(prepared, catalogue, periods=[period], portfolio=p, metric_ids=ids, targets=targets)
        for p in ("vawg_da", "witness_care", "vcop")
    }
    # The quarters computed directly as periods: the page pools months instead, so the two must agree.
    quarters = [Period(q.start, q.end, "custom", q.label) for q in moj.last_quarters(as_of)]
    start, end = quarters[0].start, quarters[-1].end
    frames = queries.metric_frames(engine, start.date(), end.date(), as_of=as_of)
    prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end)
    moj_ids = [m.id for m in catalogue.all_measures if m.id.startswith("VCOP_MOJ_")] + ["WL_CY_DELIVERED_IN_CY"]
    quarterly = compute(prepared, catalogue, periods=quarters, portfolio="vawg_da", metric_ids=moj_ids, targets=targets)
    lead = Scope.for_user("lead.da", ["lead"], ["vawg_da"])
    cases = missed_and_late(engine, lead, "vawg_da", CODE, period.start, period.end, as_of)
    engine.dispose()
    return {"r12": r12, "quarterly": quarterly, "cases": cases, "as_of": as_of}


def open_victims_code(username: str, **params: str):
    """Sign in (in English, whatever another test saved as the user's language), then open the page with these URL
    parameters and no others."""
    at = sign_in(username)
    if at.radio(key="vsd_lang").value != "en":
        at.radio(key="vsd_lang").set_value("en").run()
    at.switch_page(PAGE)
    at.query_params.clear()
    at.query_params.update(params)
    return at.run()


def frame_with(at, column: str) -> pd.DataFrame | None:
    """The first grid holding this column, or None."""
    return next((df.value for df in at.dataframe if column in df.value.columns), None)


def rate_text(row: pd.Series) -> str:
    return "fewer than 10" if row["suppressed"] else format_percent(row["value"])


def row_of(rows: pd.DataFrame, metric_id: str) -> pd.Series:
    return rows.loc[rows["metric_id"] == metric_id].iloc[0]


def assert_headline_and_rights(at, rows: pd.DataFrame) -> None:
    """Overall compliance and the victim-voice tiles, and every right's compliance and base, as metrics/ has them."""
    tiles = {m.label: m.value for m in at.metric}
    catalogue = load_catalogue()
    for metric_id in ("VCOP_OVERALL", "SAT_INFORMED", "SAT_WHOLE", "WL_CY_DELIVERED_IN_CY"):
        assert tiles[catalogue.measure(metric_id).name] == rate_text(row_of(rows, metric_id))
    rights = frame_with(at, "Right")
    assert list(rights["Right"]) == list(range(1, 13))
    for _, shown in rights.iterrows():
        row = row_of(rows, f"VCOP_RIGHT_{shown['Right']}")
        assert shown["Compliance"] == rate_text(row)
        base = "fewer than 10" if row["suppressed"] else f"{row['numerator']:,.0f} of {row['denominator']:,.0f}"
        assert shown["Base (numerator of denominator)"] == base


def assert_moj_return(at, expected) -> None:
    """Every MoJ area (and the Welsh-language service beside it) by quarter, as metrics/ computes the quarters."""
    labels = [q.label for q in moj.last_quarters(expected["as_of"])]
    names = {m.id: m.name for m in load_catalogue().all_measures}
    shown = pd.concat([df.value for df in at.dataframe if labels[0] in df.value.columns]).set_index("Measure")
    assert list(shown.columns) == labels
    quarterly = expected["quarterly"]
    assert len(quarterly) == 6 * 4
    for _, row in quarterly.iterrows():
        cell = shown.at[names[row["metric_id"]], row["period_label"]]
        if row["denominator"] == 0:  # nothing counted: probation's release area without its data (STATUTORY.md §7)
            assert cell == "No data loaded"
        elif row["suppressed"]:
            assert cell == "fewer than 10"
        else:
            assert cell == f"{format_percent(row['value'])} ({row['numerator']:,.0f} of {row['denominator']:,.0f})"
    welsh = quarterly.loc[(quarterly["metric_id"] == "WL_CY_DELIVERED_IN_CY") & ~quarterly["suppressed"]]
    assert len(welsh) and welsh["value"].between(0.55, 0.85).all()  # the planted signal: about 70% served in Welsh


@pytest.mark.slow  # AppTest: signs in and runs the page several times
def test_a_domestic_abuse_lead_follows_a_link_down_to_the_case_list(seeded_reading_env, seeded_db_url, expected):
    at = open_victims_code("lead.da", portfolio="vawg_da", code=CODE, cut="unit", cases="1")
    assert not at.exception
    picker = at.selectbox(key="filter_portfolio")
    assert picker.value == "vawg_da"
    assert picker.options == ["VAWG — domestic abuse", "Victims' Code compliance (MoJ)"]
    rows = expected["r12"]["vawg_da"]
    assert_headline_and_rights(at, rows)
    assert_moj_return(at, expected)
    # The link opened the right, the entitlement and the cut.
    assert at.selectbox(key="vcop_right").value == 6
    assert at.selectbox(key="vcop_code_6").value == CODE
    codes = frame_with(at, "Standard timescale")
    r6 = ["R6_SUSPECT_UPDATE", "R6_DECISION_UPDATE", "R6_CPS_DECISION", "R6_VRR_ACK", "R6_VRR_DECISION"]
    assert list(codes["Entitlement"]) == r6  # with Right to Review (STATUTORY.md §2)
    assert list(codes["Standard timescale"]) == ["5 working days"] * 3 + ["10 working days", "30 working days"]
    assert list(codes["Enhanced timescale"]) == ["1 working day"] * 3 + ["10 working days", "30 working days"]
    assert list(frame_with(at, "Unit")["Unit"]) == sorted(expected["cases"]["unit"].unique())
    assert len(frame_with(at, "Month")) == 36  # the monthly SPC table
    cases = frame_with(at, CASE_COLUMN)
    r6 = row_of(rows, f"VCOP_{CODE}")
    # Every instance counted and not on time is listed: denominator − numerator of the measure.
    assert len(cases) == r6["denominator"] - r6["numerator"] == len(expected["cases"])
    assert list(cases[CASE_COLUMN]) == list(expected["cases"]["case_id"])
    assert set(cases["State"]) <= {"Late", "Missed"}
    assert at.download_button(key="vcop_cases_download").label

    at.toggle(key="vcop_cases_toggle").set_value(False).run()
    assert frame_with(at, CASE_COLUMN) is None and "cases" not in at.query_params
    at.selectbox(key="vcop_right").select(4).run()
    assert "code" not in at.query_params and at.query_params["right"] == "4"
    codes = frame_with(at, "Standard timescale")
    assert list(codes["Entitlement"]) == ["R4_NEEDS_ASSESSMENT", "R4_REFERRAL"]
    assert list(codes["Enhanced timescale"]) == ["2 working days", "2 working days"]

    at.radio(key="vsd_lang").set_value("cy").run()
    assert not at.exception
    assert frame_with(at, "Hawl") is not None and frame_with(at, "Hawlogaeth") is not None
    engine = make_engine(seeded_db_url)
    set_language(engine, "lead.da", "en")  # the switch saved Welsh for the user: undo it
    engine.dispose()


@pytest.mark.slow  # AppTest: signs in and runs the page several times
def test_a_witness_care_lead_cannot_reach_domestic_abuse_cases_through_a_link(seeded_reading_env, expected):
    at = open_victims_code("lead.wcu", portfolio="vawg_da", code=CODE, cases="1")
    assert not at.exception
    assert any("vawg_da" in w.value.replace("\\", "") for w in at.warning)  # the id as typed, escaped
    assert at.selectbox(key="filter_portfolio").value == "witness_care"
    assert frame_with(at, CASE_COLUMN) is None
    assert not [b for b in at.download_button if b.key == "vcop_cases_download"]
    assert any("does not cover R6_SUSPECT_UPDATE" in i.value for i in at.info)
    assert "cases" not in at.query_params
    assert_headline_and_rights(at, expected["r12"]["witness_care"])

    # All victims: the numbers, but not the case list.
    at.selectbox(key="filter_portfolio").select("vcop").run()
    assert frame_with(at, CASE_COLUMN) is None
    assert any("only for its leads, the board and inspectors" in i.value for i in at.info)
    assert_headline_and_rights(at, expected["r12"]["vcop"])


@pytest.mark.slow  # AppTest: signs in and runs the page several times
def test_the_board_reads_all_victims_down_to_their_cases(seeded_reading_env, expected):
    at = open_victims_code("board", code=CODE, cases="1")
    assert not at.exception
    assert at.selectbox(key="filter_portfolio").value == "vcop"
    rows = expected["r12"]["vcop"]
    assert_headline_and_rights(at, rows)
    r6 = row_of(rows, f"VCOP_{CODE}")
    assert len(frame_with(at, CASE_COLUMN)) == r6["denominator"] - r6["numerator"]


@pytest.mark.slow  # AppTest: signs in and runs the page several times
def test_an_inspector_reads_all_victims(seeded_reading_env, expected):
    at = open_victims_code("inspector")
    assert not at.exception
    assert at.selectbox(key="filter_portfolio").value == "vcop"
    assert_headline_and_rights(at, expected["r12"]["vcop"])
    assert frame_with(at, CASE_COLUMN) is None


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_cannot_open_the_page(seeded_reading_env, username):
    at = sign_in(username)
    with pytest.raises(ValueError):
        open_page(at, PAGE)


@pytest.mark.parametrize(
    ("as_of", "first", "last"),
    [
        (dt.date(2026, 10, 31), "2025-26 Q3", "2026-27 Q2"),  # October is not a quarter end
        (dt.date(2026, 9, 30), "2025-26 Q3", "2026-27 Q2"),  # the quarter's last day completes it
        (dt.date(2026, 9, 29), "2025-26 Q2", "2026-27 Q1"),  # September not yet complete
        (dt.date(2024, 4, 2), "2023-24 Q1", "2023-24 Q4"),  # March complete: the financial year's last quarter
    ],
)
def test_the_last_four_complete_financial_quarters(as_of, first, last):
    quarters = moj.last_quarters(as_of)
    assert len(quarters) == 4
    assert (quarters[0].label, quarters[-1].label) == (first, last)


def test_quarters_pool_counts_and_recompute_intervals_never_averaging_percentages():
    months = [  # (metric, month start, numerator, denominator)
        ("A", "2024-01-01", 5, 8), ("A", "2024-02-01", 3, 4), ("A", "2024-03-01", 1, 2),
        ("A", "2024-04-01", 2, 3), ("A", "2024-05-01", 3, 3), ("A", "2024-06-01", 1, 1),
    ]  # fmt: skip
    monthly = pd.DataFrame(
        {
            "metric_id": [m[0] for m in months],
            "period_start": pd.to_datetime([m[1] for m in months]),
            "period_kind": "month",
            "numerator": [float(m[2]) for m in months],
            "denominator": [float(m[3]) for m in months],
            "target": 0.9,
            "polarity": "up",
        }
    )
    quarters = moj.last_quarters(dt.date(2024, 6, 30))[-2:]
    table = moj.quarterly(monthly, quarters, load_catalogue())
    first, second = table.iloc[0], table.iloc[1]
    # January–March: 9 of 14 (not the mean of 62.5%, 75% and 50%); April–June: 6 of 7, below the threshold.
    assert (first["quarter"], first["numerator"], first["denominator"]) == ("2023-24 Q4", 9, 14)
    assert first["value"] == pytest.approx(9 / 14)
    assert (first["ci_low"], first["ci_high"]) == pytest.approx(wilson_scalar(9, 14))
    assert first["rag"] == "red" and not first["suppressed"]
    assert (second["quarter"], second["numerator"], second["denominator"]) == ("2024-25 Q1", 6, 7)
    assert second["suppressed"] and pd.isna(second["value"]) and second["rag"] is None
