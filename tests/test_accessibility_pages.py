"""Issue 17's fixes seen through the pages (AppTest): the Trend column, month tables and charts in Welsh."""

from __future__ import annotations

import math

import pytest

from auth import users
from data.engine import make_engine
from tests.apptest_support import open_page, sign_in


@pytest.fixture
def lead_da_back_in_english(seeded_app_env):
    """Switching language while signed in saves it as the user's preference in the shared seeded database: put it
    back, or every later test signing in as lead.da on this worker reads Welsh."""
    yield
    engine = make_engine(seeded_app_env)
    users.set_language(engine, "lead.da", "en")
    engine.dispose()


def trend_frames(at):
    return [df for df in at.dataframe if '"line_chart"' in df.proto.columns]


def test_survivor_voice_draws_trend_lines_of_numbers_only(seeded_app_env):
    at = open_page(sign_in("board"), "app_pages/survivor_voice.py")
    assert not at.exception
    (grid,) = trend_frames(at)  # a line, not number pills
    trends = grid.value[next(c for c in grid.value.columns if c == "Trend")]
    assert len(trends) and all(all(isinstance(v, float) and math.isfinite(v) for v in cell) for cell in trends)


def test_a_welsh_measure_panel_words_suppressed_months_and_charts_in_welsh(seeded_app_env, lead_da_back_in_english):
    at = sign_in("lead.da")
    # R4_REFERRAL has 9 suppressed months of 36 in the seeded data. (Chosen before the switch:
    # AppTest formats a select box's value outside the run, in English.)
    at.selectbox(key="scorecard_measure").set_value("VCOP_R4_REFERRAL").run()
    at.sidebar.radio[0].set_value("cy").run()
    assert not at.exception
    months = next(df.value for df in at.dataframe if "Mis" in df.value.columns)
    counts = months[["Rhifiadur", "Enwadur"]].astype(str)
    assert (counts == "llai na 10").any().all() and not counts.isin(["None", "nan", "<NA>"]).any().any()
    charts = [chart.proto.spec for chart in at.get("arrow_vega_lite_chart")] or [
        chart.proto.spec for chart in at.get("vega_lite_chart")
    ]
    assert charts and all('"Tach"' in spec and '"Tachwedd"' in spec for spec in charts)
