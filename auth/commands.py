"""`python cli.py users ...`: add, set-password, disable, enable, assign, unlock and list users (all audited)."""

from __future__ import annotations

import getpass
import sys

import typer

from auth import users
from auth.sessions import utcnow
from data.engine import make_engine as _make_engine
from data.users import users_table_exists

users_app = typer.Typer(help="Manage users, roles and portfolio assignments.", no_args_is_help=True)

ROLE_HELP = "Role: lead, board, inspector, analyst or admin (repeat for several)."
PORTFOLIO_HELP = "Portfolio id a lead is scoped to, e.g. vawg_da (repeat for several)."


def _actor(actor: str | None) -> str:
    """Who is making the change, for the audit log: --actor, else the operating-system user."""
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def make_engine():
    """The configured database's engine, or a clear exit when its schema has not been created yet."""
    engine = _make_engine()
    if not users_table_exists(engine):
        where = engine.url.render_as_string(hide_password=True)
        typer.echo(f"error: {where} has no users table yet; run `python cli.py init-db` first", err=True)
        raise typer.Exit(2)
    return engine


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)


@users_app.command("add")
def add(
    username: str = typer.Argument(..., help="Sign-in name (lower-case letters, digits, '.', '_', '-')."),
    name: str = typer.Option(..., "--name", help="Display name."),
    role: list[str] = typer.Option(..., "--role", help=ROLE_HELP),
    portfolio: list[str] = typer.Option([], "--portfolio", help=PORTFOLIO_HELP),
    email: str | None = typer.Option(None, "--email", help="Work e-mail address (optional)."),
    language: str = typer.Option("en", "--language", help="Interface language: en or cy."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Create a user with a bcrypt-hashed password."""
    try:
        users.check_username(username)
    except users.UserError as exc:
        _fail(exc)
    password = _read_password(password_stdin)
    try:
        user = users.create_user(
            make_engine(), username, name, password, role, portfolio, _actor(actor), email=email, language=language
        )
    except users.UserError as exc:
        _fail(exc)
    typer.echo(f"added {user.username}: roles {', '.join(sorted(user.roles))}{_portfolios(user)}")


@users_app.command("set-password")
def set_password(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Replace a user's password; their existing sessions and cookies stop working."""
    password = _read_password(password_stdin)
    try:
        users.set_password(make_engine(), username, password, _actor(actor))
    except users.UserError as exc:
        _fail(exc)
    typer.echo(f"password changed for {users.normalise_username(username)}; existing sessions ended")


@users_app.command("disable")
def disable(
    username: str = typer.Argument(...),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Stop a user signing in and end their sessions."""
    try:
        users.disable(make_engine(), username, _actor(actor))
    except users.UserError as exc:
        _fail(exc)
    typer.echo(f"disabled {users.normalise_username(username)}")


@users_app.command("enable")
def enable(
    username: str = typer.Argument(...),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Let a disabled user sign in again."""
    try:
        users.enable(make_engine(), username, _actor(actor))
    except users.UserError as exc:
        _fail(exc)
    typer.echo(f"enabled {users.normalise_username(username)}")


@users_app.command("assign")
def assign(
    username: str = typer.Argument(...),
    role: list[str] = typer.Option([], "--role", help=ROLE_HELP),
    portfolio: list[str] = typer.Option([], "--portfolio", help=PORTFOLIO_HELP),
    remove: bool = typer.Option(False, "--remove", help="Remove these roles/portfolios instead of adding them."),
    replace: bool = typer.Option(False, "--replace", help="Set exactly these roles and portfolios."),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Add (default), remove or replace a user's roles and portfolio assignments."""
    if not role and not portfolio:
        _fail(ValueError("give at least one --role or --portfolio"))
    try:
        user = users.assign(make_engine(), username, role, portfolio, _actor(actor), remove=remove, replace=replace)
    except users.UserError as exc:
        _fail(exc)
    typer.echo(f"{user.username}: roles {', '.join(sorted(user.roles))}{_portfolios(user)}")


@users_app.command("unlock")
def unlock(
    username: str = typer.Argument(...),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Clear a user's failed sign-in count and lock."""
    try:
        users.unlock(make_engine(), username, _actor(actor))
    except users.UserError as exc:
        _fail(exc)
    typer.echo(f"unlocked {users.normalise_username(username)}")


@users_app.command("list")
def list_users() -> None:
    """List users with their roles, portfolios and state (never their password hashes)."""
    now = utcnow()
    rows = [("username", "name", "roles", "portfolios", "state")]
    for user in users.list_users(make_engine()):
        state = []
        if user.disabled:
            state.append("disabled")
        if user.locked(now):
            state.append(f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC")
        elif user.failed_logins:
            state.append(f"{user.failed_logins} failed sign-in(s)")
        if user.is_demo:
            state.append("demo")
        roles, ports = ",".join(sorted(user.roles)), ",".join(sorted(user.portfolios)) or "-"
        rows.append((user.username, user.display_name, roles, ports, " ".join(state) or "active"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if len(rows) == 1:
        typer.echo("(no users yet: add one with `python cli.py users add`)", err=True)


def _portfolios(user: users.UserRecord) -> str:
    return f"; portfolios {', '.join(sorted(user.portfolios))}" if user.portfolios else ""
