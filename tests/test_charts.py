"""The pure Altair chart layer: specs asserted through chart.to_dict(), plus one real render with vl-convert."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from charts import icons, public, rates, spc, theme

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]


@pytest.fixture(autouse=True)
def vsd_theme():
    """Every test sees the vsd theme; the previously active theme comes back afterwards."""
    before = alt.theme.active
    theme.enable_theme()
    yield
    alt.theme.enable(before)


def layer(spec: dict, name: str) -> dict:
    """The layer of a layered spec with the given name."""
    matches = [item for item in spec["layer"] if item.get("name") == name]
    assert len(matches) == 1, f"{name} not in {[item.get('name') for item in spec['layer']]}"
    return matches[0]


def names(spec: dict) -> list[str]:
    return [item.get("name") for item in spec["layer"]]


def rows(spec: dict, item: dict) -> list[dict]:
    """The inline data rows a layer draws."""
    return spec["datasets"][item.get("data", spec.get("data"))["name"]]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two hex colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def xmr_frame(n: int = 14, *, rebase_at: int | None = None, trial: bool = False) -> pd.DataFrame:
    """A hand-made frame shaped like metrics.spc.xmr output: steady 0.70, one high outlier, a low run at the end."""
    values = np.full(n, 0.70)
    values[:n:2] = 0.72
    values[3] = 0.95  # outside the limits: improvement for polarity up
    values[-2:] = [0.52, 0.50]
    mean = np.where(np.arange(n) < (rebase_at or n), 0.70, 0.60)
    frame = pd.DataFrame(
        {
            "value": values,
            "mean": mean,
            "lpl": mean - 0.15,
            "upl": mean + 0.15,
            "nlpl": mean - 0.10,
            "nupl": mean + 0.10,
            "special_cause": False,
            "rule": "",
            "variation": "common",
        },
        index=pd.Index(MONTHS[:n] if n <= len(MONTHS) else range(n)),
    )
    frame.loc[frame.index[3], ["special_cause", "rule", "variation"]] = [True, "outside_limits", "improvement"]
    frame.loc[frame.index[-2:], ["special_cause", "rule", "variation"]] = [
        True,
        "outside_limits,two_of_three",
        "concern",
    ]
    frame.attrs.update(assurance="hit_and_miss", trial_limits=trial, variation_icon="concern_low")
    return frame


# ---------------------------------------------------------------- theme and icons


@pytest.mark.parametrize(
    ("key", "colour"),
    [("common", "#A6A6A6"), ("improvement", "#289DE0"), ("concern", "#E46C0A"), ("neutral", "#361475")],
)
def test_mdc_colours(key, colour):
    assert theme.MDC[key] == colour


def test_theme_registered_enabled_and_applied():
    assert theme.THEME_NAME in alt.theme.names()
    theme.enable_theme()  # a second call changes nothing
    assert alt.theme.active == "vsd"
    config = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()["config"]
    assert config["range"]["category"] == theme.OKABE_ITO
    assert config["font"] == theme.FONT
    assert config["axis"]["labelFontSize"] >= 12


def test_enable_theme_switches_back_from_another_theme():
    alt.theme.enable("dark")
    theme.enable_theme()
    assert alt.theme.active == "vsd"


@pytest.mark.parametrize(
    ("moment", "lang", "expected"),
    [("2024-01", "en", "Jan 2024"), ("2024-02-01", "cy", "Chwef 2024"), ("2023-07", "cy", "Gorff 2023"),
     (pd.Timestamp("2023-12-31"), "fr", "Dec 2023")],
)  # fmt: skip
def test_month_label(moment, lang, expected):
    assert theme.month_label(moment, lang) == expected


@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [(0.5, ".0%", "50%"), (0.125, ".1%", "12.5%"), (-0.05, "+.0%", "\u22125%"), (0.05, "+.0%", "+5%"),
     (1234.0, ",.0f", "1,234"), (float("nan"), ".0%", ""), (None, ".0%", "")],
)  # fmt: skip
def test_format_value(value, spec, expected):
    assert theme.format_value(value, spec) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["2024-01", "2024-02"], ["2024-01-01", "2024-02-01"]),
     (pd.PeriodIndex(["2024-03", "2024-04"], freq="M"), ["2024-03-01", "2024-04-01"]),
     (pd.DatetimeIndex(["2024-05-01", "2024-06-01"], tz="Europe/London"), ["2024-05-01", "2024-06-01"]),
     (["Newport", "Torfaen"], None)],
)  # fmt: skip
def test_as_timestamps(values, expected):
    stamps = theme.as_timestamps(values)
    if expected is None:
        assert stamps is None
    else:
        assert stamps.dt.strftime("%Y-%m-%d").tolist() == expected
        assert stamps.dt.tz is None


@pytest.mark.parametrize(
    ("value", "key", "symbol", "colour"),
    [("common_cause", "spc.common_cause", "●", "#A6A6A6"), ("improvement_high", "spc.improvement_high", "▲", "#289DE0"),
     ("improvement_low", "spc.improvement_low", "▼", "#289DE0"), ("concern_high", "spc.concern_high", "▲", "#E46C0A"),
     ("concern_low", "spc.concern_low", "▼", "#E46C0A"), ("neutral_high", "spc.neutral_high", "▲", "#361475"),
     ("neutral_low", "spc.neutral_low", "▼", "#361475")],
)  # fmt: skip
def test_variation_icons(value, key, symbol, colour):
    icon = icons.variation_icon(value)
    assert (icon.key, icon.symbol, icon.colour) == (key, symbol, colour)


@pytest.mark.parametrize(
    ("value", "key", "letter"),
    [("pass", "spc.assurance.pass", "P"), ("fail", "spc.assurance.fail", "F"),
     ("hit_and_miss", "spc.assurance.hit_and_miss", "?")],
)  # fmt: skip
def test_assurance_icons(value, key, letter):
    icon = icons.assurance_icon(value)
    assert (icon.key, icon.letter) == (key, letter)


@pytest.mark.parametrize(
    ("value", "key"), [("green", "rag.green"), ("amber", "rag.amber"), ("red", "rag.red"), (None, "rag.none")]
)
def test_rag_icons(value, key):
    assert icons.rag_icon(value).key == key


def test_no_icon_without_a_value():
    assert icons.variation_icon(None) is None and icons.assurance_icon(None) is None
    assert icons.icon_text(None) == ""


def test_every_icon_has_words_and_readable_text():
    every = [*icons.VARIATION_ICONS.values(), *icons.ASSURANCE_ICONS.values(), *icons.RAG_ICONS.values(), icons.NO_RAG]
    keys = [icon.key for icon in every]
    assert len(set(keys)) == len(keys)  # words tell every status apart, whatever the colour
    assert set(keys) <= set(icons.label_keys())
    for icon in every:
        assert contrast(icon.text_colour, icon.colour) >= 4.5, icon


def test_words_fall_back_to_english():
    echo = icons.words(lambda key: "Gwelliant" if key == "spc.point.improvement" else key)
    assert echo("spc.point.improvement") == "Gwelliant"
    assert echo("spc.point.concern") == "Concern"  # translator echoed the key: English instead
    assert icons.words({"rag.red": "Coch"})("rag.red") == "Coch"
    assert icons.words(None)("no.such.key") == "no.such.key"
    assert icons.icon_text(icons.rag_icon("amber"), {"rag.amber": "Ambr"}) == "! Ambr"


def test_label_keys_nest_as_yaml():
    """Translation files nest dotted keys, so no key may be both a message and a branch ("a.b" and "a.b.c")."""
    keys = icons.label_keys()
    assert [key for key in keys if any(other.startswith(key + ".") for other in keys)] == []


def test_every_spc_rule_has_words():
    from metrics.spc import RULES

    assert {f"spc.rules.{rule}" for rule in RULES} <= set(icons.label_keys())


def test_fill_keeps_unknown_placeholders():
    assert icons.fill("{a} and {b}", a="one") == "one and {b}"


# ---------------------------------------------------------------- SPC


def test_spc_layers_and_encodings():
    spec = spc.spc_chart(xmr_frame(), title="Contact in time", target=0.8, y_title="Rate").to_dict()
    assert names(spec) == ["spc_two_sigma", "spc_limits", "spc_mean", "spc_target", "spc_data_line", "spc_points"]
    points = layer(spec, "spc_points")["encoding"]
    assert (points["x"]["field"], points["x"]["type"]) == ("x", "temporal")
    assert points["y"]["field"] == "value" and points["y"]["axis"]["format"] == ".0%"
    assert points["color"]["field"] == points["shape"]["field"] == "variation_label"
    assert points["color"]["scale"] == {
        "domain": ["Common cause", "Improvement", "Concern"],
        "range": ["#A6A6A6", "#289DE0", "#E46C0A"],
    }
    assert points["shape"]["scale"]["range"] == ["circle", "square", "diamond"]
    assert points["size"]["condition"][0]["test"] == "datum.special_cause"
    assert [tip["title"] for tip in points["tooltip"]] == ["Month", "Value", "Variation", "Rule"]
    assert layer(spec, "spc_limits")["mark"]["strokeDash"] and "strokeDash" not in layer(spec, "spc_mean")["mark"]
    assert layer(spec, "spc_limits")["transform"][0]["fold"] == ["upl", "lpl"]
    assert layer(spec, "spc_limits")["encoding"]["tooltip"][0]["title"] == "Process limits"
    assert layer(spec, "spc_mean")["encoding"]["tooltip"][0]["title"] == "Mean"
    assert rows(spec, layer(spec, "spc_mean"))[0]["limits_text"] == "55% – 85%"


def test_spc_target_line_and_its_absence():
    spec = spc.spc_chart(xmr_frame(), title="t", target=0.8).to_dict()
    target = layer(spec, "spc_target")
    assert target["mark"]["type"] == "rule" and target["mark"]["strokeDash"]
    assert target["mark"]["color"] == theme.TARGET_COLOUR
    assert [row["target"] for row in rows(spec, target)] == [0.8]
    assert "spc_target" not in names(spc.spc_chart(xmr_frame(), title="t").to_dict())
    assert "spc_two_sigma" not in names(spc.spc_chart(xmr_frame(), title="t", show_two_sigma=False).to_dict())


def test_spc_point_rows_carry_words():
    spec = spc.spc_chart(xmr_frame(), title="t").to_dict()
    data = rows(spec, layer(spec, "spc_points"))
    assert data[0]["period"] == "Jan 2024" and data[0]["value_text"] == "72%"
    assert data[3]["variation_label"] == "Improvement" and data[3]["rule_text"] == "Outside the process limits"
    assert data[-1]["rule_text"] == "Outside the process limits; 2 of 3 points beyond two sigma"
    assert (
        data[-1]["point_text"] == "Feb 2025, 50%, Concern, Outside the process limits; 2 of 3 points beyond two sigma"
    )


def test_spc_description_and_subtitle():
    spec = spc.spc_chart(xmr_frame(), title="Contact in time").to_dict()
    assert spec["description"] == (
        "Statistical process control chart of Contact in time: 14 points from Jan 2024 to Feb 2025, latest 50%. "
        "Mean 70%, process limits 55% to 85%. Special cause concern (low). Hit and miss: may pass or fail the target."
    )
    assert spec["title"]["subtitle"] == ["▼ Special cause concern (low)   ~ Hit and miss: may pass or fail the target"]


@pytest.mark.parametrize(("trial", "shown"), [(True, True), (False, False)])
def test_spc_trial_limits_note(trial, shown):
    spec = spc.spc_chart(xmr_frame(trial=trial), title="t").to_dict()
    assert ("Trial limits: fewer than 12 points" in spec["title"]["subtitle"]) is shown
    assert ("Trial limits" in spec["description"]) is shown


def test_spc_rebased_limits_are_drawn_per_segment():
    spec = spc.spc_chart(xmr_frame(rebase_at=8), title="t").to_dict()
    limits = layer(spec, "spc_limits")
    assert {"field": "segment", "type": "nominal"} in limits["encoding"]["detail"]
    data = rows(spec, limits)
    assert [row["segment"] for row in data] == [0] * 8 + [1] * 6
    assert {row["mean"] for row in data[:8]} == {0.70} and {row["mean"] for row in data[8:]} == {0.60}


def test_spc_segments_use_the_xmr_column_when_present():
    frame = xmr_frame(rebase_at=8)
    frame["segment"] = [0] * 5 + [1] * 9  # the engine's own numbering wins over limits that happen to change
    spec = spc.spc_chart(frame, title="t").to_dict()
    assert [row["segment"] for row in rows(spec, layer(spec, "spc_mean"))] == [0] * 5 + [1] * 9


def test_spc_in_welsh_with_a_translator():
    cy = {"spc.point.common": "Achos cyffredin", "chart.month": "Mis", "spc.variation": "Amrywiad"}
    spec = spc.spc_chart(xmr_frame(), title="Cyswllt", lang="cy", translate=cy.get).to_dict()
    points = layer(spec, "spc_points")
    assert points["encoding"]["color"]["scale"]["domain"][0] == "Achos cyffredin"
    assert points["encoding"]["color"]["legend"]["title"] == "Amrywiad"
    assert points["encoding"]["tooltip"][0]["title"] == "Mis"
    assert "'Ion'" in points["encoding"]["x"]["axis"]["labelExpr"]
    assert rows(spec, points)[1]["period"] == "Chwef 2024"


def test_spc_non_date_labels_use_an_ordinal_axis():
    frame = xmr_frame().set_axis([f"Week {i}" for i in range(14)])
    x = layer(spc.spc_chart(frame, title="t").to_dict(), "spc_points")["encoding"]["x"]
    assert (x["field"], x["type"], x["sort"]) == ("x", "ordinal", None)


def test_spc_suppressed_month_leaves_no_point():
    frame = xmr_frame()
    frame.iloc[5, frame.columns.get_loc("value")] = np.nan
    spec = spc.spc_chart(frame, title="t").to_dict()
    points = layer(spec, "spc_points")
    assert points["transform"] == [{"filter": "isValid(datum.value)"}]
    assert rows(spec, points)[5]["value"] is None


def test_spc_needs_two_points():
    with pytest.raises(ValueError):
        spc.spc_chart(xmr_frame().iloc[:1], title="t")


def test_spc_renders_to_png():
    """vl-convert compiles and draws the spec offline: proof the Vega-Lite is valid, not just well-formed JSON."""
    vl_convert = pytest.importorskip("vl_convert")
    png = vl_convert.vegalite_to_png(spc.spc_chart(xmr_frame(), title="t", target=0.8).to_json())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


# ---------------------------------------------------------------- rates and differences


def rate_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Newport", "Torfaen", "Monmouthshire", "Caerphilly"],
            "value": [0.75, np.nan, 0.60, 0.82],
            "ci_low": [0.69, np.nan, 0.50, 0.77],
            "ci_high": [0.80, np.nan, 0.69, 0.86],
            "numerator": [180, 3, 60, 205],
            "denominator": [240, 7, 100, 250],
            "suppressed": [False, True, False, False],
            "rag": ["green", None, "red", None],
        }
    )


def test_rates_layers_and_encodings():
    spec = rates.rates_with_intervals(rate_frame(), title="Satisfied", target=0.75).to_dict()
    assert names(spec) == ["rates_bars", "rates_intervals", "rates_target", "rates_suppressed", "rates_labels"]
    bars = layer(spec, "rates_bars")
    assert bars["mark"]["type"] == "bar"
    assert (bars["encoding"]["x"]["field"], bars["encoding"]["y"]["field"]) == ("value", "label")
    assert bars["encoding"]["x"]["scale"]["domain"] == [0.0, 1.0]
    assert bars["encoding"]["color"]["field"] == "rag_label"
    colour = dict(zip(*bars["encoding"]["color"]["scale"].values(), strict=True))
    assert colour["Green"] == "#00703C" and colour["Red"] == "#D4351C"
    assert bars["encoding"]["y"]["scale"]["domain"] == ["Newport", "Torfaen", "Monmouthshire", "Caerphilly"]
    interval = layer(spec, "rates_intervals")
    assert interval["mark"]["type"] == "errorbar"
    assert (interval["encoding"]["x"]["field"], interval["encoding"]["x2"]["field"]) == ("ci_low", "ci_high")
    assert [row["target"] for row in rows(spec, layer(spec, "rates_target"))] == [0.75]


def test_rates_suppressed_row_is_text_not_a_bar():
    spec = rates.rates_with_intervals(rate_frame(), title="t", suppressed_label="llai na 10").to_dict()
    assert "Torfaen" not in [row["label"] for row in rows(spec, layer(spec, "rates_bars"))]
    assert "Torfaen" not in [row["label"] for row in rows(spec, layer(spec, "rates_intervals"))]
    suppressed = layer(spec, "rates_suppressed")
    assert suppressed["mark"]["type"] == "text" and suppressed["encoding"]["text"]["field"] == "side_text"
    assert [(row["label"], row["side_text"]) for row in rows(spec, suppressed)] == [("Torfaen", "llai na 10")]
    # The small counts behind a suppressed rate appear nowhere in the spec.
    assert rows(spec, suppressed)[0]["denominator"] is None and rows(spec, suppressed)[0]["numerator"] is None


def test_rates_suppressed_words_come_from_the_translator_by_default():
    spec = rates.rates_with_intervals(rate_frame(), title="t", translate={"chart.suppressed": "llai na 10"}).to_dict()
    assert [row["side_text"] for row in rows(spec, layer(spec, "rates_suppressed"))] == ["llai na 10"]


def test_rates_flag_wins_over_a_value():
    frame = rate_frame().assign(suppressed=[False, False, True, False])  # a value present but flagged
    spec = rates.rates_with_intervals(frame, title="t").to_dict()
    assert [row["label"] for row in rows(spec, layer(spec, "rates_suppressed"))] == ["Torfaen", "Monmouthshire"]


def test_rates_words_beside_the_colour():
    spec = rates.rates_with_intervals(rate_frame(), title="t", translate={"rag.green": "Gwyrdd"}).to_dict()
    labels = {row["label"]: row["side_text"] for row in rows(spec, layer(spec, "rates_labels"))}
    assert labels == {"Newport": "75% Gwyrdd", "Monmouthshire": "60% Red", "Caerphilly": "82%"}
    assert spec["description"].endswith(
        "Newport: 75% Gwyrdd; Torfaen: fewer than 10; Monmouthshire: 60% Red; Caerphilly: 82%"
    )


def test_rates_per_group_targets_without_a_single_target():
    frame = rate_frame().assign(target=[0.7, 0.7, 0.8, np.nan])
    spec = rates.rates_with_intervals(frame, title="t").to_dict()
    ticks = layer(spec, "rates_target")
    assert ticks["mark"]["type"] == "tick"
    assert [(row["label"], row["target"]) for row in rows(spec, ticks)] == [
        ("Newport", 0.7),
        ("Torfaen", 0.7),
        ("Monmouthshire", 0.8),
    ]
    assert "rates_target" not in names(rates.rates_with_intervals(rate_frame(), title="t").to_dict())


def difference_frame(with_flag: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "label": ["Asian", "Black", "Mixed"],
            "diff": [-0.10, 0.03, np.nan],
            "ci_low": [-0.18, -0.04, np.nan],
            "ci_high": [-0.02, 0.12, np.nan],
            "suppressed": [False, False, True],
        }
    )
    if with_flag:
        frame["significant"] = [True, False, False]
    return frame


@pytest.mark.parametrize("with_flag", [True, False])
def test_difference_chart(with_flag):
    spec = rates.difference_chart(difference_frame(with_flag), title="Gap").to_dict()
    assert names(spec) == [
        "difference_zero",
        "difference_intervals",
        "difference_points",
        "difference_suppressed",
        "difference_labels",
    ]
    assert [row["zero"] for row in rows(spec, layer(spec, "difference_zero"))] == [0.0]
    points = layer(spec, "difference_points")
    assert points["encoding"]["color"]["field"] == points["encoding"]["shape"]["field"] == "significance"
    assert [(row["label"], row["significance"]) for row in rows(spec, points)] == [
        ("Asian", "Significant difference"),
        ("Black", "No significant difference"),
    ]
    domain = points["encoding"]["x"]["scale"]["domain"]
    assert domain[0] == -domain[1] and math.isclose(domain[1], 0.18 * 1.1)
    assert [row["side_text"] for row in rows(spec, layer(spec, "difference_suppressed"))] == ["fewer than 10"]
    assert rows(spec, layer(spec, "difference_labels"))[0]["side_text"] == "\u221210% Significant difference"


# ---------------------------------------------------------------- police.uk


def volumes_frame() -> pd.DataFrame:
    counts = {"Violence": (100, 110), "Burglary": (30, 20), "Robbery": (5, 6), "Drugs": (8, 9), "Bicycle theft": (2, 1)}
    return pd.DataFrame(
        [
            {"month": month, "crime_type": crime, "count": pair[i]}
            for crime, pair in counts.items()
            for i, month in enumerate(["2023-11", "2023-12"])
        ]
    )


def test_monthly_volumes_groups_small_categories():
    spec = public.monthly_volumes(
        volumes_frame(), "crime_type", title="Crime", top_n=2, other_label="Eraill", legend_title="Math"
    ).to_dict()
    lines = layer(spec, "volumes_lines")
    assert lines["encoding"]["color"]["scale"]["domain"] == ["Violence", "Burglary", "Eraill"]
    assert lines["encoding"]["color"]["field"] == lines["encoding"]["strokeDash"]["field"] == "category"
    assert layer(spec, "volumes_points")["encoding"]["shape"]["field"] == "category"
    assert lines["encoding"]["color"]["legend"]["title"] == "Math"
    other = {row["period"]: row["count"] for row in rows(spec, lines) if row["category"] == "Eraill"}
    assert other == {"Nov 2023": 15, "Dec 2023": 16}
    assert spec["description"] == "Crime: monthly counts from Nov 2023 to Dec 2023 by Math"


def test_monthly_volumes_keeps_a_lone_spare_category():
    assert public.group_categories(pd.Series({"a": 3, "b": 2, "c": 1}), 2, "other") == {"a": "a", "b": "b", "c": "c"}


def test_monthly_volumes_stacked():
    spec = public.monthly_volumes(volumes_frame(), "crime_type", title="Crime", stacked=True).to_dict()
    bars = layer(spec, "volumes_bars")
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["order"]["field"] == "rank"
    assert bars["encoding"]["x"]["timeUnit"] == "yearmonth"


def test_outcome_shares():
    frame = pd.DataFrame(
        {
            "month": ["2023-11", "2023-12", "2023-12", "2023-12"],
            "outcome": ["Suspect charged", "Suspect charged", "Unable to prosecute suspect", "Local resolution"],
            "count": [10, 20, 60, 10],
        }
    )
    spec = public.outcome_shares(frame, title="Outcomes").to_dict()
    data = rows(spec, layer(spec, "shares_bars"))
    assert [(row["category"], row["share"]) for row in data] == [
        ("Unable to prosecute suspect", 0.6),
        ("Suspect charged", 0.3),
        ("Local resolution", 0.1),
    ]
    assert [row["label_text"] for row in data] == ["60.0% (60)", "30.0% (30)", "10.0% (10)"]
    assert layer(spec, "shares_labels")["encoding"]["text"]["field"] == "label_text"
