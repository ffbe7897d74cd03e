"""Users in the database (SQLite and PostgreSQL): creation, passwords, lockout, sessions, assignments, audit."""

from __future__ import annotations

import datetime as dt
import json

import bcrypt
import pytest
from sqlalchemy import select

from auth import passwords, users
from auth.demo import DEMO_ACCOUNTS, demo_accounts
from auth.sessions import cookie_is_current, epoch
from auth.users import UserError
from data.models import AuditLog

T0 = dt.datetime(2025, 3, 10, 9, 0, 0)
PW = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Cheap bcrypt for tests; the cost is stored in each hash, so verification follows it."""
    monkeypatch.setattr(passwords, "ROUNDS", 4)
    monkeypatch.delenv("VSD_ENV", raising=False)


def audit_rows(engine, username=None):
    with engine.connect() as conn:
        query = select(AuditLog).order_by(AuditLog.id)
        if username:
            query = query.where(AuditLog.entity_id == username)
        return conn.execute(query).all()


def add_lead(engine, username="jo.bloggs", portfolios=("vawg_da",), **kwargs):
    return users.create_user(engine, username, "Jo Bloggs", PW, ["lead"], portfolios, actor="admin", **kwargs)


def test_create_user_stores_a_bcrypt_hash_roles_and_portfolios(engine):
    created = users.create_user(
        engine, " Jo.Bloggs ", "Jo Bloggs", PW, ["lead", "board"], ["vawg_da", "rasso"], actor="admin", now=T0
    )
    loaded = users.load_user(engine, "jo.bloggs")
    assert loaded == created
    assert loaded.username == "jo.bloggs"
    assert loaded.roles == {"lead", "board"} and loaded.portfolios == {"vawg_da", "rasso"}
    assert loaded.session_version == 1 and loaded.failed_logins == 0 and not loaded.disabled
    assert loaded.password_hash.startswith("$2b$") and PW not in loaded.password_hash
    assert bcrypt.checkpw(PW.encode(), loaded.password_hash.encode())
    assert not bcrypt.checkpw(b"wrong password!", loaded.password_hash.encode())
    assert "password_hash" not in repr(loaded)
    scope = loaded.scope()
    assert scope.can_see_cases("rasso") and scope.all_portfolios  # board sees everything


BAD_INPUT = [
    ({"roles": ["lead"], "portfolios": []}, "user.lead_without_portfolio"),
    ({"roles": ["root"]}, "user.unknown_role"),
    ({"roles": []}, "user.no_role"),
    ({"portfolios": ["VAWG DA"]}, "user.bad_portfolio"),
    ({"username": "a"}, "user.bad_username"),
    ({"username": "jo bloggs"}, "user.bad_username"),
    ({"password": "short"}, "password.too_short"),
    ({"password": "é" * 37}, "password.too_long"),  # 37 characters but 74 bytes
    ({"password": " leading space ok?"}, "password.whitespace"),
    ({"display_name": "  "}, "user.no_name"),
    ({"language": "fr"}, "user.bad_language"),
]


def test_create_user_refuses_bad_input(engine):
    for change, code in BAD_INPUT:
        args = {
            "username": "jo.bloggs",
            "display_name": "Jo",
            "password": PW,
            "roles": ["lead"],
            "portfolios": ["vawg_da"],
            "language": "en",
        } | change
        with pytest.raises(UserError) as info:
            users.create_user(engine, actor="admin", **args)
        assert info.value.code == code, change
    assert users.load_user(engine, "jo.bloggs") is None
    assert audit_rows(engine) == []


def test_72_bytes_is_the_limit_not_72_characters(engine):
    add_lead(engine)
    users.set_password(engine, "jo.bloggs", "é" * 36, actor="admin")  # exactly 72 bytes
    assert passwords.verify("é" * 36, users.load_user(engine, "jo.bloggs").password_hash)
    with pytest.raises(UserError) as info:
        users.set_password(engine, "jo.bloggs", "x" * 73, actor="admin")
    assert info.value.code == "password.too_long" and info.value.params["length"] == 73
    assert not passwords.verify("x" * 73, users.load_user(engine, "jo.bloggs").password_hash)


def test_duplicate_username_is_refused(engine):
    add_lead(engine)
    with pytest.raises(UserError) as info:
        add_lead(engine, username="JO.BLOGGS")
    assert info.value.code == "user.exists"


def test_set_password_replaces_hash_and_ends_sessions(engine):
    add_lead(engine)
    version = users.set_password(engine, "jo.bloggs", "a new passphrase", actor="admin", now=T0)
    user = users.load_user(engine, "jo.bloggs")
    assert version == 2 == user.session_version
    assert passwords.verify("a new passphrase", user.password_hash)
    assert not passwords.verify(PW, user.password_hash)
    assert users.sessions_revoked_at(engine, "jo.bloggs") == T0


def test_lockout_after_five_failures_for_fifteen_minutes(engine):
    add_lead(engine)
    for attempt in range(1, 5):
        user = users.record_failed_login(engine, "jo.bloggs", now=T0 + dt.timedelta(seconds=attempt))
        assert user.failed_logins == attempt and not user.locked(T0 + dt.timedelta(seconds=attempt))
    fifth = T0 + dt.timedelta(seconds=5)
    user = users.record_failed_login(engine, "jo.bloggs", now=fifth)
    assert user.failed_logins == 5
    assert user.locked_until == fifth + dt.timedelta(minutes=15)
    assert users.is_locked(engine, "jo.bloggs", now=fifth + dt.timedelta(minutes=14, seconds=59))
    assert not users.is_locked(engine, "jo.bloggs", now=fifth + dt.timedelta(minutes=15))
    # A failure during the lock keeps the lock where it was.
    during = users.record_failed_login(engine, "jo.bloggs", now=fifth + dt.timedelta(minutes=1))
    assert during.locked_until == fifth + dt.timedelta(minutes=15) and during.failed_logins == 6
    # After the lock runs out, counting starts again rather than re-locking at once.
    after = users.record_failed_login(engine, "jo.bloggs", now=fifth + dt.timedelta(minutes=16))
    assert after.failed_logins == 1 and after.locked_until is None
    events = [row.event for row in audit_rows(engine, "jo.bloggs")]
    assert events == ["user.add"] + ["user.sign_in_failed"] * 4 + ["user.locked"] + ["user.sign_in_failed"] * 2


def test_success_resets_the_count_and_unlock_clears_a_lock(engine):
    add_lead(engine)
    for i in range(3):
        users.record_failed_login(engine, "jo.bloggs", now=T0 + dt.timedelta(seconds=i))
    assert users.record_success(engine, "jo.bloggs", now=T0).failed_logins == 0
    for i in range(5):
        users.record_failed_login(engine, "jo.bloggs", now=T0 + dt.timedelta(seconds=i))
    assert users.is_locked(engine, "jo.bloggs", now=T0 + dt.timedelta(minutes=1))
    unlocked = users.unlock(engine, "jo.bloggs", actor="admin", now=T0 + dt.timedelta(minutes=1))
    assert unlocked.failed_logins == 0 and unlocked.locked_until is None
    assert not users.is_locked(engine, "jo.bloggs", now=T0 + dt.timedelta(minutes=1))


def test_unknown_user_failures_are_not_recorded(engine):
    assert users.record_failed_login(engine, "nobody", now=T0) is None
    assert not users.is_locked(engine, "nobody", now=T0)
    assert audit_rows(engine) == []


def test_disable_stops_sign_in_and_enable_restores_it(engine):
    add_lead(engine)
    disabled = users.disable(engine, "jo.bloggs", actor="admin", now=T0)
    assert disabled.disabled and disabled.session_version == 2
    assert not users.may_sign_in(disabled, production=False)
    assert "jo.bloggs" not in users.credentials(engine, production=False)["usernames"]
    assert users.sessions_revoked_at(engine, "jo.bloggs") == T0
    users.enable(engine, "jo.bloggs", actor="admin")
    assert "jo.bloggs" in users.credentials(engine, production=False)["usernames"]


def test_sign_out_revokes_cookies_issued_before_it(engine):
    add_lead(engine)
    issued = {"username": "jo.bloggs", "exp_date": epoch(T0) + 8 * 3600}
    assert cookie_is_current(issued, "jo.bloggs", users.sessions_revoked_at(engine, "jo.bloggs"), 8, T0)
    signed_out = T0 + dt.timedelta(minutes=10)
    version = users.bump_session_version(engine, "jo.bloggs", actor="jo.bloggs", event="user.sign_out", now=signed_out)
    assert version == 2 == users.load_user(engine, "jo.bloggs").session_version
    revoked = users.sessions_revoked_at(engine, "jo.bloggs")
    assert revoked == signed_out
    later = T0 + dt.timedelta(minutes=20)
    assert not cookie_is_current(issued, "jo.bloggs", revoked, 8, later)
    reissued = {"username": "jo.bloggs", "exp_date": epoch(later) + 8 * 3600}
    assert cookie_is_current(reissued, "jo.bloggs", revoked, 8, later + dt.timedelta(seconds=1))
    with pytest.raises(ValueError):
        users.bump_session_version(engine, "jo.bloggs", actor="x", event="user.assign")


ASSIGNMENTS = [
    ({"roles": ["board"]}, {"lead", "board"}, {"vawg_da"}),
    ({"portfolios": ["rasso"]}, {"lead", "board"}, {"vawg_da", "rasso"}),
    ({"roles": ["analyst"], "replace": True}, {"analyst"}, set()),
    ({"roles": ["admin"], "portfolios": ["rasso"], "replace": True}, {"admin"}, {"rasso"}),
    ({"roles": ["lead"], "portfolios": ["rasso"]}, {"admin", "lead"}, {"rasso"}),
]


def test_assign_adds_removes_and_replaces_in_turn(engine):
    add_lead(engine)
    for change, roles, portfolios in ASSIGNMENTS:
        user = users.assign(engine, "jo.bloggs", actor="admin", **change)
        assert (user.roles, user.portfolios) == (roles, portfolios), change
        assert users.load_user(engine, "jo.bloggs") == user


def test_assign_keeps_a_lead_scoped(engine):
    add_lead(engine)
    with pytest.raises(UserError) as info:
        users.assign(engine, "jo.bloggs", portfolios=["vawg_da"], actor="admin", remove=True)
    assert info.value.code == "user.lead_without_portfolio"
    assert users.load_user(engine, "jo.bloggs").portfolios == {"vawg_da"}  # nothing half-changed
    users.assign(engine, "jo.bloggs", roles=["board"], actor="admin")
    user = users.assign(engine, "jo.bloggs", roles=["lead"], portfolios=["vawg_da"], actor="admin", remove=True)
    assert (user.roles, user.portfolios) == ({"board"}, set())
    with pytest.raises(UserError):
        users.assign(engine, "nobody", roles=["board"], actor="admin")


def test_every_change_is_audited_without_the_hash(engine):
    add_lead(engine)
    users.set_password(engine, "jo.bloggs", "another passphrase", actor="admin")
    users.assign(engine, "jo.bloggs", roles=["board"], actor="admin")
    users.set_language(engine, "jo.bloggs", "cy")
    users.record_failed_login(engine, "jo.bloggs")
    users.record_success(engine, "jo.bloggs")
    users.bump_session_version(engine, "jo.bloggs", actor="jo.bloggs", event="user.sign_out")
    users.disable(engine, "jo.bloggs", actor="admin")
    users.enable(engine, "jo.bloggs", actor="admin")
    users.unlock(engine, "jo.bloggs", actor="admin")
    rows = audit_rows(engine, "jo.bloggs")
    assert [(r.actor, r.event) for r in rows] == [
        ("admin", "user.add"),
        ("admin", "user.set_password"),
        ("admin", "user.assign"),
        ("jo.bloggs", "user.language"),
        ("jo.bloggs", "user.sign_in_failed"),
        ("jo.bloggs", "user.sign_in"),
        ("jo.bloggs", "user.sign_out"),
        ("admin", "user.disable"),
        ("admin", "user.enable"),
        ("admin", "user.unlock"),
    ]
    hashes = {users.load_user(engine, "jo.bloggs").password_hash}
    for row in rows:
        for text in (row.before_json, row.after_json, row.detail):
            assert text is None or ("$2b$" not in text and "password_hash" not in text and PW not in text)
        assert row.entity_type == "user" and row.entity_id == "jo.bloggs"
        assert not hashes & {row.before_json, row.after_json}
    assign = rows[2]
    assert json.loads(assign.before_json)["roles"] == ["lead"]
    assert json.loads(assign.after_json)["roles"] == ["board", "lead"]
    assert rows[0].before_json is None and json.loads(rows[0].after_json)["portfolios"] == ["vawg_da"]


def test_ensure_demo_users_is_idempotent(engine):
    first = users.ensure_demo_users(engine)
    second = users.ensure_demo_users(engine)
    assert first == second
    assert [a[0] for a in first] == ["lead.da", "lead.wcu", "board", "inspector", "analyst", "admin"]
    assert len([r for r in audit_rows(engine) if r.event == "user.add"]) == len(DEMO_ACCOUNTS)
    for username, password, roles, portfolios in first:
        user = users.load_user(engine, username)
        assert user.is_demo and user.roles == set(roles) and user.portfolios == set(portfolios)
        assert passwords.verify(password, user.password_hash)
    assert users.load_user(engine, "lead.wcu").portfolios == {"witness_care", "special_measures"}
    assert {role for a in first for role in a[2]} == {"lead", "board", "inspector", "analyst", "admin"}


def test_ensure_demo_users_leaves_a_real_user_of_the_same_name_alone(engine):
    users.create_user(engine, "admin", "Real Admin", PW, ["admin"], [], actor="ops")
    accounts = users.ensure_demo_users(engine)
    assert "admin" not in [a[0] for a in accounts]
    assert not users.load_user(engine, "admin").is_demo


def test_production_never_creates_or_accepts_demo_users(engine, monkeypatch):
    users.ensure_demo_users(engine)
    add_lead(engine)
    monkeypatch.setenv("VSD_ENV", "production")
    with pytest.raises(UserError) as info:
        users.ensure_demo_users(engine)
    assert info.value.code == "user.demo_in_production"
    with pytest.raises(UserError):
        users.create_user(engine, "demo.two", "Demo", PW, ["board"], [], actor="x", is_demo=True)
    assert list(users.credentials(engine)["usernames"]) == ["jo.bloggs"]
    assert not users.may_sign_in(users.load_user(engine, "board"))
    assert demo_accounts(engine) == []
    monkeypatch.delenv("VSD_ENV")
    assert len(users.credentials(engine)["usernames"]) == 7


def test_credentials_are_in_the_library_format(engine):
    add_lead(engine)
    creds = users.credentials(engine, production=False)
    entry = creds["usernames"]["jo.bloggs"]
    assert entry["name"] == "Jo Bloggs" and entry["roles"] == ["lead"]
    assert entry["password"] == users.load_user(engine, "jo.bloggs").password_hash
