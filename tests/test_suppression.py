"""Primary suppression of small-denominator rates and primary + secondary suppression of published count tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.suppression import LOG_COLUMNS, primary, publication_table


@pytest.mark.parametrize(
    ("denominators", "threshold", "expected"),
    [
        ([0, 9, 10, 11], 10, [True, True, False, False]),
        ([4, 5, 6], 5, [True, False, False]),
        ([np.nan, 100], 10, [True, False]),
    ],
)
def test_primary_suppression(denominators, threshold, expected):
    numerators = [0] * len(denominators)
    assert primary(numerators, denominators, threshold=threshold).tolist() == expected


def test_primary_keeps_index():
    index = ["VCOP_OVERALL", "SAT_WHOLE"]
    flags = primary(pd.Series([3, 40], index=index), pd.Series([8, 50], index=index))
    assert flags.to_dict() == {"VCOP_OVERALL": True, "SAT_WHOLE": False}


def hidden_cells(log: pd.DataFrame) -> set[tuple]:
    return {(row.row, row.column, row.reason) for row in log.itertuples()}


def test_nothing_small_nothing_hidden():
    df = pd.DataFrame({"area": ["N", "S"], "a": [0, 12], "b": [5, 30]})
    table, log = publication_table(df, ["a", "b"])
    assert table.to_dict("list") == {"area": ["N", "S"], "a": ["0", "12"], "b": ["5", "30"]}
    assert log.empty and list(log.columns) == LOG_COLUMNS


def test_single_row_hides_smallest_other_non_zero_cell():
    # One row: its total would reveal the 2, so the smallest other count is hidden; a zero protects nothing.
    df = pd.DataFrame({"a": [2], "b": [0], "c": [9], "d": [6]})
    table, log = publication_table(df, ["a", "b", "c", "d"])
    assert table.iloc[0].tolist() == ["<5", "0", "9", "[c]"]
    assert hidden_cells(log) == {(0, "a", "primary"), (0, "d", "secondary")}


def test_two_by_two_cascades_to_every_cell():
    # [[3, 10], [7, 20]]: row 0 needs 10 hidden; column a needs 7; column b (10 hidden) then needs 20.
    df = pd.DataFrame({"a": [3, 7], "b": [10, 20]})
    table, log = publication_table(df, ["a", "b"])
    assert table.to_dict("list") == {"a": ["<5", "[c]"], "b": ["[c]", "[c]"]}
    assert hidden_cells(log) == {
        (0, "a", "primary"),
        (0, "b", "secondary"),
        (1, "a", "secondary"),
        (1, "b", "secondary"),
    }


def test_three_by_three_hand_worked():
    #        a   b   c
    #   N    3  12  40     primary: N.a (3), E.c (2)
    #   S   20   8   0     row N → N.b (12 < 40); row E → E.a (15 < 30)
    #   E   15  30   2     column b (only N.b) → S.b (8 < 30); column c (only E.c) → N.c (40; the 0 comes last)
    #                      row S (only S.b) → S.a (20; the 0 comes last); then every line has 0 or ≥ 2 hidden.
    df = pd.DataFrame({"a": [3, 20, 15], "b": [12, 8, 30], "c": [40, 0, 2]}, index=["N", "S", "E"])
    table, log = publication_table(df, ["a", "b", "c"])
    assert table.to_dict("index") == {
        "N": {"a": "<5", "b": "[c]", "c": "[c]"},
        "S": {"a": "[c]", "b": "[c]", "c": "0"},
        "E": {"a": "[c]", "b": "30", "c": "<5"},
    }
    assert hidden_cells(log) == {
        ("N", "a", "primary"),
        ("E", "c", "primary"),
        ("N", "b", "secondary"),
        ("E", "a", "secondary"),
        ("S", "b", "secondary"),
        ("N", "c", "secondary"),
        ("S", "a", "secondary"),
    }
    assert log.set_index(["row", "column"]).loc[("N", "a"), "value"] == 3


def test_threshold_other_columns_and_missing_cells():
    df = pd.DataFrame({"unit": ["x", "y"], "count": [7, 12], "other": [np.nan, 1200000]})
    table, log = publication_table(df, ["count"], threshold=10)
    # column "count" has two cells: the 7 is hidden as "<10", so the 12 is hidden to protect the column total.
    assert table["count"].tolist() == ["<10", "[c]"]
    assert table["unit"].tolist() == ["x", "y"] and table["other"].isna().iloc[0]
    table, _ = publication_table(df, ["count", "other"], threshold=5)
    assert table["other"].tolist() == ["", "1200000"]


counts_tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 40), min_size=cols, max_size=cols), min_size=1, max_size=6)
)


@settings(max_examples=100, deadline=None)
@given(counts_tables)
def test_no_line_reveals_a_hidden_cell(rows):
    columns = [f"c{j}" for j in range(len(rows[0]))]
    df = pd.DataFrame(rows, columns=columns)
    table, log = publication_table(df, columns)
    hidden = table[columns].isin(["<5", "[c]"]).to_numpy()
    values = df.to_numpy()
    assert ((table[columns].to_numpy() == "<5") == ((values >= 1) & (values <= 4))).all()
    shown = ~hidden
    assert (table[columns].to_numpy()[shown] == values[shown].astype(str)).all()
    for line in [*hidden, *hidden.T]:
        assert len(line) < 2 or line.sum() != 1
    assert len(log) == hidden.sum()
