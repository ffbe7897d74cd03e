"""The board's whole-framework view (#17 item 2): the MDC summary matrix, the measures that need attention with the
action covering each, no internal id on screen, and a matrix cell that opens its measure."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from results.board import matrix_counts, needs_attention, summary_matrix, variation_class
from tests.apptest_support import sign_in
from ui.scorecard_table import picked_measure


def cards(*rows):
    return pd.DataFrame(rows, columns=["portfolio_id", "metric_id", "rag", "variation", "assurance"])


CARDS = cards(
    ("a", "M1", "red", "concern_low", "fail"),
    ("a", "M2", "green", "common_cause", "pass"),
    ("a", "M3", "amber", "concern_high", "hit_and_miss"),
    ("b", "M1", "red", "common_cause", "hit_and_miss"),
    ("b", "M4", None, None, None),  # suppressed headline: no RAG, no icons
    ("b", "M5", "green", "improvement_high", None),  # no target: no assurance
)


@pytest.mark.parametrize(
    ("variation", "expected"),
    [("concern_low", "concern"), ("concern_high", "concern"), ("improvement_low", "improvement"),
     ("neutral_high", "neutral"), ("common_cause", "common_cause"), (None, "none"), ("", "none")],
)  # fmt: skip
def test_variation_classes(variation, expected):
    assert variation_class(variation) == expected


def test_every_measure_is_placed_once_by_its_icons():
    matrix = summary_matrix(CARDS)
    placed = {(r.portfolio_id, r.metric_id): (r.variation_class, r.assurance_class) for r in matrix.itertuples()}
    assert placed == {
        ("a", "M1"): ("concern", "fail"),
        ("a", "M2"): ("common_cause", "pass"),
        ("a", "M3"): ("concern", "hit_and_miss"),
        ("b", "M1"): ("common_cause", "hit_and_miss"),
        ("b", "M4"): ("none", "none"),
        ("b", "M5"): ("improvement", "none"),
    }
    counts = matrix_counts(matrix)
    assert counts.to_numpy().sum() == 6
    assert counts.loc["concern", "fail"] == 1 and counts.loc["concern", "hit_and_miss"] == 1
    assert counts.loc["neutral"].sum() == 0  # every cell is present, empty ones hold 0


def test_red_and_concern_measures_are_named_with_the_open_action_that_covers_each():
    actions = pd.DataFrame(
        [
            # open, raised from M1 in portfolio a: covers it (the one due first is named)
            ("AC-002", "a", "on_track", "metric", "M1", "Lead A", dt.date(2027, 3, 1)),
            ("AC-001", "a", "at_risk", "metric", "M1", "Owner A", dt.date(2027, 1, 1)),
            ("AC-003", "a", "closed", "metric", "M3", "Owner A", dt.date(2026, 1, 1)),  # closed: covers nothing
            ("AC-004", "a", "on_track", "metric", "M1", "Owner B", dt.date(2026, 1, 1)),  # wrong portfolio below
            ("AC-005", "a", "on_track", "recommendation", "M3", "Owner C", dt.date(2026, 1, 1)),  # not a measure
        ],
        columns=["action_id", "portfolio", "status", "source_type", "source_ref", "owner", "due_date"],
    )
    actions.loc[3, "portfolio"] = "c"
    attention = needs_attention(CARDS, actions)
    assert attention[["portfolio_id", "metric_id"]].to_numpy().tolist() == [["a", "M1"], ["a", "M3"], ["b", "M1"]]
    assert attention["red"].tolist() == [True, False, True]
    assert attention["concern"].tolist() == [True, True, False]
    assert attention["action_id"].tolist() == ["AC-001", None, None]
    assert attention["action_owner"].tolist() == ["Owner A", None, None]


def test_nothing_needs_attention_without_red_or_concern():
    assert needs_attention(CARDS.iloc[[1, 4]], None).empty


@pytest.mark.parametrize(
    ("state", "expected"),
    [({"selection": {"rows": [1], "columns": []}}, "M2"), ({"selection": {"rows": []}}, None), (None, None),
     ({"selection": {"rows": [9]}}, None)],
)  # fmt: skip
def test_a_picked_grid_row_names_its_measure(state, expected):
    assert picked_measure(state, ("M1", "M2", "M3")) == expected


def test_a_board_member_reads_the_reds_and_opens_a_measure_from_the_matrix(seeded_app_env):
    at = sign_in("board")
    assert not at.exception
    assert at.selectbox(key="filter_portfolio").value == "framework"
    text = " ".join(str(m.value) for m in at.markdown) + " ".join(str(s.value) for s in at.subheader)
    assert "What needs attention" in text and "Summary matrix" in text
    assert "(lead: Domestic Abuse lead)" in text
    shown = pd.concat([table.value.reset_index() for table in at.table], ignore_index=True)
    assert {"Measure", "Why it is listed", "Action"} <= set(shown.columns)
    assert shown["Why it is listed"].str.contains("Red").any()
    # No internal id anywhere in the view: no measure id, entitlement code or portfolio id in tables or buttons.
    everything = " ".join(
        [*shown.astype(str).to_numpy().ravel(), *(b.label for b in at.button)]
        + [
            " ".join(map(str, df.value.columns)) + " ".join(df.value.astype(str).to_numpy().ravel())
            for df in at.dataframe
        ]
    )
    for internal in ("VCOP_", "R6_SUSPECT_UPDATE", "vawg_da", "Portfolio id"):
        assert internal not in everything
    reds = [df.value for df in at.dataframe if "Red" in df.value.columns][0]
    assert "VAWG — domestic abuse" in set(reds["Portfolio"])

    # Each measure in the matrix is a button; clicking one opens it on its portfolio's scorecard.
    button = next(b for b in at.button if b.key == "vsd_matrix_vawg_da_VCOP_R6_SUSPECT_UPDATE")
    assert button.label.startswith("Updates on the suspect")
    button.click().run()
    assert not at.exception
    assert at.selectbox(key="filter_portfolio").value == "vawg_da"
    assert at.selectbox(key="scorecard_measure").value == "VCOP_R6_SUSPECT_UPDATE"
    assert at.query_params["measure"] in (["VCOP_R6_SUSPECT_UPDATE"], "VCOP_R6_SUSPECT_UPDATE")
    captions = " ".join(c.value for c in at.caption)
    assert "monthly values, bases and SPC result" in captions


def test_the_demo_accounts_name_their_portfolios_not_their_ids(seeded_app_env):
    from streamlit.testing.v1 import AppTest

    from tests.apptest_support import APP

    at = AppTest.from_file(APP, default_timeout=60).run()
    listing = at.table[0].value
    shown = " ".join(listing.astype(str).to_numpy().ravel())
    assert "VAWG — domestic abuse" in shown and "Witness Care Unit" in shown
    assert "vawg_da" not in shown and "witness_care" not in shown


def test_a_grid_wider_than_the_window_gets_narrower_columns_and_wrapping_rows():
    from ui.tables import MAIN_WIDTH, fitted_widths, row_height

    # Fits: nothing changes.
    assert fitted_widths({"a": 100, "b": 200}) == {"a": 100, "b": 200}
    # 100 + 300 + 900 = 1,300 px > 860. A fair third is 286.7: "a" (100) keeps its width; of the 760 left a fair half
    # is 380: "b" (300) keeps its width; "c" gets the remaining 460.
    widths = fitted_widths({"a": 100, "b": 300, "c": 900})
    assert widths == {"a": 100, "b": 300, "c": 460}
    assert sum(widths.values()) <= MAIN_WIDTH
    # "c" needs 900 px on one line, so two lines in its width: rows tall enough for Streamlit to wrap (over 64 px).
    assert row_height({"a": 100, "b": 300, "c": 900}, widths) > 64
    assert row_height({"a": 100}, {"a": 100}) is None
