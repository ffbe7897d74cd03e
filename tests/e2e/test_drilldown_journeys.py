"""Browser journeys of drill-down links: a shared link opens the same view; another portfolio's cases stay closed."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from auth.settings import DEFAULT_COOKIE_NAME
from tests.e2e.test_signin_journeys import PASSWORDS, open_app, sign_in


def wait_for_sign_in_cookie(page, timeout: float = 30.0) -> None:
    """The sign-in cookie is written by a browser component after the signed-in page renders; wait for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c["name"] == DEFAULT_COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(250)
    raise AssertionError("the sign-in cookie was never set")


R6_LINK = "victims_code?portfolio=vawg_da&right=6&code=R6_SUSPECT_UPDATE&cut=unit&cases=1"


def test_a_drill_down_link_opens_the_same_view_in_a_new_tab(page, live_server):
    open_app(page, live_server)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    expect(page.get_by_text("Signed in as")).to_be_visible()
    wait_for_sign_in_cookie(page)
    page.goto(f"{live_server}/scorecard?portfolio=vawg_da&measure=VCOP_R6_SUSPECT_UPDATE")
    expect(page.get_by_text("monthly values, bases and SPC result").first).to_be_visible()
    # The same link in a new tab of the same browser (the sign-in cookie is shared) opens the same drill-down.
    tab = page.context.new_page()
    tab.goto(page.url)
    expect(tab.get_by_text("monthly values, bases and SPC result").first).to_be_visible()
    expect(tab.get_by_text("Page not found")).to_have_count(0)
    tab.close()


def test_a_lead_following_a_link_to_another_portfolios_case_list_sees_no_cases(page, live_server):
    open_app(page, live_server, R6_LINK)
    sign_in(page, "lead.wcu", "vsd-demo-lead.wcu")
    # The page falls back to the lead's own portfolio (a warning says so while the link's portfolio is in the URL).
    expect(page.get_by_text("Witness Care Unit: ").first).to_be_visible()
    expect(page.get_by_text("Case reference")).to_have_count(0)
    expect(page.get_by_role("button", name="Download the case list (CSV)")).to_have_count(0)


def test_the_portfolio_lead_following_the_same_link_sees_the_case_list(page, live_server):
    open_app(page, live_server, R6_LINK)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    expect(page.get_by_text("Late and missed entitlements").first).to_be_visible()
    expect(page.get_by_text("Pseudonymous references only").first).to_be_visible()
    expect(page.get_by_role("button", name="Download the case list (CSV)")).to_be_visible()
