"""Users in the database: create and manage them, count failed sign-ins, revoke sessions; every change is audited."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine

from auth import passwords
from auth.demo import DEMO_ACCOUNTS, demo_accounts
from auth.roles import ROLES, is_portfolio_id, unknown_roles
from auth.sessions import utcnow
from auth.settings import is_production
from data import users as store
from data.users import UserError, UserRecord

__all__ = ["UserError", "UserRecord"]  # defined beside the tables (data/users.py), used by every caller from here

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
LANGUAGES = ("en", "cy")
# Events that end every existing session of the user; their time is when older cookies stop counting.
REVOKING_EVENTS = ("user.sign_out", "user.set_password", "user.disable", "user.revoke_sessions")

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- reading


def normalise_username(username: str) -> str:
    """Usernames are compared lower-case and trimmed, as streamlit-authenticator does."""
    return username.strip().lower()


def load_user(engine: Engine, username: str) -> UserRecord | None:
    """The user with this username, or None."""
    return store.load_user(engine, normalise_username(username))


def list_users(engine: Engine) -> list[UserRecord]:
    """Every user, by username."""
    return store.list_users(engine)


def may_sign_in(user: UserRecord, production: bool | None = None) -> bool:
    """False for disabled users, and for demo users in production."""
    production = is_production() if production is None else production
    return not user.disabled and not (production and user.is_demo)


def credentials(engine: Engine, production: bool | None = None) -> dict[str, Any]:
    """The credentials dict streamlit-authenticator takes (pre-hashed), holding only users allowed to sign in."""
    usernames: dict[str, Any] = {}
    for user in list_users(engine):
        if may_sign_in(user, production):
            usernames[user.username] = {
                "name": user.display_name,
                "email": user.email,
                "password": user.password_hash,
                "roles": sorted(user.roles),
            }
    return {"usernames": usernames}


def sessions_revoked_at(engine: Engine, username: str) -> dt.datetime | None:
    """When the user's sessions were last ended (sign-out, password change, disable); None if never."""
    return store.last_event_at(engine, normalise_username(username), REVOKING_EVENTS)


# ---------------------------------------------------------------- changing


def _check_assignment(roles: frozenset[str], portfolios: frozenset[str]) -> None:
    unknown = unknown_roles(roles)
    if unknown:
        raise UserError("user.unknown_role", f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    bad = sorted(p for p in portfolios if not is_portfolio_id(p))
    if bad:
        raise UserError("user.bad_portfolio", f"'{bad[0]}' is not a portfolio id (lower-case letters, digits, _)")
    if not roles:
        raise UserError("user.no_role", "a user needs at least one role")
    if "lead" in roles and not portfolios:
        raise UserError("user.lead_without_portfolio", "a lead needs at least one portfolio (--portfolio)")


def _password_error(exc: passwords.PasswordError) -> UserError:
    return UserError(exc.code, str(exc), **exc.params)


def check_username(username: str) -> str:
    """The normalised username, or UserError when it is not a valid one."""
    username = normalise_username(username)
    if not _USERNAME.match(username):
        raise UserError("user.bad_username", "usernames are 2-64 of a-z, 0-9, '.', '_', '-', starting alphanumeric")
    return username


def create_user(
    engine: Engine,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    portfolios: Iterable[str],
    actor: str,
    is_demo: bool = False,
    email: str | None = None,
    language: str = "en",
    now: dt.datetime | None = None,
) -> UserRecord:
    """Create a user with a bcrypt-hashed password, roles and portfolio assignments (audited as user.add)."""
    now = now or utcnow()
    username = check_username(username)
    if is_demo and is_production():
        raise UserError("user.demo_in_production", "demo users cannot be created when VSD_ENV=production")
    if not display_name.strip():
        raise UserError("user.no_name", "a display name is needed (--name)")
    if language not in LANGUAGES:
        raise UserError("user.bad_language", f"language must be one of {', '.join(LANGUAGES)}")
    roles, portfolios = frozenset(roles), frozenset(portfolios)
    _check_assignment(roles, portfolios)
    try:
        password_hash = passwords.hash_password(password)
    except passwords.PasswordError as exc:
        raise _password_error(exc) from None
    return store.insert_user(
        engine,
        username=username,
        display_name=display_name.strip(),
        email=email,
        password_hash=password_hash,
        is_demo=is_demo,
        language=language,
        roles=roles,
        portfolios=portfolios,
        actor=actor,
        now=now,
    )


def _change(engine: Engine, username: str, actor: str, event: str, now: dt.datetime | None, decide, detail=None):
    """Change the locked user row as `decide(current)` says and audit the before/after state in one transaction."""
    now = now or utcnow()
    username = normalise_username(username)
    return store.change_user(engine, username, actor, event, now, decide, detail)


def set_password(engine: Engine, username: str, password: str, actor: str, now: dt.datetime | None = None) -> int:
    """Replace the password and end the user's sessions everywhere; returns the new session version."""
    try:
        password_hash = passwords.hash_password(password)
    except passwords.PasswordError as exc:
        raise _password_error(exc) from None

    def decide(current: UserRecord) -> dict[str, Any]:
        return {"password_hash": password_hash, "session_version": current.session_version + 1}

    return _change(engine, username, actor, "user.set_password", now, decide, "password changed").session_version


def disable(engine: Engine, username: str, actor: str, now: dt.datetime | None = None) -> UserRecord:
    """Stop the user signing in and end their sessions."""

    def decide(current: UserRecord) -> dict[str, Any]:
        return {"disabled": True, "session_version": current.session_version + 1}

    return _change(engine, username, actor, "user.disable", now, decide)


def enable(engine: Engine, username: str, actor: str, now: dt.datetime | None = None) -> UserRecord:
    """Let a disabled user sign in again."""
    return _change(engine, username, actor, "user.enable", now, lambda _current: {"disabled": False})


def assign(
    engine: Engine,
    username: str,
    roles: Iterable[str] = (),
    portfolios: Iterable[str] = (),
    actor: str = "system",
    remove: bool = False,
    replace: bool = False,
    now: dt.datetime | None = None,
) -> UserRecord:
    """Add (default), remove, or replace the user's roles and portfolios; a lead must keep a portfolio."""
    roles, portfolios = frozenset(roles), frozenset(portfolios)
    if replace and remove:
        raise UserError("user.bad_assign", "choose either remove or replace")

    def decide(current: UserRecord) -> dict[str, Any]:
        if replace:
            new_roles, new_portfolios = roles, portfolios
        elif remove:
            new_roles, new_portfolios = current.roles - roles, current.portfolios - portfolios
        else:
            new_roles, new_portfolios = current.roles | roles, current.portfolios | portfolios
        _check_assignment(new_roles, new_portfolios)
        return {"roles": new_roles, "portfolios": new_portfolios}

    return _change(engine, username, actor, "user.assign", now, decide)


def set_language(engine: Engine, username: str, language: str, now: dt.datetime | None = None) -> UserRecord:
    """Remember the user's interface language (set by the user themself)."""
    if language not in LANGUAGES:
        raise UserError("user.bad_language", f"language must be one of {', '.join(LANGUAGES)}")

    return _change(
        engine, username, normalise_username(username), "user.language", now, lambda _c: {"language": language}
    )


def unlock(engine: Engine, username: str, actor: str, now: dt.datetime | None = None) -> UserRecord:
    """Clear the failed sign-in count and any lock."""
    return _change(engine, username, actor, "user.unlock", now, _clear_failures)


def bump_session_version(
    engine: Engine, username: str, actor: str, event: str = "user.revoke_sessions", now: dt.datetime | None = None
) -> int:
    """End every session and cookie of the user (sign-out uses event user.sign_out); returns the new version."""
    if event not in REVOKING_EVENTS:
        raise ValueError(f"{event} does not revoke sessions")

    def decide(current: UserRecord) -> dict[str, Any]:
        return {"session_version": current.session_version + 1}

    return _change(engine, username, actor, event, now, decide).session_version


# ---------------------------------------------------------------- sign-in bookkeeping


def _clear_failures(_current: UserRecord) -> dict[str, Any]:
    return {"failed_logins": 0, "locked_until": None}


def is_locked(engine: Engine, username: str, now: dt.datetime | None = None) -> bool:
    """True while the user is locked out after too many failed sign-ins."""
    user = load_user(engine, username)
    return user is not None and user.locked(now)


def _failure(current: UserRecord, now: dt.datetime) -> dict[str, Any]:
    """The counter after one more failed sign-in; the fifth in a row locks the account for 15 minutes."""
    failed_logins, locked_until = current.failed_logins, current.locked_until
    if locked_until is not None and locked_until <= now:
        # The lock ran out: the next failure starts a new count rather than re-locking at once.
        failed_logins, locked_until = 0, None
    failed_logins += 1
    event = "user.sign_in_failed"
    if failed_logins >= MAX_FAILED_LOGINS and (locked_until is None or locked_until <= now):
        locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        event = "user.locked"
    return {"failed_logins": failed_logins, "locked_until": locked_until, "event": event}


def record_failed_login(engine: Engine, username: str, now: dt.datetime | None = None) -> UserRecord | None:
    """Count a failed sign-in; the fifth in a row locks the account for 15 minutes. None for unknown users."""
    now = now or utcnow()
    username = normalise_username(username)
    return store.change_user(
        engine, username, username, "user.sign_in_failed", now, lambda current: _failure(current, now), missing_ok=True
    )


def attempt_sign_in(
    engine: Engine, username: str, password: str, production: bool | None = None, now: dt.datetime | None = None
) -> UserRecord | None:
    """Check a password as one serialised step per username; the signed-in user, or None for every refusal.

    The lock check, the bcrypt check and the failure record happen under one lock (data.users.sign_in_step), so
    parallel attempts are checked one after another: the fifth failure in a row locks the account and every later
    attempt, right password or not, is refused without being counted, until the lock runs out or an admin unlocks.
    Every refusal (unknown, disabled, demo in production, locked, wrong password) does exactly one bcrypt check at
    the configured cost and returns the same None, so neither the answer nor its time tells whether a username
    exists or is locked.
    """
    now = now or utcnow()
    outcome = "refused: unknown username"

    def decide(current: UserRecord | None) -> dict[str, Any] | None:
        nonlocal outcome
        if current is None:
            passwords.spend_time_like_a_check(password)  # a stand-in hash of the configured cost
            return None  # nothing to count
        if not may_sign_in(current, production) or current.locked(now):
            passwords.verify(password, current.password_hash)  # the work of a wrong password; the result is ignored
            outcome = "refused: account locked" if current.locked(now) else "refused: account may not sign in"
            return None  # disabled accounts are not counted, and a lock is not extended
        if not passwords.verify(password, current.password_hash):
            failure = _failure(current, now)
            outcome = (
                "refused: wrong password, account now locked"
                if failure["event"] == "user.locked"
                else (f"refused: wrong password ({failure['failed_logins']} in a row)")
            )
            return failure
        outcome = "signed in"
        return {**_clear_failures(current), "event": "user.sign_in"}

    name = normalise_username(username)
    after = store.sign_in_step(engine, name, now, decide)
    # The page answers every refusal alike (nothing tells usernames apart); the operator's log says which it was.
    (log.info if outcome == "signed in" else log.warning)("sign-in attempt for %s: %s", name, outcome)
    return after if outcome == "signed in" else None


def record_success(engine: Engine, username: str, now: dt.datetime | None = None) -> UserRecord:
    """Reset the failed sign-in count after a successful sign-in (audited as user.sign_in)."""
    return _change(engine, username, normalise_username(username), "user.sign_in", now, _clear_failures)


def ensure_demo_users(engine: Engine) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Create the demo accounts that are missing (one per role, two leads); refused when VSD_ENV=production.

    Returns (username, password, roles, portfolios) of every demo account present.
    """
    if is_production():
        raise UserError("user.demo_in_production", "demo users are never created when VSD_ENV=production")
    existing = {user.username for user in list_users(engine)}
    for username, name, password, roles, portfolios in DEMO_ACCOUNTS:
        if username not in existing:
            create_user(engine, username, name, password, roles, portfolios, actor="bootstrap", is_demo=True)
    return demo_accounts(engine)
