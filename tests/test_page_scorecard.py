"""The Scorecard landing page through AppTest: who lands on it, what they see, and numbers that match metrics/."""

from __future__ import annotations

import pandas as pd
import pytest

from auth import users
from config.i18n import format_percent
from data import queries
from data.engine import make_engine
from metrics import scorecard as scorecards
from metrics.catalogue import load_catalogue
from metrics.measures import prepare
from results.scorecards import all_scorecards
from tests.apptest_support import open_page, sign_in

PAGE = "app_pages/scorecard.py"
READERS = ["lead.da", "lead.wcu", "board", "inspector"]


@pytest.fixture(scope="module")
def expected_cards(seeded_db_url):
    """Every scorecard computed straight from the metrics engine on the seeded database."""
    engine = make_engine(seeded_db_url)
    as_of = queries.latest_as_of(engine)
    start, end = scorecards.window(as_of)
    frames = queries.metric_frames(engine, start.date(), end.date(), as_of=as_of)
    prepared = prepare(frames, load_catalogue(), as_of=as_of, start=start, end=end)
    cards = all_scorecards(prepared, load_catalogue(), targets=queries.targets_frame(engine))
    engine.dispose()
    return cards


def shown_name(metric_id: str) -> str:
    """A measure's name in English as the pages give it (ui.names)."""
    from ui.names import measure_name

    return measure_name(metric_id)


def shown_table(at):
    """The scorecard grid's frame (the first dataframe with a Measure column)."""
    return next(df.value for df in at.dataframe if "Measure" in df.value.columns)


@pytest.mark.parametrize("username", ["lead.da", "lead.wcu"])
def test_a_lead_lands_on_their_own_portfolio(seeded_reading_env, expected_cards, username):
    at = sign_in(username)
    assert not at.exception
    portfolio = {"lead.da": "vawg_da", "lead.wcu": "witness_care"}[username]
    assert at.selectbox(key="filter_portfolio").value == portfolio
    # A lead's picker offers only their own portfolios, never the whole framework.
    assert set(at.selectbox(key="filter_portfolio").options) <= {
        "VAWG — domestic abuse",
        "Witness Care Unit",
        "Special measures",
    }
    table = shown_table(at)
    mine = expected_cards.loc[expected_cards["portfolio_id"] == portfolio]
    # Names as people read them (ui.names): an entitlement's measure by what it promises, never its code.
    names = [shown_name(m) for m in mine["metric_id"]]
    assert list(table["Measure"]) == names
    assert not table["Measure"].str.contains("VCOP_|R\\d+_[A-Z]").any()
    for name, (_, row) in zip(names, mine.iterrows(), strict=True):
        shown = table.loc[table["Measure"] == name, "Value"].iloc[0]
        if row["kind"] == "rate":
            assert shown == ("fewer than 10" if row["suppressed"] else format_percent(row["value"]))


def test_the_planted_r6_drop_reads_as_special_cause_concern(seeded_reading_env, expected_cards):
    at = sign_in("lead.da")
    table = shown_table(at)
    row = table.loc[table["Measure"].str.contains("suspect", case=False)].iloc[0]
    assert "concern" in row["Variation (SPC)"].lower()
    card = expected_cards.query("portfolio_id == 'vawg_da' and metric_id == 'VCOP_R6_SUSPECT_UPDATE'").iloc[0]
    assert card["variation"].startswith("concern")


@pytest.mark.parametrize("username", ["board", "inspector"])
def test_board_and_inspectors_see_the_whole_framework(seeded_reading_env, expected_cards, username):
    at = sign_in(username)
    assert not at.exception
    assert at.selectbox(key="filter_portfolio").value == "framework"
    summary = next(df.value for df in at.dataframe if "Red" in df.value.columns)
    assert "Portfolio id" not in summary.columns  # ids are internal (#17)
    reds = expected_cards.groupby("portfolio_id")["rag"].apply(lambda s: int((s == "red").sum()))
    names = {p.id: p.name for p in load_catalogue().portfolios}
    shown = dict(zip(summary["Portfolio"], summary["Red"], strict=True))
    assert shown == {names[p]: n for p, n in reds.to_dict().items()}


def test_drilling_into_a_measure_shows_its_definition_and_spc_table(seeded_reading_env):
    at = sign_in("lead.da")
    at.selectbox(key="scorecard_measure").select("VCOP_R6_SUSPECT_UPDATE").run()
    assert not at.exception
    assert at.query_params["measure"] == ["VCOP_R6_SUSPECT_UPDATE"] or at.query_params["measure"] == (
        "VCOP_R6_SUSPECT_UPDATE"
    )
    captions = " ".join(c.value for c in at.caption)
    assert "monthly values, bases and SPC result" in captions
    months = [df.value for df in at.dataframe if "Month" in df.value.columns][0]
    assert len(months) == 36


def test_a_links_measure_opens_even_after_the_box_was_drawn_empty(seeded_reading_env):
    """A session whose earlier run drew the measure box empty (signing in from a link, a run cut short) still opens
    the measure the URL names, and keeps it in the URL."""
    at = sign_in("lead.da")
    assert at.selectbox(key="scorecard_measure").value is None
    at.query_params["measure"] = "VCOP_R6_SUSPECT_UPDATE"
    at.run()
    assert not at.exception
    assert at.selectbox(key="scorecard_measure").value == "VCOP_R6_SUSPECT_UPDATE"
    assert at.query_params["measure"] in (["VCOP_R6_SUSPECT_UPDATE"], "VCOP_R6_SUSPECT_UPDATE")
    assert "monthly values, bases and SPC result" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_cannot_open_the_scorecard(seeded_reading_env, username):
    at = sign_in(username)
    with pytest.raises(ValueError):
        open_page(at, PAGE)


def test_the_scorecard_reads_in_welsh(seeded_reading_env):
    at = sign_in("lead.da")
    at.radio(key="vsd_lang").set_value("cy").run()
    try:
        assert not at.exception
        assert any("Mesur" in df.value.columns for df in at.dataframe)
    finally:
        # The choice is saved for the user; restore it so later tests on this shared database start in English.
        engine = make_engine(seeded_reading_env)
        users.set_language(engine, "lead.da", "en")
        engine.dispose()


def test_survivor_voice_shows_its_measures_as_on_the_scorecard(seeded_reading_env, expected_cards):
    at = open_page(sign_in("board"), "app_pages/survivor_voice.py")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Measure" in df.value.columns)
    mine = expected_cards.loc[expected_cards["portfolio_id"] == "survivor_voice"]
    assert list(table["Measure"]) == list(mine["name"])
    events = mine.loc[mine["metric_id"] == "SE_EVENTS", "value"].iloc[0]
    assert (
        table.loc[table["Measure"] == mine.loc[mine["metric_id"] == "SE_EVENTS", "name"].iloc[0], "Value"].iloc[0]
        == f"{events:,.0f}"
    )


@pytest.mark.parametrize(
    ("numerator", "denominator", "suppressed", "expected"),
    [
        (6, 6, True, ""),  # "6 of 6" would reveal the suppressed 100%
        (180, 240, False, "180 of 240"),
        (1234, None, False, "1,234"),  # a count has no base
        (None, None, False, ""),
    ],
)
def test_base_text_never_reveals_a_suppressed_rate(numerator, denominator, suppressed, expected):
    from ui.scorecard_table import base_text

    row = pd.Series({"numerator": numerator, "denominator": denominator, "suppressed": suppressed})
    assert base_text(row) == expected
