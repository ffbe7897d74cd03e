"""Browser journeys of drill-down links: a shared link opens the same view; another portfolio's cases stay closed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.conftest import wait_until_idle
from tests.e2e.test_signin_journeys import PASSWORDS, open_app, sign_in, wait_for_sign_in_cookie

R6_LINK = "victims_code?portfolio=vawg_da&right=6&code=R6_SUSPECT_UPDATE&cut=unit&cases=1"
DRILL_DOWN = "monthly values, bases and SPC result"


def test_a_drill_down_link_opens_the_same_view_in_a_new_tab(page, live_server):
    open_app(page, live_server)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    wait_for_sign_in_cookie(page)
    page.goto(f"{live_server}/scorecard?portfolio=vawg_da&measure=VCOP_R6_SUSPECT_UPDATE")
    wait_until_idle(page)
    expect(page.get_by_text(DRILL_DOWN).first).to_be_visible()
    # The same link in a new tab of the same browser (the sign-in cookie is shared) opens the same drill-down.
    tab = page.context.new_page()
    tab.goto(page.url)
    wait_until_idle(tab)
    expect(tab.get_by_text(DRILL_DOWN).first).to_be_visible()
    assert parse_qs(urlparse(tab.url).query)["measure"] == ["VCOP_R6_SUSPECT_UPDATE"], tab.url
    expect(tab.get_by_text("Page not found")).to_have_count(0)
    tab.close()


def test_a_lead_following_a_link_to_another_portfolios_case_list_sees_no_cases(page, live_server):
    open_app(page, live_server, R6_LINK)
    sign_in(page, "lead.wcu", "vsd-demo-lead.wcu")
    # What should be there once the page has finished: the same view, but of the lead's own portfolio (the link's
    # portfolio is not theirs), down to the case list's section, which says why it holds nothing for this entitlement.
    wait_until_idle(page)
    expect(page.get_by_text("Witness Care Unit: ").first).to_be_visible()
    expect(page.get_by_text(DRILL_DOWN).first).to_be_visible()
    expect(page.get_by_text("Late and missed entitlements").first).to_be_visible()
    expect(page.get_by_text('The portfolio "witness_care" does not cover R6_SUSPECT_UPDATE')).to_be_visible()
    assert parse_qs(urlparse(page.url).query)["portfolio"] == ["witness_care"], page.url
    # Only then does the absence of the domestic abuse portfolio's cases mean something.
    wait_until_idle(page)
    expect(page.get_by_text("Case reference")).to_have_count(0)
    expect(page.get_by_role("button", name="Download the case list (CSV)")).to_have_count(0)


def test_the_portfolio_lead_following_the_same_link_sees_the_case_list(page, live_server):
    open_app(page, live_server, R6_LINK)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    wait_until_idle(page)
    expect(page.get_by_text("Late and missed entitlements").first).to_be_visible()
    expect(page.get_by_text("Pseudonymous references only").first).to_be_visible()
    expect(page.get_by_role("button", name="Download the case list (CSV)")).to_be_visible()
    # The column the other lead's check looks for is on the page when a case list is (so its absence there counts).
    expect(page.get_by_text("Case reference").first).to_be_attached()
