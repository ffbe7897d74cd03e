"""Browser journeys of the accountability room: an action from a red measure to the board's escalation list and the
inspector's audit trail; and a board meeting run by keyboard, with a decision recorded and its record downloaded."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from urllib.parse import parse_qsl, urlsplit

from fpdf import FPDF
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select, update

from data.engine import make_engine
from data.models import Action, AuditLog, EvidenceFile, Meeting
from tests.e2e.conftest import act_and_wait, wait_until_idle
from tests.e2e.conftest import download as download_file
from tests.e2e.test_signin_journeys import open_app, sign_in, wait_for_sign_in_cookie

PASSWORD = "vsd-demo-{}"
RED_MEASURE = "scorecard?portfolio=vawg_da&measure=VCOP_R6_SUSPECT_UPDATE"


def signed_in(page: Page, base: str, username: str, path: str = "") -> None:
    """Open the path signed out and sign in there, as a person following a link does; wait for the sign-in cookie
    (so no later run starts signed out) and for the page at that path to settle.

    Signing in first and then opening the path as a new page (a new session, signed in from the cookie) once left CI
    on the landing page instead of the meeting page, with nothing in the log; signing in at the link keeps one
    session, and where the journey landed is checked rather than assumed.
    """
    open_app(page, base, path)
    sign_in(page, username, PASSWORD.format(username))
    wait_for_sign_in_cookie(page)
    wait_until_idle(page)
    wanted = urlsplit(f"{base}/{path}")
    landed = urlsplit(page.url)
    assert landed.path == wanted.path, f"signed in at {page.url}, not at /{path}"
    for name, value in parse_qsl(wanted.query):
        assert f"{name}={value}" in landed.query, f"signed in at {page.url}, not at /{path}"


def fill_date(scope: Locator | Page, label: str, day: dt.date) -> None:
    """Type a date into Streamlit's day / month / year date field (the segments advance by themselves)."""
    scope.get_by_role("spinbutton", name=f"day, {label}").click()
    keyboard = scope.page.keyboard if isinstance(scope, Locator) else scope.keyboard
    keyboard.type(day.strftime("%d%m%Y"))


def choose(page: Page, label: str, option: str, within: Locator | None = None) -> None:
    """Pick an option of a select box by its label (within a part of the page when the label is not unique), on a
    settled page, and wait for the run the choice starts; chosen again if the choice was lost in a rerun."""
    box = (within or page).get_by_role("combobox", name=label)

    def pick() -> None:
        box.click()
        # Typing narrows the list to the option: a long list is virtualised, so an option far down may not be drawn.
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).click()

    act_and_wait(page, pick, lambda timeout: expect(box).to_have_value(option, timeout=timeout))


def wait_for_row(engine, stmt, timeout: float = 40.0):
    """The first row the statement returns, once it exists (each submit is a separate server run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is not None:
            return row
        time.sleep(0.25)
    raise AssertionError(f"no row for {stmt}")


def find_in_grid(page: Page, caption: str, text: str) -> None:
    """Search a table (its grid is drawn on a canvas) for text on a settled page, and expect exactly one matching
    row (the search runs in the browser: no rerun)."""
    wait_until_idle(page)
    grid = page.get_by_role("region", name=re.compile(caption))
    grid.hover()
    page.get_by_role("button", name=re.compile(f"^Search: {caption}")).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    page.keyboard.press("Escape")


def agenda_key(page: Page, key: str, item: str) -> None:
    """Press a meeting's navigation key on a settled page and expect the agenda to show `item` once the run it starts
    has finished. A key pressed while a run is still replacing the page can be lost (and until a run finishes the old
    agenda box can sit beside the new): the key is pressed again only while the agenda still shows the item it
    showed before, so a key that did arrive is never pressed twice."""
    agenda = page.get_by_role("combobox", name="Agenda item")
    wait_until_idle(page)
    before = agenda.input_value()

    def press() -> None:
        page.evaluate("document.activeElement && document.activeElement.blur()")  # keys go to the page
        page.keyboard.press(key)

    act_and_wait(
        page,
        press,
        lambda timeout: expect(agenda).to_have_value(item, timeout=timeout),
        tries=4,
        timeout_ms=15_000,
        unchanged=lambda: agenda.input_value() == before,
    )


def submitted(page: Page, engine, stmt, send, tries: int = 3, timeout: float = 30.0):
    """Send a form on a settled page until the database holds what it saves (its first row), and return that row.

    A submit that lands while the page is still running can be dropped by the browser (see the sign-in journeys), so
    the form is sent again, but only once the run it started has finished without saving (and the page has stayed
    idle through a second check): the audit assertions at the end would catch a change saved twice.
    """
    for _ in range(tries):
        wait_until_idle(page)
        send()
        for _ in range(2):
            wait_until_idle(page)
            try:
                return wait_for_row(engine, stmt, timeout)
            except AssertionError:
                continue
    raise AssertionError(f"the form was never saved: {stmt}")


def small_pdf() -> bytes:
    """A one-page PDF made here, so the evidence is a real file of an accepted type."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Weekly audit of victim updates: first results")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def audit_events(engine, entity_id: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        stmt = select(AuditLog.event, AuditLog.actor).where(AuditLog.entity_id == entity_id).order_by(AuditLog.id)
        return [tuple(r) for r in conn.execute(stmt)]


def test_an_action_from_a_red_measure_is_escalated_to_the_board_and_audited(browser, live_server, seeded_env):
    engine = make_engine(seeded_env["DATABASE_URL"])
    today = dt.date.today()
    title = f"Weekly audit of victim updates {time.time_ns()}"
    # 1. The domestic abuse lead opens the red measure and raises an action from it.
    lead = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    signed_in(lead, live_server, "lead.da", RED_MEASURE)
    expect(lead.get_by_text("monthly values, bases and SPC result").first).to_be_visible()
    expect(lead.get_by_text("Red").first).to_be_visible()
    form = lead.locator("[data-testid=stPopoverBody]")

    def raise_action() -> None:
        if not form.get_by_label("Title").count():
            lead.get_by_role("button", name="Raise an action").click()
        form.get_by_label("Title").fill(title)
        form.get_by_label("Owner").fill("DA lead")
        fill_date(form, "Due date", today + dt.timedelta(days=14))
        form.get_by_role("button", name="Raise the action").click()

    action_id, source_ref = submitted(
        lead, engine, select(Action.action_id, Action.source_ref).where(Action.title == title), raise_action
    )
    assert source_ref == "VCOP_R6_SUSPECT_UPDATE"
    # 2. On the action plan the lead attaches evidence and moves the action on.
    lead.goto(f"{live_server}/inspection?action={action_id}")
    wait_until_idle(lead)
    expect(lead.get_by_role("heading", name=f"{action_id}: {title}")).to_be_visible()
    uploader = lead.locator(f".st-key-vsd_ev_file_action_{action_id}")

    def showing() -> None:
        """The linked action is still the one chosen: a fresh session's extra run (the sign-in cookie's) once put the
        first action of the list in its place (ui.accountability.pick_record)."""
        wait_until_idle(lead)
        expect(lead.get_by_role("combobox", name="Choose an action")).to_have_value(action_id)
        expect(lead.get_by_role("heading", name=f"{action_id}: {title}")).to_be_visible()

    def attach() -> None:
        showing()
        if not uploader.get_by_text("audit-results.pdf").count():
            uploader.locator("input[type=file]").set_input_files(
                {"name": "audit-results.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
            )
            expect(uploader.get_by_text("audit-results.pdf")).to_be_visible()  # uploaded before the form is sent
            wait_until_idle(lead)
        lead.locator(f".st-key-vsd_ev_submit_action_{action_id} button").click()

    submitted(lead, engine, select(EvidenceFile.sha256).where(EvidenceFile.entity_id == action_id), attach)
    expect(lead.get_by_text("audit-results.pdf").first).to_be_visible()

    def move_on() -> None:
        showing()
        choose(lead, "Status", "On track", within=lead.locator(f".st-key-vsd_act_status_{action_id}_1"))
        lead.locator(f".st-key-vsd_act_note_{action_id}_1 textarea").fill("First weekly audit done")
        lead.get_by_role("button", name="Save", exact=True).click()

    saved = select(Action.version).where(Action.action_id == action_id, Action.status == "on_track")
    submitted(lead, engine, saved, move_on)
    # The timeline (a grid drawn on a canvas) holds the note once the run after the save has finished.
    find_in_grid(lead, r"\d+ updates?, newest first", "First weekly audit done")
    lead.context.close()
    # 3. Time passes: the action is now 45 days past its due date (set in the database, as a later day would be).
    with engine.begin() as conn:
        conn.execute(
            update(Action)
            .where(Action.action_id == action_id)
            .values(created_date=today - dt.timedelta(days=90), due_date=today - dt.timedelta(days=45))
        )
    # 4. The board sees it on the escalation list.
    board = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    signed_in(board, live_server, "board", f"inspection?action={action_id}")
    act_and_wait(
        board, board.get_by_role("tab", name="Escalation and deadlines").click, board.get_by_text("Escalation list")
    )
    # The list holds only actions and findings more than 30 days overdue; the grid's search finds the new action.
    find_in_grid(board, r"\d+ items for the board on", action_id)
    board.context.close()
    # 5. The inspector's audit trail shows each step.
    inspector = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    signed_in(inspector, live_server, "inspector", "audit")

    def filter_by_reference() -> None:
        inspector.get_by_label("Record reference").fill(action_id)
        inspector.get_by_role("button", name="Apply the filters").click()

    act_and_wait(inspector, filter_by_reference, inspector.get_by_text("3 audit entries, newest first"))
    for event in ("Action raised", "Evidence attached", "Action status changed"):
        find_in_grid(inspector, r"3 audit entries", event)
    inspector.context.close()
    assert audit_events(engine, action_id) == [
        ("action.create", "lead.da"), ("evidence.attach", "lead.da"), ("action.status", "lead.da"),
    ]  # fmt: skip
    engine.dispose()


def test_a_board_meeting_moves_by_keyboard_records_a_decision_and_downloads_the_record(page, live_server, seeded_env):
    engine = make_engine(seeded_env["DATABASE_URL"])
    decision = f"Report call-back times monthly {time.time_ns()}"
    signed_in(page, live_server, "board", "meeting")
    title = f"November performance board {time.time_ns()}"

    def start() -> None:
        page.get_by_label("Meeting title").fill(title)
        page.get_by_role("button", name="Start the meeting and freeze the figures").click()

    submitted(page, engine, select(Meeting.meeting_id).where(Meeting.title == title), start)
    expect(page.get_by_text("Figures frozen as at").first).to_be_visible()
    expect(page.get_by_role("combobox", name="Agenda item")).to_have_value("1 of 13: Overview of the framework")
    # Next by keyboard: N twice reaches the domestic abuse portfolio (the catalogue's second).
    agenda_key(page, "n", "2 of 13: Victims' Code compliance (MoJ)")
    agenda_key(page, "n", "3 of 13: VAWG — domestic abuse")
    assert "item=2" in page.url
    expect(page.get_by_text("VAWG — domestic abuse: scorecard as at").first).to_be_visible()
    # Record a decision: it becomes an action of the portfolio that names the meeting. The run that moved the agenda
    # has finished (agenda_key): until it does, the previous item's form can still sit beside this one in the page.
    form = page.locator("[data-testid=stForm]").filter(has_text="Record a decision for VAWG — domestic abuse")
    expect(form.get_by_label("Decision (the action to take)")).to_have_count(1)

    def record() -> None:
        form.get_by_label("Decision (the action to take)").fill(decision)
        form.get_by_label("Owner").fill("Head of Victim Services")
        fill_date(form, "Due date", dt.date.today() + dt.timedelta(days=60))
        form.get_by_role("button", name="Record the decision").click()

    recorded = select(Action.action_id, Action.meeting_ref).where(Action.title == decision)
    action_id, meeting_ref = submitted(page, engine, recorded, record)
    expect(page.get_by_text("The decision is recorded as action")).to_be_visible()
    assert meeting_ref and meeting_ref.startswith("MT-")
    # P goes back, then the agenda jumps to the record of decisions, which downloads.
    agenda_key(page, "p", "2 of 13: Victims' Code compliance (MoJ)")
    choose(page, "Agenda item", "13 of 13: Record of decisions")
    expect(page.get_by_role("button", name="Download the record (CSV)")).to_be_visible()
    record = download_file(page, page.get_by_role("button", name="Download the record (CSV)"))
    text = record.path().read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Meeting,Meeting title,Held on,")
    assert f"{meeting_ref},{title}," in text and decision in text and action_id in text
    with engine.connect() as conn:
        stmt = select(AuditLog.actor, AuditLog.detail).where(AuditLog.event == "export.meeting_record")
        deadline = time.monotonic() + 20
        while not (rows := conn.execute(stmt).all()) and time.monotonic() < deadline:
            time.sleep(0.25)
    assert rows and rows[-1].actor == "board" and f'"meeting": "{meeting_ref}"' in rows[-1].detail
    engine.dispose()
