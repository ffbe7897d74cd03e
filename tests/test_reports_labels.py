"""Report wording through the translation layer (`report.*` in config/translations), the methodology text, and the
shipped font that must print all of it."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from charts.icons import ENGLISH as CHART_WORDS
from charts.icons import POINT_STYLES
from config.i18n import LANGUAGES, catalogue, check_language, placeholders, t
from metrics.spc import POLARITIES, RULES
from reports.evidence_workbook import ACTION_COLUMNS, FEEDBACK_COLUMNS, LOAD_COLUMNS
from reports.formatting import AREAS, text_or, translator
from reports.inputs import DEFINITION_COLUMNS, METRIC_COLUMNS, SCORECARD_COLUMNS, SPC_COLUMNS
from reports.methodology import SECTIONS as METHOD_SECTIONS
from reports.methodology import methodology
from reports.pdf_layout import FONT_DIR
from reports.publication import LOG_COLUMNS
from reports.readme import FILES as README_FILES
from rules.workflow import ACTION_STATUSES, FEEDBACK_STATUSES

WELSH_LETTERS = "ŵŷâêîôûŴŶÂÊÎÔÛäëïöüáéíóúàèìòù"


def report_keys(lang: str) -> dict[str, str]:
    return {key: text for key, text in catalogue(lang).items() if key.startswith("report.")}


def test_report_words_are_in_both_languages_with_the_same_placeholders():
    en, cy = report_keys("en"), report_keys("cy")
    assert len(en) >= 130  # the exports' section is really there
    assert sorted(set(en) ^ set(cy)) == []
    assert {key: (en[key], cy[key]) for key in en if placeholders(en[key]) != placeholders(cy[key])} == {}


def test_report_welsh_is_welsh():
    en, cy = report_keys("en"), report_keys("cy")
    # Only proper names and technical codes may stay the same.
    assert {key for key in en if en[key] == cy[key]} == {"report.area.CG", "report.column.sha256"}


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
        ("report.only_en", "cy", {}, "(Saesneg yn unig)"),
        ("report.only_cy", "en", {}, "(Welsh only)"),
        ("report.yes", "en", {}, "Yes"),  # quoted in the YAML: a bare Yes would load as a boolean
        ("report.no", "cy", {}, "Na"),
        ("report.column.ci", "cy", {}, "Cyfwng hyder 95%"),
        ("report.status.on_track", "cy", {}, "Ar y trywydd iawn"),
        ("report.overdue_days", "en", {"days": 3}, "3 days overdue"),
        ("rag.green", "cy", {}, "Gwyrdd"),
        ("rag.amber", "cy", {}, "Ambr"),
        ("rag.red", "cy", {}, "Coch"),
        ("report.fewer_than", "cy", {"n": 10}, "llai na 10"),
    ],
)
def test_report_words(key, lang, values, expected):
    assert t(key, lang, **values) == expected


def test_exports_are_made_in_a_named_language_only():
    assert check_language("cy") == "cy"
    with pytest.raises(ValueError):
        check_language("fr")
    with pytest.raises(ValueError):
        translator("fr")


def test_every_key_the_exports_build_at_run_time_exists():
    """Keys put together from codes (areas, statuses, columns...) are not seen by the source scan of test_i18n."""
    columns = [*METRIC_COLUMNS, *SPC_COLUMNS, *DEFINITION_COLUMNS, *LOG_COLUMNS, *ACTION_COLUMNS]
    columns += [*FEEDBACK_COLUMNS, *LOAD_COLUMNS, *(c for c in SCORECARD_COLUMNS if c != "variation_icon")]
    columns += ["value_ci", "counts", "measures", "due_state"]  # the board pack's own table headers
    built = [f"report.column.{c}" for c in columns]
    built += [f"report.area.{a}" for a in (*AREAS, "OTHER")]
    built += [f"report.status.{s}" for s in ACTION_STATUSES]
    built += [f"report.feedback_status.{s}" for s in FEEDBACK_STATUSES]
    built += [f"report.polarity.{p}" for p in POLARITIES]
    built += [f"report.suppression.{r}" for r in ("rate", "primary", "secondary")]
    built += [f"report.only_{lang}" for lang in LANGUAGES]
    built += [key for key, _, _ in POINT_STYLES.values()] + [f"spc.rules.{rule}" for rule in RULES]
    built += [f"report.method.{section}.{part}" for section in METHOD_SECTIONS for part in ("heading", "text")]
    built += ["report.method.suppression.publication", "report.method.suppression.full_counts"]
    built += [f"report.readme.file.{key}" for key in README_FILES.values()]
    for lang in LANGUAGES:
        assert [key for key in built if key not in catalogue(lang)] == [], lang


def test_a_code_without_words_stays_as_it_is():
    assert text_or("report.status.on_track", "cy", "on_track") == "Ar y trywydd iawn"
    assert text_or("report.status.paused", "cy", "paused") == "paused"


def test_translator_gives_the_chart_icon_words_in_the_document_language():
    words = translator("cy")
    icon_keys = [k for k in CHART_WORDS if k.startswith(("rag.", "spc.common", "spc.improvement", "spc.concern"))]
    icon_keys += [k for k in CHART_WORDS if k.startswith(("spc.neutral_", "spc.assurance.", "spc.rules."))]
    assert icon_keys and all(words(k) == catalogue("cy")[k] != catalogue("en")[k] for k in icon_keys)
    assert all(catalogue("en")[k] == CHART_WORDS[k] for k in icon_keys)  # the same English as the charts
    assert translator("en")("rag.none") == "No rating"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_methodology_covers_the_methods(lang):
    sections = methodology(lang)
    assert len(sections) == 9
    text = " ".join(body for _, body in sections)
    for term in ["Wilson", "Newcombe", "2.66", "7", "12", "10", "T < d ≤ D"]:
        assert term in text, term


def test_methodology_sections_keep_their_order():
    assert [heading for heading, _ in methodology("en")] == [
        "Periods and the as-of date",
        "Working days",
        "Victims' Code entitlements",
        "Confidence intervals (Wilson)",
        "Change between periods (Newcombe)",
        "Statistical process control (SPC)",
        "RAG ratings",
        "Suppression of small numbers",
        "Case-level data",
    ]
    welsh = [heading for heading, _ in methodology("cy", publication=True)]
    assert welsh[0] == "Cyfnodau a'r dyddiad 'yn gywir ar'" and welsh[-1] == "Atal niferoedd bach"


def test_methodology_fills_thresholds_and_publication():
    full = dict(methodology("en", rate_threshold=20))
    assert "below 20" in full["Suppression of small numbers"] and "Case-level data" in full
    published = dict(methodology("en", publication=True, publication_threshold=10))
    assert "counts from 1 to 9 are replaced by '<10'" in published["Suppression of small numbers"]
    assert "Case-level data" not in published
    welsh = dict(methodology("cy", publication=True))
    assert "o 1 i 4" in welsh["Atal niferoedd bach"]
    # The amber margins are the catalogue's, as RAG used them.
    assert "amber up to 5 percentage points below it for a rate (within 5% of it" in full["RAG ratings"]
    wider = dict(methodology("en", amber_margin=0.025, amber_margin_relative=0.1))
    assert "amber up to 2.5 percentage points below it for a rate (within 10% of it" in wider["RAG ratings"]
    assert "ambr hyd at 5 pwynt canran" in welsh["Statws RAG"]


@pytest.mark.parametrize("font", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_shipped_font_prints_every_report_character(font):
    cmap = TTFont(FONT_DIR / font, lazy=True).getBestCmap()
    printed = ("report.", "rag.", "spc.", "chart.", "meeting.record.")
    texts = [text for lang in LANGUAGES for key, text in catalogue(lang).items() if key.startswith(printed)]
    texts += [WELSH_LETTERS, "▲▼●✓✗~–—≥≤"]
    texts += [body for lang in ("en", "cy") for section in methodology(lang) for body in section]
    missing = {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert missing == set()


def test_font_licence_is_shipped():
    licence = (FONT_DIR / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence
