"""Crafted period parameters (issue #15, item 9): ?period=custom&from=&to= is clamped to the data's range with a
translated notice, and no link breaks a read page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from config.i18n import format_date
from tests.apptest_support import open_page, sign_in

PAGES = ("app_pages/witness_care.py", "app_pages/satisfaction.py", "app_pages/connect_gwent.py")
CLAMPED = "The link's period went beyond the data, so it is shown within the data's range"
LINKS = {
    "year-one": ({"from": "0001-01-01"}, CLAMPED),
    "year-9999": ({"from": "2025-01-01", "to": "9999-12-31"}, CLAMPED),
    "both-extremes": ({"from": "0001-01-01", "to": "9999-12-31"}, CLAMPED),
    "garbage": ({"from": "garbage", "to": "2026-01-01"}, "The link's dates could not be read"),
    "reversed": ({"from": "2026-06-01", "to": "2025-01-01"}, "The link's period ends before it starts"),
    "outside": ({"from": "1990-01-01", "to": "1990-12-31"}, "The link's period lies outside the data"),
}


@pytest.mark.parametrize("link", LINKS, ids=list(LINKS))
@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_a_crafted_period_link_is_clamped_with_a_notice(seeded_reading_env, page, link):
    params, notice = LINKS[link]
    at = sign_in("inspector")
    at.query_params.update({"period": "custom", **params})
    at = open_page(at, page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [i.value for i in at.info if i.value.startswith(notice)], [i.value for i in at.info]
    assert at.selectbox(key="filter_period").value == ("custom" if notice == CLAMPED else "r12")
    assert at.get("arrow_data_frame") or at.dataframe or at.table, "the page drew its measures"


def test_the_clamped_period_is_the_datas_range(seeded_reading_env):
    at = sign_in("inspector")
    at.query_params.update({"period": "custom", "from": "0001-01-01", "to": "9999-12-31"})
    at = open_page(at, PAGES[0])
    start, end = at.date_input(key="filter_custom_range").value
    assert start.year > 2000 and end.year < 2100  # within the demo data (2023 onwards) and its as-of date
    notice = next(i.value for i in at.info if i.value.startswith(CLAMPED))
    assert f"{format_date(start)} to {format_date(end)}" in notice
    assert (at.query_params["from"], at.query_params["to"]) in (
        ([start.isoformat()], [end.isoformat()]), (start.isoformat(), end.isoformat()),
    )  # fmt: skip


def test_a_welsh_reader_gets_the_notice_in_welsh(seeded_reading_env):
    at = AppTest.from_file(f"../{PAGES[0]}", default_timeout=60)
    at.session_state["vsd_scope"] = Scope.for_user("lead.wcu", ["lead"], ["witness_care", "special_measures"])
    at.session_state["vsd_lang"] = "cy"
    at.query_params.update({"period": "custom", "from": "garbage"})
    at.run()
    assert not at.exception
    assert any(i.value.startswith("Nid oedd modd darllen dyddiadau'r ddolen") for i in at.info), [
        i.value for i in at.info
    ]
