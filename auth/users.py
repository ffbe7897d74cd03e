"""Users in the database: create and manage them, count failed sign-ins, revoke sessions; every change is audited."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from auth import passwords
from auth.roles import ROLES, Scope, is_portfolio_id, unknown_roles
from auth.sessions import utcnow
from auth.settings import is_production
from data.models import AuditLog, User, UserPortfolio, UserRole

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
LANGUAGES = ("en", "cy")
# Events that end every existing session of the user; their time is when older cookies stop counting.
REVOKING_EVENTS = ("user.sign_out", "user.set_password", "user.disable", "user.revoke_sessions")

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """A user change that cannot be made; `code` and `params` let the UI translate the message."""

    def __init__(self, code: str, message: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(message)


@dataclass(frozen=True)
class UserRecord:
    """A user as the app sees it (the hash is kept out of repr and of every audit row)."""

    username: str
    display_name: str
    email: str | None
    disabled: bool
    is_demo: bool
    failed_logins: int
    locked_until: dt.datetime | None
    session_version: int
    language: str
    roles: frozenset[str]
    portfolios: frozenset[str]
    password_hash: str = field(repr=False)

    def scope(self) -> Scope:
        """What this user may see."""
        return Scope.for_user(self.username, self.roles, self.portfolios)

    def locked(self, now: dt.datetime | None = None) -> bool:
        """True while a lock set after too many failed sign-ins is running."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def snapshot(self) -> dict[str, Any]:
        """The user's state for an audit row: everything but the password hash."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "disabled": self.disabled,
            "is_demo": self.is_demo,
            "roles": sorted(self.roles),
            "portfolios": sorted(self.portfolios),
            "session_version": self.session_version,
            "language": self.language,
            "failed_logins": self.failed_logins,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


# ---------------------------------------------------------------- reading


def _record(session: Session, row: User, roles=None, portfolios=None) -> UserRecord:
    if roles is None:
        roles = session.scalars(select(UserRole.role).where(UserRole.username == row.username)).all()
    if portfolios is None:
        portfolios = session.scalars(
            select(UserPortfolio.portfolio_id).where(UserPortfolio.username == row.username)
        ).all()
    return UserRecord(
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        disabled=bool(row.disabled),
        is_demo=bool(row.is_demo),
        failed_logins=row.failed_logins or 0,
        locked_until=row.locked_until,
        session_version=row.session_version or 1,
        language=row.language or "en",
        roles=frozenset(roles),
        portfolios=frozenset(portfolios),
        password_hash=row.password_hash,
    )


def normalise_username(username: str) -> str:
    """Usernames are compared lower-case and trimmed, as streamlit-authenticator does."""
    return username.strip().lower()


def load_user(engine: Engine, username: str) -> UserRecord | None:
    """The user with this username, or None."""
    with Session(engine) as session:
        row = session.get(User, normalise_username(username))
        return _record(session, row) if row else None


def list_users(engine: Engine) -> list[UserRecord]:
    """Every user, by username."""
    with Session(engine) as session:
        rows = session.scalars(select(User).order_by(User.username)).all()
        roles: dict[str, list[str]] = {}
        for username, role in session.execute(select(UserRole.username, UserRole.role)):
            roles.setdefault(username, []).append(role)
        portfolios: dict[str, list[str]] = {}
        for username, portfolio in session.execute(select(UserPortfolio.username, UserPortfolio.portfolio_id)):
            portfolios.setdefault(username, []).append(portfolio)
        return [_record(session, row, roles.get(row.username, []), portfolios.get(row.username, [])) for row in rows]


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
    with Session(engine) as session:
        return session.scalar(
            select(func.max(AuditLog.at)).where(
                AuditLog.entity_type == "user",
                AuditLog.entity_id == normalise_username(username),
                AuditLog.event.in_(REVOKING_EVENTS),
            )
        )


# ---------------------------------------------------------------- changing


def _audit(session: Session, actor: str, event: str, username: str, before, after, now, detail=None) -> None:
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            event=event,
            entity_type="user",
            entity_id=username,
            before_json=json.dumps(before, sort_keys=True) if before is not None else None,
            after_json=json.dumps(after, sort_keys=True) if after is not None else None,
            detail=detail,
        )
    )


def _locked_row(session: Session, username: str) -> User:
    row = session.scalars(select(User).where(User.username == username).with_for_update()).first()
    if row is None:
        raise UserError("user.not_found", f"no user named '{username}'", username=username)
    return row


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
    with Session(engine) as session, session.begin():
        if session.get(User, username) is not None:
            raise UserError("user.exists", f"a user named '{username}' already exists", username=username)
        row = User(
            username=username,
            display_name=display_name.strip(),
            email=email,
            password_hash=password_hash,
            disabled=False,
            is_demo=is_demo,
            failed_logins=0,
            session_version=1,
            language=language,
            created_at=now,
        )
        session.add(row)
        session.add_all(UserRole(username=username, role=r) for r in sorted(roles))
        session.add_all(UserPortfolio(username=username, portfolio_id=p) for p in sorted(portfolios))
        session.flush()
        record = _record(session, row)
        _audit(session, actor, "user.add", username, None, record.snapshot(), now)
    return record


def _change(engine: Engine, username: str, actor: str, event: str, now: dt.datetime | None, apply, detail=None):
    """Apply `apply(session, row)` to a locked user row and audit the before/after state in one transaction."""
    now = now or utcnow()
    username = normalise_username(username)
    with Session(engine) as session, session.begin():
        row = _locked_row(session, username)
        before = _record(session, row)
        apply(session, row)
        session.flush()
        after = _record(session, row)
        _audit(session, actor, event, username, before.snapshot(), after.snapshot(), now, detail)
    return after


def set_password(engine: Engine, username: str, password: str, actor: str, now: dt.datetime | None = None) -> int:
    """Replace the password and end the user's sessions everywhere; returns the new session version."""
    try:
        password_hash = passwords.hash_password(password)
    except passwords.PasswordError as exc:
        raise _password_error(exc) from None

    def apply(_session, row):
        row.password_hash = password_hash
        row.session_version = (row.session_version or 1) + 1

    return _change(engine, username, actor, "user.set_password", now, apply, "password changed").session_version


def disable(engine: Engine, username: str, actor: str, now: dt.datetime | None = None) -> UserRecord:
    """Stop the user signing in and end their sessions."""

    def apply(_session, row):
        row.disabled = True
        row.session_version = (row.session_version or 1) + 1

    return _change(engine, username, actor, "user.disable", now, apply)


def enable(engine: Engine, username: str, actor: str, now: dt.datetime | None = None) -> UserRecord:
    """Let a disabled user sign in again."""

    def apply(_session, row):
        row.disabled = False

    return _change(engine, username, actor, "user.enable", now, apply)


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

    def apply(session, row):
        current = _record(session, row)
        if replace:
            new_roles, new_portfolios = roles, portfolios
        elif remove:
            new_roles, new_portfolios = current.roles - roles, current.portfolios - portfolios
        else:
            new_roles, new_portfolios = current.roles | roles, current.portfolios | portfolios
        _check_assignment(new_roles, new_portfolios)
        session.execute(delete(UserRole).where(UserRole.username == row.username))
        session.execute(delete(UserPortfolio).where(UserPortfolio.username == row.username))
        session.add_all(UserRole(username=row.username, role=r) for r in sorted(new_roles))
        session.add_all(UserPortfolio(username=row.username, portfolio_id=p) for p in sorted(new_portfolios))

    return _change(engine, username, actor, "user.assign", now, apply)


def set_language(engine: Engine, username: str, language: str, now: dt.datetime | None = None) -> UserRecord:
    """Remember the user's interface language (set by the user themself)."""
    if language not in LANGUAGES:
        raise UserError("user.bad_language", f"language must be one of {', '.join(LANGUAGES)}")

    def apply(_session, row):
        row.language = language

    return _change(engine, username, normalise_username(username), "user.language", now, apply)


def unlock(engine: Engine, username: str, actor: str, now: dt.datetime | None = None) -> UserRecord:
    """Clear the failed sign-in count and any lock."""

    def apply(_session, row):
        row.failed_logins = 0
        row.locked_until = None

    return _change(engine, username, actor, "user.unlock", now, apply)


def bump_session_version(
    engine: Engine, username: str, actor: str, event: str = "user.revoke_sessions", now: dt.datetime | None = None
) -> int:
    """End every session and cookie of the user (sign-out uses event user.sign_out); returns the new version."""
    if event not in REVOKING_EVENTS:
        raise ValueError(f"{event} does not revoke sessions")

    def apply(_session, row):
        row.session_version = (row.session_version or 1) + 1

    return _change(engine, username, actor, event, now, apply).session_version


# ---------------------------------------------------------------- sign-in bookkeeping


def is_locked(engine: Engine, username: str, now: dt.datetime | None = None) -> bool:
    """True while the user is locked out after too many failed sign-ins."""
    user = load_user(engine, username)
    return user is not None and user.locked(now)


def record_failed_login(engine: Engine, username: str, now: dt.datetime | None = None) -> UserRecord | None:
    """Count a failed sign-in; the fifth in a row locks the account for 15 minutes. None for unknown users."""
    now = now or utcnow()
    username = normalise_username(username)
    with Session(engine) as session, session.begin():
        row = session.scalars(select(User).where(User.username == username).with_for_update()).first()
        if row is None:
            return None
        before = _record(session, row)
        if row.locked_until is not None and row.locked_until <= now:
            # The lock ran out: the next failure starts a new count rather than re-locking at once.
            row.failed_logins, row.locked_until = 0, None
        row.failed_logins = (row.failed_logins or 0) + 1
        event = "user.sign_in_failed"
        if row.failed_logins >= MAX_FAILED_LOGINS and (row.locked_until is None or row.locked_until <= now):
            row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            event = "user.locked"
        session.flush()
        after = _record(session, row)
        _audit(session, username, event, username, before.snapshot(), after.snapshot(), now)
    return after


def record_success(engine: Engine, username: str, now: dt.datetime | None = None) -> UserRecord:
    """Reset the failed sign-in count after a successful sign-in (audited as user.sign_in)."""

    def apply(_session, row):
        row.failed_logins = 0
        row.locked_until = None

    return _change(engine, username, normalise_username(username), "user.sign_in", now, apply)


def ensure_demo_users(engine: Engine) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Create the demo accounts that are missing (one per role, two leads); refused when VSD_ENV=production."""
    from auth.demo import ensure_demo_users as ensure  # auth.demo builds on this module

    return ensure(engine)
