"""The Victim satisfaction page: who may open it, stage rates and changes that match metrics/, gaps between groups
with Newcombe intervals (the planted ethnicity gap reads as significant), and its drill-down kept in the URL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from config.i18n import format_percent
from data import queries
from data.engine import make_engine
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import Period, rolling_12
from metrics.rates import compare_periods
from results.changes import with_change, year_before
from results.gaps import POOLED, group_gaps
from results.measures import whole_months_within
from tests.apptest_support import open_page, sign_in
from ui.satisfaction import MEASURES, STAGES, default_reference, pooled_members

PAGE = "app_pages/satisfaction.py"
# Where each reader lands: a lead reads their own portfolio's cohort, everyone else the Police and Crime Plan's.
READERS = {"lead.da": "vawg_da", "lead.wcu": "witness_care", "board": "victims_first", "inspector": "victims_first"}


def engine_rows(engine, as_of, period: Period, portfolios, by=None) -> dict[str, pd.DataFrame]:
    """The satisfaction measures of each portfolio over one period, from a fetch of exactly that period."""
    catalogue = load_catalogue()
    frames = queries.metric_frames(engine, period.start, period.end, as_of=as_of)
    prepared = prepare(frames, catalogue, as_of=as_of, start=period.start, end=period.end, by=by)
    targets = queries.targets_frame(engine)
    return {
        p: compute(prepared, catalogue, periods=[period], portfolio=p, metric_ids=list(MEASURES), targets=targets)
        for p in portfolios
    }


@pytest.fixture(scope="module")
def expected(seeded_db_url):
    """Rolling 12 months, the 12 before, and whole experience by ethnicity, straight from the engine."""
    engine = make_engine(seeded_db_url)
    as_of = queries.latest_as_of(engine)
    portfolios = set(READERS.values())
    out = {
        "now": engine_rows(engine, as_of, rolling_12(as_of), portfolios),
        "before": engine_rows(engine, as_of, rolling_12(as_of, back=1), portfolios),
        "ethnicity": engine_rows(engine, as_of, rolling_12(as_of), portfolios, by="ethnicity"),
    }
    engine.dispose()
    return out


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on the page that has this column."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def p_words(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def test_every_reader_sees_stage_rates_changes_and_gaps_that_match_the_engine(seeded_reading_env, expected):
    for username, portfolio in READERS.items():
        at = open_page(sign_in(username), PAGE)
        assert not at.exception, username
        assert at.selectbox(key="filter_portfolio").value == portfolio
        now = expected["now"][portfolio].set_index("metric_id")
        before = expected["before"][portfolio].set_index("metric_id")
        stages = frame_with(at, "Survey stage").set_index("Survey stage")
        for metric_id in STAGES:
            row = now.loc[metric_id]
            shown = stages.loc[load_catalogue().measure(metric_id).name]
            if row["suppressed"]:
                assert shown["Rate"] == "fewer than 10" and shown["Base"] == ""
                continue
            assert shown["Rate"] == format_percent(row["value"])
            assert (
                shown["95% confidence interval"]
                == f"{format_percent(row['ci_low'])} – {format_percent(row['ci_high'])}"
            )
            assert shown["Base"] == f"{row['numerator']:,.0f} of {row['denominator']:,.0f}"
        changes = frame_with(at, "Change on the same months a year before")
        names = {load_catalogue().measure(m).name: m for m in STAGES}
        for _, shown in changes.loc[changes["Measure"].isin(names)].iterrows():
            metric_id = names[shown["Measure"]]
            if now.at[metric_id, "suppressed"] or before.at[metric_id, "suppressed"]:
                assert shown["Change on the same months a year before"] == "–"
                continue
            test = compare_periods(
                now.at[metric_id, "numerator"], now.at[metric_id, "denominator"],
                before.at[metric_id, "numerator"], before.at[metric_id, "denominator"],
            )  # fmt: skip
            text = shown["Change on the same months a year before"]
            assert text.startswith(f"{test['diff'] * 100:+.1f} points") and p_words(test["p"]) in text
            assert ("; not statistically significant" in text) == (not test["significant"])
        groups = expected["ethnicity"][portfolio]
        groups = groups.loc[groups["metric_id"] == "SAT_WHOLE"].set_index("group_value")
        gaps = frame_with(at, "Group compared").set_index("Group compared")
        for group in ("asian", "black", "mixed", "other"):
            if group not in groups.index:
                continue
            smallest = min(groups.at["white", "denominator"], groups.at[group, "denominator"])
            assert (gaps.loc[group.capitalize(), "Verdict"] == "fewer than 10") == (smallest < 10), (username, group)


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_cannot_open_the_page(seeded_reading_env, username):
    with pytest.raises(ValueError):
        open_page(sign_in(username), PAGE)


def page_as(username: str, roles, portfolios=(), params: dict | None = None, lang: str = "en") -> AppTest:
    """The page alone, run for a signed-in scope (the sign-in itself is tested above), with URL parameters."""
    at = AppTest.from_file(f"../{PAGE}", default_timeout=60)
    at.session_state["vsd_scope"] = Scope.for_user(username, roles, portfolios)
    at.session_state["vsd_lang"] = lang
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_a_link_reopens_the_same_gap_and_the_page_reads_in_welsh(seeded_reading_env):
    at = page_as("board", ["board"], params={"stage": "SAT_TREATMENT", "cut": "sex", "ref": "male"})
    assert not at.exception
    assert at.selectbox(key="sat_stage").value == "SAT_TREATMENT"
    assert at.selectbox(key="sat_cut").value == "sex"
    assert at.selectbox(key="sat_reference").value == "male"
    assert frame_with(at, "Group compared")["Group compared"].iloc[0] == "Female"
    at.selectbox(key="sat_cut").set_value("ethnicity").run()
    assert at.query_params["cut"] in (["ethnicity"], "ethnicity")
    at.session_state["vsd_lang"] = "cy"
    at.run()
    assert not at.exception
    assert at.selectbox(key="sat_reference").value == "white"  # the reference of the new cut, not the old one
    compared = frame_with(at, "Y grŵp a gymharwyd")["Y grŵp a gymharwyd"].tolist()
    assert "Asiaidd" in compared and compared[-1].startswith("Pob un o ")


@pytest.fixture(scope="module")
def shipped_demo(tmp_path_factory):
    """The demo the app ships (20,000 victims, seed 2024), loaded into its own database."""
    from data.demo import write_demo
    from data.ingest import import_paths
    from data.migrate import upgrade

    directory = tmp_path_factory.mktemp("shipped_demo")
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    write_demo(directory / "csv", cases=20_000, seed=2024, months=36)
    assert all(r.ok for r in import_paths(engine, [directory / "csv"], loaded_by="tests"))
    as_of = queries.latest_as_of(engine)
    gap = engine_rows(engine, as_of, rolling_12(as_of), ["victims_first"])["victims_first"]
    engine.dispose()
    return url, gap.set_index("metric_id").loc["SAT_GAP_ETHNICITY"]


@pytest.mark.slow
def test_the_planted_ethnicity_gap_reads_as_significant(shipped_demo, monkeypatch):
    import streamlit as st

    url, gap = shipped_demo
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = page_as("board", ["board"])
    assert not at.exception
    test = compare_periods(gap["x1"], gap["n1"], gap["x2"], gap["n2"])
    assert test["significant"] and gap["x1"] / gap["n1"] - gap["x2"] / gap["n2"] > 0.1
    pooled = next(m.value for m in at.markdown if "All of Mixed, Asian, Black, Other" in m.value)
    sentence = next(line for line in pooled.splitlines() if "All of Mixed, Asian, Black, Other" in line)
    assert f"{test['diff'] * 100:+.1f} points" in sentence
    assert f"95% CI {test['ci_low'] * 100:+.1f} points to {test['ci_high'] * 100:+.1f} points" in sentence
    assert "This gap is statistically significant" in sentence
    st.cache_data.clear()
    st.cache_resource.clear()


# ---- the statistics behind the page, worked by hand


def counts(**groups: tuple[int, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_value": list(groups),
            "numerator": [x for x, _ in groups.values()],
            "denominator": [n for _, n in groups.values()],
        }
    )


@pytest.mark.parametrize(
    ("rows", "reference", "pooled", "expected"),
    [
        # METRICS.md §5: 180/240 vs 150/230 -> difference CI (0.015, 0.179), z = 2.318, p = 0.020.
        (counts(white=(180, 240), asian=(150, 230)), "white", ["asian"], {"asian": (0.015, 0.179, 0.020, True)}),
        # The same two groups the other way round: the interval mirrors, the test is unchanged.
        (counts(white=(150, 230), asian=(180, 240)), "white", ["asian"], {"asian": (-0.179, -0.015, 0.020, True)}),
        # Equal rates: z = 0, p = 1, and an interval that is not symmetric (Wilson bounds of 0.8 at n = 50 and 20).
        # A group with 9 answers is suppressed; pooled with the other (22/29 against 40/50) it is not: z = 0.431.
        (
            counts(white=(40, 50), black=(6, 9), mixed=(16, 20), unknown=(1, 2)),
            "white",
            ["black", "mixed"],
            {"black": None, "mixed": (-0.177, 0.233, 1.0, False), POOLED: (-0.135, 0.241, 0.666, False)},
        ),
    ],
)
def test_group_gaps_match_newcombe_and_the_z_test(rows, reference, pooled, expected):
    gaps = group_gaps(rows, reference, pooled, threshold=10).set_index("group")
    assert sorted(gaps.index) == sorted(expected)  # unknown is never compared
    for group, numbers in expected.items():
        if numbers is None:
            assert gaps.at[group, "suppressed"] and not gaps.at[group, "significant"]
            assert np.isnan(gaps.at[group, "diff"])
            continue
        low, high, p, significant = numbers
        assert gaps.at[group, "ci_low"] == pytest.approx(low, abs=0.0005)
        assert gaps.at[group, "ci_high"] == pytest.approx(high, abs=0.0005)
        assert gaps.at[group, "p"] == pytest.approx(p, abs=0.0005)
        assert bool(gaps.at[group, "significant"]) is significant


def test_the_pooled_comparison_adds_up_its_groups():
    gaps = group_gaps(counts(white=(40, 50), black=(6, 9), mixed=(16, 20)), "white", ["black", "mixed"], 10)
    pooled = gaps.set_index("group").loc[POOLED]
    assert (pooled["x2"], pooled["n2"]) == (22, 29)
    assert pooled["diff"] == pytest.approx(40 / 50 - 22 / 29)


@pytest.mark.parametrize(
    ("cut", "groups", "reference", "expected"),
    [
        ("ethnicity", ["asian", "other", "unknown", "white"], "white", ["asian", "other"]),
        ("ethnicity", ["asian", "black", "white"], "asian", ["black", "white"]),
        ("sex", ["female", "male", "other", "unknown"], "female", ["male", "other"]),
    ],
)
def test_pooled_members(cut, groups, reference, expected):
    assert pooled_members(cut, groups, reference) == expected


@pytest.mark.parametrize(
    ("cut", "rows", "expected"),
    [
        ("ethnicity", counts(asian=(5, 30), white=(50, 60)), "white"),
        ("ethnicity", counts(asian=(5, 30), black=(50, 60)), "black"),  # no white respondents: the largest group
        ("sex", counts(female=(5, 30), male=(10, 20), unknown=(40, 90)), "male"),  # SAT_GAP_SEX's reference
        ("area", counts(Newport=(5, 30), Torfaen=(10, 20), unknown=(40, 90)), "Newport"),  # unknown is not a group
        ("sex", counts(unknown=(40, 90)), None),
    ],
)
def test_default_reference(cut, rows, expected):
    assert default_reference(cut, rows) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((2025, 11, 1), (2026, 10, 31), ((2024, 11, 1), (2025, 10, 31))),
        ((2023, 3, 1), (2024, 2, 29), ((2022, 3, 1), (2023, 2, 28))),
        ((2024, 4, 1), (2025, 2, 28), ((2023, 4, 1), (2024, 2, 29))),  # a month end stays a month end
        ((2026, 4, 1), (2026, 10, 15), ((2025, 4, 1), (2025, 10, 15))),
    ],
)
def test_year_before(start, end, expected):
    assert year_before(dt.date(*start), dt.date(*end)) == (dt.date(*expected[0]), dt.date(*expected[1]))


@pytest.mark.parametrize(
    ("start", "end", "inside"),
    [
        ((2024, 11, 1), (2025, 10, 31), True),
        ((2023, 11, 1), (2026, 10, 15), True),  # the window's own ends need not be month ends
        ((2024, 11, 2), (2025, 10, 31), False),
        ((2024, 11, 1), (2025, 10, 30), False),
        ((2023, 10, 1), (2024, 9, 30), False),
    ],
)
def test_whole_months_within(start, end, inside):
    window = (dt.date(2023, 11, 1), dt.date(2026, 10, 15))
    assert whole_months_within(dt.date(*start), dt.date(*end), *window) is inside


def headline(metric_id, kind, numerator, denominator, value, suppressed=False) -> dict:
    return {
        "metric_id": metric_id, "kind": kind, "numerator": numerator, "denominator": denominator, "value": value,
        "suppressed": suppressed, "period_kind": "custom", "group_value": "all",
    }  # fmt: skip


def test_with_change_tests_rates_and_subtracts_counts():
    now = pd.DataFrame(
        [
            headline("A", "rate", 180, 240, 0.75),
            headline("B", "count", 336, np.nan, 336),
            headline("C", "rate", 5, 8, np.nan, suppressed=True),
        ]
    )
    before = pd.DataFrame(
        [
            headline("A", "rate", 150, 230, 150 / 230),
            headline("B", "count", 300, np.nan, 300),
            headline("C", "rate", 50, 80, 0.625),
        ]
    )
    out = with_change(now, before, load_catalogue()).set_index("metric_id")
    assert out.at["A", "change"] == pytest.approx(0.75 - 150 / 230)
    assert (out.at["A", "change_ci_low"], out.at["A", "change_ci_high"]) == (
        pytest.approx(0.015, abs=0.0005),
        pytest.approx(0.179, abs=0.0005),
    )
    assert out.at["A", "change_p"] == pytest.approx(0.020, abs=0.0005) and out.at["A", "change_significant"] is True
    assert out.at["B", "change"] == 36 and out.at["B", "change_significant"] is None
    assert np.isnan(out.at["C", "change"])  # a suppressed period is never compared
