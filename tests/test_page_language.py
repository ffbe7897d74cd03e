"""The page's <html lang> follows the chosen language: the app hands its one component the session's language."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_signin import PASSWORD, sign_in
from ui.page_language import KEY, STATIC

APP = "../app.py"


@pytest.fixture
def engine(app_engine):
    """A temporary embedded database with the demo users, named by DATABASE_URL for the app."""
    return app_engine


def page_language_args(at: AppTest) -> list[dict]:
    """The arguments of every page-language component instance on the page (in the sidebar, where it is drawn)."""
    found = []
    for node in at.sidebar.get("component_instance"):
        proto = node.proto
        if proto.component_name.endswith("page_language"):
            found.append(json.loads(proto.json_args))
    return found


def test_the_page_language_follows_the_switch_signed_out_and_signed_in(engine):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert page_language_args(at) == [{"lang": "en", "height": 0, "default": None, "key": KEY}]
    at.sidebar.radio(key="vsd_lang").set_value("cy").run()
    assert page_language_args(at) == [
        {"lang": "cy", "height": 0, "default": None, "key": KEY}
    ]  # the sign-in page in Welsh
    at = sign_in(at, "lead.da", PASSWORD["lead.da"])
    assert at.title[0].value == "Cerdyn sgorio"
    assert [args["lang"] for args in page_language_args(at)] == ["cy"]
    at.sidebar.radio(key="vsd_lang").set_value("en").run()
    assert [args["lang"] for args in page_language_args(at)] == ["en"]
    assert not at.exception


def test_the_component_is_the_repository_folder_with_a_stable_key():
    assert (STATIC / "index.html").is_file() and (STATIC / "page_language.js").is_file()
    assert KEY == "vsd_page_language"  # keyed: a switch re-renders the same frame instead of loading a new one
