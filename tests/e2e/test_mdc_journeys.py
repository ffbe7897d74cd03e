"""Browser journeys of issue 17's Making Data Count views: a board member opens a measure from the summary matrix, a
lead filters the case list to a month clicked on an SPC chart, and a lead records a process change (rebase) that
changes the reading in the app and in the board pack."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from data.engine import make_engine
from data.models import SpcRebase
from tests.e2e.conftest import act_and_wait, wait_until_idle
from tests.e2e.conftest import download as download_file
from tests.e2e.test_accountability_journey import RED_MEASURE, choose, signed_in, submitted
from tests.e2e.test_signin_journeys import PASSWORDS, open_app, sign_in, wait_for_sign_in_cookie

DRILL_DOWN = "monthly values, bases and SPC result"  # the open measure's month table
R6_CASES = "victims_code?portfolio=vawg_da&right=6&code=R6_SUSPECT_UPDATE&cut=unit&cases=1"
R6_NAME = "Updates on the suspect (right 6: investigation and prosecution)"
MATRIX_KEY = re.compile(r"st-key-vsd_matrix_(?P<portfolio>[a-z][a-z0-9_]*?)_(?P<measure>[A-Z][A-Z0-9_]*)")


def query(page: Page) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def test_a_board_member_opens_a_measure_from_the_summary_matrix(page, live_server):
    signed_in(page, live_server, "board", "scorecard?portfolio=framework")
    expect(page.get_by_text("What needs attention").first).to_be_visible()
    # The planted drop in R6 updates is special cause concern: its cell is open at once. Any open cell would do.
    cells = page.locator('[class*="st-key-vsd_matrix_"]').filter(has=page.get_by_role("button"))
    r6 = page.locator(".st-key-vsd_matrix_vawg_da_VCOP_R6_SUSPECT_UPDATE")
    cell = r6 if r6.count() else cells.first
    expect(cell.get_by_role("button")).to_be_visible()
    wanted = MATRIX_KEY.search(cell.get_attribute("class") or "")
    assert wanted, cell.get_attribute("class")
    name = cell.get_by_role("button").inner_text().split(" · ")[0].strip()

    def landed(timeout: int) -> None:
        expect(page).to_have_url(re.compile(f"measure={wanted['measure']}"), timeout=timeout)
        expect(page.get_by_text(DRILL_DOWN).first).to_be_visible(timeout=timeout)

    act_and_wait(page, cell.get_by_role("button").click, landed, unchanged=lambda: "measure=" not in page.url)
    assert query(page)["portfolio"] == wanted["portfolio"] and query(page)["measure"] == wanted["measure"], page.url
    # The scorecard shows that portfolio with that measure open: its name in the measure box and its month table.
    expect(page.locator(".st-key-scorecard_measure").get_by_role("combobox")).to_have_value(name)


def test_a_lead_clicks_a_month_on_the_spc_chart_and_the_case_list_filters_to_it(page, live_server):
    signed_in(page, live_server, "lead.da", R6_CASES)
    summary = page.get_by_text(re.compile(r"\d+ late and \d+ missed \("))
    expect(summary).to_be_visible()
    assert "1 May 2026 to 31 May 2026" not in summary.inner_text()
    # The chart is drawn in SVG; each month's point carries its month in words (Vega's ARIA label).
    chart = page.locator(".st-key-vcop_spc_table_chart")
    point = chart.locator('path[role="graphics-symbol"][aria-label^="May 2026,"]')
    expect(point).to_have_count(1)

    def filtered(timeout: int) -> None:
        expect(page).to_have_url(re.compile(r"period=custom"), timeout=timeout)
        expect(summary).to_contain_text("1 May 2026 to 31 May 2026", timeout=timeout)

    act_and_wait(page, point.click, filtered, unchanged=lambda: "period=custom" not in page.url)
    assert query(page)["from"] == "2026-05-01" and query(page)["to"] == "2026-05-31", page.url
    assert query(page)["code"] == "R6_SUSPECT_UPDATE" and query(page)["cases"] == "1", page.url
    wait_until_idle(page)
    expect(page.get_by_role("button", name="Download the case list (CSV)")).to_be_visible()


def board_pack_text(page: Page) -> str:
    """Build the domestic abuse portfolio's board pack on the Exports page, download it, and return its text (each
    run of white space made one space, as lines wrap where the PDF's column ends)."""
    page.goto(f"{urlsplit(page.url)._replace(path='/exports', query='').geturl()}")
    wait_until_idle(page)
    page.get_by_text("Board pack (PDF)", exact=True).click()
    wait_until_idle(page)
    download = page.get_by_role("button", name=re.compile(r"^Download .*\.pdf$"))
    act_and_wait(
        page,
        page.get_by_role("button", name="Build the export").click,
        lambda timeout: expect(download).to_be_visible(timeout=timeout),
        timeout_ms=180_000,
        unchanged=lambda: download.count() == 0 and "ready" not in page.locator("body").inner_text(),
    )
    reader = PdfReader(download_file(page, download).path())
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def test_a_lead_records_a_rebase_and_the_reading_changes_in_the_app_and_the_board_pack(page, live_server, seeded_env):
    engine = make_engine(seeded_env["DATABASE_URL"])
    reason = f"PPU team change {time.time_ns() % 100_000}"
    open_app(page, live_server, RED_MEASURE)
    sign_in(page, "lead.da", PASSWORDS["lead.da"])
    wait_for_sign_in_cookie(page)
    wait_until_idle(page)
    if "measure=VCOP_R6_SUSPECT_UPDATE" not in page.url:
        # Known fault (reported with issue 17): when a run during sign-in has drawn the measure box empty, the
        # scorecard drops the link's ?measure=; the lead then picks the measure from the box, as a person would.
        choose(page, "Measure to look at in depth", R6_NAME)
    expect(page).to_have_url(re.compile("measure=VCOP_R6_SUSPECT_UPDATE"))
    expect(page.get_by_text(DRILL_DOWN).first).to_be_visible()
    # The planted drop in R6 updates (about April 2026; the month the runs rules find depends on the demo's size):
    # the app suggests recalculating from there, and changes nothing until someone records why.
    suggestion = page.get_by_text(re.compile(r"Making Data Count suggests recalculating the limits from \w+ \d{4}\."))
    expect(suggestion).to_be_visible()
    label = re.search(r"limits from (\w+ \d{4})\.", suggestion.inner_text())[1]
    first_day = dt.datetime.strptime(label, "%b %Y").date()
    assert dt.date(2026, 2, 1) <= first_day <= dt.date(2026, 5, 1), label
    reading = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=re.compile(r"^Variation: "))
    before = reading.first.inner_text()
    form = page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=f"Recalculate from {label}")
    )

    box = form.get_by_role("textbox", name="Reason for the process change")

    def accept() -> None:
        # Streamlit disables a form's inputs while its connection is re-established (a busy machine): wait it out.
        expect(box).to_be_editable(timeout=90_000)
        box.fill(reason)
        form.get_by_role("button", name=f"Recalculate from {label}").click()

    stmt = select(SpcRebase.month, SpcRebase.reason).where(
        SpcRebase.metric_id == "VCOP_R6_SUSPECT_UPDATE", SpcRebase.reason == reason
    )
    month, saved_reason = submitted(page, engine, stmt, accept)
    assert month == first_day and saved_reason == reason
    wait_until_idle(page)
    expect(page.get_by_text(f"The process change from {label} was recorded").first).to_be_visible()
    expect(suggestion).to_have_count(0)
    # The reading now comes from the new segment alone.
    expect(reading.first).not_to_have_text(before)
    # The board pack prints the process change under the measure's chart.
    text = board_pack_text(page)
    assert re.search(rf"Process change from \w+ 2026: {re.escape(reason)}", text), text[:3_000]
    engine.dispose()
