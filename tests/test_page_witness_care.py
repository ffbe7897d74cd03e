"""The Witness care and special measures page: who may open it, every WCU_* and SM_* measure matching metrics/ (value,
RAG and SPC in words), a measure cut by a victim attribute, and the measure table's wording."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from config.i18n import format_percent
from data import queries
from data.engine import make_engine
from metrics import scorecard as scorecards
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import rolling_12
from results.scorecards import all_scorecards
from tests.apptest_support import open_page, sign_in
from ui.measure_views import base_text, change_text, measure_table

PAGE = "app_pages/witness_care.py"
READERS = {"lead.da": "vawg_da", "lead.wcu": "witness_care", "board": "witness_care", "inspector": "witness_care"}
MEASURES = [m.id for m in load_catalogue().all_measures if m.area in ("witness_care", "special_measures")]
RAG_WORDS = {"green": "✓ Green", "amber": "! Amber", "red": "✗ Red", None: "No rating"}
VARIATION_WORDS = {
    None: "–",
    "common_cause": "● Common cause variation",
    "improvement_high": "▲ Special cause improvement (high)",
    "improvement_low": "▼ Special cause improvement (low)",
    "concern_high": "▲ Special cause concern (high)",
    "concern_low": "▼ Special cause concern (low)",
}


@pytest.fixture(scope="module")
def expected(seeded_db_url):
    """Rolling-12 rows per reader portfolio, attendance by area, and every scorecard, straight from the engine."""
    engine = make_engine(seeded_db_url)
    catalogue = load_catalogue()
    as_of = queries.latest_as_of(engine)
    period = rolling_12(as_of)
    targets = queries.targets_frame(engine)
    frames = queries.metric_frames(engine, period.start, period.end, as_of=as_of)
    out = {}
    for by in (None, "area"):
        prepared = prepare(frames, catalogue, as_of=as_of, start=period.start, end=period.end, by=by)
        for portfolio in set(READERS.values()):
            rows = compute(prepared, catalogue, periods=[period], portfolio=portfolio, metric_ids=MEASURES,
                           targets=targets)  # fmt: skip
            out[(portfolio, by)] = rows.set_index(["metric_id", "group_value"])
    start, end = scorecards.window(as_of)
    frames = queries.metric_frames(engine, start.date(), end.date(), as_of=as_of)
    prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end)
    out["cards"] = all_scorecards(prepared, catalogue, targets=targets)
    engine.dispose()
    return out


def frames_with(at: AppTest, column: str) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe if column in df.value.columns]


def shown_value(row: pd.Series) -> str:
    return "fewer than 10" if row["suppressed"] else format_percent(row["value"])


def test_every_reader_sees_each_measure_as_the_engine_computes_it(seeded_reading_env, expected):
    names = {m: load_catalogue().measure(m).name for m in MEASURES}
    cards = expected["cards"].set_index(["portfolio_id", "metric_id"])
    for username, portfolio in READERS.items():
        at = open_page(sign_in(username), PAGE)
        assert not at.exception, username
        assert at.selectbox(key="filter_portfolio").value == portfolio
        table = pd.concat(frames_with(at, "Variation (SPC)")).set_index("Measure")
        assert list(table.index) == [names[m] for m in MEASURES]
        rows = expected[(portfolio, None)]
        for metric_id in MEASURES:
            row, shown = rows.loc[(metric_id, "all")], table.loc[names[metric_id]]
            assert shown["Value"] == shown_value(row), (username, metric_id)
            assert shown["RAG"] == RAG_WORDS[row["rag"]]
            # The scorecard works out SPC icons on its own path; where the measure is on a scorecard with this
            # cohort (witness_care and special_measures share the whole-force cohort), the words must agree.
            owner = portfolio if portfolio == "vawg_da" else load_catalogue().measure(metric_id).area
            if (owner, metric_id) in cards.index:
                assert shown["Variation (SPC)"] == VARIATION_WORDS[cards.loc[(owner, metric_id), "variation"]]
        by_area = frames_with(at, "Area")[0].set_index("Area")
        attendance = expected[(portfolio, "area")].loc["WCU_ATTENDANCE"]
        assert sorted(by_area.index) == sorted(attendance.index)
        for area, row in attendance.iterrows():
            assert by_area.at[area, "Rate"] == shown_value(row)


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_cannot_open_the_page(seeded_reading_env, username):
    with pytest.raises(ValueError):
        open_page(sign_in(username), PAGE)


def test_a_link_opens_a_measure_cut_by_unit_in_welsh(seeded_reading_env, expected):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=60)
    at.session_state["vsd_scope"] = Scope.for_user("lead.wcu", ["lead"], ["witness_care", "special_measures"])
    at.session_state["vsd_lang"] = "cy"
    at.query_params.update({"measure": "SM_DISCUSSED", "cut": "unit", "portfolio": "special_measures"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="filter_portfolio").value == "special_measures"
    assert (at.selectbox(key="wc_measure").value, at.selectbox(key="wc_cut").value) == ("SM_DISCUSSED", "unit")
    assert {"Uned Gofal Tystion", "Mesurau arbennig"} <= {h.value for h in at.subheader}
    assert frames_with(at, "Uned"), "the cut table is headed by the unit, in Welsh"


# ---- the measure table's wording


def row(**values) -> pd.Series:
    base = {
        "metric_id": "SM_QA", "kind": "rate", "numerator": 45, "denominator": 50, "value": 0.9, "ci_low": 0.787,
        "ci_high": 0.957, "suppressed": False, "target": 1.0, "rag": "red", "n1": np.nan, "n2": np.nan,
        "change": np.nan, "change_ci_low": np.nan, "change_ci_high": np.nan, "change_p": np.nan,
        "change_significant": None,
    }  # fmt: skip
    return pd.Series({**base, **values})


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "–"),
        (
            {"change": 0.0978, "change_ci_low": 0.0151, "change_ci_high": 0.1791, "change_p": 0.0204,
             "change_significant": True},
            "+9.8 points (95% CI +1.5 points to +17.9 points); statistically significant, p = 0.020",
        ),
        (
            {"change": -0.02, "change_ci_low": -0.079, "change_ci_high": 0.039, "change_p": 0.5,
             "change_significant": False},
            "-2.0 points (95% CI -7.9 points to +3.9 points); not statistically significant, p = 0.500",
        ),
        ({"change": 0.3, "change_ci_low": 0.2, "change_ci_high": 0.4, "change_p": 1e-9, "change_significant": True},
         "+30.0 points (95% CI +20.0 points to +40.0 points); statistically significant, p < 0.001"),
        ({"kind": "count", "change": 36.0}, "+36"),
        ({"kind": "count", "change": -4.0}, "-4"),
        ({"kind": "difference", "change": -0.031}, "-3.1 points"),
    ],
)  # fmt: skip
def test_change_text(values, expected):
    assert change_text(row(**values)) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "45 of 50"),
        ({"suppressed": True, "numerator": 3, "denominator": 4}, ""),  # a suppressed rate's counts stay hidden
        ({"kind": "count", "numerator": 1234, "denominator": np.nan}, "1,234"),
        ({"kind": "difference", "n1": 1028, "n2": 88}, "1,028 and 88"),
        ({"kind": "difference", "n1": 120, "n2": 9, "suppressed": True}, ""),
    ],
)
def test_base_text(values, expected):
    assert base_text(row(**values)) == expected


def test_a_suppressed_headline_takes_no_rag_or_spc_words():
    rows = pd.DataFrame([row(), row(metric_id="SM_GRANTED", suppressed=True, value=np.nan, rag=None)])
    status = pd.DataFrame(
        {"metric_id": ["SM_QA", "SM_GRANTED"], "variation": ["concern_low", "common_cause"], "assurance": ["fail"] * 2}
    )
    table = measure_table(rows, status)
    assert table.iloc[0].tolist()[1:8] == [
        "90.0%", "78.7% – 95.7%", "45 of 50", "100.0%", "✗ Red", "▼ Special cause concern (low)",
        "✗ Consistently fails the target",
    ]  # fmt: skip
    assert table.iloc[1].tolist()[1:8] == ["fewer than 10", "", "", "100.0%", "No rating", "–", "–"]
