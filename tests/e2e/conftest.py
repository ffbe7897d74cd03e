"""Fixtures for browser tests: a seeded database, a live `streamlit run` server and a headless Chromium."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_CASES = 2_000


def pytest_collection_modifyitems(config, items):
    """Browser tests run only where Debian's Chromium is installed, all on one xdist worker."""
    for item in items:
        if "tests/e2e" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.xdist_group("browser"))
        if not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason="/usr/bin/chromium not installed"))


def _die_with_this_process() -> None:
    """In the server's child process: be sent SIGTERM when the test process dies, even killed (Linux prctl), so no
    server outlives an interrupted run on a shared machine."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def seeded_env(tmp_path_factory) -> dict[str, str]:
    """Environment of a freshly bootstrapped demo database (small, for speed)."""
    db = tmp_path_factory.mktemp("e2e") / "vsd.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "VSD_COOKIE_KEY": "e2e-test-cookie-key-0123456789abcdefghijkl",
        "VSD_DEMO_DIR": str(db.parent / "demo"),
        "VSD_WARM_UP": "1",  # as a real server: it computes the scorecards as it starts (ui/warmup.py)
    }
    env.pop("VSD_ENV", None)
    subprocess.run(
        [sys.executable, "cli.py", "bootstrap", "--cases", str(E2E_CASES)], cwd=ROOT, env=env, check=True, timeout=600
    )
    return env


@pytest.fixture(scope="session")
def live_server(seeded_env) -> str:
    """Base URL of `streamlit run app.py` serving the seeded database (its output in the session's temporary folder,
    server.log beside the database, for a failure's traceback)."""
    port = _free_port()
    log = open(Path(seeded_env["VSD_DEMO_DIR"]).parent / "server.log", "ab")  # noqa: SIM115 (closed at the end)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            # No source watching: an edit in the tree during a run would put a "File change. Rerun" prompt in the
            # status widget (the page would never look idle) and costs a core's time on a busy machine.
            "--server.fileWatcherType",
            "none",
        ],  # fmt: skip
        cwd=ROOT,
        env=seeded_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_this_process if sys.platform == "linux" else None,  # noqa: PLW1509
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # it answers once warm (imports, engine, scorecards): slow on a saturated box
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from playwright.sync_api import expect, sync_playwright

    # Streamlit reruns take longer on a loaded CI machine than Playwright's 5 s default allows.
    expect.set_options(timeout=40_000)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


# The app's own signal that a run has finished: Streamlit marks its root element with the script's run state
# (data-test-script-state: initial, running, rerunRequested, notRunning) and the connection's state, and shows its
# status widget ("Running...") while a run that has lasted 0.5 s goes on. Idle = connected, not running, no status
# widget, and staying so for `settle_ms` (a click's rerun is requested over the websocket, so for a moment after an
# action the page can still say it is idle).
_IDLE_JS = """([token, settle]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = !!app && app.getAttribute("data-test-script-state") === "notRunning"
        && app.getAttribute("data-test-connection-state") === "CONNECTED"
        && !document.querySelector('[data-testid="stStatusWidget"]');
    const now = performance.now();
    if (window.__vsdIdleToken !== token || !idle) {
        window.__vsdIdleToken = token;
        window.__vsdIdleSince = idle ? now : null;
        return false;
    }
    return now - window.__vsdIdleSince >= settle;
}"""
_idle_calls = itertools.count()


def wait_until_idle(page, settle_ms: int = 600, timeout_ms: int = 180_000) -> None:
    """Wait until Streamlit has finished its current run and stays finished for `settle_ms`.

    Every journey acts on, and asserts about, a settled page: a key or click sent while a rerun is replacing the page
    can be lost (the sign-in cookie component alone triggers a rerun of its own after the first one), and an element
    looked for mid-run may belong to the page being replaced. Fails, saying so, when the app is still running after
    `timeout_ms` (generous: a cold page on a machine whose cores are saturated).
    """
    token = f"{next(_idle_calls)}"
    try:
        page.wait_for_function(_IDLE_JS, arg=[token, settle_ms], polling=100, timeout=timeout_ms)
    except PlaywrightTimeout:
        state = page.locator('[data-testid="stApp"]').evaluate_all(
            "apps => apps.map(a => a.dataset.testScriptState + ', ' + a.dataset.testConnectionState)"
        )
        widget = page.locator('[data-testid="stStatusWidget"]').all_inner_texts()
        raise AssertionError(
            f"the app did not finish its run within {timeout_ms / 1000:.0f} s (state {state}, status widget {widget})"
        ) from None


def act_and_wait(
    page,
    action: Callable[[], object],
    expected: Locator | Callable[[int], object],
    *,
    tries: int = 3,
    timeout_ms: int = 30_000,
    unchanged: Callable[[], bool] | None = None,
) -> None:
    """Do `action` on a settled page and wait for its run to finish; expect `expected` (a locator to be visible, or a
    callable making its own assertions within the timeout it is given). If it does not show, the action was lost
    (sent while a rerun was replacing the page): do it again, up to `tries` times.

    `unchanged`, when given, says whether the page is still as it was before the action; a retry is made only then,
    so an action that did something else (or did it twice) fails here instead of being repeated.
    """

    def check(timeout: int) -> None:
        if isinstance(expected, Locator):
            expect(expected.first).to_be_visible(timeout=timeout)
        else:
            expected(timeout)

    for attempt in range(1, tries + 1):
        wait_until_idle(page)
        action()
        wait_until_idle(page)
        try:
            check(timeout_ms)
            return
        except AssertionError:
            if attempt == tries or (unchanged is not None and not unchanged()):
                raise


def download(page, button: Locator, *, tries: int = 3, timeout_ms: int = 60_000):
    """Click a download button on a settled page and return Playwright's Download. A click sent while a rerun is
    replacing the page is lost (no file comes): click again once the page has settled, up to `tries` times. A download
    button's file is made on the click (deferred), so a lost click has made nothing and audited nothing."""
    for attempt in range(1, tries + 1):
        wait_until_idle(page)
        try:
            with page.expect_download(timeout=timeout_ms) as saved:
                button.click()
            return saved.value
        except PlaywrightTimeout:
            if attempt == tries:
                raise


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a journey fails, say what each open page showed (URL, run state, text) and what the server logged, and
    keep a screenshot beside the database: a CI failure must be diagnosable from its log alone."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    browser = item.funcargs.get("browser")  # set up for every journey (the page fixture needs it)
    env = item.funcargs.get("seeded_env")
    folder = Path(env["VSD_DEMO_DIR"]).parent if env else Path.cwd()
    for n, page in enumerate(p for context in getattr(browser, "contexts", []) for p in context.pages):
        try:
            state = page.locator('[data-testid="stApp"]').evaluate_all(
                "apps => apps.map(a => a.dataset.testScriptState + ', ' + a.dataset.testConnectionState)"
            )
            text = page.locator("body").inner_text(timeout=5_000)[:4_000]
            shot = folder / f"failure-{item.name}-{n}.png"
            page.screenshot(path=str(shot), full_page=True, timeout=10_000)
            shown = f"url {page.url}\nstate {state}\nscreenshot {shot}\n{text}"
            report.sections.append((f"page {n} at failure", shown))
        except Exception as exc:  # noqa: BLE001  (diagnostics must never hide the failure itself)
            report.sections.append((f"page {n} at failure", f"could not be read: {exc}"))
    server_log = folder / "server.log"
    if server_log.is_file():
        tail = server_log.read_bytes()[-6_000:].decode("utf-8", "replace")
        report.sections.append(("server log (end)", tail))
