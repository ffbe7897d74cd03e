"""Charts format dates and numbers in the page language: Vega's format locale from the translation layer."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest
import vl_convert

from charts import spc, theme
from config import i18n
from tests.test_charts import xmr_frame

WELSH_SHORT = ["Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"]


@pytest.fixture
def language():
    """Enable the vsd theme and set the current language; restore both afterwards."""
    before, saved = alt.theme.active, i18n._provider
    theme.enable_theme()
    yield lambda lang: i18n.set_language_provider(lambda: lang)
    i18n.set_language_provider(saved)
    alt.theme.enable(before)


def months_chart() -> alt.Chart:
    frame = pd.DataFrame({"month": pd.date_range("2023-09-01", periods=4, freq="MS"), "count": [1200, 1500, 900, 1100]})
    return alt.Chart(frame).mark_line().encode(x=alt.X("month:T", axis=alt.Axis(format="%b %Y")), y="count:Q")


def test_a_chart_spec_in_welsh_carries_welsh_month_and_day_names(language):
    language("cy")
    locale = months_chart().to_dict()["config"]["locale"]
    assert locale["time"]["shortMonths"] == WELSH_SHORT
    assert locale["time"]["months"][10] == "Tachwedd"
    assert locale["time"]["days"][1] == "Dydd Llun"
    assert locale["number"] == {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]}


def test_english_follows_when_the_language_changes(language):
    language("cy")
    months_chart().to_dict()
    language("en")
    assert months_chart().to_dict()["config"]["locale"]["time"]["shortMonths"][10] == "Nov"


def test_vega_draws_welsh_months_on_the_axis(language):
    language("cy")
    svg = vl_convert.vegalite_to_svg(months_chart().to_dict())
    labels = set(re.findall(r">([A-Za-z]+ 20\d\d)<", svg))
    assert {"Medi 2023", "Tach 2023"} <= labels <= {f"{m} 2023" for m in WELSH_SHORT}


def test_a_named_language_wins_over_the_session(language):
    language("en")
    spec = theme.localised(months_chart(), "cy").to_dict()
    assert spec["config"]["locale"]["time"]["shortMonths"] == WELSH_SHORT
    assert spec["config"]["font"] == theme.FONT  # the rest of the theme stays


def test_an_spc_chart_in_welsh_has_welsh_months(language):
    language("cy")
    spec = spc.spc_chart(xmr_frame(), title="Cyfradd", lang="cy").to_dict()
    assert spec["config"]["locale"]["time"]["shortMonths"] == WELSH_SHORT
    assert "'Tach'" in str(spec)  # the axis labels' own month names
    periods = {row["period"] for rows in spec["datasets"].values() for row in rows if "period" in row}
    assert "Ion 2024" in periods and not any(p.startswith("Jan") for p in periods)


def test_a_welsh_pack_chart_is_welsh_whatever_the_session(language):
    from reports.chart_images import chart_task, task_chart

    language("en")
    frame = xmr_frame()
    frame.attrs["has_chart"] = True
    task = chart_task(frame, title="Cyfradd", kind="rate", lang="cy", target=0.9)
    spec = task_chart(task).to_dict()
    assert spec["config"]["locale"]["time"]["shortMonths"] == WELSH_SHORT
