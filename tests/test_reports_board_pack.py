"""The board pack PDF (reports/board_pack.py), read back with pypdf: headings, figures, pages, alt text, Welsh."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from reports.board_pack import build_board_pack
from reports.inputs import chart_key
from tests.test_reports_fixtures import PORTFOLIOS, PORTFOLIOS_CY, make_inputs, scorecards

WELSH_COMMENTARY = "Cyfarfu'r tîm yn y tŷ ar lan y dŵr; bydd adroddiad ôl-weithredol ym mis Rhagfyr."


@pytest.fixture(scope="module")
def english():
    return pypdf.PdfReader(io.BytesIO(build_board_pack(make_inputs())))


@pytest.fixture(scope="module")
def welsh():
    inputs = make_inputs(lang="cy", portfolios=PORTFOLIOS_CY, commentary={"vcop": WELSH_COMMENTARY})
    return pypdf.PdfReader(io.BytesIO(build_board_pack(inputs)))


def _pages(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def _text(reader) -> str:
    return "\n".join(_pages(reader))


def _figures(reader) -> list[str]:
    """Alt text of every figure in the structure tree."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids] if kids is not None else []:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_headings(english):
    text = _text(english)
    for heading in [
        "Board pack",
        "Contents",
        "Framework summary",
        *PORTFOLIOS.values(),
        "Scorecard",
        "Statistical process control charts",
        "Actions due and overdue",
        "Commentary",
        "Appendix: definitions",
    ]:
        assert heading in text, heading
    outline = [item["/Title"] for item in english.outline if not isinstance(item, list)]
    assert outline == ["Board pack", "Framework summary", *PORTFOLIOS.values(), "Appendix: definitions"]


def test_every_page_has_its_number_and_the_as_of_date(english):
    pages = _pages(english)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "As at 31 October 2026" in text


def test_contents_gives_the_page_of_each_section(english):
    pages = _pages(english)
    contents = pages[1]
    for section in ["Framework summary", *PORTFOLIOS.values(), "Appendix: definitions"]:
        number = int(re.search(re.escape(section) + r"\s+(\d+)", contents).group(1))
        body = pages[number - 1].split("\n", 1)[1]  # past the running header
        assert section in body, section


def test_scorecard_figures_and_icons_in_words(english):
    text = _text(english)
    assert "75.0% (69.2%–80.1%)" in text and "180 / 240" in text
    assert "✗ Red" in text and "✓ Green" in text
    assert "▼ Special cause concern (low)" in text and "▲ Special cause improvement (high)" in text
    assert "✗ Consistently fails the target" in text and "~ Hit and miss: may pass or fail the target" in text
    assert "fewer than 10" in text and "6 / 8" in text
    assert "-5.2 pp (significant)" in text and "+3.1 pp (not significant)" in text
    assert "1,234" in text


def test_framework_summary_tallies_rag(english):
    summary = _pages(english)[2]
    assert re.search(re.escape(PORTFOLIOS["vcop"]) + r"\s+3\s+0\s+0\s+1\s+2", summary)
    assert re.search(re.escape(PORTFOLIOS["vawg_da"]) + r"\s+2\s+1\s+0\s+1\s+0", summary)


def test_actions_due_and_overdue(english):
    text = _text(english)
    assert "Refresh referral scripts" in text and "30 days overdue" in text  # due 1 Oct, as of 31 Oct
    assert "Due by 20 November 2026" in text  # within 28 days
    assert "Closed action" not in text and "Later action" not in text  # complete; due beyond 28 days
    assert '=HYPERLINK("http://x","y")' in text and "11 days overdue" in text


def test_commentary_or_its_absence(english):
    text = _text(english)
    assert "retraining call handlers" in text
    assert "No commentary was provided for this portfolio." in text


def test_charts_carry_alt_text(english):
    figures = _figures(english)
    assert len(figures) == 5
    assert any(f.startswith("SPC chart of All entitlements for Victims' Code compliance (MoJ)") for f in figures)
    assert any("▼ Special cause concern (low)" in f for f in figures)


def test_chart_cap_puts_concerns_first_and_given_alt_text_is_used():
    key = chart_key("vawg_da", "SAT_WHOLE")
    inputs = make_inputs(charts_per_portfolio=1, chart_alt_text={key: "Chart: 12 points."})
    reader = pypdf.PdfReader(io.BytesIO(build_board_pack(inputs)))
    figures = _figures(reader)
    assert len(figures) == 2
    assert "All entitlements for Victims' Code compliance (MoJ)" in figures[0]  # the concern, not the first row
    assert figures[1] == "Chart: 12 points."  # vawg_da: the red SAT_WHOLE comes before the green VCOP_OVERALL
    assert "Charts for the other 2 measures are in the evidence pack." in _text(reader)


def test_document_language_and_title(english, welsh):
    assert english.trailer["/Root"]["/Lang"] == "en" and welsh.trailer["/Root"]["/Lang"] == "cy"
    assert english.metadata.title == "Board pack: Victim Services performance framework"
    assert welsh.metadata.title == "Pecyn y Bwrdd: Fframwaith perfformiad Gwasanaethau Dioddefwyr"


def test_welsh_pack(welsh):
    pages = _pages(welsh)
    text = "\n".join(pages)
    for words in [
        "Pecyn y Bwrdd",
        "Crynodeb o'r fframwaith",
        "Atodiad: diffiniadau",
        "Camau gweithredu",
        "Cerdyn sgorio",
    ]:
        assert words in text, words
    assert "✗ Coch" in text and "✓ Gwyrdd" in text and "Llai na 10".lower() in text.lower()
    assert WELSH_COMMENTARY in text.replace("\n", " ")  # ŵ, ŷ, î and ô survive
    assert PORTFOLIOS_CY["vcop"] in text  # â
    for number, page in enumerate(pages, start=1):
        assert f"Tudalen {number} o {len(pages)}" in page and "Yn gywir ar 31 Hydref 2026" in page


def test_portfolio_without_measures():
    cards = {"vcop": scorecards()["vcop"], "vawg_da": scorecards()["vawg_da"].iloc[0:0]}
    reader = pypdf.PdfReader(io.BytesIO(build_board_pack(make_inputs(scorecards=cards))))
    assert "No measures are on this portfolio's scorecard for the period." in _text(reader)


def test_charts_must_be_png():
    with pytest.raises(ValueError, match="PNG"):
        build_board_pack(make_inputs(charts={chart_key("vcop", "VCOP_OVERALL"): b"GIF89a"}))


def test_headline_flag_chooses_the_summary_rows():
    cards = scorecards()
    cards["vcop"] = cards["vcop"].assign(headline=[False, False, True])
    reader = pypdf.PdfReader(io.BytesIO(build_board_pack(make_inputs(scorecards=cards, portfolios={"vcop": "V"}))))
    summary = _pages(reader)[2]
    assert "Recorded crimes (police.uk)" in summary and "All entitlements" not in summary


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        build_board_pack(make_inputs(lang="fr"))


def test_definitions_appendix_lists_scorecard_measures(english):
    appendix = _pages(english)[-1]
    for metric in ["VCOP_OVERALL", "VCOP_R4_REFERRAL", "SAT_WHOLE", "PUB_CRIMES"]:
        assert metric in appendix
    assert "answers 5–7" in appendix and "80.0%" in appendix
