"""Every measure's definition reads in Welsh: the catalogue holds numerator_cy, denominator_cy, basis_cy and each
source's name_cy (and refuses to load without them), definition(lang) gives them, the definition popover shows them
to a Welsh reader, and a Welsh evidence pack's Definitions sheet and board pack appendix print them."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pypdf
import pytest
import yaml

from auth import users
from config.i18n import catalogue as messages
from data.engine import make_engine
from metrics.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue, parse_catalogue
from reports.evidence_pack import build_evidence_pack
from reports.gather import _definitions, gather
from tests.accountability_support import LEAD_WCU
from tests.apptest_support import sign_in
from tests.conftest import SMALL_DEMO_AS_OF
from tests.test_reports_fixtures import PORTFOLIOS_CY, make_inputs

RAW = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
VCOP_NUMERATOR_CY = (
    "hawlogaethau mewn pryd: wedi'u darparu o fewn yr amserlen (yr amserlen uwch ar gyfer dioddefwyr â Hawliau Uwch)"
)
SAT_WHOLE_NUMERATOR_CY = "atebion 5-7 i'r cwestiwn am y profiad cyfan"
FIXTURE_MEASURES = ["VCOP_OVERALL", "VCOP_R4_REFERRAL", "SAT_WHOLE", "PUB_CRIMES"]


def _prose(text: str) -> bool:
    """A text with words in it (a count's denominator is a bare "-", the same in both languages)."""
    return bool(re.search(r"[A-Za-z]{2}", text))


# ------------------------------------------------------------------ the catalogue


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("measures", 0, "numerator_cy"), "measures[0] (SAT_EASE).numerator_cy: is required"),
        (("measures", 4, "denominator_cy"), "measures[4] (SAT_WHOLE).denominator_cy: is required"),
        (("vcop_measures", "numerator_cy"), "vcop_measures.numerator_cy: is required"),
        (("vcop_measures", "denominator_cy"), "vcop_measures.denominator_cy: is required"),
        (("entitlements", 3, "basis_cy"), "entitlements[3] (R4_NEEDS_ASSESSMENT).basis_cy: is required"),
        (("sources", "survey_responses", "name_cy"), "sources.survey_responses.name_cy: is required"),
    ],
)
def test_a_definition_text_without_welsh_stops_the_catalogue_loading(path, message):
    data = copy.deepcopy(RAW)
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(data)
    assert message in str(info.value)


def test_an_empty_welsh_text_is_refused_too():
    data = copy.deepcopy(RAW)
    data["measures"][7]["numerator_cy"] = ""
    with pytest.raises(CatalogueError, match=r"measures\[7\] \(WCU_ATTENDANCE\)\.numerator_cy: string should have"):
        parse_catalogue(data)


def test_every_definition_text_differs_in_welsh_where_the_english_is_prose():
    cat = load_catalogue()
    for m in cat.all_measures:
        en, cy = cat.definition(m.id, "en"), cat.definition(m.id, "cy")
        for field in ("name", "numerator", "denominator", "source_name"):
            assert en[field].strip() and cy[field].strip(), (m.id, field)
            assert (cy[field] != en[field]) == _prose(en[field]), (m.id, field, cy[field])
        assert (en["lang"], cy["lang"]) == ("en", "cy")
        for e_en, e_cy in zip(en.get("entitlements", []), cy.get("entitlements", []), strict=True):
            words = ("name", "basis", "right_name")
            assert all(e_cy[k] != e_en[k] for k in words), e_en["code"]
            settings = {k: v for k, v in e_en.items() if k not in words}
            assert {k: v for k, v in e_cy.items() if k not in words} == settings
        # Codes and numbers are the same in both languages.
        same = ("id", "area", "kind", "polarity", "target", "source", "period_date", "cuts", "catalogue_version")
        assert {k: cy[k] for k in same} == {k: en[k] for k in same}


def test_the_english_definition_is_unchanged_and_the_default():
    cat = load_catalogue()
    d = cat.definition("SAT_WHOLE")
    assert d == cat.definition("SAT_WHOLE", "en")
    assert (d["name"], d["numerator"], d["denominator"]) == (
        "Satisfaction with the whole experience",
        "answers 5-7 to the whole experience question",
        "answers 1-7 to that question",
    )
    assert (d["source"], d["source_name"]) == ("survey_responses", "Victim satisfaction survey responses")


def test_a_welsh_definition_in_full():
    d = load_catalogue().definition("VCOP_R4_REFERRAL", "cy")
    assert d["name"] == "Atgyfeirio at wasanaethau cymorth (hawl 4: atgyfeirio a chymorth wedi'i deilwra)"
    assert d["numerator"] == VCOP_NUMERATOR_CY
    assert d["denominator"].startswith("hawlogaethau mewn pryd + hwyr + wedi'u methu; ni chynhwysir")
    assert d["source_name"] == "Hawlogaethau Cod y Dioddefwyr"
    assert d["entitlements"] == [
        {"code": "R4_REFERRAL", "name": "Atgyfeirio at wasanaethau cymorth", "right": 4, "owner": "police",
         "standard": 2, "enhanced": 2, "unit": "working", "basis": "Y Cod",
         "right_name": "atgyfeirio a chymorth wedi'i deilwra"},
    ]  # fmt: skip
    assert (
        load_catalogue()
        .entitlement_basis("R11_VCS_REFERRAL", "cy")
        .startswith("Y Cod: atgyfeirio at y Cynllun Cyswllt â Dioddefwyr")
    )


def test_generated_victims_code_definitions_share_the_welsh_template():
    cat = load_catalogue()
    vcop = [m.id for m in cat.all_measures if m.area == "vcop" and m.id.startswith("VCOP_")]  # not DUTY_*, EXC_SHARE
    assert len(vcop) == 1 + 12 + 21 + 5  # overall, each right, each entitlement, each MoJ area
    welsh = {(cat.definition(m, "cy")["numerator"], cat.definition(m, "cy")["denominator"]) for m in vcop}
    assert welsh == {(RAW["vcop_measures"]["numerator_cy"], RAW["vcop_measures"]["denominator_cy"])}
    assert cat.definition("VCOP_MOJ_UPDATES", "cy")["numerator"] == VCOP_NUMERATOR_CY


def test_every_date_and_kind_a_definition_names_has_words_in_both_languages():
    cat = load_catalogue()
    keys = {f"measure_definition.period_dates.{m.period_date}" for m in cat.all_measures}
    keys |= {f"measure_definition.kinds.{m.kind}" for m in cat.all_measures}
    keys |= {f"measure_definition.timescale.{e.unit}" for e in cat.entitlements}
    for lang in ("en", "cy"):
        assert sorted(k for k in keys if k not in messages(lang)) == [], lang


# ------------------------------------------------------------------ exports


def test_the_definitions_frame_is_in_the_packs_language():
    cat = load_catalogue()
    ids = ["VCOP_R4_REFERRAL", "VCOP_R2_RECORDED", "VCOP_RIGHT_6", "VCOP_OVERALL", "SAT_WHOLE", "PUB_CRIMES"]
    en = _definitions(cat, ids, "en").set_index("metric_id")
    cy = _definitions(cat, ids, "cy").set_index("metric_id")
    # English as before this change: "<code>: <standard> / <enhanced> <unit> days".
    assert en.loc["VCOP_R4_REFERRAL", "timescale"] == "R4_REFERRAL: 2 / 2 working days"
    assert cy.loc["VCOP_R4_REFERRAL", "timescale"] == "R4_REFERRAL: 2 / 2 diwrnod gwaith"
    assert cy.loc["VCOP_R2_RECORDED", "timescale"] == "R2_RECORDED: 1 / 1 diwrnod calendr"
    # Right 6 pools five entitlements since Right to Review (STATUTORY.md §2): too many to list.
    assert cy.loc["VCOP_RIGHT_6", "timescale"] == (
        "5 hawlogaeth wedi'u cyfuno, a phob un wedi'i barnu yn ôl ei hamserlen ei hun"
    )
    # The whole Code pools all 21: too many to list.
    assert en.loc["VCOP_OVERALL", "timescale"] == "21 entitlements pooled, each judged on its own timescale"
    assert cy.loc["VCOP_OVERALL", "timescale"] == (
        "21 hawlogaeth wedi'u cyfuno, a phob un wedi'i barnu yn ôl ei hamserlen ei hun"
    )
    assert (cy.loc["SAT_WHOLE", "name"], cy.loc["SAT_WHOLE", "numerator"]) == (
        "Bodlonrwydd â'r profiad cyfan",
        SAT_WHOLE_NUMERATOR_CY,
    )
    assert cy.loc["SAT_WHOLE", "source"] == "Ymatebion i'r arolwg bodlonrwydd dioddefwyr"
    assert en.loc["SAT_WHOLE", "source"] == "Victim satisfaction survey responses"
    # Codes the workbook turns into words itself (and uses for number formats) stay codes.
    assert list(cy["kind"]) == list(en["kind"]) == ["rate"] * 5 + ["count"]
    assert list(cy["polarity"]) == list(en["polarity"])


@pytest.fixture(scope="module")
def welsh_pack():
    """A Welsh evidence pack whose definitions come from the catalogue, as reports/gather.py builds them."""
    definitions = _definitions(load_catalogue(), FIXTURE_MEASURES, "cy")
    return build_evidence_pack(make_inputs(definitions=definitions, lang="cy", portfolios=PORTFOLIOS_CY))


def _files(pack) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_welsh_evidence_packs_definitions_sheet_is_in_welsh(welsh_pack):
    wb = openpyxl.load_workbook(io.BytesIO(_files(welsh_pack)["metrics.xlsx"]))
    ws = wb["Diffiniadau"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert header[:3] == ["ID y mesur", "Mesur", "Rhifiadur"]
    sat = rows["SAT_WHOLE"]
    assert (sat["Mesur"], sat["Rhifiadur"], sat["Enwadur"]) == (
        "Bodlonrwydd â'r profiad cyfan",
        SAT_WHOLE_NUMERATOR_CY,
        "atebion 1-7 i'r cwestiwn hwnnw",
    )
    assert (sat["Ffynhonnell"], sat["Math"]) == ("Ymatebion i'r arolwg bodlonrwydd dioddefwyr", "Cyfradd")
    assert rows["VCOP_R4_REFERRAL"]["Rhifiadur"] == VCOP_NUMERATOR_CY
    assert rows["VCOP_R4_REFERRAL"]["Amserlen"] == "R4_REFERRAL: 2 / 2 diwrnod gwaith"
    # A count has no denominator: "-", written with the workbook's formula guard as in English.
    assert (rows["PUB_CRIMES"]["Math"], rows["PUB_CRIMES"]["Enwadur"]) == ("Cyfrif", "'-")
    english = {"answers", "timely", "entitlements", "survey", "rate", "count", "Code"}
    words = {w for r in rows.values() for v in r.values() if isinstance(v, str) for w in re.findall(r"[A-Za-z]+", v)}
    assert words & english == set()


def test_a_welsh_board_pack_appendix_prints_the_welsh_definitions(welsh_pack):
    reader = pypdf.PdfReader(io.BytesIO(_files(welsh_pack)["board_pack.pdf"]))
    appendix = " ".join(reader.pages[-1].extract_text().split())
    assert "Atodiad: diffiniadau" in appendix
    assert "atebion 5-7 i'r cwestiwn am y profiad cyfan" in appendix.replace("’", "'")
    assert "hawlogaethau mewn pryd" in appendix and "timely instances" not in appendix


AS_OF = SMALL_DEMO_AS_OF


@pytest.fixture
def loaded(small_demo):
    """200 demo victims over 36 months to 31 March 2024."""
    return small_demo


def test_a_gathered_welsh_export_carries_welsh_definitions(loaded):
    inputs = gather(loaded, start=dt.date(2024, 1, 1), end=AS_OF, scope=LEAD_WCU, lang="cy", with_cases=False)
    defs = inputs.definitions.set_index("metric_id")
    cat = load_catalogue()
    wanted = cat.expand(["VCOP_R8_*", "VCOP_R9_*", "VCOP_R10_*", "VCOP_R11_*", "WCU_*", "SM_*"])
    assert set(wanted) <= set(defs.index)
    for metric_id in wanted:
        d = cat.definition(metric_id, "cy")
        assert (defs.loc[metric_id, "numerator"], defs.loc[metric_id, "denominator"]) == (
            d["numerator"],
            d["denominator"],
        )
    assert defs.loc["WCU_ATTENDANCE", "numerator"] == (
        "tystion yr oedd yn ofynnol iddynt fod yn bresennol ac a oedd yn bresennol"
    )
    assert defs.loc["VCOP_R8_HEARING_INFO", "timescale"] == "R8_HEARING_INFO: 1 / 1 diwrnod gwaith"
    assert defs.loc["SM_TIMELY", "source"] == "Ceisiadau am fesurau arbennig"


# ------------------------------------------------------------------ the definition popover


@pytest.fixture
def welsh_lead_on_a_measure(seeded_reading_env):
    """lead.da looking at VCOP_R6_SUSPECT_UPDATE on the Scorecard, then switching to Welsh (the measure is chosen
    first: AppTest formats a select box's choice with the names of the run before); English is put back after."""
    at = sign_in("lead.da")
    at.selectbox(key="scorecard_measure").select("VCOP_R6_SUSPECT_UPDATE").run()
    at.radio(key="vsd_lang").set_value("cy").run()
    yield at
    engine = make_engine(seeded_reading_env)
    users.set_language(engine, "lead.da", "en")
    engine.dispose()


def test_the_definition_popover_reads_in_welsh(welsh_lead_on_a_measure):
    at = welsh_lead_on_a_measure
    assert not at.exception
    assert at.selectbox(key="scorecard_measure").value == "VCOP_R6_SUSPECT_UPDATE"
    texts = [m.value for m in at.markdown]
    assert f"**Rhifiadur**: {VCOP_NUMERATOR_CY}" in texts
    assert "**Ffynhonnell**: Hawlogaethau Cod y Dioddefwyr, yn ôl y diwrnod y daeth yr hawlogaeth yn ddyledus" in texts
    heading = "**Diweddariadau am y sawl a ddrwgdybir (hawl 6: yr ymchwiliad a'r erlyniad)** (`VCOP_R6_SUSPECT_UPDATE`)"
    assert heading in texts
    assert not any("timely instances" in t for t in texts)
    timescales = next(df.value for df in at.dataframe if "Hawlogaeth" in df.value.columns)
    assert timescales.to_dict("records") == [
        {"Hawlogaeth": "R6_SUSPECT_UPDATE", "Hawl": 6, "Amserlen safonol": "5 diwrnod gwaith",
         "Amserlen hawliau uwch": "1 diwrnod gwaith",
         "Sail": "Y Cod: arestio, cyfweliad, rhyddhau, mechnïaeth, rhyddhau dan ymchwiliad (RUI)"},
    ]  # fmt: skip


def test_the_definition_popover_in_english(seeded_reading_env):
    at = sign_in("lead.da")
    at.selectbox(key="scorecard_measure").select("VCOP_R6_SUSPECT_UPDATE").run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert f"**Numerator**: {RAW['vcop_measures']['numerator']}" in texts
    assert "**Source**: Victims' Code entitlements, by the day the entitlement fell due" in texts
    timescales = next(df.value for df in at.dataframe if "Entitlement" in df.value.columns)
    assert timescales.iloc[0].to_dict() == {
        "Entitlement": "R6_SUSPECT_UPDATE", "Right": 6, "Standard timescale": "5 working days",
        "Enhanced rights timescale": "1 working day", "Basis": "Code: arrest, interview, release, bail, RUI",
    }  # fmt: skip
