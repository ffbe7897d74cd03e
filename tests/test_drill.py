"""A lead's drill (#17 item 3): a clicked bar or funnel point filters the page to its group, a clicked SPC month sets
the period to that month, the URL records both, and the SPC chart follows the chosen group."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from charts.selection import PICK, picked_values, with_pick
from charts.spc import spc_chart
from metrics.spc import xmr
from tests.apptest_support import open_page, sign_in
from ui.drill import month_of


def test_a_pick_is_added_to_the_named_layer_only():
    values = pd.Series([0.8, 0.82, 0.79, 0.81, 0.8, 0.78], index=pd.date_range("2026-01-01", periods=6, freq="MS"))
    chart = with_pick(spc_chart(xmr(values, polarity="up"), title="t"), "spc_points", ["x"])
    # Altair lifts a layer's selection to the top of the spec and names the layer it listens on.
    (param,) = chart.to_dict()["params"]
    assert param["views"] == ["spc_points"]
    assert param["name"] == PICK and param["select"]["type"] == "point" and param["select"]["fields"] == ["x"]
    assert with_pick(chart, "no_such_layer", ["x"]) is chart


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1775001600000, dt.date(2026, 4, 1)),  # 2026-04-01T00:00Z in epoch milliseconds, as Vega reports it
        (1776211200000, dt.date(2026, 4, 1)),  # the 15th: still April
        ("2026-04-01T00:00:00", dt.date(2026, 4, 1)),
        (None, None),
        ("not a date", None),
    ],
)
def test_a_clicked_point_names_its_month(value, expected):
    assert month_of(value) == expected


def test_picked_values_read_streamlits_selection_state():
    state = {"selection": {PICK: [{"label": "Newport"}]}}
    assert picked_values(state, "label") == ["Newport"]
    assert picked_values({"selection": {}}, "label") == [] and picked_values(None, "label") == []


def drill_app():
    """The page's filters with the two chart callbacks behind buttons (AppTest cannot click a Vega chart)."""
    import datetime as dt

    import streamlit as st

    from ui.drill import _on_group, _on_month
    from ui.filters import filter_pickers, period_picker

    filters = filter_pickers({"area": ("Newport", "Torfaen")}, lambda column, value: value)
    period = period_picker(dt.date(2026, 10, 31), earliest=dt.date(2023, 11, 1))
    st.session_state.setdefault("bars", {"selection": {"pick": [{"label": "Newport (shown)"}]}})
    st.session_state.setdefault("spc", {"selection": {"pick": [{"x": 1775001600000}]}})
    st.button("bar", key="bar", on_click=_on_group("bars", "area", "label", {"Newport (shown)": "Newport"}))
    st.button("month", key="month", on_click=_on_month("spc"))
    st.markdown(f"filters={filters!r}; period={period.kind} {period.start} {period.end}")


def test_clicks_filter_the_page_and_the_url_records_them():
    at = AppTest.from_function(drill_app).run()
    assert not at.exception
    assert "filters=()" in at.markdown[0].value
    at.button(key="bar").click().run()
    assert at.selectbox(key="filter_area").value == "Newport"
    assert at.query_params["f_area"] in (["Newport"], "Newport")
    assert "filters=(('area', 'Newport'),)" in at.markdown[0].value
    at.button(key="month").click().run()
    assert not at.exception
    assert "period=custom 2026-04-01 2026-04-30" in at.markdown[0].value
    assert {k: at.query_params[k] for k in ("period", "from", "to")} in (
        {"period": ["custom"], "from": ["2026-04-01"], "to": ["2026-04-30"]},
        {"period": "custom", "from": "2026-04-01", "to": "2026-04-30"},
    )


def month_values(at) -> list[str]:
    """The SPC month table's values (the table alternative of the Victims' Code page's SPC chart)."""
    table = next(df.value for df in at.dataframe if "Month" in df.value.columns and "Variation" in df.value.columns)
    return table["Value"].tolist()


def test_the_spc_chart_follows_the_chosen_group_and_the_breakdown_has_a_funnel(seeded_app_env):
    at = sign_in("lead.da")
    at.query_params.update({"portfolio": "vawg_da", "right": "6", "code": "R6_SUSPECT_UPDATE", "cut": "area"})
    at = open_page(at, "app_pages/victims_code.py")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Funnel plot as a table" in captions
    funnel = next(df.value for df in at.dataframe if "99.8% limits" in df.value.columns)
    assert "Newport" in set(funnel["Area"])
    everyone = month_values(at)
    at.selectbox(key="vcop_group_area").select("Newport").run()
    assert not at.exception
    newport = month_values(at)
    assert len(newport) == len(everyone) == 36
    assert newport != everyone  # the chart and its table are Newport's own series now
