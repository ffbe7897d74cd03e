"""Accessibility in Chromium: <html lang> follows the chosen language, and axe-core finds nothing the app causes.

axe-core 4.14 comes from the npm registry into var/axe (`make axe`, run by `make test`; the fixture below installs
it when npm is there and it is missing) and is injected by Playwright. `make test` checks each page once, as the role
that sees most on it, in English, and the scorecard in Welsh; `make test-a11y` checks every page for every role.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, act_and_wait, wait_until_idle
from tests.e2e.test_accountability_journey import signed_in
from tests.e2e.test_signin_journeys import PASSWORDS, open_app, sign_in

AXE_VERSION = "4.14"
AXE_DIR = ROOT / "var" / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
FULL_MATRIX = os.environ.get("VSD_A11Y_MATRIX") == "1"  # make test-a11y

# Violations in Streamlit's own markup, which the app cannot change (README, accessibility notes): (rule, the
# Streamlit element the failing one sits in, as a CSS selector, why). Anything else fails the test.
STREAMLIT_OWN: tuple[tuple[str, str, str], ...] = (
    # The sidebar menu: Streamlit puts each section's label straight inside the <ul> of links and wraps the links'
    # <li> in a <div> per section, so the list holds other elements and its items sit outside a list.
    ("list", '[data-testid="stSidebarNav"]', "Streamlit's sidebar menu: section labels and divs inside its <ul>"),
    ("listitem", '[data-testid="stSidebarNav"]', "Streamlit's sidebar menu: its <li> sit in a <div>, not a <ul>"),
    # The date input (BaseWeb) draws its day / month / year segments as 18 px high spinbuttons.
    ("target-size", '[data-testid="stDateInput"]', "BaseWeb's date segments, 18 px high"),
    # Streamlit's bundled Vega renderer draws a chart layer with no rows (e.g. every group suppressed) as an empty
    # <g role="graphics-symbol"> with no name: nothing in it to read (the chart's description and table say why).
    ("svg-img-alt", "g.role-mark:empty", "Vega's empty mark group for a layer with no rows"),
)
# The rules of WCAG 2.2 levels A and AA (the public sector accessibility regulations' standard), the ones issue 17's
# audit counted. Frames are left out: the app's two components (sign-in cookie, page language) draw nothing in
# theirs, and a frame without axe in it would hold the run up (the frame elements themselves are still checked).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "iframes": False,
    "resultTypes": ["violations"],
}
_OWN_JS = """([violations, allowed]) => violations.flatMap(v => v.nodes.filter(n => !allowed.some(([rule, within]) => {
    if (rule !== v.id) return false;
    const el = document.querySelector(n.target[0]);
    return !!el && !!el.closest(within);
})).map(n => `${v.id} (${v.impact}): ${n.target.join(" ")} ${n.html.slice(0, 160)}`))"""


@pytest.fixture(scope="session")
def axe_script() -> str:
    """The path of axe.min.js (4.14.x), installed from the npm registry into var/axe when missing."""
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(
            ["npm", "install", "--prefix", str(AXE_DIR), "--no-save", "--no-audit", "--no-fund", "--silent",
             f"axe-core@{AXE_VERSION}"],
            check=False, timeout=300,
        )  # fmt: skip
    if not AXE.is_file():
        pytest.skip(f"axe-core {AXE_VERSION} could not be installed from the npm registry into {AXE_DIR} (`make axe`)")
    return str(AXE)


def axe_violations(page: Page, script: str) -> list[str]:
    """Run axe-core on the settled page; one line per element that fails a rule and is not Streamlit's own."""
    wait_until_idle(page)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=script)
    result = page.evaluate("async (options) => await axe.run(document, options)", AXE_OPTIONS)
    return page.evaluate(_OWN_JS, [result["violations"], [[rule, within] for rule, within, _why in STREAMLIT_OWN]])


def show_whole_menu(page: Page) -> None:
    """Streamlit folds a long menu after a few links ("View 6 more", no rerun): unfold it."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]').filter(has_text=re.compile("^View .* more$"))
    if more.count():
        more.click()
        expect(more).to_have_count(0)


def menu_paths(page: Page) -> list[str]:
    """The URL path of each menu link, without its slash ("" for the landing page, which answers at "/")."""
    show_whole_menu(page)
    hrefs = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("links => links.map(a => a.href)")
    return [urlsplit(href).path.lstrip("/") for href in hrefs]


def open_page_from_menu(page: Page, path: str) -> None:
    """Go to a page by its menu link (the same session: no new sign-in), and wait for its run to finish."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    link = page.locator(f'[data-testid="stSidebarNav"] a[href="{origin}/{path}"]')
    show_whole_menu(page)
    assert link.count() == 1, f"no menu link to /{path} in {menu_paths(page)}"
    arrived = re.compile(f"^{re.escape(origin)}/{re.escape(path)}(\\?.*)?$")
    act_and_wait(page, link.click, lambda timeout: expect(page).to_have_url(arrived, timeout=timeout))


def choose_language(page: Page, name: str, lang: str) -> None:
    """Pick a language with the sidebar switch and wait until the page says it is in that language."""
    act_and_wait(
        page,
        page.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True).click,
        lambda timeout: expect(page.locator("html")).to_have_attribute("lang", lang, timeout=timeout),
    )


# Each page once, as the role that sees most on it (make test), by the path of its menu link ("" is the landing
# page). The board reads every portfolio's views and runs meetings and exports (its test also checks the sign-in
# page and the Welsh scorecard); the administrator sees the data, targets and audit pages as the analyst and the
# inspector do, every portfolio's action plan, and manages users. Three sessions fewer keep make test within its
# budget; a lead's own forms on the action plan are checked by make test-a11y (every role).
BOARD_PAGES = ("", "victims_code", "satisfaction", "witness_care", "connect_gwent", "survivor_voice", "public_outcomes",
               "meeting", "exports")  # fmt: skip
ONCE: dict[str, tuple[str, ...]] = {"admin": ("", "inspection", "data_management", "targets", "audit", "admin")}


def check_pages(page: Page, script: str, who: str, paths: tuple[str, ...]) -> list[str]:
    """axe-core on each page of the signed-in session, reached by its menu link (the first: where the page is)."""
    found = []
    for number, path in enumerate(paths):
        if number:
            open_page_from_menu(page, path)
        found += [f"{who} /{path}: {line}" for line in axe_violations(page, script)]
    return found


@pytest.mark.parametrize("username", list(ONCE))
def test_axe_finds_nothing_the_app_causes_on_each_page(page, live_server, axe_script, username):
    signed_in(page, live_server, username, ONCE[username][0])
    found = check_pages(page, axe_script, username, ONCE[username])
    assert not found, "\n".join(found)


def test_the_board_pages_signed_out_and_in_welsh_pass_axe_and_the_page_language_follows(page, live_server, axe_script):
    open_app(page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    found = [f"sign-in page: {line}" for line in axe_violations(page, axe_script)]
    sign_in(page, "board", PASSWORDS["board"])
    wait_until_idle(page)
    found += check_pages(page, axe_script, "board", BOARD_PAGES)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    choose_language(page, "Cymraeg", "cy")  # <html lang="cy"> once the switch's run has finished
    open_page_from_menu(page, "")
    expect(page.get_by_role("heading", name="Cerdyn sgorio").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "cy")  # another page of the session: still Welsh
    found += [f"Welsh scorecard: {line}" for line in axe_violations(page, axe_script)]
    choose_language(page, "English", "en")
    expect(page.get_by_role("heading", name="Scorecard").first).to_be_visible()
    assert not found, "\n".join(found)


@pytest.mark.skipif(not FULL_MATRIX, reason="every page for every role: make test-a11y")
@pytest.mark.parametrize("username", ["lead.da", "lead.wcu", "board", "inspector", "analyst", "admin"])
def test_axe_on_every_page_for_every_role(page, live_server, axe_script, username):
    signed_in(page, live_server, username)
    paths = menu_paths(page)
    assert paths, "no menu links"
    found = []
    for lang in ("en", "cy"):
        if lang == "cy":
            choose_language(page, "Cymraeg", "cy")
        for path in paths:
            open_page_from_menu(page, path)
            found += [f"{username} /{path} ({lang}): {line}" for line in axe_violations(page, axe_script)]
    assert not found, "\n".join(found)
