"""Fixtures for browser tests: a seeded database, a live `streamlit run` server and a headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

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
        "VSD_WARM_UP": "1",  # as a real server: the first visit warms the process (ui/warmup.py)
    }
    env.pop("VSD_ENV", None)
    subprocess.run(
        [sys.executable, "cli.py", "bootstrap", "--cases", str(E2E_CASES)], cwd=ROOT, env=env, check=True, timeout=600
    )
    return env


@pytest.fixture(scope="session")
def live_server(seeded_env) -> str:
    """Base URL of `streamlit run app.py` serving the seeded database."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=seeded_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
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


def wait_until_idle(page, settle_ms: int = 300, timeout_ms: int = 40_000) -> None:
    """Wait until Streamlit has finished its current run (its status widget is gone) and stays finished briefly.

    The sign-in cookie component loads in an iframe and triggers a rerun of its own; a click that lands while that
    rerun is replacing the form can be lost on a busy machine, so journeys act on an idle page.
    Best effort: a page still computing after the timeout (a cold cache on a busy machine) is left to the journey's
    own expectations, which say what was missing.
    """
    status = page.locator('[data-testid="stStatusWidget"]')
    for _ in range(3):
        page.wait_for_timeout(settle_ms)
        try:
            expect(status).to_have_count(0, timeout=timeout_ms)
        except AssertionError:
            return
