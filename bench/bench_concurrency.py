"""Concurrency benchmark (issue 7): N browser sessions sign in and move through every page of their role for a fixed
time against one `streamlit run` server on a large database; page times, errors and the server's peak memory.

    make bench-data BENCH_SIZES=200000   # once: var/bench/bench200k.sqlite3
    python -m bench.bench_concurrency [--db var/bench/bench200k.sqlite3] [--sessions 20] [--seconds 120]

The database is copied into --work (the demo accounts are added to the copy; the original is only read). One headless
Debian Chromium holds one browser context per session; sessions are spread round-robin over the six demo accounts.
First one session per account signs in and opens each of its pages once (the cold pass: caches fill, as on a server
that has just started); then the N timed sessions each sign in, and once all have signed in, all click through the
pages in their sidebar, over and over, for --seconds.

A page time is measured from the click to the server's "script finished" message on the session's websocket (decoded
with Streamlit's own protobuf classes), so it is the time a user waits for the page to be complete, not a guess from
the DOM. Errors are: an exception element, an error alert, a run that does not finish within --page-timeout, or a
traceback in the server's log. Peak memory is the server process's VmHWM (peak resident set) from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bench.bench_data import database_path, require_database

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
COOKIE_KEY = "bench-cookie-key-0123456789abcdefghijklmnopqrstuv"
USERS = ("lead.da", "lead.wcu", "board", "inspector", "analyst", "admin")
FRAME_DECODE_LIMIT = 256 * 1024  # script-finished, exception and alert messages are small; tables and charts are not
NAV_LINKS = '[data-testid="stSidebarNav"] a'


def prepare_copy(source: Path, work: Path) -> str:
    """A copy of the benchmark database with the demo accounts (`cli.py bootstrap` adds them); returns its URL."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "concurrency.sqlite3"
    if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copy(source, copy)
    url = f"sqlite:///{copy.resolve()}"
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("VSD_ENV", None)
    subprocess.run([sys.executable, "cli.py", "bootstrap"], cwd=ROOT, env=env, check=True, capture_output=True)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, log: Path) -> subprocess.Popen:
    """`streamlit run app.py` on the database, its output in `log`; returns once it answers its health check."""
    env = {**os.environ, "DATABASE_URL": url, "VSD_COOKIE_KEY": COOKIE_KEY}
    env.pop("VSD_ENV", None)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"streamlit did not start; see {log}") from None
            time.sleep(0.5)


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------- one session's websocket


@dataclass
class Tracker:
    """What the server sent one session: run endings, exceptions and error alerts, in order."""

    finished: int = 0
    problems: list[str] = field(default_factory=list)

    def on_frame(self, payload) -> None:
        if not isinstance(payload, bytes) or len(payload) > FRAME_DECODE_LIMIT:
            return
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:
            return
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.finished += 1
            elif msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.problems.append("script failed to compile")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                self.problems.append(f"exception: {element.exception.message[:200]}")
            elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
                self.problems.append(f"error alert: {element.alert.body[:200]}")

    async def until_finished(self, seen: int, timeout: float) -> bool:
        """Wait until a run finishes after `seen` runs had finished; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.finished <= seen:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True


@dataclass
class Visit:
    user: str
    page: str
    seconds: float
    ok: bool
    problems: list[str]
    attempts: int = 1


@dataclass
class Window:
    """The timed window: it opens when every session has signed in (so 20 browsers starting up is not in it)."""

    barrier: asyncio.Barrier | None
    seconds: float
    stop_at: float = 0.0

    async def open(self) -> None:
        if self.barrier is not None and await self.barrier.wait() == 0:
            self.stop_at = time.monotonic() + self.seconds
        if self.barrier is not None:
            await self.barrier.wait()  # every session sees stop_at set


async def until_idle(page, timeout: float) -> None:
    """Until Streamlit's status widget has stayed away for three checks in a row (as tests/e2e do)."""
    status = page.locator('[data-testid="stStatusWidget"]')
    for _ in range(3):
        await asyncio.sleep(0.3)
        await status.wait_for(state="detached", timeout=timeout * 1000)


async def sign_in(page, tracker: Tracker, username: str, page_timeout: float) -> Visit:
    """Sign in through the form, timed from the click to the landing page's run finishing.

    The sign-in cookie component reruns the form once it has loaded; on a busy machine a click during that rerun can
    be lost (the form simply shows again), so a lost click is tried again, up to three times, and counted.
    """
    for attempt in range(1, 4):
        await page.get_by_role("textbox", name="Username").wait_for(timeout=page_timeout * 1000)
        await until_idle(page, page_timeout)
        await page.get_by_role("textbox", name="Username").fill(username)
        await page.get_by_role("textbox", name="Password").fill(f"vsd-demo-{username}")
        seen, marker, begin = tracker.finished, len(tracker.problems), time.monotonic()
        await page.get_by_role("button", name="Sign in").click()
        ok = await tracker.until_finished(seen, page_timeout)
        seconds = time.monotonic() - begin
        try:
            await page.locator(NAV_LINKS).first.wait_for(timeout=30_000)
        except Exception:
            continue  # the click was lost: the form is still there
        visit = Visit(username, "sign-in", seconds, ok, tracker.problems[marker:])
        visit.attempts = attempt
        return visit
    raise RuntimeError(f"{username} could not sign in after 3 attempts")


async def run_session(browser, base: str, username: str, window: Window | None, page_timeout: float) -> list[Visit]:
    """Sign in as `username`, then click through the sidebar's pages until the window closes (or once each, when
    there is no window: the cold pass)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    tracker = Tracker()
    page.on("websocket", lambda ws: ws.on("framereceived", tracker.on_frame))
    visits: list[Visit] = []
    try:
        await page.goto(base, timeout=page_timeout * 1000)
        visits.append(await sign_in(page, tracker, username, page_timeout))
        await until_idle(page, page_timeout)
        hrefs = [await link.get_attribute("href") for link in await page.locator(NAV_LINKS).all()]
        if window is not None:
            await window.open()
        index = 0
        while (time.monotonic() < window.stop_at) if window else (index < len(hrefs)):
            href = hrefs[index % len(hrefs)]
            index += 1
            seen, marker, begin = tracker.finished, len(tracker.problems), time.monotonic()
            await page.locator(f'{NAV_LINKS}[href="{href}"]').click(timeout=page_timeout * 1000)
            ok = await tracker.until_finished(seen, page_timeout)
            name = urlparse(href).path.strip("/") or "landing"
            visits.append(Visit(username, name, time.monotonic() - begin, ok, tracker.problems[marker:]))
    except Exception as exc:  # a session that breaks is an error of the run, not of the benchmark
        visits.append(Visit(username, "session", 0.0, False, [f"{type(exc).__name__}: {exc}"[:300]]))
        if window is not None and window.barrier is not None:
            await window.barrier.abort()  # the others must not wait for it
    finally:
        await context.close()
    return visits


async def drive(base: str, sessions: int, seconds: float, page_timeout: float) -> tuple[list[Visit], list[Visit]]:
    """The warm-up pass (one session per account, every page once), then `sessions` sessions for `seconds`."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cold = await asyncio.gather(*(run_session(browser, base, u, None, page_timeout) for u in USERS))
        window = Window(asyncio.Barrier(sessions), seconds)
        users = [USERS[i % len(USERS)] for i in range(sessions)]
        timed = await asyncio.gather(*(run_session(browser, base, u, window, page_timeout) for u in users))
        await browser.close()
    return [v for s in cold for v in s], [v for s in timed for v in s]


# ---------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def times(visits: list[Visit]) -> dict:
    """p50, p95 and max of the visits that finished."""
    done = [v.seconds for v in visits if v.ok]
    return {
        "count": len(visits),
        "p50_s": round(percentile(done, 0.5), 2),
        "p95_s": round(percentile(done, 0.95), 2),
        "max_s": round(max(done), 2) if done else None,
    }


def summarise(cold: list[Visit], timed: list[Visit], server_errors: int, peak_mb: float, args) -> dict:
    pages = [v for v in timed if v.page not in ("sign-in", "session")]
    errors = [v for v in cold + timed if not v.ok or v.problems]
    return {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "pages": times(pages),
        "sign_in": times([v for v in timed if v.page == "sign-in"]),
        "sign_in_clicks_retried": sum(v.attempts - 1 for v in cold + timed if v.page == "sign-in"),
        "by_page": {name: times([v for v in pages if v.page == name]) for name in sorted({v.page for v in pages})},
        "cold_pass": times([v for v in cold if v.page not in ("sign-in", "session")]),
        "cold_by_page": {f"{v.user} {v.page}": round(v.seconds, 2) for v in cold},
        "errors": len(errors) + server_errors,
        "server_tracebacks": server_errors,
        "error_examples": [f"{v.user} {v.page}: {v.problems or 'did not finish'}" for v in errors[:10]],
        "server_peak_mb": round(peak_mb),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / database_path(200_000), help="default: %(default)s")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench_concurrency")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--page-timeout", type=float, default=300)
    args = parser.parse_args(argv)
    require_database(args.db)
    url = prepare_copy(args.db, args.work)
    port = free_port()
    log = args.work / "server.log"
    server = start_server(url, port, log)
    try:
        cold, timed = asyncio.run(drive(f"http://127.0.0.1:{port}", args.sessions, args.seconds, args.page_timeout))
        peak = peak_memory_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    tracebacks = log.read_text(errors="replace").count("Traceback (most recent call last)")
    report = summarise(cold, timed, tracebacks, peak, args)
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
