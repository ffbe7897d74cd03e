"""Cold start from a running browser (issue 14): a new server process, then several first visits in new browser
contexts of one Chromium that is already running, each timed to the sign-in form with the server's CPU meanwhile.

    python -m bench.bench_first_visit [--db var/bench/bench200k.sqlite3] [--visits 4] [--no-warm-up]

`bench_pages --browser` times a newly launched Chromium's first navigation, which adds the browser's own start to
the figure; here the first visit is the new process's first visitor and the later ones show what the same page costs
once the process is warm (a new context each time: no cookies, no session, the browser's code caches warm).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.bench_pages import CHROMIUM, COOKIE_KEY, _cpu_seconds, _free_port, prepare_copy

ROOT = Path(__file__).resolve().parent.parent


def visits(url: str, count: int, warm_up: bool, log: Path) -> list[tuple[float, float]]:
    """(seconds to the sign-in form, server CPU seconds meanwhile) for each visit to a newly started server."""
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "DATABASE_URL": url, "VSD_COOKIE_KEY": COOKIE_KEY, "VSD_WARM_UP": "1" if warm_up else "0"}
    env.pop("VSD_ENV", None)
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless",
               "true", "--server.fileWatcherType", "none"]  # fmt: skip
    with sync_playwright() as pw, log.open("w") as out:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        warm = browser.new_context().new_page()
        warm.goto("about:blank")  # the browser is up and has a renderer before the server starts
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError(f"streamlit did not start; see {log}") from None
                    time.sleep(0.1)
            results = []
            for _ in range(count):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                began, cpu = time.perf_counter(), _cpu_seconds(server.pid)
                page.goto(base)
                page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
                results.append((time.perf_counter() - began, _cpu_seconds(server.pid) - cpu))
                context.close()
            return results
        finally:
            server.terminate()
            server.wait(timeout=30)
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "bench200k.sqlite3")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench_pages")
    parser.add_argument("--visits", type=int, default=4)
    parser.add_argument("--no-warm-up", action="store_true", help="VSD_WARM_UP=0: no background scorecards")
    args = parser.parse_args(argv)
    url = prepare_copy(args.db, args.work)
    for number, (form, cpu) in enumerate(visits(url, args.visits, not args.no_warm_up, args.work / "visits.log"), 1):
        label = "first visitor of the new process" if number == 1 else "a later visitor"
        print(f"visit {number} ({label}): sign-in form in {form:.2f} s, server CPU {cpu:.2f} s")
    print(f"load average (1/5/15 min): {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
