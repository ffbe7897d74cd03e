"""The users tables: read users, and change one under a row lock with its audit row in the same transaction.

The rules (who may be created, password policy, lockout after failed sign-ins) are in auth/users.py; every
statement they need runs here, so SQL stays in data/.

"Under a row lock" means: on PostgreSQL `SELECT ... FOR UPDATE` (other changes of the same user wait, other users
do not); on SQLite, which ignores FOR UPDATE, `BEGIN IMMEDIATE` takes the database's write lock before the row is
read. Without it two SQLite transactions read the same counter and one update is lost (issue 15: twelve parallel
sign-ins left `failed_logins` at 2).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, func, inspect, select
from sqlalchemy.orm import Session

from auth.roles import Scope
from data.audit import utcnow
from data.models import AuditLog, User, UserPortfolio, UserRole

# The columns of a user row a change may set (roles and portfolios are rows of their own tables).
CHANGEABLE = ("password_hash", "disabled", "session_version", "language", "failed_logins", "locked_until")


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


def users_table_exists(engine: Engine) -> bool:
    """True once the schema (the users table) has been created in this database."""
    return inspect(engine).has_table(User.__tablename__)


def load_user(engine: Engine, username: str) -> UserRecord | None:
    """The user with this (normalised) username, or None."""
    with Session(engine) as session:
        row = session.get(User, username)
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


def last_event_at(engine: Engine, username: str, events: Iterable[str]) -> dt.datetime | None:
    """When one of `events` was last audited for the (normalised) user; None if never."""
    with Session(engine) as session:
        return session.scalar(
            select(func.max(AuditLog.at)).where(
                AuditLog.entity_type == "user",
                AuditLog.entity_id == username,
                AuditLog.event.in_(tuple(events)),
            )
        )


def enabled_demo_usernames(engine: Engine) -> list[str]:
    """Usernames of demo accounts that could still sign in (flagged demo and not disabled), sorted."""
    query = select(User.username).where(User.is_demo.is_(True), User.disabled.is_(False)).order_by(User.username)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


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


def insert_user(
    engine: Engine,
    *,
    username: str,
    display_name: str,
    email: str | None,
    password_hash: str,
    is_demo: bool,
    language: str,
    roles: frozenset[str],
    portfolios: frozenset[str],
    actor: str,
    now: dt.datetime,
) -> UserRecord:
    """Insert a checked user with its roles and portfolios and audit it as user.add, in one transaction."""
    with Session(engine) as session, session.begin():
        if session.get(User, username) is not None:
            raise UserError("user.exists", f"a user named '{username}' already exists", username=username)
        row = User(
            username=username,
            display_name=display_name,
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


def _lock_for_writing(session: Session) -> None:
    """On SQLite, take the write lock now, before anything is read (a deferred transaction would read, then race)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _locked_row(session: Session, username: str) -> User | None:
    _lock_for_writing(session)
    return session.scalars(select(User).where(User.username == username).with_for_update()).first()


def _apply(session: Session, row: User, before: UserRecord, changes: dict[str, Any], actor: str, event: str, now,
           detail: str | None) -> UserRecord:  # fmt: skip
    """Apply `decide`'s changes to the locked row and audit the before and after state (one transaction)."""
    event = changes.pop("event", event)
    roles, portfolios = changes.pop("roles", None), changes.pop("portfolios", None)
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a user")
    for name, value in changes.items():
        setattr(row, name, value)
    if roles is not None:
        session.execute(delete(UserRole).where(UserRole.username == row.username))
    if portfolios is not None:
        session.execute(delete(UserPortfolio).where(UserPortfolio.username == row.username))
    if roles is not None:
        session.add_all(UserRole(username=row.username, role=r) for r in sorted(roles))
    if portfolios is not None:
        session.add_all(UserPortfolio(username=row.username, portfolio_id=p) for p in sorted(portfolios))
    session.flush()
    after = _record(session, row)
    _audit(session, actor, event, row.username, before.snapshot(), after.snapshot(), now, detail)
    return after


def sign_in_step(
    engine: Engine, username: str, now: dt.datetime, decide: Callable[[UserRecord | None], Mapping[str, Any] | None]
) -> UserRecord | None:
    """One sign-in attempt as one serialised step: lock, read, `decide`, record and audit, then commit.

    `decide(current)` sees the user as locked (None for an unknown username, which has no row to lock) and does the
    password check itself, so no other attempt for the user can read the counter between the check and the record.
    It returns the changes with their `event` (audited with the user as actor), or None to change nothing.
    Returns the user after the step (None when unknown).
    """
    with Session(engine) as session, session.begin():
        row = _locked_row(session, username)
        before = _record(session, row) if row is not None else None
        changes = decide(before)
        if row is None or not changes:
            return before
        return _apply(session, row, before, dict(changes), username, "user.sign_in", now, None)


def change_user(
    engine: Engine,
    username: str,
    actor: str,
    event: str,
    now: dt.datetime,
    decide: Callable[[UserRecord], Mapping[str, Any]],
    detail: str | None = None,
    missing_ok: bool = False,
) -> UserRecord | None:
    """Change one user in one transaction: lock the row, ask `decide(current)` what to change, apply, audit.

    `decide` sees the user as locked and returns the new values: any of CHANGEABLE, `roles` and `portfolios` (each
    replacing the whole set; given together, as an assignment is) and optionally `event`, the audit event when it
    depends on the outcome. It may raise (UserError) to refuse, which rolls everything back. An unknown user raises
    UserError user.not_found, or gives None when `missing_ok`.
    """
    with Session(engine) as session, session.begin():
        row = _locked_row(session, username)
        if row is None:
            if missing_ok:
                return None
            raise UserError("user.not_found", f"no user named '{username}'", username=username)
        before = _record(session, row)
        return _apply(session, row, before, dict(decide(before)), actor, event, now, detail)
