"""The administration page: admins only; every user change goes through auth.users, is audited and reported."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from auth import passwords, users
from auth.demo import DEMO_ACCOUNTS
from auth.roles import PAGES, Scope
from config.i18n import catalogue, placeholders
from data.models import AuditLog
from tests.apptest_support import can_open, sign_in
from ui import portfolios
from ui.portfolios import catalogue_portfolios, portfolio_choices

ROOT = Path(__file__).resolve().parents[1]
APP = "../app.py"
PAGE = "app_pages/admin.py"
PASSWORD = {username: password for username, _name, password, _roles, _ports in DEMO_ACCOUNTS}
ROLES = {username: roles for username, _name, _pw, roles, _ports in DEMO_ACCOUNTS}
NEW_PASSWORD = "a long enough passphrase"


def open_admin() -> AppTest:
    at = sign_in("admin")
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def audit_events(engine, username: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        query = select(AuditLog.event, AuditLog.actor).where(AuditLog.entity_id == username).order_by(AuditLog.id)
        return [tuple(row) for row in conn.execute(query)]


def fill_add_form(at: AppTest, username: str, name: str, password: str, roles, portfolio_ids) -> AppTest:
    at.text_input(key="vsd_admin_new_username").input(username)
    at.text_input(key="vsd_admin_new_name").input(name)
    at.text_input(key="vsd_admin_new_password").input(password)
    at.multiselect(key="vsd_admin_new_roles").set_value(list(roles))
    at.multiselect(key="vsd_admin_new_portfolios").set_value(list(portfolio_ids))
    return at.button(key="vsd_admin_add_submit").click().run()


def test_only_admins_reach_the_page(app_engine):
    assert PAGES["admin"] == {"admin"}
    for username, roles in ROLES.items():
        at = sign_in(username)
        assert can_open(at, PAGE) is ("admin" in roles), username
    at = open_admin()
    assert at.title[0].value == "Administration" and not at.error
    table = at.dataframe[0].value
    assert list(table["Username"]) == sorted(ROLES)


ROLE_CASES = [
    (["lead"], False), (["board"], False), (["inspector"], False), (["analyst"], False), (["admin"], True),
    (["analyst", "admin"], True),
]  # fmt: skip


@pytest.mark.parametrize(("roles", "allowed"), ROLE_CASES)
def test_require_page_refuses_other_roles_even_when_the_file_is_run_directly(app_engine, roles, allowed):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=30)
    at.session_state["vsd_scope"] = Scope.for_user("someone", roles, ["vawg_da"])
    at.run()
    assert not at.exception
    assert ([e.value for e in at.error] == ["You do not have access to this page."]) is not allowed
    assert (len(at.text_input) > 0) is allowed


def test_users_table_shows_state_and_never_a_hash(app_engine):
    for _ in range(users.MAX_FAILED_LOGINS):
        users.record_failed_login(app_engine, "board")
    users.disable(app_engine, "inspector", actor="test")
    table = open_admin().dataframe[0].value.set_index("Username")
    assert table.loc["board", "Failed sign-ins"] == 5
    assert table.loc["board", "Locked until"] != ""
    assert table.loc["lead.da", "Locked until"] == ""
    assert table.loc["inspector", "Disabled"] == "Yes" and table.loc["board", "Disabled"] == "No"
    assert table.loc["lead.wcu", "Portfolios"] == "special_measures, witness_care"
    assert table.loc["lead.wcu", "Roles"] == "Portfolio lead"
    assert set(table["Demo account"]) == {"Yes"}
    hashes = {u.password_hash for u in users.list_users(app_engine)}
    assert not hashes & {str(v) for v in table.reset_index().to_numpy().ravel()}


def test_admin_adds_assigns_disables_enables_and_unlocks_each_audited(app_engine):
    at = fill_add_form(open_admin(), "lead.sv", "Survivor voice lead", NEW_PASSWORD, ["lead"], ["vawg_da"])
    assert [s.value for s in at.success] == ["User lead.sv was added."]
    user = users.load_user(app_engine, "lead.sv")
    assert (user.roles, user.portfolios, user.is_demo) == ({"lead"}, {"vawg_da"}, False)
    assert passwords.verify(NEW_PASSWORD, user.password_hash)
    assert at.text_input(key="vsd_admin_new_password").value == ""  # the password is not kept

    at.selectbox(key="vsd_admin_user").set_value("lead.sv").run()
    at.multiselect(key="vsd_admin_portfolios_lead.sv").set_value(["vawg_da", "witness_care"])
    at.button(key="vsd_admin_assign_submit_lead.sv").click().run()
    assert [s.value for s in at.success] == ["The roles and portfolios of lead.sv were saved."]
    assert users.load_user(app_engine, "lead.sv").portfolios == {"vawg_da", "witness_care"}

    at.button(key="vsd_admin_disable").click().run()
    assert [s.value for s in at.success] == ["lead.sv was disabled and their open sessions have ended."]
    assert users.load_user(app_engine, "lead.sv").disabled
    at.button(key="vsd_admin_enable").click().run()
    assert not users.load_user(app_engine, "lead.sv").disabled

    for _ in range(users.MAX_FAILED_LOGINS):
        users.record_failed_login(app_engine, "lead.sv")
    assert users.load_user(app_engine, "lead.sv").locked()
    at.run()
    at.button(key="vsd_admin_unlock").click().run()
    assert [s.value for s in at.success] == ["lead.sv was unlocked."]
    unlocked = users.load_user(app_engine, "lead.sv")
    assert not unlocked.locked() and unlocked.failed_logins == 0

    at.text_input(key="vsd_admin_password_lead.sv").input("another long passphrase")
    at.button(key="vsd_admin_set_password_lead.sv").click().run()
    assert passwords.verify("another long passphrase", users.load_user(app_engine, "lead.sv").password_hash)

    by_admin = [event for event, actor in audit_events(app_engine, "lead.sv") if actor == "admin"]
    assert by_admin == ["user.add", "user.assign", "user.disable", "user.enable", "user.unlock", "user.set_password"]


@pytest.mark.parametrize(
    ("username", "password", "roles", "portfolio_ids", "message"),
    [
        ("new.user", "short", ["board"], [], "The password must have at least 12 characters."),
        ("board", NEW_PASSWORD, ["board"], [], "A user named board already exists."),
        ("new.user", NEW_PASSWORD, ["lead"], [], "A portfolio lead needs at least one portfolio."),
        ("new.user", NEW_PASSWORD, [], [], "A user needs at least one role."),
        ("x", NEW_PASSWORD, ["board"], [], "A username is 2 to 64 lower-case letters, digits, '.', '_' or '-', "
                                             "starting with a letter or digit."),
    ],
)  # fmt: skip
def test_refused_additions_show_a_translated_error_and_change_nothing(
    app_engine, username, password, roles, portfolio_ids, message
):
    before = {u.username for u in users.list_users(app_engine)}
    at = fill_add_form(open_admin(), username, "Someone", password, roles, portfolio_ids)
    assert not at.exception and not at.success
    assert [e.value for e in at.error] == [message]
    assert {u.username for u in users.list_users(app_engine)} == before
    assert at.text_input(key="vsd_admin_new_password").value == ""
    assert at.text_input(key="vsd_admin_new_name").value == "Someone"  # kept, so it can be corrected


def test_welsh_error_and_success_messages(app_engine):
    at = sign_in("admin")
    at.sidebar.radio(key="vsd_lang").set_value("cy").run()
    at.switch_page(PAGE).run()
    at = fill_add_form(at, "board", "Rhywun", NEW_PASSWORD, ["board"], [])
    assert [e.value for e in at.error] == ["Mae defnyddiwr o'r enw board eisoes yn bodoli."]
    at = fill_add_form(at, "bwrdd.dau", "Aelod arall", NEW_PASSWORD, ["board"], [])
    assert [s.value for s in at.success] == ["Ychwanegwyd y defnyddiwr bwrdd.dau."]


def test_admin_cannot_disable_or_demote_themself(app_engine):
    at = open_admin()
    assert at.selectbox(key="vsd_admin_user").value == "admin"
    at.button(key="vsd_admin_disable").click().run()
    assert [e.value for e in at.error] == ["You cannot disable your own account; ask another administrator."]
    at.multiselect(key="vsd_admin_roles_admin").set_value(["analyst"])
    at.button(key="vsd_admin_assign_submit_admin").click().run()
    assert [e.value for e in at.error][0].startswith("You cannot remove the administrator role")
    admin = users.load_user(app_engine, "admin")
    assert not admin.disabled and admin.roles == {"admin"}
    assert [event for event, _ in audit_events(app_engine, "admin")] == ["user.add", "user.sign_in"]


def _error_codes() -> dict[str, set[str]]:
    """Every UserError / PasswordError code raised in auth/ (and data/users.py, which runs its statements), with the
    keyword parameters it is raised with."""
    codes: dict[str, set[str]] = {}
    for path in [*sorted((ROOT / "auth").glob("*.py")), ROOT / "data" / "users.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            name = getattr(name, "id", getattr(name, "attr", None)) if name is not None else None
            if isinstance(node, ast.Call) and name in ("UserError", "PasswordError") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.setdefault(first.value, set()).update(k.arg for k in node.keywords if k.arg)
    return codes


def test_every_auth_error_code_has_a_message_in_both_languages_with_parameters_it_gets():
    codes = _error_codes()
    assert {"user.exists", "user.not_found", "password.too_short", "password.too_long"} <= set(codes)
    for lang in ("en", "cy"):
        messages = catalogue(lang)
        missing = sorted(code for code in codes if f"admin.errors.{code}" not in messages)
        assert missing == [], lang
        unfilled = {c: p for c, p in codes.items() if not placeholders(messages[f"admin.errors.{c}"]) <= p}
        assert unfilled == {}, lang


# ---------------------------------------------------------------- portfolio choices


@pytest.fixture
def no_metrics_catalogue(monkeypatch):
    """Read the catalogue file only, whatever the metrics engine provides."""
    monkeypatch.setattr(portfolios, "_from_metrics", lambda lang: None)


CATALOGUE_YAML = """
portfolios:
  - id: vawg_da
    name: Violence against women and girls, domestic abuse
    name_cy: Trais yn erbyn menywod a merched, cam-drin domestig
  - id: witness_care
    name: Witness care
entitlements: {}
"""


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (CATALOGUE_YAML, "en", [("vawg_da", "Violence against women and girls, domestic abuse"),
                                ("witness_care", "Witness care")]),
        (CATALOGUE_YAML, "cy", [("vawg_da", "Trais yn erbyn menywod a merched, cam-drin domestig"),
                                ("witness_care", "Witness care")]),
        ("portfolios: []\n", "en", None),
        ("measures: []\n", "en", None),
        ("portfolios: [\n", "en", None),  # broken YAML: no catalogue, not a crash
        (None, "en", None),  # no file
    ],
)  # fmt: skip
def test_catalogue_portfolios_from_the_file(tmp_path, no_metrics_catalogue, text, lang, expected):
    path = tmp_path / "catalogue.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert catalogue_portfolios(lang, path) == expected


def test_choices_keep_assigned_ids_the_catalogue_lacks(tmp_path, no_metrics_catalogue):
    path = tmp_path / "catalogue.yaml"
    path.write_text(CATALOGUE_YAML, encoding="utf-8")
    choices = portfolio_choices({"special_measures", "vawg_da"}, "en", path)
    assert list(choices) == ["vawg_da", "witness_care", "special_measures"]
    assert choices["special_measures"] == "special_measures"
    assert list(portfolio_choices({"b_one", "a_two"}, "en", tmp_path / "missing.yaml")) == ["a_two", "b_one"]


def test_metrics_catalogue_is_preferred_to_the_file(tmp_path, monkeypatch):
    entry = types.SimpleNamespace(id="survivor_voice", name="Survivor voice", name_cy="Llais goroeswyr")
    monkeypatch.setattr(portfolios, "load_catalogue", lambda: types.SimpleNamespace(portfolios=[entry]))
    path = tmp_path / "catalogue.yaml"
    path.write_text(CATALOGUE_YAML, encoding="utf-8")
    assert catalogue_portfolios("cy", path) == [("survivor_voice", "Llais goroeswyr")]


@pytest.mark.parametrize(
    "change",
    [
        lambda e: users.assign(e, "admin", ["analyst"], actor="other", replace=True),
        lambda e: users.disable(e, "admin", actor="other"),
        lambda e: users.bump_session_version(e, "admin", actor="admin", event="user.sign_out"),
    ],
    ids=["demoted", "disabled", "signed-out-elsewhere"],
)
def test_a_queued_action_is_refused_when_the_admin_lost_the_right_meanwhile(app_engine, change):
    at = open_admin()
    at.selectbox(key="vsd_admin_user").set_value("board").run()
    change(app_engine)  # after the page was drawn, before the button's callback runs
    at.button(key="vsd_admin_disable").click().run()
    assert not at.exception
    assert not users.load_user(app_engine, "board").disabled
    assert "user.disable" not in [event for event, _ in audit_events(app_engine, "board")]
