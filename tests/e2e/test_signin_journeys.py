"""Browser journeys of the sign-in gate and data management, in Debian's Chromium against `streamlit run`."""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from auth.settings import DEFAULT_COOKIE_NAME
from data.engine import make_engine
from data.models import Load, User, Victim
from tests.e2e.conftest import ROOT, act_and_wait, wait_until_idle

PASSWORDS = {"lead.da": "vsd-demo-lead.da", "analyst": "vsd-demo-analyst", "board": "vsd-demo-board"}
REFUSED = "Sign-in refused: the username or password is incorrect, or the account is locked."


def open_app(page: Page, base: str, path: str = "") -> None:
    """Open a path signed out: the sign-in form once the app's run has finished."""
    page.goto(f"{base}/{path}")
    wait_until_idle(page)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(1)


def submit_sign_in(page: Page, username: str, password: str) -> None:
    """Fill in and send the sign-in form on a settled page, and wait for the run it starts to finish."""
    wait_until_idle(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_until_idle(page)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in with the right password: sent again when the page still shows the form once the run has finished (a
    submit sent while the cookie component's rerun replaced the form is lost)."""
    form = page.get_by_role("button", name="Sign in")
    act_and_wait(
        page,
        lambda: submit_sign_in(page, username, password),
        page.get_by_text("Signed in as"),
        unchanged=lambda: form.count() == 1,
    )


def wait_for_failures(engine, username: str, count: int, timeout: float = 15.0) -> bool:
    """True once the database has counted `count` failed sign-ins (each submit is a separate server rerun)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            failures = conn.execute(select(User.failed_logins).where(User.username == username)).scalar_one()
        if failures >= count:
            return True
        time.sleep(0.2)
    return False


def test_sign_in_lands_on_the_users_pages_and_sign_out_returns_to_the_form(page, live_server):
    open_app(page, live_server)
    expect(page.get_by_text("Demo accounts")).to_be_visible()
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    expect(page.get_by_text("Signed in as Demo lead (domestic abuse)")).to_be_visible()
    # A lead never sees the analyst's or the administrator's pages in the navigation.
    expect(page.get_by_role("link", name="Data management")).to_have_count(0)
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
    sign_out = page.get_by_role("button", name="Sign out")
    act_and_wait(
        page, sign_out.click, page.get_by_role("textbox", name="Username"), unchanged=lambda: sign_out.count() == 1
    )
    # Once the sign-out run has finished (until then the page can still hold the form of an earlier run beside the
    # new one), exactly one sign-in form is shown.
    expect(page.get_by_role("textbox", name="Username")).to_have_count(1)
    # Reloading after signing out must not sign back in from the cookie: once the reloaded page has finished its run
    # it shows the sign-in form (with the demo accounts), and only then is the absence of a signed-in user meaningful.
    page.reload()
    wait_until_idle(page)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(1)
    expect(page.get_by_text("Demo accounts")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_wrong_password_is_refused_and_five_failures_lock_the_account(page, live_server, seeded_env):
    engine = make_engine(seeded_env["DATABASE_URL"])
    open_app(page, live_server)
    for attempt in range(1, 6):
        # Each submit's run has finished before the count is read (the run counts the failure, then shows the error);
        # a submit that was lost (sent while a rerun replaced the form) left the count as it was: send it again.
        for _ in range(3):
            submit_sign_in(page, "board", "not-the-password")
            if wait_for_failures(engine, "board", attempt, timeout=5.0):
                break
        else:
            raise AssertionError(f"failed sign-in {attempt} was never counted")
        if attempt == 1:
            expect(page.get_by_text(REFUSED)).to_be_visible()
    engine.dispose()
    # One answer for every refusal, locked or not (it must not tell whether a username exists, issue 15).
    expect(page.get_by_text(REFUSED)).to_be_visible()
    # Even the right password is refused while the lock lasts: the run after the submit refuses again.
    submit_sign_in(page, "board", PASSWORDS["board"])
    expect(page.get_by_text(REFUSED)).to_be_visible()
    expect(page.get_by_role("textbox", name="Username")).to_have_count(1)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    subprocess.run(
        [sys.executable, "cli.py", "users", "unlock", "board"], cwd=ROOT, env=seeded_env, check=True, timeout=60
    )


def test_language_switch_shows_the_sign_in_form_in_welsh(page, live_server):
    open_app(page, live_server)
    act_and_wait(page, page.get_by_text("Cymraeg").click, page.get_by_role("textbox", name="Enw defnyddiwr"))
    expect(page.get_by_role("textbox", name="Cyfrinair")).to_be_visible()
    expect(page.get_by_role("button", name="Mewngofnodi")).to_be_visible()


def test_an_upload_with_a_bad_row_is_reported_and_nothing_is_loaded(page, live_server, seeded_env, tmp_path):
    engine = make_engine(seeded_env["DATABASE_URL"])
    with engine.connect() as conn:
        victims_before = conn.execute(select(func.count()).select_from(Victim)).scalar_one()
        loads_before = conn.execute(select(func.count()).select_from(Load)).scalar_one()
    bad = tmp_path / "victims.csv"
    header = (
        "case_id,crime_ref,reported_date,recorded_date,offence_group,domestic_abuse,hate_crime,enhanced_rights,"
        "enhanced_reason,age_band,sex,ethnicity,disability,preferred_language,area,unit,outcome,outcome_date"
    )
    good = (
        "VC-E2E-1,CR-E2E-1,2026-01-05,2026-01-05,theft,false,false,false,,25-34,female,white,no,en,Newport,CID,ongoing,"
    )
    wrong = good.replace("VC-E2E-1,CR-E2E-1", "VC-E2E-2,CR-E2E-2").replace("theft", "shoplifting")
    bad.write_text("\n".join([header, good, wrong]) + "\n", encoding="utf-8")

    open_app(page, live_server)
    sign_in(page, "analyst", PASSWORDS["analyst"])
    files = page.locator("input[type=file]")
    load = page.get_by_role("button", name="Load the files")
    act_and_wait(page, page.get_by_test_id("stSidebarNav").get_by_text("Data management").click, load)
    chosen = page.get_by_role("region", name="Files to load").get_by_text("victims.csv")
    act_and_wait(page, lambda: files.set_input_files(str(bad)), chosen)
    rejected = page.get_by_text("was rejected and nothing from it was stored")
    # Never sent twice: a second load would count a second rejected load.
    act_and_wait(page, load.click, rejected, tries=1)
    # The report names the row as the user sees it (header = row 1) and the column.
    expect(page.get_by_text("Validation report of victims.csv")).to_be_visible()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Victim)).scalar_one() == victims_before
        outcomes = conn.execute(select(Load.outcome).order_by(Load.load_id.desc())).scalars().all()
        assert conn.execute(select(func.count()).select_from(Load)).scalar_one() == loads_before + 1
    assert outcomes[0] == "rejected"
    engine.dispose()


@pytest.mark.parametrize(("path", "its_content"), [("admin", "Add a user"), ("data_management", "Load the files")])
def test_a_lead_cannot_open_an_analyst_page_by_url(page, live_server, path, its_content):
    open_app(page, live_server)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    wait_for_sign_in_cookie(page)
    page.goto(f"{live_server}/{path}")
    # What should be there, once the new session's run has finished: the lead, still signed in from the cookie, told
    # that no such page exists for them and shown their own landing page (the scorecard) instead, at the app's root.
    wait_until_idle(page)
    expect(page.get_by_text("Signed in as Demo lead (domestic abuse)")).to_be_visible()
    expect(page.get_by_role("heading", name="Scorecard", exact=True)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_be_visible()
    assert urlparse(page.url).path.strip("/") == "", page.url
    # Only on that settled page does the absence of the analyst's page mean something.
    wait_until_idle(page)
    expect(page.get_by_text(its_content)).to_have_count(0)
    expect(page.get_by_text("Load the files")).to_have_count(0)
    expect(page.get_by_text("Add a user")).to_have_count(0)
    expect(page.get_by_role("link", name="Data management")).to_have_count(0)
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)


def wait_for_sign_in_cookie(page: Page, timeout: float = 30.0) -> None:
    """The sign-in cookie is written by a browser component after the signed-in page renders; wait for it, so a new
    page opened after this is signed in from the cookie."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c["name"] == DEFAULT_COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(250)
    raise AssertionError("the sign-in cookie was never set")
