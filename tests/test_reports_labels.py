"""Report wording in English and Welsh, the methodology text, and the shipped font that must print all of it."""

from __future__ import annotations

import string

import pytest
from fontTools.ttLib import TTFont

from charts.icons import ENGLISH as CHART_WORDS
from reports.labels import LABELS, check_language, label, translator
from reports.methodology import methodology
from reports.pdf_layout import FONT_DIR
from reports.readme import TEXT as README_TEXT

WELSH_LETTERS = "ŵŷâêîôûŴŶÂÊÎÔÛäëïöüáéíóúàèìòù"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_and_welsh_have_the_same_keys_and_placeholders():
    assert set(LABELS["en"]) == set(LABELS["cy"])
    for key, text in LABELS["en"].items():
        assert _placeholders(text) == _placeholders(LABELS["cy"][key]), key


def test_welsh_is_welsh():
    same = [key for key in LABELS["en"] if LABELS["en"][key] == LABELS["cy"][key]]
    # Only proper names and technical codes may stay the same.
    assert set(same) <= {"area.CG", "column.sha256"}


@pytest.mark.parametrize(
    ("key", "lang", "values", "expected"),
    [
        ("report.board_pack", "cy", {}, "Pecyn y Bwrdd"),
        ("report.framework_summary", "cy", {}, "Crynodeb o'r fframwaith"),
        ("report.definitions", "cy", {}, "Diffiniadau"),
        ("report.methodology", "cy", {}, "Methodoleg"),
        ("report.page", "cy", {"n": 2, "total": 9}, "Tudalen 2 o 9"),
        ("report.page", "en", {"n": 2, "total": 9}, "Page 2 of 9"),
        ("report.as_at", "cy", {"date": "31 Hydref 2026"}, "Yn gywir ar 31 Hydref 2026"),
        ("report.actions", "cy", {}, "Camau gweithredu"),
        ("rag.green", "cy", {}, "Gwyrdd"),
        ("rag.amber", "cy", {}, "Ambr"),
        ("rag.red", "cy", {}, "Coch"),
        ("report.fewer_than", "cy", {"n": 10}, "llai na 10"),
    ],
)
def test_label(key, lang, values, expected):
    assert label(key, lang, **values) == expected


def test_unknown_language_and_key():
    with pytest.raises(ValueError):
        check_language("fr")
    with pytest.raises(KeyError):
        label("report.no_such_key", "en")


def test_translator_covers_the_chart_icon_keys_it_is_used_for():
    words = translator("cy")
    icon_keys = [k for k in CHART_WORDS if k.startswith(("rag.", "spc.common", "spc.improvement", "spc.concern"))]
    icon_keys += [k for k in CHART_WORDS if k.startswith(("spc.neutral_", "spc.assurance.", "spc.rules."))]
    assert icon_keys and all(k in LABELS["cy"] and words(k) == LABELS["cy"][k] for k in icon_keys)
    assert all(LABELS["en"][k] == CHART_WORDS[k] for k in icon_keys)  # the same English as the charts


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_methodology_covers_the_methods(lang):
    sections = methodology(lang)
    assert len(sections) == 9
    text = " ".join(body for _, body in sections)
    for term in ["Wilson", "Newcombe", "2.66", "7", "12", "10", "T < d ≤ D"]:
        assert term in text, term


def test_methodology_fills_thresholds_and_publication():
    full = dict(methodology("en", rate_threshold=20))
    assert "below 20" in full["Suppression of small numbers"] and "Case-level data" in full
    published = dict(methodology("en", publication=True, publication_threshold=10))
    assert "counts from 1 to 9 are replaced by '<10'" in published["Suppression of small numbers"]
    assert "Case-level data" not in published
    welsh = dict(methodology("cy", publication=True))
    assert "o 1 i 4" in welsh["Atal niferoedd bach"]


@pytest.mark.parametrize("font", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_shipped_font_prints_every_report_character(font):
    cmap = TTFont(FONT_DIR / font, lazy=True).getBestCmap()
    texts = [*LABELS["en"].values(), *LABELS["cy"].values(), WELSH_LETTERS, "▲▼●✓✗~–—≥≤"]
    texts += [body for lang in ("en", "cy") for section in methodology(lang) for body in section]
    texts += [body for lang in ("en", "cy") for body in README_TEXT[lang].values()]
    missing = {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert missing == set()


def test_font_licence_is_shipped():
    licence = (FONT_DIR / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence
