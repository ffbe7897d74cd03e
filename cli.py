"""The command line: init-db, bootstrap, demo, import, import-policeuk, metrics, users, export, verify-pack."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from data.engine import database_url, make_engine

app = typer.Typer(help="Victim Services Performance Dashboard — command line.", no_args_is_help=True)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """Parse an ISO date option, exiting with a clear message when it is not one."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{option}: '{value}' is not a date in the form YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


@app.command("init-db")
def init_db() -> None:
    """Create or migrate the database named by DATABASE_URL (default: the embedded SQLite file)."""
    from data.migrate import upgrade

    upgrade(make_engine())
    typer.echo(f"database ready: {make_engine().url.render_as_string(hide_password=True)}")


# ---- demo (owner: demo generator) ----

# ---- import / import-policeuk (owner: ingest) ----

# ---- metrics (owner: metrics engine) ----

# ---- users (owner: auth) ----

# ---- bootstrap (owner: foundation) ----


if __name__ == "__main__":
    app()
