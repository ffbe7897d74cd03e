"""Security properties that are checked on the source, the configuration and the rendered page (SECURITY.md):
no raw HTML from code, hardened Streamlit settings, no secrets in the repository, and user text that stays text."""

from __future__ import annotations

import ast
import base64
import datetime as dt
import json
import re
import time
import tomllib
from pathlib import Path

import jwt
import pytest
from sqlalchemy import func, insert, select
from streamlit.runtime.context import ContextProxy, StreamlitCookies
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element

from auth import passwords, users
from auth.demo import DEMO_ACCOUNTS
from auth.roles import Scope
from data import actions
from data.cases import missed_and_late
from data.filetypes import DEFAULT_MAX_MB, MB, max_evidence_bytes
from data.models import Entitlement, User, Victim
from tests.accountability_support import (
    LEAD_DA,
    app_db_fixture,  # noqa: F401 (the app_db fixture)
    open_page,
    seed_feedback,
    seed_finding,
)
from tests.test_cases_access import AS_OF, END, ENTITLEMENTS, START, VICTIMS
from ui.uploads import MAX_UPLOAD_MB

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".streamlit" / "config.toml"
# Every folder whose code runs inside the app (and may therefore render something).
APP_CODE = ["app.py", "app_pages", "ui", "auth", "charts", "config", "reports", "results", "data", "rules", "metrics"]
SKIPPED_DIRS = {".venv", "var", "__pycache__", ".git", ".pytest_cache", ".ruff_cache", ".hypothesis", "node_modules"}


def python_files() -> list[Path]:
    files: list[Path] = []
    for entry in APP_CODE:
        path = ROOT / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if not SKIPPED_DIRS & set(f.relative_to(ROOT).parts)]


def raw_html_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for every call that would hand HTML to the browser: st.html, components' html/iframe/declare,
    st.markdown-like calls with unsafe_allow_html set to anything but a literal False."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if re.search(r"(^|\.)(html|iframe|declare_component)$", name) and not name.startswith(("html.", "_html")):
            found.append((node.lineno, name))
        for keyword in node.keywords:
            if keyword.arg == "unsafe_allow_html" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append((node.lineno, f"{name}(unsafe_allow_html=...)"))
    return found


# The one component the app declares (SECURITY.md threat 6): ui/page_language.py, a static folder in this repository
# (declared by `path=`, never a URL) whose script only sets <html lang> to "en" or "cy" and sends nothing back.
AUDITED_COMPONENT = ("ui/page_language.py", "declare_component")
AUDITED_COMPONENT_FILES = {"index.html", "page_language.js"}


def test_no_code_hands_raw_html_to_the_browser():
    """Markdown without unsafe_allow_html never renders HTML, so user text cannot become script; nothing opts out
    except the one audited, static page-language component."""
    files = python_files()
    assert len(files) > 50  # the scan really walks the app's code
    found = {
        f"{path.relative_to(ROOT)}:{line}": what
        for path in files
        for line, what in raw_html_calls(ast.parse(path.read_text(encoding="utf-8")))
    }
    allowed = [where for where, what in found.items() if (where.split(":")[0], what) == AUDITED_COMPONENT]
    assert len(allowed) == 1, found  # declared once, where it was audited
    del found[allowed[0]]
    assert found == {}


def test_the_audited_component_is_static_and_only_sets_the_page_language():
    """The allowance above covers a component served from the repository's own folder, whose files are the audited
    two, whose script reads one argument checked against the app's languages and never writes markup or replies."""
    tree = ast.parse((ROOT / AUDITED_COMPONENT[0]).read_text(encoding="utf-8"))
    (call,) = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "declare_component"]
    assert {k.arg for k in call.keywords} == {"path"}  # a folder of this repository, never url=
    folder = ROOT / "ui" / "page_language_static"
    assert {p.name for p in folder.iterdir()} == AUDITED_COMPONENT_FILES
    script = (folder / "page_language.js").read_text(encoding="utf-8")
    live = ("innerHTML", "outerHTML", "insertAdjacent", "document.write", "eval(", "Function(", "setComponentValue",
            "src=", "href", "fetch(", "XMLHttpRequest", "cookie", "localStorage")  # fmt: skip
    assert [word for word in live if word in script] == []
    assert 'var LANGUAGES = ["en", "cy"];' in script and "LANGUAGES.indexOf(lang) !== -1" in script
    assert "<script>" not in (folder / "index.html").read_text(encoding="utf-8")  # no inline script


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("st.markdown(text, unsafe_allow_html=True)", ["st.markdown(unsafe_allow_html=...)"]),
        ("st.caption(text, unsafe_allow_html=flag)", ["st.caption(unsafe_allow_html=...)"]),
        ("st.html(text)", ["st.html"]),
        ("components.html(text)", ["components.html"]),
        ("st.components.v1.iframe(url)", ["st.components.v1.iframe"]),
        ("declare_component('x', url=u)", ["declare_component"]),
        ("components.declare_component('x', path=p)", ["components.declare_component"]),
        ("st.markdown(text, unsafe_allow_html=False)", []),
        ("html.escape(text)", []),
        ("st.markdown(text)", []),
    ],
)
def test_the_raw_html_scan_catches_each_form(source, caught):
    assert [what for _line, what in raw_html_calls(ast.parse(source))] == caught


def test_streamlit_configuration_is_hardened():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    client, server = config["client"], config["server"]
    assert client["showErrorDetails"] == "none"  # a fault shows a generic message, never a stack trace
    assert client["toolbarMode"] == "viewer"  # no developer menu (rerun settings, clear cache) for users
    assert client["disableDataExport"] is True  # st.dataframe's own CSV download would bypass formula neutralising
    assert config["browser"]["gatherUsageStats"] is False
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True
    assert server.get("enableStaticServing", False) is False
    assert config["runner"]["magicEnabled"] is False  # a bare expression in a page never renders data by accident
    assert "global" not in config or not config["global"].get("developmentMode", False)
    # The server refuses an upload over the app's own limit before any byte reaches a loader; evidence files, which
    # have a smaller limit of their own, fit under it.
    assert server["maxUploadSize"] == MAX_UPLOAD_MB
    assert max_evidence_bytes({}) <= MAX_UPLOAD_MB * MB


def test_uploaders_tell_the_browser_their_limits(app_db):
    """Each uploader carries its limit to the browser, which refuses a larger file before sending it."""
    at = open_page("analyst", "app_pages/data_management.py")
    assert at.file_uploader(key="vsd_dm_files").proto.max_upload_size_mb == MAX_UPLOAD_MB
    actions.create_action(
        app_db, LEAD_DA, title="Call-backs", portfolio="vawg_da", owner="Lead", due_date=dt.date(2026, 9, 15),
        today=dt.date(2026, 6, 1),
    )  # fmt: skip
    at = open_page("lead.da", "app_pages/inspection.py", action="AC-001")
    assert at.file_uploader(key="vsd_ev_file_action_AC-001").proto.max_upload_size_mb == DEFAULT_MAX_MB


# Patterns of secrets that must never be committed: private keys, credentials in URLs, assigned cookie keys.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "password in a URL": re.compile(r"://[A-Za-z0-9_.%-]+:[^@\s/'\"{}]{3,}@"),
    "cookie key": re.compile(r"cookie_key\s*=\s*['\"](?!replace-with-at-least-32-random-bytes)[^'\"]{8,}['\"]"),
    "AWS access key": re.compile(r"AKIA[0-9A-Z]{16}"),
}
TEXT_SUFFIXES = {".py", ".toml", ".yaml", ".yml", ".md", ".txt", ".cfg", ".ini", ".example", ".json", ".sh", ""}


def repository_text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and not SKIPPED_DIRS & parts and path.suffix in TEXT_SUFFIXES and path.stat().st_size < 2e6:
            files.append(path)
    return files


def secrets_in(text: str) -> list[str]:
    return [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def test_no_secrets_in_the_repository():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
    found = {}
    for path in repository_text_files():
        if path.relative_to(ROOT).as_posix() in {".streamlit/secrets.toml", "tests/test_security.py"}:
            continue  # the real secrets file is git-ignored; this file holds the patterns' examples
        hits = secrets_in(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            found[path.relative_to(ROOT).as_posix()] = hits
    assert found == {}


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("-----BEGIN RSA PRIVATE KEY-----", ["private key"]),
        ("DATABASE_URL=postgresql+psycopg://vsd:s3cret-pw@db:5432/vsd", ["password in a URL"]),
        ('cookie_key = "Zx81-real-looking-key-material-0123456789"', ["cookie key"]),
        ('cookie_key = "replace-with-at-least-32-random-bytes"', []),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", []),
        ("AKIAABCDEFGHIJKLMNOP", ["AWS access key"]),
    ],
)
def test_the_secret_scan_catches_each_pattern(text, hits):
    assert secrets_in(text) == hits


# ---------------------------------------------------------------- user text renders as text

SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
LINK = "[click me](javascript:alert(1))"
# A tag or a link that Markdown would still interpret: its opening character not escaped with a backslash.
LIVE_MARKUP = re.compile(r"(?<!\\)<(script|img)|(?<!\\)\]\(javascript:")


def walk(node):
    """Every element and block of a rendered page."""
    yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from walk(child)


def assert_shown_only_as_text(at, payloads: list[str]) -> int:
    """Each element that carries a payload renders it as text: Markdown without HTML, never an HTML or iframe element,
    the angle brackets and link syntax escaped. Returns how many elements carried one."""
    carried = 0
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if not isinstance(node, Element) or proto is None:
            continue
        serialised = proto.SerializeToString().decode("utf-8", errors="ignore")
        if not any(marker in serialised for marker in ("alert(", "onerror")):
            continue
        carried += 1
        assert node.type not in {"html", "iframe", "bidi_component"}, node.type
        if node.type == "markdown":
            assert proto.allow_html is False
            body = proto.body
            for payload in payloads:
                assert payload not in body  # written out, the payload would be live Markdown
            assert not LIVE_MARKUP.search(body), body
    return carried


def test_script_in_action_finding_and_feedback_text_renders_as_text(app_db):
    seed_finding(app_db, "HM-001", "HMICFRS PEEL 2026", dt.date(2026, 3, 2), text=f"Finding {SCRIPT} {IMAGE}")
    actions.create_action(
        app_db, LEAD_DA, title=f"Call-backs {SCRIPT}", portfolio="vawg_da", owner=f"Lead {IMAGE}",
        due_date=dt.date(2026, 9, 15), description=f"{LINK} {SCRIPT}", today=dt.date(2026, 6, 1),
    )  # fmt: skip
    at = open_page("lead.da", "app_pages/inspection.py", action="AC-001", finding="HM-001")
    assert assert_shown_only_as_text(at, [SCRIPT, IMAGE, LINK]) >= 3  # description, finding text, tables
    # Written in full where people read it: the text is kept, only its markup is neutralised.
    shown = " ".join(m.value for m in at.markdown)
    assert r"\<script\>alert('x')\</script\>" in shown

    seed_feedback(app_db, "FB-0001", "vawg_da", summary=f"We said {SCRIPT} and {LINK}", theme=f"Theme {IMAGE}")
    at = open_page("lead.da", "app_pages/survivor_voice.py", feedback="FB-0001")
    assert assert_shown_only_as_text(at, [SCRIPT, IMAGE, LINK]) >= 1


# ---------------------------------------------------------------- the sign-in cookie

COOKIE_KEY = "test-cookie-key-0123456789abcdefghijklmnop"  # what app_engine sets as VSD_COOKIE_KEY


def token(key: str, username: str = "board", hours_left: float = 7.5, algorithm: str = "HS256") -> str:
    """A cookie as streamlit-authenticator writes it: a JWT of the username and expiry, signed with `key`."""
    expires = time.time() + hours_left * 3600
    return jwt.encode({"username": username, "exp_date": expires}, key, algorithm=algorithm)


def unsigned(username: str = "board") -> str:
    """A JWT with algorithm "none": no signature at all."""
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps({"username": username, "exp_date": time.time() + 3600}).encode())
    return f"{header.decode()}.{body.rstrip(b'=').decode()}."


@pytest.mark.parametrize(
    ("cookie", "signed_in"),
    [
        (lambda: token(COOKIE_KEY), True),  # the genuine cookie: proves the browser's cookie is really read
        (lambda: token("another-key-of-at-least-32-bytes-000000"), False),  # forged with a guessed key
        (lambda: token(COOKIE_KEY + "x"), False),
        (unsigned, False),  # "alg": "none"
        (lambda: token(COOKIE_KEY, hours_left=-1), False),  # expired
        (lambda: token(COOKIE_KEY, hours_left=30), False),  # claims an expiry later than any cookie issued now
        (lambda: token(COOKIE_KEY, username="nobody"), False),  # a user who does not exist
        (lambda: "not a token at all", False),
    ],
    ids=["genuine", "wrong-key", "key-plus-one", "alg-none", "expired", "too-long-lived", "unknown-user", "garbage"],
)
def test_only_a_cookie_signed_with_the_key_signs_in(app_engine, monkeypatch, cookie, signed_in):
    value = cookie()
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: StreamlitCookies({"vsd_auth": value})))
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert not at.exception
    assert bool(at.session_state["authentication_status"]) is signed_in
    assert ("vsd_scope" in at.session_state) is signed_in
    assert (len(at.text_input) == 0) is signed_in  # otherwise the sign-in form, and only that


# ---------------------------------------------------------------- SQL injection (both databases)

INJECTIONS = ["' OR '1'='1", "x'); DROP TABLE users; --", '" OR ""="', "1; DELETE FROM victims", "%' --"]


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_hostile_text_is_data_not_sql(engine, monkeypatch, hostile):
    """User-controlled values reach SQL as bound parameters: an injected string matches nothing and changes nothing,
    while the honest value still finds its rows (so the query really ran)."""
    monkeypatch.setattr(passwords, "ROUNDS", 4)
    monkeypatch.delenv("VSD_ENV", raising=False)
    users.ensure_demo_users(engine)
    with engine.begin() as conn:
        conn.execute(insert(Victim), VICTIMS)
        conn.execute(insert(Entitlement), [
            {"entitlement_id": eid, "case_id": case, "code": code, "trigger_date": dt.date.fromisoformat(trigger),
             "delivered_date": dt.date.fromisoformat(delivered) if delivered else None, "declined": declined,
             "language": None, "unit": unit}
            for eid, case, code, trigger, delivered, declined, unit in ENTITLEMENTS
        ])  # fmt: skip
    board = Scope.for_user("board", ["board"])
    honest = missed_and_late(engine, board, "vcop", "R6_SUSPECT_UPDATE", START, END, AS_OF, {"unit": "CID Newport"})
    assert list(honest["entitlement_id"]) == ["E12"]
    hostile_cut = missed_and_late(engine, board, "vcop", "R6_SUSPECT_UPDATE", START, END, AS_OF, {"unit": hostile})
    assert hostile_cut.empty and list(hostile_cut.columns) == list(honest.columns)
    assert users.load_user(engine, hostile) is None
    assert users.load_user(engine, f"board{hostile}") is None
    with pytest.raises(users.UserError):  # not a username at all, refused before any SQL
        users.create_user(engine, hostile, "x", "a long enough passphrase", ["board"], [], actor="test")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Victim)).scalar() == len(VICTIMS)
        assert conn.execute(select(func.count()).select_from(User)).scalar() == len(DEMO_ACCOUNTS)


def test_every_test_security_md_names_exists():
    """SECURITY.md maps each threat to tests: every `tests/file.py::test` (and `::test` after it) must be defined."""
    root = Path(__file__).resolve().parent.parent
    named: list[tuple[str, str]] = []
    current = None
    for token in re.findall(r"`(tests/[\w/]+\.py)?(::\w+)?[^`]*`", (root / "SECURITY.md").read_text(encoding="utf-8")):
        path, test = token
        if path:
            current = path
        if test and current:
            named.append((current, test.removeprefix("::")))
    assert len(named) > 40
    missing = [
        f"{path}::{test}"
        for path, test in named
        if not re.search(rf"^(async )?def {test}\(", (root / path).read_text(encoding="utf-8"), re.M)
    ]
    assert not missing
