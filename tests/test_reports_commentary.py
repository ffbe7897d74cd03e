"""Board pack commentary from the database (reports/gather.board_commentary): the leads' saved text for the export's
as-of date reaches the PDF in the pack's language, marked when only the other language was written; a portfolio
without any still says none was provided; nothing outside the exporter's scope or date is read."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from data.commentary import save_commentary
from reports.board_pack import build_board_pack
from reports.gather import board_commentary, gather
from tests.accountability_support import BOARD, LEAD_DA, LEAD_WCU
from tests.conftest import SMALL_DEMO_AS_OF

AS_OF = SMALL_DEMO_AS_OF
WCU_EN = "Ineffective trials rose in March; the unit now rings every witness two days before the trial."
SM_CY = "Mae'r cais am fesurau arbennig yn cael ei wirio gan yr uned o fewn dau ddiwrnod."
DA_EN = "Domestic abuse updates are behind target; see action AC-004."


@pytest.fixture
def loaded(small_demo):
    """200 demo victims (36 months to 31 March 2024) with commentary saved for three portfolios."""
    db = small_demo
    save_commentary(db, LEAD_WCU, "witness_care", AS_OF, WCU_EN, "", 0)
    save_commentary(db, LEAD_WCU, "special_measures", AS_OF, "", SM_CY, 0)
    save_commentary(db, LEAD_DA, "vawg_da", AS_OF, DA_EN, "", 0)
    # Commentary on older data is not what a pack at this as-of date shows.
    save_commentary(db, LEAD_WCU, "witness_care", dt.date(2024, 2, 29), "February's commentary.", "", 0)
    return db


def pdf_text(inputs) -> str:
    reader = pypdf.PdfReader(io.BytesIO(build_board_pack(inputs)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_board_commentary_in_each_language_and_scope(loaded):
    wcu = ["witness_care", "special_measures", "vcop"]
    assert board_commentary(loaded, BOARD, AS_OF, wcu, "en") == {
        "witness_care": WCU_EN,
        "special_measures": f"(Welsh only)\n{SM_CY}",
    }
    assert board_commentary(loaded, BOARD, AS_OF, wcu, "cy") == {
        "witness_care": f"(Saesneg yn unig)\n{WCU_EN}",
        "special_measures": SM_CY,
    }
    # A lead's export reads only their own portfolios' commentary, whatever is asked for.
    assert set(board_commentary(loaded, LEAD_WCU, AS_OF, ["vawg_da", "witness_care"], "en")) == {"witness_care"}
    assert board_commentary(loaded, BOARD, dt.date(2024, 2, 29), ["witness_care"], "en") == {
        "witness_care": "February's commentary."
    }


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_saved_commentary_reaches_the_board_pack(loaded, lang):
    inputs = gather(loaded, start=dt.date(2024, 1, 1), end=AS_OF, scope=LEAD_WCU, lang=lang, with_cases=False)
    assert set(inputs.portfolios) == {"witness_care", "special_measures"}
    assert "vawg_da" not in inputs.commentary  # another lead's portfolio is never read
    text = pdf_text(inputs)
    assert "February's commentary" not in text and DA_EN not in text
    if lang == "en":
        assert WCU_EN in text
        assert f"(Welsh only) {SM_CY}" in text
    else:
        assert f"(Saesneg yn unig) {WCU_EN}" in text
        assert SM_CY in text


def test_a_portfolio_without_commentary_still_says_none_was_provided(loaded):
    inputs = gather(loaded, start=dt.date(2024, 1, 1), end=AS_OF, portfolio="vcop", scope=BOARD, with_cases=False)
    assert inputs.commentary == {}
    text = pdf_text(inputs)
    assert "No commentary was provided for this portfolio." in text
    assert WCU_EN not in text
