"""Page benchmark (issue 4): every page's server-side run, cold and warm, for every role, on a large database;
and the scorecard's first paint in Debian Chromium against a freshly started `streamlit run` server (which warms itself
at start: ui/warmup.py).

    make bench-data BENCH_SIZES=200000   # once: var/bench/bench200k.sqlite3
    python -m bench.bench_pages [--db var/bench/bench200k.sqlite3] [--work var/bench_pages] [--browser]

The database is copied into --work (the demo accounts and the metrics snapshot a load writes are added to the copy;
the original is only read). Each role runs in a fresh child process through streamlit.testing.v1.AppTest: "cold" is
a page's first run in that process (nothing cached except what the role's earlier pages already computed, as for a
real user moving through the app), "warm" the best of three runs straight after. Targets: warm < 1 s per page;
scorecard first paint < 3 s cold.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.bench_data import database_path, require_database

ROOT = Path(__file__).resolve().parent.parent
COOKIE_KEY = "bench-cookie-key-0123456789abcdefghijklmnopqrstuv"
WARM_RUNS = 3
WARM_TARGET_S = 1.0
PAINT_TARGET_S = 3.0
CHROMIUM = "/usr/bin/chromium"


def prepare_copy(source: Path, work: Path) -> str:
    """A copy of the benchmark database with the demo accounts; returns its URL. Reused when already made."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "pages.sqlite3"
    if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
        shutil.copy(source, copy)
    url = f"sqlite:///{copy.resolve()}"
    from auth import users
    from data.engine import make_engine
    from data.migrate import upgrade
    from data.queries import latest_as_of
    from data.snapshot import read_snapshot, refresh_snapshot
    from metrics.catalogue import load_catalogue

    engine = make_engine(url)
    upgrade(engine)
    users.ensure_demo_users(engine)
    # The metrics snapshot a load writes (the copy is another database to the snapshot's key, so it needs its own).
    if read_snapshot(engine, load_catalogue(), latest_as_of(engine)) is None:
        refresh_snapshot(engine, load_catalogue())
    engine.dispose()
    return url


def _environment(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["VSD_COOKIE_KEY"] = COOKIE_KEY
    os.environ.pop("VSD_ENV", None)


def _role_run(url: str, username: str, queue) -> None:
    """Child process: sign in as one demo user, then open each of their pages: first run (cold), then warm runs."""
    _environment(url)
    os.chdir(ROOT / "tests")  # AppTest resolves "../app.py" and page paths as the page tests do
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from auth.demo import DEMO_ACCOUNTS
    from auth.roles import allowed_pages
    from ui.navigation import REGISTRY

    account = next(a for a in DEMO_ACCOUNTS if a[0] == username)
    at = AppTest.from_file("../app.py", default_timeout=600)
    started = time.perf_counter()
    at.run()
    at.text_input(key="vsd_signin_username").input(username)
    at.text_input(key="vsd_signin_password").input(account[2])
    at.button(key="vsd_signin_submit").click().run()
    landing = time.perf_counter() - started
    files = {e.key: e.path for e in REGISTRY if (ROOT / e.path).is_file()}
    results = []
    for key in allowed_pages(account[3]):
        if key not in files:
            continue
        at.switch_page(files[key])
        begin = time.perf_counter()
        at.run()
        cold = time.perf_counter() - begin
        warm = []
        for _ in range(WARM_RUNS):
            begin = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - begin)
        results.append({"page": key, "cold_s": cold, "warm_s": min(warm), "errors": len(at.exception)})
    queue.put({"username": username, "landing_s": landing, "pages": results})


def page_times(url: str, usernames: list[str]) -> list[dict]:
    """Each role's pages timed in its own fresh process."""
    ctx = mp.get_context("spawn")
    out = []
    for username in usernames:
        queue = ctx.Queue()
        child = ctx.Process(target=_role_run, args=(url, username, queue))
        child.start()
        out.append(queue.get(timeout=3600))
        child.join()
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_paint(url: str, log_path: Path, username: str = "lead.da", file_watcher: str = "none") -> dict:
    """Seconds from pressing "Sign in" to the scorecard grid painted, on a freshly started (cold) server (its output
    in `log_path`)."""
    from playwright.sync_api import sync_playwright

    from auth.demo import DEMO_ACCOUNTS

    password = next(a[2] for a in DEMO_ACCOUNTS if a[0] == username)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "VSD_COOKIE_KEY": COOKIE_KEY}
    env.pop("VSD_ENV", None)
    # As the service starts it (deploy/vsd.service): by default no source watching, which scans every loaded module
    # once per new session.
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless",
               "true", "--server.fileWatcherType", file_watcher]  # fmt: skip
    log = log_path.open("w", encoding="utf-8")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            begin, cpu = time.perf_counter(), _cpu_seconds(server.pid)
            page.goto(base)
            page.get_by_role("textbox", name="Username").wait_for()
            sign_in_form = time.perf_counter() - begin
            sign_in_cpu = _cpu_seconds(server.pid) - cpu
            # As a person would, sign in once the page has settled: a click that lands while the sign-in cookie's
            # rerun replaces the form can be lost (see tests/e2e/conftest.py wait_until_idle).
            status = page.locator('[data-testid="stStatusWidget"]')
            for _ in range(3):
                page.wait_for_timeout(300)
                status.wait_for(state="detached")
            settled = time.perf_counter() - begin
            page.get_by_role("textbox", name="Username").fill(username)
            page.get_by_role("textbox", name="Password").fill(password)
            begin = time.perf_counter()
            page.get_by_role("button", name="Sign in").click()
            page.locator('[data-testid="stDataFrame"]').first.wait_for(state="visible")
            paint = time.perf_counter() - begin
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return {"sign_in_form_s": sign_in_form, "sign_in_server_cpu_s": sign_in_cpu, "settled_s": settled,
            "scorecard_paint_s": paint}  # fmt: skip


def report(runs: list[dict], paint: dict | None) -> str:
    """A Markdown table: role, page, cold and warm seconds, and whether warm meets the 1 s target."""
    lines = ["| role (user) | page | cold s | warm s | warm < 1 s | errors |", "|---|---|---:|---:|---|---:|"]
    slowest = None
    for run in runs:
        for row in run["pages"]:
            ok = "yes" if row["warm_s"] < WARM_TARGET_S else "**no**"
            lines.append(
                f"| {run['username']} | {row['page']} | {row['cold_s']:.2f} | {row['warm_s']:.2f} | {ok} "
                f"| {row['errors']} |"
            )
            if slowest is None or row["warm_s"] > slowest[2]:
                slowest = (run["username"], row["page"], row["warm_s"])
    lines.append("")
    lines.append("sign-in to landing page (AppTest, cold, includes bcrypt): " + ", ".join(
        f"{r['username']} {r['landing_s']:.2f} s" for r in runs
    ))  # fmt: skip
    if slowest:
        lines.append(f"slowest warm page: {slowest[1]} ({slowest[0]}) {slowest[2]:.2f} s")
    if paint:
        lines.append(
            f"scorecard first paint in Chromium, cold server: {paint['scorecard_paint_s']:.2f} s after pressing "
            f"Sign in (target < {PAINT_TARGET_S:.0f} s); sign-in form shown in {paint['sign_in_form_s']:.2f} s "
            f"(server CPU {paint['sign_in_server_cpu_s']:.2f} s), page settled in {paint['settled_s']:.2f} s"
        )
    with open("/proc/loadavg", encoding="ascii") as fh:
        lines.append(f"load average during the run (1/5/15 min): {' '.join(fh.read().split()[:3])}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=ROOT / database_path(200_000), help="default: %(default)s")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench_pages")
    parser.add_argument("--users", default="lead.da,lead.wcu,board,inspector,analyst,admin")
    parser.add_argument("--browser", action="store_true", help="also time the scorecard's first paint in Chromium")
    parser.add_argument("--file-watcher", default="none", choices=("none", "auto", "poll", "watchdog"),
                        help="server.fileWatcherType of the browser run's server (default: %(default)s)")  # fmt: skip
    args = parser.parse_args()
    require_database(args.db)
    url = prepare_copy(args.db, args.work)
    runs = page_times(url, [u for u in args.users.split(",") if u])
    log = args.work / "first_paint_server.log"
    paint = first_paint(url, log, file_watcher=args.file_watcher) if args.browser else None
    print(report(runs, paint))


if __name__ == "__main__":
    main()
