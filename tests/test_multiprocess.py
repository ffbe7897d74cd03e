"""Correctness across server processes: two real `streamlit run app.py` servers on one PostgreSQL database.

Production runs several server processes behind nginx with sticky sessions (README, production guide); each process
has its own Streamlit caches and its own sessions, and they share nothing but the database. Here two servers, A and B,
each with its own snapshot folder (VSD_CACHE_DIR), serve one seeded demo database; bench/st_client.py drives them
over Streamlit's websocket protocol as a browser would. Each test does something through A's pages and then reruns a
page of a session on B that was open before, so what B shows comes from B's own caches, keyed by the database:

- test_action_raised_on_a_shows_in_b_action_plan: an action raised with the new-action form on A's action plan
  (HMICFRS and the action plan page) is in the action plan of a session already open on B at its next run: one more
  action, and the new one listed and choosable.
- test_target_changed_on_a_shows_on_b_scorecard: a target set on A's Targets page for a measure below its target
  shows on B's Scorecard at its next run: the new target, and the RAG status it crosses to (red to green).
- test_sign_out_on_a_ends_the_session_on_b: a user signed in on A and (with the cookie A issued) on B signs out on
  A; B's session ends at its next run, saying so, and the cookie issued before the sign-out no longer signs in on B.
- test_lockout_on_a_refuses_the_right_password_on_b: five wrong passwords on A lock the account; B then refuses the
  right password (and accepts it once an administrator has unlocked the account).
- test_file_loaded_on_a_shows_on_b: a victims extract uploaded through A's Data management page (Streamlit's own
  upload protocol, then the page's load button) with a later as-of date moves the as-of date of B's Scorecard at
  its next run and is in the load history B shows. It runs last: it moves the as-of date.

The module needs PostgreSQL (VSD_TEST_POSTGRES_URL) and is skipped without it; its tests share one pair of servers
and run on one xdist worker.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import math
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from auth import passwords, users
from bench.st_client import Run, Session
from data.demo import write_demo
from data.engine import make_engine
from data.ingest import import_paths
from data.migrate import upgrade
from data.queries import latest_as_of
from tests.apptest_support import PASSWORD, SEEDED_SEED, add_demo_users
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import _die_with_this_process, _free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.xdist_group("multiprocess"),
    pytest.mark.skipif(not POSTGRES_URL, reason="VSD_TEST_POSTGRES_URL not set"),
]

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("Username", "Password", "Sign in")
COOKIE_KEY = "multiprocess-test-cookie-key-0123456789abcdef"
START_TIMEOUT = 180  # s: a server's first health answer on a saturated CI machine
STOP_TIMEOUT = 3  # s: a server's own clean stop takes several seconds on a busy machine
CASES = 1_000  # demo victims: enough for red, amber and green measures on the scorecard, quick to load and judge
# Accounts of their own for the tests that end sessions or lock an account, so no other test's user is touched.
SIGN_OUT_USER = ("mp.signout", "mp-sign-out-password-1")
LOCKOUT_USER = ("mp.lockout", "mp-lockout-password-1")


@dataclass
class Servers:
    a: str  # base URLs
    b: str
    db_url: str
    demo: Path  # the demo extract the database was loaded from
    logs: tuple[Path, Path]

    def drive(self, scenario: Callable[[], Awaitable[None]]) -> None:
        """Run one scenario's coroutine; a failure carries the end of both servers' logs (a CI log says why)."""
        try:
            # In a thread of its own: a browser journey run earlier on this worker leaves Playwright's event loop
            # running on the main thread, where asyncio.run() refuses to start.
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, scenario()).result()
        except Exception as exc:
            tails = "\n".join(
                f"--- server {name} ({log.name}), last lines ---\n"
                + log.read_bytes()[-3_000:].decode("utf-8", "replace")
                for name, log in zip("AB", self.logs, strict=True)
                if log.is_file()
            )
            raise AssertionError(f"{type(exc).__name__}: {exc}\n{tails}") from exc


def _seed(url: str, folder: Path) -> None:
    """A demo database as the page tests' (tests/apptest_support.py), smaller, on PostgreSQL, plus this module's
    users."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        write_demo(folder, cases=CASES, seed=SEEDED_SEED, months=36)
        results = import_paths(engine, [folder], loaded_by="tests")
        assert all(r.ok for r in results), [r.message for r in results if not r.ok]
        add_demo_users(engine)
        old_rounds, passwords.ROUNDS = passwords.ROUNDS, 4  # fast hashes, as add_demo_users makes
        try:
            for username, password in (SIGN_OUT_USER, LOCKOUT_USER):
                users.create_user(engine, username, username, password, ["board"], [], actor="tests")
        finally:
            passwords.ROUNDS = old_rounds
    finally:
        engine.dispose()


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port, as tests/e2e/conftest.py's live server (it dies with this process);
    returns the process and its base URL at once (_wait_healthy waits for it)."""
    port = _free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_this_process if sys.platform == "linux" else None,  # noqa: PLW1509
        )  # fmt: skip
    return proc, f"http://127.0.0.1:{port}"


def _wait_healthy(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3_000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # the server is not listening yet: nothing to wait on but the port
    pytest.fail(f"{url} did not answer its health check within {START_TIMEOUT} s")


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[Servers]:
    """Two app servers on one freshly seeded PostgreSQL database of their own (dropped at the end)."""
    folder = tmp_path_factory.mktemp("multiprocess")
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"vsd_mp_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    procs: list[subprocess.Popen] = []
    try:
        base = {k: v for k, v in os.environ.items() if k != "VSD_ENV"}
        started = []
        logs = (folder / "server-a.log", folder / "server-b.log")
        for which, log in zip("ab", logs, strict=True):
            env = {
                **base,
                "DATABASE_URL": url,
                "VSD_COOKIE_KEY": COOKIE_KEY,  # one key for both, as production's processes share theirs
                "VSD_CACHE_DIR": str(folder / f"cache-{which}"),  # nothing shared but the database
                "VSD_WARM_UP": "0",
            }
            proc, base_url = _start(env, log)
            procs.append(proc)
            started.append((proc, base_url, log))
        # The servers start while the database is seeded: neither reads it before its first page run.
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("VSD_CACHE_DIR", str(folder / "seed-cache"))  # the load's snapshot stays in the test's folder
            _seed(url, folder / "demo")
        for proc, base_url, log in started:
            _wait_healthy(proc, base_url, log)
        yield Servers(started[0][1], started[1][1], url, folder / "demo", logs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()  # nothing of a test server's needs a clean stop; its database goes next
                proc.wait()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def signed_in(url: str, page: str, username: str, password: str | None = None) -> Session:
    """A session on `url` signed in on `page` (a demo user's password unless one is given)."""
    session = Session(url)
    await session.connect()
    await session.open(page)
    run = await session.sign_in(username, password or PASSWORD[username], LABELS)
    assert _is_signed_in(run), f"{username} not signed in on {url}/{page}: {run.errors or run.text()[:500]}"
    return session


def _is_signed_in(run: Run) -> bool:
    return any(e.kind == "button" and e.widget_id.endswith("-vsd_sign_out") for e in run.elements)


def _percent(text: str) -> float:
    return float(text.rstrip("%").replace(",", ""))


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"  # as config.i18n.format_date writes it in English


def test_action_raised_on_a_shows_in_b_action_plan(servers):
    async def scenario():
        b, a = await asyncio.gather(
            signed_in(servers.b, "inspection", "board"), signed_in(servers.a, "inspection", "lead.da")
        )
        before = b.last.widget("Choose an action", "selectbox").proto.options
        form = a.last
        title = f"Cross-process action {uuid.uuid4().hex[:6]}"
        run = await a.rerun(
            a.typed(form.keyed("vsd_act_new_title_plan_0"), title),
            a.typed(form.keyed("vsd_act_new_owner_plan_0"), "lead.da"),
            a.dated(form.keyed("vsd_act_new_due_plan_0"), dt.date.today() + dt.timedelta(days=30)),
            a.clicked(form.keyed("vsd_act_new_submit_plan")),
        )
        raised = [line for line in run.texts() if line.startswith("Action AC-") and line.endswith(" was raised.")]
        assert raised, run.errors or run.text()[:1_000]
        action_id = raised[0].split()[1]

        run = await b.rerun()  # B's next run of the page it already had open
        assert not run.errors
        after = run.widget("Choose an action", "selectbox").proto.options
        assert action_id not in before and action_id in after
        assert f"{len(before) + 1} actions shown" in run.text()
        plan = run.of_kind("dataframe")[0].frame()
        assert title in plan.loc[plan.iloc[:, 0] == action_id].iloc[0].tolist()
        await a.close()
        await b.close()

    servers.drive(scenario)


def test_target_changed_on_a_shows_on_b_scorecard(servers):
    async def scenario():
        b, a = await asyncio.gather(
            signed_in(servers.b, "scorecard", "lead.da"), signed_in(servers.a, "targets", "analyst")
        )
        portfolio = b.last.widget("Portfolio", "selectbox").proto.options[0]  # the lead's one portfolio
        card = b.last.of_kind("dataframe")[0].frame()
        # A rate measure below its target and red: higher is better (a lower-is-better one is red above it).
        red = card[card["RAG"].str.contains("Red") & card["Value"].str.endswith("%") & card["Target"].ne("–")]
        red = red[[_percent(v) < _percent(t) for v, t in zip(red["Value"], red["Target"], strict=True)]]
        assert not red.empty, card.to_string()
        measure, value = red.iloc[0]["Measure"], _percent(red.iloc[0]["Value"])
        target = math.floor(value) - 1  # now met: green

        run = await a.rerun(a.chosen(a.last.keyed("vsd_targets_portfolio"), portfolio))
        run = await a.rerun(a.chosen(run.keyed("vsd_targets_measure"), measure))
        run = await a.rerun(
            a.numbered(run.of_kind("number_input")[0], target),  # in percent, as the page asks
            a.clicked(run.keyed("vsd_targets_save")),
        )
        assert f"is now {target:.1f}%." in run.text(), run.errors or run.text()[:1_000]

        run = await b.rerun()
        assert not run.errors
        card = run.of_kind("dataframe")[0].frame().set_index("Measure")
        assert card.loc[measure, "Target"] == f"{target:.1f}%"
        assert "Green" in card.loc[measure, "RAG"], card.loc[measure].to_dict()
        await a.close()
        await b.close()

    servers.drive(scenario)


def test_sign_out_on_a_ends_the_session_on_b(servers):
    username, password = SIGN_OUT_USER

    async def scenario():
        a = await signed_in(servers.a, "home", username, password)
        cookie = dict(a.cookies)
        assert cookie, "A set no sign-in cookie"
        b = Session(servers.b, cookies=dict(cookie))  # the same browser's next request, served by B
        await b.connect()
        assert _is_signed_in(await b.open("home")), "A's cookie did not sign in on B"

        run = await a.click("Sign out")
        assert not _is_signed_in(run) and "You have signed out." in run.text()

        run = await b.rerun()
        assert not _is_signed_in(run)
        assert "Your session has ended" in run.text(), run.text()[:1_000]
        again = Session(servers.b, cookies=dict(cookie))  # the old cookie, sent again to B
        await again.connect()
        run = await again.open("home")
        assert not _is_signed_in(run) and run.widget("Username", "text_input")
        for session in (a, b, again):
            await session.close()

    servers.drive(scenario)


def test_lockout_on_a_refuses_the_right_password_on_b(servers):
    username, password = LOCKOUT_USER

    async def scenario():
        a = Session(servers.a)
        await a.connect()
        await a.open("home")
        for _ in range(users.MAX_FAILED_LOGINS):
            run = await a.sign_in(username, "not-the-password-0", LABELS)
            assert not _is_signed_in(run) and any("Sign-in refused" in e for e in run.errors), run.text()[:1_000]
        b = Session(servers.b)
        await b.connect()
        await b.open("home")
        run = await b.sign_in(username, password, LABELS)
        assert not _is_signed_in(run) and any("Sign-in refused" in e for e in run.errors), run.text()[:1_000]

        engine = make_engine(servers.db_url)
        try:
            users.unlock(engine, username, actor="tests")  # what an administrator would do
        finally:
            engine.dispose()
        run = await b.sign_in(username, password, LABELS)
        assert _is_signed_in(run), run.errors or run.text()[:1_000]
        await a.close()
        await b.close()

    servers.drive(scenario)


def test_file_loaded_on_a_shows_on_b(servers):
    engine = make_engine(servers.db_url)
    try:
        as_of = latest_as_of(engine)
    finally:
        engine.dispose()
    new_as_of = as_of + dt.timedelta(days=1)
    # Three victims already loaded, again: a valid extract that changes no figure but, with a later as-of date,
    # moves the dashboard's as-of date (that of the latest victims extract).
    lines = (servers.demo / "victims.csv").read_bytes().splitlines(keepends=True)
    extract = b"".join(lines[:4])

    async def scenario():
        b, history, a = await asyncio.gather(
            signed_in(servers.b, "scorecard", "lead.da"),
            signed_in(servers.b, "data_management", "analyst"),
            signed_in(servers.a, "data_management", "admin"),
        )
        assert f"Rolling 12 complete months to {_long_date(as_of)}" in b.last.text()
        loads_before = len(history.last.of_kind("dataframe")[-1].frame())
        form = a.last
        files = await a.upload(form.keyed("vsd_dm_files"), [("victims.csv", extract, "text/csv")])
        run = await a.rerun(
            files, a.dated(form.keyed("vsd_dm_as_of"), new_as_of), a.clicked(form.keyed("vsd_dm_submit"))
        )
        assert "victims.csv was loaded into Victims" in run.text(), run.errors or run.text()[:1_000]

        run = await b.rerun()
        assert not run.errors
        assert f"Rolling 12 complete months to {_long_date(new_as_of)}" in run.text()
        run = await history.rerun()
        assert f"Data are as of {_long_date(new_as_of)}" in run.text()
        loads = run.of_kind("dataframe")[-1].frame()
        assert len(loads) == loads_before + 1
        newest = loads.iloc[0].tolist()
        assert "victims.csv" in newest and "admin" in newest
        for session in (a, b, history):
            await session.close()

    servers.drive(scenario)
