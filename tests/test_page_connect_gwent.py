"""The Connect Gwent page: who may open it, CG_* measures matching metrics/, referrals by source adding up to the
referral count, and the planted improvement in first contact within 2 working days read as special cause improvement."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from config.i18n import format_number, format_percent
from data import queries
from data.engine import make_engine
from metrics import scorecard as scorecards
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import months, rolling_12
from results.referrals import count_by_source
from results.scorecards import all_scorecards
from tests.apptest_support import open_page, sign_in

PAGE = "app_pages/connect_gwent.py"
# lead.wcu holds no Connect Gwent portfolio: the page reads the first of their own (the whole-force Witness Care Unit).
READERS = {"lead.da": "vawg_da", "lead.wcu": "witness_care", "board": "connect_gwent", "inspector": "connect_gwent"}
MEASURES = [m.id for m in load_catalogue().all_measures if m.area == "connect_gwent"]


@pytest.fixture(scope="module")
def expected(seeded_db_url):
    """Rolling-12 and monthly CG_* rows per reader portfolio, and the scorecards, straight from the engine."""
    engine = make_engine(seeded_db_url)
    catalogue = load_catalogue()
    as_of = queries.latest_as_of(engine)
    period = rolling_12(as_of)
    targets = queries.targets_frame(engine)
    frames = queries.metric_frames(engine, period.start, period.end, as_of=as_of)
    prepared = prepare(frames, catalogue, as_of=as_of, start=period.start, end=period.end)
    out = {
        portfolio: compute(
            prepared,
            catalogue,
            periods=[period, *months(period.start, period.end)],
            portfolio=portfolio,
            metric_ids=MEASURES,
            targets=targets,
        )  # fmt: skip
        for portfolio in set(READERS.values())
    }
    start, end = scorecards.window(as_of)
    frames = queries.metric_frames(engine, start.date(), end.date(), as_of=as_of)
    wide = prepare(frames, catalogue, as_of=as_of, start=start, end=end)
    out["cards"] = all_scorecards(wide, catalogue, targets=targets)
    engine.dispose()
    return out


def frame_with(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_every_reader_sees_measures_and_referral_sources_that_match_the_engine(seeded_reading_env, expected):
    names = {m: load_catalogue().measure(m).name for m in MEASURES}
    for username, portfolio in READERS.items():
        at = open_page(sign_in(username), PAGE)
        assert not at.exception, username
        assert at.selectbox(key="filter_portfolio").value == portfolio
        rows = expected[portfolio]
        headline = rows.loc[rows["period_kind"] == "rolling_12"].set_index("metric_id")
        table = frame_with(at, "Variation (SPC)").set_index("Measure")
        for metric_id in MEASURES:
            row, shown = headline.loc[metric_id], table.loc[names[metric_id]]
            if row["kind"] == "count":
                assert shown["Value"] == format_number(row["value"])
            else:
                assert shown["Value"] == ("fewer than 10" if row["suppressed"] else format_percent(row["value"]))
        sources = frame_with(at, "Self-referral")
        monthly = rows.loc[(rows["period_kind"] == "month") & (rows["metric_id"] == "CG_REFERRALS")]
        received = dict(zip(monthly["period_label"], monthly["numerator"].astype(int), strict=True))
        shown = dict(zip(sources["Month"], sources["Total"], strict=True))
        assert shown == {month: received[month] for month in shown}
        assert sum(shown.values()) == sum(received.values())  # months left out had no referrals
        assert sources["Self-referral"].sum() == headline.at["CG_SELF_REFERRAL_SHARE", "numerator"]
        summary = f"{headline.at['CG_REFERRALS', 'numerator']:,.0f} referrals in the period, "
        summary += f"{headline.at['CG_SELF_REFERRAL_SHARE', 'numerator']:,.0f} of them self-referrals"
        assert any(summary in m.value for m in at.markdown), username


def test_the_planted_rise_in_first_contact_reads_as_special_cause_improvement(seeded_reading_env, expected):
    card = expected["cards"].set_index(["portfolio_id", "metric_id"]).loc[("connect_gwent", "CG_CONTACT_2WD")]
    assert card["variation"] == "improvement_high"  # the engine sees the planted trend on its own
    at = AppTest.from_file(f"../{PAGE}", default_timeout=60)
    at.session_state["vsd_scope"] = Scope.for_user("board", ["board"])
    at.run()
    assert not at.exception
    assert at.query_params["measure"] in (["CG_CONTACT_2WD"], "CG_CONTACT_2WD")
    table = frame_with(at, "Variation (SPC)").set_index("Measure")
    assert table.at["First contact within 2 working days", "Variation (SPC)"] == "▲ Special cause improvement (high)"
    spc = frame_with(at, "Rule")
    assert len(spc) == 36 and spc["Variation"].iloc[-1] == "Improvement"


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_cannot_open_the_page(seeded_reading_env, username):
    with pytest.raises(ValueError):
        open_page(sign_in(username), PAGE)


# ---- referrals by source, counted by hand


def referrals(*rows: tuple[str | None, str, bool | None]) -> pd.DataFrame:
    """Prepared referral rows: (month in the window or None, source, domestic_abuse of the linked victim)."""
    return pd.DataFrame(
        {
            "month_referral_date": pd.to_datetime([m for m, _, _ in rows]),
            "source": pd.Categorical([s for _, s, _ in rows]),
            "domestic_abuse": pd.array([d for _, _, d in rows], dtype="boolean"),
        }
    )


def test_referrals_are_counted_by_month_and_source_with_gaps_filled():
    frame = referrals(
        ("2026-01-01", "police", True),
        ("2026-01-01", "self", None),  # a self-referral with no linked victim
        ("2026-01-01", "self", False),
        ("2026-03-01", "partner", True),
        (None, "police", True),  # outside the window
    )
    counts = count_by_source(frame, {}, "month_referral_date")
    assert counts["source"].iloc[:3].tolist() == ["police", "self", "partner"]  # the contract's order, every month
    table = counts.pivot(index="month", columns="source", values="count")
    assert table.to_dict("list") == {"police": [1, 0, 0], "self": [2, 0, 0], "partner": [0, 0, 1]}
    assert [m.strftime("%Y-%m") for m in table.index] == ["2026-01", "2026-02", "2026-03"]


def test_a_cohort_keeps_only_its_victims_referrals():
    frame = referrals(("2026-01-01", "police", True), ("2026-01-01", "self", None), ("2026-02-01", "self", False))
    counts = count_by_source(frame, {"domestic_abuse": True}, "month_referral_date")
    assert counts.groupby("source", observed=True)["count"].sum().to_dict() == {"police": 1, "self": 0, "partner": 0}
    assert count_by_source(frame.iloc[0:0], {}, "month_referral_date").empty


def test_a_month_of_the_measures_spc_chart_can_be_clicked(seeded_reading_env):
    """On a page with a period picker the measure's SPC chart carries the month pick (ui.drill sets the period to
    the clicked month; tests/test_drill.py follows the click itself)."""
    at = open_page(sign_in("board"), PAGE)
    assert not at.exception
    spc = [c.proto for c in at.get("vega_lite_chart") if "spc_points" in c.proto.spec]
    assert spc and all('"pick"' in c.spec and list(c.selection_mode) == ["pick"] for c in spc)
