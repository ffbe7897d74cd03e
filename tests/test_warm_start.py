"""The server warms itself when it starts (ui/warmup.py, issue 14): `streamlit run app.py` imports what the script runs
import, makes the engine and starts the scorecards' warm-up before it answers its first request, so the first visitor
pays for none of it; the custom components those imports declare are still served. One real server on a temporary
SQLite database, checked through its log and its HTTP answers; nothing is timed."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data.engine import make_engine
from data.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = (ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")))
# The two custom components: the page language (ui/page_language.py) and the sign-in cookie's (streamlit-authenticator).
COMPONENTS = (
    "ui.page_language.page_language/index.html",
    "extra_streamlit_components.CookieManager.cookie_manager/index.html",
)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def script_imports() -> list[str]:
    """Every module the scripts Streamlit runs import (`from a import b`: a.b when that is a repository module)."""
    names: set[str] = set()
    for path in SCRIPTS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}"))
    return sorted(names)


def test_the_start_up_imports_load_every_module_the_scripts_import():
    """A new import in a page that the warm start does not load would be paid for by the first visitor again."""
    code = (
        "import importlib, sys\nfrom ui import warmup\n"
        "for name in warmup.STARTUP_MODULES:\n    importlib.import_module(name)\nprint('\\n'.join(sys.modules))\n"
    )
    env = {**os.environ, "VSD_WARM_UP": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "auth.gate" in script_imports() and "ui.page_language" in script_imports()
    assert [name for name in script_imports() if name not in loaded] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` (as every launcher starts it) on an empty migrated database; its base URL, its log and
    the log as it stood when the server first answered its health check (before any session connected)."""
    folder = tmp_path_factory.mktemp("warm")
    url = f"sqlite:///{folder / 'vsd.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "VSD_WARM_UP": "1", "VSD_CACHE_DIR": str(folder / "cache")}
    env.pop("VSD_ENV", None)
    env.pop("VSD_LOG_FILE", None)
    port = _free_port()
    log = folder / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless",
               "true", "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a generous bound for a loaded machine, not a measurement
        while True:
            try:
                if _get(f"{base}/_stcore/health") == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base, log, log.read_text(errors="replace")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_the_server_has_warmed_before_it_answers_its_first_request(server):
    _base, _log, at_first_answer = server
    assert "INFO ui.warmup: warm start:" in at_first_answer and "modules imported, engine ready" in at_first_answer
    assert "could not prepare" not in at_first_answer and "Traceback" not in at_first_answer
    # The scorecards too: computed after the first run, they shared the cores with the next visitors.
    assert "warm-up done: 0 scorecard rows cached" in at_first_answer


def test_the_scorecards_warm_up_without_any_visitor(server):
    """Started at start, not after a first page run: it finishes although no session ever connects (0 rows here:
    the database is empty)."""
    _base, log, _ = server
    deadline = time.monotonic() + 120
    while "warm-up done" not in (text := log.read_text(errors="replace")):
        assert "warm-up failed" not in text, text
        assert time.monotonic() < deadline, text
        time.sleep(0.2)
    assert "warm-up done: 0 scorecard rows cached" in text


@pytest.mark.parametrize("path", COMPONENTS)
def test_components_declared_at_start_are_served(server, path):
    """Streamlit registers a component only when it is declared inside a script run; these were imported at start,
    so the warm start registers them, or the cookie and <html lang> frames would not load."""
    base, _log, _ = server
    assert _get(f"{base}/component/{path}") == 200
