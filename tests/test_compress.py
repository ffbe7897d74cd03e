"""metrics.measures.compress counts identical rows exactly as a pandas groupby would, on every kind of key column,
through the dense (bincount), sparse (factorize) and renumbering (overflow) paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import measures
from metrics.measures import compress


def _by_groupby(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame[keys].groupby(keys, observed=True, dropna=False, sort=False).size().rename("n").reset_index()
    return _canonical(out, keys)


def _canonical(frame: pd.DataFrame, keys: list[str]) -> list[tuple]:
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in frame[[*keys, "n"]].itertuples(index=False)]
    return sorted(rows, key=repr)


def _frame(draw_rows: list[tuple]) -> pd.DataFrame:
    cat, flag, maybe, text, number = zip(*draw_rows, strict=True) if draw_rows else ([], [], [], [], [])
    return pd.DataFrame(
        {
            "cat": pd.Categorical(list(cat), categories=["a", "b", "c"]),
            "flag": np.array(flag, dtype=bool),
            "maybe": pd.array(list(maybe), dtype="boolean"),
            "text": pd.array(list(text), dtype="string"),
            "number": np.array(number, dtype=np.int64),
        }
    )


ROW = st.tuples(
    st.sampled_from(["a", "b", "c", None]),
    st.booleans(),
    st.sampled_from([True, False, None]),
    st.sampled_from(["x", "y", "zz", None]),
    st.integers(0, 3),
)
KEYS = ["cat", "flag", "maybe", "text", "number"]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=60))
def test_compress_counts_as_a_groupby_does(rows):
    frame = _frame(rows)
    out = compress(frame, KEYS)
    assert out["n"].sum() == len(frame)
    assert _canonical(out, KEYS) == _by_groupby(frame, KEYS)
    assert list(out.dtypes[KEYS]) == list(frame.dtypes[KEYS])


def test_many_distinct_values_take_the_sparse_path(monkeypatch):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"a": rng.integers(0, 5_000, 2_000), "b": rng.integers(0, 5_000, 2_000)})
    frame = pd.concat([frame, frame.head(300)], ignore_index=True)  # 300 repeated rows count twice
    monkeypatch.setattr(measures, "DENSE_KEYS", 10)  # force the factorize branch
    out = compress(frame, ["a", "b"])
    assert _canonical(out, ["a", "b"]) == _by_groupby(frame, ["a", "b"])
    assert out["n"].max() >= 2


@pytest.mark.parametrize("columns", [8, 12])
def test_a_key_that_would_overflow_is_renumbered(columns):
    rng = np.random.default_rng(9)
    # Each column has ~2**10 possible values: 8+ columns exceed 2**62 combined and force the renumbering.
    frame = pd.DataFrame({f"c{i}": rng.integers(0, 1_024, 500) for i in range(columns)})
    frame = pd.concat([frame, frame.head(50)], ignore_index=True)
    keys = list(frame.columns)
    out = compress(frame, keys)
    assert _canonical(out, keys) == _by_groupby(frame, keys)
    assert int(out["n"].sum()) == 550 and (out["n"] == 2).sum() == 50
