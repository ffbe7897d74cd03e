"""Browser journeys of the sign-in gate and data management, in Debian's Chromium against `streamlit run`."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from data.engine import make_engine
from data.models import Load, User, Victim
from tests.e2e.conftest import ROOT, wait_until_idle

PASSWORDS = {"lead.da": "vsd-demo-lead.da", "analyst": "vsd-demo-analyst", "board": "vsd-demo-board"}


def open_app(page: Page, base: str, path: str = "") -> None:
    page.goto(f"{base}/{path}")
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
    wait_until_idle(page)


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_until_idle(page)


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
    page.get_by_role("button", name="Sign out").click()
    # Once the sign-out run has finished (until then the page can still hold the form of an earlier run beside the
    # new one), exactly one sign-in form is shown.
    expect(page.get_by_role("textbox", name="Username").first).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(1)
    # Reloading after signing out must not sign back in from the cookie.
    page.reload()
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_wrong_password_is_refused_and_five_failures_lock_the_account(page, live_server, seeded_env):
    engine = make_engine(seeded_env["DATABASE_URL"])
    open_app(page, live_server)
    sign_in(page, "board", "not-the-password")
    expect(page.get_by_text("The username or password is incorrect.")).to_be_visible()
    assert wait_for_failures(engine, "board", 1)
    for attempt in range(2, 6):
        # A submit that lands during the previous rerun can be dropped by the browser; submit again until counted.
        for _ in range(5):
            sign_in(page, "board", "not-the-password")
            if wait_for_failures(engine, "board", attempt, timeout=4.0):
                break
    assert wait_for_failures(engine, "board", 5)
    engine.dispose()
    expect(page.get_by_text("this account is locked until")).to_be_visible()
    # Even the right password is refused while the lock lasts.
    sign_in(page, "board", PASSWORDS["board"])
    expect(page.get_by_text("this account is locked until")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    subprocess.run(
        [sys.executable, "cli.py", "users", "unlock", "board"], cwd=ROOT, env=seeded_env, check=True, timeout=60
    )


def test_language_switch_shows_the_sign_in_form_in_welsh(page, live_server):
    open_app(page, live_server)
    page.get_by_text("Cymraeg").click()
    expect(page.get_by_role("textbox", name="Enw defnyddiwr")).to_be_visible()
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
    page.get_by_test_id("stSidebarNav").get_by_text("Data management").click()
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_role("region", name="Files to load").get_by_text("victims.csv")).to_be_visible()
    page.get_by_role("button", name="Load the files").click()
    expect(page.get_by_text("was rejected and nothing from it was stored")).to_be_visible()
    # The report names the row as the user sees it (header = row 1) and the column.
    expect(page.get_by_text("Validation report of victims.csv")).to_be_visible()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Victim)).scalar_one() == victims_before
        outcomes = conn.execute(select(Load.outcome).order_by(Load.load_id.desc())).scalars().all()
        assert conn.execute(select(func.count()).select_from(Load)).scalar_one() == loads_before + 1
    assert outcomes[0] == "rejected"
    engine.dispose()


@pytest.mark.parametrize("path", ["admin", "data_management"])
def test_a_lead_cannot_open_an_analyst_page_by_url(page, live_server, path):
    open_app(page, live_server)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    expect(page.get_by_text("Signed in as")).to_be_visible()
    page.goto(f"{live_server}/{path}")
    # Streamlit re-runs the gate on a fresh session from the cookie; the page itself must never render.
    expect(page.get_by_text("Load the files")).to_have_count(0)
    expect(page.get_by_text("Add a user")).to_have_count(0)
