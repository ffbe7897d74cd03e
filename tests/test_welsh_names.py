"""Every name users see from the catalogue has its Welsh (name_cy, rights_cy), and the pages show it in Welsh."""

from __future__ import annotations

import copy

import pytest
import yaml

from auth import users
from data.engine import make_engine
from metrics.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue, parse_catalogue
from tests.apptest_support import open_page, sign_in

RAW = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_every_measure_portfolio_area_and_right_has_welsh():
    cat = load_catalogue()
    for m in cat.all_measures:
        assert m.name_cy.strip() and m.name_cy != m.name, m.id
    for p in cat.portfolios:
        assert p.name_cy.strip() and p.name_cy != p.name, p.id
    for area in cat.moj_areas:
        assert area.name_cy.strip() and area.name_cy != area.name, area.id
    assert set(cat.rights_cy) == set(cat.rights)


def test_generated_victims_code_names_are_built_from_the_welsh_rights():
    cat = load_catalogue()
    assert cat.measure_name("VCOP_RIGHT_6", "cy") == "Hawl 6: yr ymchwiliad a'r erlyniad"
    assert cat.measure_name("VCOP_RIGHT_6", "en") == "Right 6: investigation and prosecution"
    assert cat.measure_name("VCOP_R7_VPS_OFFERED", "cy") == (
        "Cynnig Datganiad Personol y Dioddefwr (hawl 7: Datganiad Personol y Dioddefwr)"
    )
    assert cat.measure_name("VCOP_MOJ_ACK", "cy") == "Ffurflen y Weinyddiaeth Gyfiawnder: Cydnabyddiaeth ysgrifenedig"
    assert cat.portfolio_name("witness_care", "cy") == "Uned Gofal Tystion"
    assert cat.right_name(12, "cy") == "cwynion"


@pytest.mark.parametrize(
    ("section", "index", "message"),
    [
        ("measures", 0, "measures[0] (SAT_EASE).name_cy: is required"),
        ("portfolios", 1, "portfolios[1] (vawg_da).name_cy: is required"),
        ("moj_areas", 0, "moj_areas[0] (ACK).name_cy: is required"),
    ],
)
def test_a_name_without_welsh_stops_the_catalogue_loading(section, index, message):
    data = copy.deepcopy(RAW)
    del data[section][index]["name_cy"]
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(data)
    assert message in str(info.value)


def test_a_right_without_welsh_stops_the_catalogue_loading():
    data = copy.deepcopy(RAW)
    del data["rights_cy"][8]
    with pytest.raises(CatalogueError, match=r"rights_cy: every right needs its Welsh name \(missing \[8\]"):
        parse_catalogue(data)


@pytest.fixture
def welsh_lead(seeded_reading_env):
    """lead.da reading in Welsh; the saved choice is put back to English for the tests after."""
    at = sign_in("lead.da")
    at.radio(key="vsd_lang").set_value("cy").run()
    yield at
    engine = make_engine(seeded_reading_env)
    users.set_language(engine, "lead.da", "en")
    engine.dispose()


def test_the_scorecard_shows_welsh_measure_and_portfolio_names(welsh_lead):
    at = welsh_lead
    assert not at.exception
    cat = load_catalogue()
    table = next(df.value for df in at.dataframe if "Mesur" in df.value.columns)
    # An entitlement's measure is named by what it promises (the catalogue's name), in Welsh; no code shows (#17).
    wanted = [cat.measure_name(metric_id, "cy") for metric_id in cat.scorecard_measures("vawg_da")]
    assert not [name for name in wanted if "R4_" in name or "R6_" in name]
    assert list(table["Mesur"]) == wanted
    assert "Atgyfeirio at wasanaethau cymorth (hawl 4" in " ".join(wanted)
    assert "Trais yn erbyn menywod a merched — cam-drin domestig" in at.selectbox(key="filter_portfolio").options


def test_the_victims_code_rights_read_in_welsh(welsh_lead):
    at = open_page(welsh_lead, "app_pages/victims_code.py")
    assert not at.exception
    cat = load_catalogue()
    shown = " ".join(" ".join(map(str, df.value.to_numpy().ravel())) for df in at.dataframe)
    assert cat.right_name(6, "cy") in shown and cat.rights[6] not in shown


def test_a_frozen_row_whose_measure_has_left_the_catalogue_keeps_its_stored_name():
    import pandas as pd

    from metrics.scorecard import COLUMNS as SCORECARD_COLUMNS
    from ui.scorecard_table import display_table

    base = dict.fromkeys(SCORECARD_COLUMNS)
    base |= {
        "value": 0.5,
        "ci_low": 0.4,
        "ci_high": 0.6,
        "kind": "rate",
        "suppressed": False,
        "numerator": 50,
        "denominator": 100,
        "change_significant": False,
        "sparkline": [],
    }
    rows = pd.DataFrame(
        [
            base | {"metric_id": "VCOP_R4_REFERRAL", "name": "stored"},
            base | {"metric_id": "RETIRED_MEASURE", "name": "A retired measure"},
        ]
    )
    names = display_table(rows).iloc[:, 0].tolist()
    assert names == ["Referred to support services (right 4: referral and tailored support)", "A retired measure"]


def test_the_home_page_names_the_leads_portfolios(seeded_reading_env):
    at = open_page(sign_in("lead.da"), "app_pages/home.py")
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "Your portfolios: VAWG — domestic abuse" in texts and not any("vawg_da" in t for t in texts)
    try:
        at.radio(key="vsd_lang").set_value("cy").run()
        welsh = f"Eich portffolios: {load_catalogue().portfolio_name('vawg_da', 'cy')}"
        assert welsh in [m.value for m in at.markdown]
    finally:
        engine = make_engine(seeded_reading_env)
        users.set_language(engine, "lead.da", "en")
        engine.dispose()
