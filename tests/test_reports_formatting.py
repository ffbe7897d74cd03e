"""Display text shared by the PDF and the workbook (reports/formatting.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reports.formatting import (
    area_lookup,
    area_of,
    assurance_text,
    format_change,
    format_count,
    format_value,
    has_public_data,
    metric_units,
    point_variation_text,
    rag_text,
    rule_text,
    unit_lookup,
    units_for,
    variation_text,
    yes_no,
)


@pytest.mark.parametrize(
    ("metric", "areas", "expected"),
    [
        ("VCOP_R4_REFERRAL", None, "VCOP"),
        ("SAT_GAP_ETHNICITY", None, "SAT"),
        ("PUB_CRIMES", None, "PUB"),
        ("NEW_THING", None, "OTHER"),
        ("ACT_OVERDUE", {"ACT_OVERDUE": "HM"}, "HM"),  # the catalogue's area wins over the prefix
    ],
)
def test_area_of(metric, areas, expected):
    assert area_of(metric, areas) == expected


def test_catalogue_area_and_kind_columns():
    definitions = pd.DataFrame(
        {
            "metric_id": ["ACT_OVERDUE", "SAT_GAP_ETHNICITY", "SE_PARTICIPANTS", "SE_DAYS_TO_CLOSE", "X"],
            "area": ["inspection", "satisfaction", "survivor_voice", "survivor_voice", "somewhere_new"],
            "kind": ["rate", "difference", "sum", "median", "count"],
        }
    )
    assert area_lookup(definitions) == {
        "ACT_OVERDUE": "HM",
        "SAT_GAP_ETHNICITY": "SAT",
        "SE_PARTICIPANTS": "SE",
        "SE_DAYS_TO_CLOSE": "SE",
        "X": "OTHER",
    }
    assert unit_lookup(definitions) == {
        "ACT_OVERDUE": "proportion",
        "SAT_GAP_ETHNICITY": "percentage_points",
        "SE_PARTICIPANTS": "count",
        "SE_DAYS_TO_CLOSE": "number",
        "X": "count",
    }
    assert unit_lookup(definitions.assign(unit=[None, None, None, "count", None]))["SE_DAYS_TO_CLOSE"] == "count"


def test_units_from_denominators_when_the_catalogue_is_silent():
    rows = pd.DataFrame({"metric_id": ["A", "A", "B", "C"], "denominator": [None, 12, None, None]})
    units = metric_units(None, [rows, None, pd.DataFrame()])
    assert units == {"A": "proportion"}
    assert units_for(rows, units) == ["proportion", "proportion", "number", "number"]


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (0.8123, "proportion", "en", "81.2%"),
        (0.8123, "proportion", "cy", "81.2%"),
        (-0.035, "percentage_points", "en", "-3.5 pp"),
        (0.07, "percentage_points", "en", "+7.0 pp"),
        (1234, "count", "en", "1,234"),
        (12.5, "number", "en", "12.5"),
        (90.0, "number", "en", "90"),
        (None, "proportion", "en", "–"),
        (math.nan, "count", "en", "–"),
        ("[c]", "proportion", "en", "[c]"),
    ],
)
def test_format_value(value, unit, lang, expected):
    assert format_value(value, unit, lang) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(180, "180"), (12345, "12,345"), ("<5", "<5"), (None, "–"), (2.5, "2.5")]
)
def test_format_count(value, expected):
    assert format_count(value, "en") == expected


@pytest.mark.parametrize(
    ("value", "significant", "unit", "lang", "expected"),
    [
        (0.098, True, "proportion", "en", "+9.8 pp (significant)"),
        (-0.052, False, "proportion", "cy", "-5.2 pp (dim yn arwyddocaol)"),
        (31, None, "count", "en", "+31.0"),
        (None, True, "proportion", "en", "–"),
    ],
)
def test_format_change(value, significant, unit, lang, expected):
    assert format_change(value, significant, unit, lang) == expected


@pytest.mark.parametrize(
    ("function", "value", "lang", "expected"),
    [
        (rag_text, "green", "en", "✓ Green"),
        (rag_text, "amber", "cy", "! Ambr"),
        (rag_text, "red", "cy", "✗ Coch"),
        (rag_text, None, "en", "– No rating"),
        (rag_text, math.nan, "cy", "– Dim sgôr"),
        (variation_text, "concern_low", "en", "▼ Special cause concern (low)"),
        (variation_text, "improvement_high", "cy", "▲ Gwelliant achos arbennig (uchel)"),
        (variation_text, "common_cause", "cy", "● Amrywiad achos cyffredin"),
        (variation_text, None, "en", "No SPC result"),
        (assurance_text, "pass", "en", "✓ Consistently passes the target"),
        (assurance_text, "fail", "cy", "✗ Yn methu'r targed yn gyson"),
        (assurance_text, None, "cy", "Dim canlyniad sicrwydd"),
        (point_variation_text, "concern", "cy", "Pryder"),
        (point_variation_text, None, "en", None),
        (
            rule_text,
            "outside_limits,shift",
            "en",
            "Outside the process limits; Run of 7 or more on one side of the mean",
        ),
        (rule_text, "", "en", None),
        (rule_text, "new_rule", "en", "new_rule"),
        (yes_no, True, "cy", "Ie"),
        (yes_no, "false", "en", "No"),
        (yes_no, None, "en", None),
    ],
)
def test_words(function, value, lang, expected):
    assert function(value, lang) == expected


def test_has_public_data():
    rows = pd.DataFrame({"metric_id": ["VCOP_OVERALL"]})
    assert not has_public_data(rows, {})
    assert has_public_data(rows, {"vcop": pd.DataFrame({"metric_id": ["PUB_CRIMES"]})})
    assert has_public_data(pd.DataFrame({"metric_id": ["PUB_UNABLE_TO_PROSECUTE"]}), {})
