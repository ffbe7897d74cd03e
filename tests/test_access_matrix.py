"""The access matrix (issue 7, item 6): every page of ui.navigation.REGISTRY, opened by URL with every query parameter
the pages read, for every demo role and signed out, on the seeded demo database through AppTest.

For each (user, page) the test inspects what the browser would receive: every rendered element (tables, charts,
widgets' options, text) and every file handed over (downloads, images; zips and PDFs opened). It proves that
- a signed-out visitor gets the sign-in page and nothing else, whatever page and parameters the URL names;
- a signed-in user reaches only the pages their roles allow (any other URL runs some other page of theirs);
- a lead never receives a case-level reference (tests/access_matrix_support.py) of a portfolio that is not theirs,
  whatever portfolio, measure, right, code, record or case list the URL asks for, or what an injected value says;
- no combination raises (a fault never shows a stack trace).
A page added to the registry fails test_every_page_is_classified until it is given a driver below; a page reading a
URL parameter that is not in PARAMETERS fails its row until the parameter is given hostile values.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from auth.demo import DEMO_ACCOUNTS
from auth.roles import Scope
from data import cases
from data.engine import make_engine
from data.models import Action, Entitlement, FeedbackItem, Recommendation, Victim
from metrics.catalogue import CUTS, load_catalogue
from tests.access_matrix_support import element_texts, record_received, reference_owners, references_in
from tests.apptest_support import APP, DEMO_USERS, PASSWORD
from ui import vcop_cases
from ui.filters import FILTER_COLUMNS, FILTER_PREFIX
from ui.navigation import REGISTRY, SIGN_IN

SIGNED_OUT = "signed-out"
USERS = (*DEMO_USERS, SIGNED_OUT)
PORTFOLIOS = {username: ports for username, _name, _pw, _roles, ports in DEMO_ACCOUNTS}
ROOT = Path(__file__).resolve().parent.parent
INJECTION = "' OR '1'='1'; DROP TABLE victims; --"


def press_buttons(at: AppTest, scan: Callable[[], None], limit: int = 6) -> None:
    """Press each button of the page body once (builds that produce a download on click), scanning after each."""
    pressed: set[str] = set()
    for _ in range(limit):
        waiting = [b for b in at.main.button if b.key and b.key not in pressed and not b.disabled]
        if not waiting:
            return
        button = waiting[0]
        pressed.add(button.key)
        button.click().run()
        scan()


# Every registry page and what it takes to make it show all it can: () when opening it by URL (with the parameters
# below) shows everything; press_buttons for pages that build their downloads on a click. Drivers run for leads,
# whose scope is what is being tested (everyone else may read every portfolio).
PAGE_DRIVERS: dict[str, tuple[Callable, ...]] = {
    "home": (),
    "scorecard": (),
    "victims_code": (),  # ?right=&code=&cases=1 opens the case list and its download
    "satisfaction": (),
    "witness_care": (),
    "connect_gwent": (),
    "survivor_voice": (),
    "inspection": (),
    "public_outcomes": (),
    "meeting": (),  # board only: aggregates and actions, no case-level rows
    "exports": (press_buttons,),  # evidence and board packs are built on a click
    "audit": (),
    "data_management": (),
    "targets": (),  # analysts and admins: targets per measure, no case-level rows
    "admin": (),
}


def catalogue_codes(portfolio: str) -> list[str]:
    catalogue = load_catalogue()
    codes: list[str] = []
    for metric_id in catalogue.scorecard_measures(portfolio):
        codes += [c for c in catalogue.measure(metric_id).codes if c not in codes]
    return codes


@pytest.fixture(scope="module")
def matrix_db(seeded_db_url, tmp_path_factory) -> str:
    """A copy of the seeded demo database for this module: pressing buttons may write (audit rows, snapshots)."""
    source = Path(seeded_db_url.removeprefix("sqlite:///"))
    target = tmp_path_factory.mktemp("matrix") / "matrix.sqlite3"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def world(matrix_db):
    """Reference owners, record owners and table sizes of the matrix database."""
    engine = make_engine(matrix_db)
    catalogue = load_catalogue()
    owners = reference_owners(engine, catalogue)
    with engine.connect() as conn:
        records = {
            "action": dict(conn.execute(select(Action.action_id, Action.portfolio)).all()),
            "finding": dict(conn.execute(select(Recommendation.rec_id, Recommendation.portfolio)).all()),
            "feedback": dict(conn.execute(select(FeedbackItem.feedback_id, FeedbackItem.portfolio)).all()),
        }
        sizes = {
            t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar() for t in (Victim, Entitlement)
        }
    engine.dispose()
    return {"owners": owners, "records": records, "sizes": sizes, "catalogue": catalogue}


@pytest.fixture
def matrix_env(matrix_db, monkeypatch):
    """The app pointed at the matrix database in demo mode. Caches are shared across the module's tests on purpose:
    a cached result that is not keyed by the user's scope would then be served to the next user, and caught."""
    monkeypatch.setenv("DATABASE_URL", matrix_db)
    monkeypatch.setenv("VSD_COOKIE_KEY", "test-cookie-key-0123456789abcdefghijklmnop")
    monkeypatch.delenv("VSD_ENV", raising=False)
    return matrix_db


def own_and_foreign(username: str) -> tuple[str, str, list[str]]:
    """A lead's first portfolio, a code of theirs, and the foreign portfolios to ask for (the other demo lead's,
    a cohort of other victims, and all victims)."""
    own = PORTFOLIOS[username][0] if PORTFOLIOS.get(username) else "vcop"
    if username == "lead.da":
        return own, "R6_SUSPECT_UPDATE", ["witness_care", "rasso", "vcop"]
    return own, catalogue_codes(own)[0] if catalogue_codes(own) else "R8_HEARING_INFO", ["vawg_da", "rasso", "vcop"]


def hostile_params(username: str, records: dict, catalogue) -> list[tuple[str, dict[str, str]]]:
    """(name, URL parameters) probes for a user: every parameter the pages read, pointed at another portfolio."""
    own, own_code, foreign = own_and_foreign(username)
    mine = set(PORTFOLIOS.get(username, ()))
    wide = {"period": "custom", "from": "2000-01-01", "to": "2100-12-31"}

    def foreign_record(kind: str, portfolio: str) -> str:
        """A record of the asked-for portfolio when it is not the user's, else any record of another portfolio."""
        others = [(r, p) for r, p in sorted(records[kind].items()) if p and p not in mine]
        return next((r for r, p in others if p == portfolio), others[0][0])

    def probe(portfolio: str, code: str) -> dict[str, str]:
        right = str(catalogue.entitlement(code).right)
        measures = catalogue.scorecard_measures(portfolio)
        return {
            "portfolio": portfolio, "cases": "1", "code": code, "right": right, "measure": measures[0],
            "cut": "unit", "group": "", "stage": "SAT_WHOLE", "ref": "", **wide,
            "action": foreign_record("action", portfolio), "finding": foreign_record("finding", portfolio),
            "feedback": foreign_record("feedback", portfolio), "meeting": "MTG-404",
        }  # fmt: skip

    probes = [("own-portfolio-wide", probe(own, own_code))]
    foreign_code = "R8_HEARING_INFO" if own_code.startswith("R6") else "R6_SUSPECT_UPDATE"
    probes.append(("own-portfolio-foreign-code", probe(own, foreign_code)))
    for portfolio in foreign:
        codes = [c for c in catalogue_codes(portfolio) if c not in catalogue_codes(own)] or catalogue_codes(portfolio)
        probes.append((f"foreign-{portfolio}", probe(portfolio, codes[0] if codes else foreign_code)))
    probes.append(("injection", {name: INJECTION for name in PARAMETERS}))
    return probes


# Every URL parameter a page may read, and why it is covered: the probes above give each a hostile value, except
# the cut filters, which only narrow what is shown and are covered by the injection probe.
PARAMETERS: dict[str, str] = {
    "portfolio": "foreign portfolios",
    "period": "custom, widest range",
    "from": "custom, widest range",
    "to": "custom, widest range",
    "cases": "case list on",
    "code": "own and foreign entitlement codes",
    "right": "the code's right",
    "measure": "the portfolio's first scorecard measure",
    "cut": "unit",
    "group": "all groups",
    "stage": "whole experience",
    "ref": "default reference group",
    "action": "another portfolio's action",
    "finding": "another portfolio's finding",
    "feedback": "another portfolio's feedback",
    "meeting": "a meeting that does not exist",
    "item": "meeting mode's agenda item (a number; injection probe only)",
    "reasons_by": "good reasons grouped by unit or by agency (a display choice; injection probe only)",
    **{cut: "narrowing filter (injection probe only)" for cut in CUTS},
    # The read pages' filters only narrow the portfolio's own numbers and take only values found in the data.
    **{f"{FILTER_PREFIX}{column}": "page filter (injection probe only)" for column in FILTER_COLUMNS},
}


def submit_sign_in(at: AppTest, username: str) -> AppTest:
    """Sign in on the form the session shows, in English."""
    at.text_input(key="vsd_signin_username").input(username)
    at.text_input(key="vsd_signin_password").input(PASSWORD[username])
    at.button(key="vsd_signin_submit").click().run()
    assert at.session_state["authentication_status"] is True, username
    if at.radio(key="vsd_lang").value != "en":
        at.radio(key="vsd_lang").set_value("en").run()
    return at


def sign_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    if username == SIGNED_OUT:
        return at
    return submit_sign_in(at, username)


def open_url(at: AppTest, page_key: str, params: dict[str, str]) -> AppTest:
    """Open /<page_key>?params as a browser would: the page is asked for by its URL path, not through the menu."""
    # AppTest has no public way to request a URL path; a page's script hash is the hash of its url_path.
    at._page_hash = calc_hash(page_key)
    at.query_params.clear()
    at.query_params.update({k: v for k, v in params.items() if v != ""})
    return at.run()


def follow_link(username: str, page_key: str, params: dict[str, str], received) -> AppTest:
    """A fresh session opened at /<page_key>?params, as a crafted link opens in a new browser: a signed-out visitor
    gets the sign-in form there; a user signs in on it and the same run goes on to the link's page (one run fewer
    than signing in on the landing page and opening the URL after). `received` then holds what that run handed over."""
    at = AppTest.from_file(APP, default_timeout=90)
    at._page_hash = calc_hash(page_key)
    at.query_params.update({k: v for k, v in params.items() if v != ""})
    received.clear()
    at.run()
    if username == SIGNED_OUT:
        return at
    received.clear()  # what counts is what the signed-in user receives, not the form
    return submit_sign_in(at, username)


def script_that_ran(at: AppTest) -> str:
    info = at._registered_pages.get(at._finished_page_script_hash, {})
    return Path(str(info.get("script_path", ""))).resolve().relative_to(ROOT).as_posix()


def existing_pages() -> list[str]:
    return [entry.key for entry in REGISTRY if entry.file.is_file()]


def test_every_page_is_classified():
    """A new page must say how the matrix reaches everything it shows before it ships."""
    assert set(PAGE_DRIVERS) >= {entry.key for entry in REGISTRY}, "give each new page a driver in PAGE_DRIVERS"
    on_disk = {p.stem for p in (ROOT / "app_pages").glob("*.py")} - {"__init__"}
    registered = {entry.key for entry in REGISTRY} | {SIGN_IN.key}
    assert on_disk <= registered, f"pages not in ui.navigation.REGISTRY: {sorted(on_disk - registered)}"


def test_reference_owners_follow_the_catalogue(world, matrix_db):
    """The ownership the matrix judges by, checked by hand on rows of each kind (catalogue: vawg_da's cohort is
    domestic abuse and its VCOP_OVERALL pools every code; victim_care pools R1 and R3-R7; witness_care pools R8-R11
    and owns every witness; rasso's cohort is sexual offences; victims_first and vcop cover every victim)."""
    owners = world["owners"]
    assert {ref[:2] for ref in owners} == {"VC", "EN", "RF", "WI", "SM", "SR"}
    engine = make_engine(matrix_db)
    plain = (Victim.hate_crime.is_(False), Victim.offence_group != "sexual_offences")
    with engine.connect() as conn:

        def first(stmt):
            return conn.execute(stmt.limit(1)).scalar_one()

        joined = select(Entitlement.entitlement_id).join(Victim, Victim.case_id == Entitlement.case_id)
        da_r6 = first(joined.where(Entitlement.code == "R6_SUSPECT_UPDATE", Victim.domestic_abuse.is_(True), *plain))
        other_r8 = first(joined.where(Entitlement.code == "R8_HEARING_INFO", Victim.domestic_abuse.is_(False), *plain))
        da_case = first(select(Victim.case_id).where(Victim.domestic_abuse.is_(True), *plain))
        other_case = first(select(Victim.case_id).where(Victim.domestic_abuse.is_(False), *plain))
    engine.dispose()
    assert owners[da_r6] == {"vcop", "vawg_da", "victim_care", "victims_first"}
    assert owners[other_r8] == {"vcop", "witness_care", "victims_first"}
    every_victim = {"vcop", "victim_care", "witness_care", "special_measures", "connect_gwent", "victims_first"}
    assert owners[da_case] == every_victim | {"vawg_da"}
    assert owners[other_case] == every_victim


def leaked(found: dict[str, set[str]], owners: dict[str, frozenset[str]], scope: Scope) -> dict[str, list[str]]:
    """References the scope may not receive, with where each was seen."""
    if scope.all_portfolios:
        return {}
    return {
        ref: sorted(where) for ref, where in found.items() if ref in owners and not (owners[ref] & scope.portfolios)
    }


MATRIX = [(user, page) for user in USERS for page in PAGE_DRIVERS]


@pytest.mark.slow  # AppTest: one sign-in and up to seven runs of the page per row
@pytest.mark.parametrize(("username", "page_key"), MATRIX, ids=[f"{u}-{p}" for u, p in MATRIX])
def test_access_matrix(matrix_env, world, monkeypatch, username, page_key):
    entry = next((e for e in REGISTRY if e.key == page_key), None)
    if entry is None or not entry.file.is_file():
        pytest.skip(f"page {page_key} is not in the registry or has no file yet")
    received = record_received(monkeypatch)
    owners, records, catalogue = world["owners"], world["records"], world["catalogue"]
    at = sign_in(username)
    scope = None if username == SIGNED_OUT else at.session_state["vsd_scope"]
    allowed = scope is not None and scope.can_open(page_key)
    probes = [("none", {})] + hostile_params(username, records, catalogue)
    if scope is not None and scope.all_portfolios:
        # Every portfolio is theirs: nothing can leak, so only robustness is probed (the widest view, injected text).
        probes = [p for p in probes if p[0] in {"none", "own-portfolio-wide", "injection"}]

    def scan(label: str) -> dict[str, set[str]]:
        assert not at.exception, (label, [e.message for e in at.exception])
        found = references_in(element_texts(at))
        for ref, where in references_in(received.file_texts()).items():
            found.setdefault(ref, set()).update(f"file {w}" for w in where)
        return found

    for index, (label, params) in enumerate(probes):
        if index:
            # A fresh session per probe, as a crafted link opens: in the same session, widgets would keep the
            # previous probe's choices over the URL's.
            at = follow_link(username, page_key, params, received)
        else:  # signed in (or not) first, then the URL opened in the same session
            received.clear()
            open_url(at, page_key, params)
        found = scan(label)
        ran = script_that_ran(at)
        unknown = received.params_read - set(PARAMETERS)
        assert not unknown, f"{page_key} reads URL parameters the matrix does not probe: {sorted(unknown)}"
        if scope is None:
            # Signed out: the sign-in script, whatever the URL; no data, no files, no case reference at all.
            assert ran == SIGN_IN.path, (label, ran)
            assert not received.files and not received.deferred, label
            assert len(at.dataframe) == 0 and len(at.download_button) == 0, label
            assert [ti.label for ti in at.text_input] == ["Username", "Password"], label
            assert found == {}, (label, sorted(found)[:5])
            continue
        assert (ran == entry.path) is allowed, (label, ran)
        assert leaked(found, owners, scope) == {}, label
        if allowed and not scope.all_portfolios:
            for driver in PAGE_DRIVERS[page_key]:
                driver(at, lambda label=label: leaked_nothing(scan(label), owners, scope, label))
        if not received.params_read and label == "none":
            break  # a page that reads no URL parameter shows the same whatever the URL says
    sizes = world["sizes"]
    engine = make_engine(matrix_env)
    with engine.connect() as conn:
        for table in (Victim, Entitlement):  # the injected parameters changed nothing
            assert conn.execute(select(func.count()).select_from(table)).scalar() == sizes[table.__tablename__]
    engine.dispose()


def leaked_nothing(found, owners, scope, label) -> None:
    assert leaked(found, owners, scope) == {}, label


def ignore_the_cohort(monkeypatch) -> None:
    """A deliberate bug: the case list forgets the portfolio's cohort (every victim's rows of the code)."""
    monkeypatch.setattr(cases, "_cohort_conditions", lambda cohort, table=None: [])


def skip_the_code_check(monkeypatch) -> None:
    """A deliberate bug: the case list serves any code, not only those the portfolio's scorecard pools."""

    def portfolio_only(scope, portfolio_id, codes, catalogue):
        if not scope.can_see_cases(portfolio_id):
            raise cases.AccessDenied("vcop.cases.forbidden", portfolio=portfolio_id)

    monkeypatch.setattr(cases, "check_access", portfolio_only)
    monkeypatch.setattr(vcop_cases, "check_access", portfolio_only)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("username", "own_code", "break_access", "probe_code"),
    [
        ("lead.da", "R6_SUSPECT_UPDATE", ignore_the_cohort, "R6_SUSPECT_UPDATE"),
        ("lead.wcu", "R8_HEARING_INFO", skip_the_code_check, "R6_SUSPECT_UPDATE"),
    ],
    ids=["lead.da-cohort-ignored", "lead.wcu-code-check-skipped"],
)
def test_the_matrix_sees_case_rows_and_would_catch_a_leak(
    matrix_env, world, monkeypatch, username, own_code, break_access, probe_code
):
    """Not vacuous: a lead's own case list is found on the page and in its download, every reference their own; and
    with a deliberate bug in the access rules, the matrix's check reports the rows that then reach the lead."""
    received = record_received(monkeypatch)
    owners, catalogue = world["owners"], world["catalogue"]
    own = PORTFOLIOS[username][0]
    at = sign_in(username)
    scope = at.session_state["vsd_scope"]

    def case_list(code: str) -> tuple[dict, dict]:
        received.clear()
        right = str(catalogue.entitlement(code).right)
        wide = {"period": "custom", "from": "2000-01-01", "to": "2100-12-31"}  # all 36 months: dozens of rows
        open_url(at, "victims_code", {"portfolio": own, "code": code, "right": right, "cases": "1", **wide})
        assert not at.exception
        return references_in(element_texts(at)), references_in(received.file_texts())

    on_page, in_file = case_list(own_code)
    entitlements = {r for r in on_page if r.startswith("EN-")}
    assert len(entitlements) >= 10 and {r for r in in_file if r.startswith("EN-")} == entitlements
    assert leaked(on_page, owners, scope) == {} and leaked(in_file, owners, scope) == {}

    break_access(monkeypatch)
    st.cache_data.clear()
    at = sign_in(username)  # a fresh session: the last one's widgets would keep the first code chosen
    try:
        on_page, in_file = case_list(probe_code)
        assert len(leaked(on_page, owners, scope)) >= 10
        assert len(leaked(in_file, owners, scope)) >= 10
    finally:
        st.cache_data.clear()  # no entry computed under the broken rule may serve a later test
