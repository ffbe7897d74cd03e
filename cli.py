"""The command line: init-db, bootstrap, demo, import, import-policeuk, metrics, scorecard, users, export,
verify-pack, health.

Every command fails with one line on standard error and a non-zero exit status (1: it could not be done, 2: the
options were wrong); a traceback goes to the log only with `--debug`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import tempfile
from pathlib import Path

import click
import typer
from typer.core import TyperGroup

from config.logs import setup_logging
from data.engine import is_embedded, is_unavailable, make_engine

log = logging.getLogger("cli")


class CliError(Exception):
    """A command that cannot be done: its one-line reason, and the exit status (1, or 2 for a wrong option)."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def describe_failure(exc: BaseException) -> str:
    """One line saying why a command failed, for an operator (no traceback)."""
    orig = getattr(exc, "orig", None)
    if "no such table" in str(orig or "") or type(orig).__name__ == "UndefinedTable":
        where = make_engine().url.render_as_string(hide_password=True)
        return f"{where} has no tables yet, or not all of them: run `python cli.py init-db`"
    if is_unavailable(exc):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        where = make_engine().url.render_as_string(hide_password=True)
        return f"the database cannot be reached ({where}): {reason[0] if reason else type(exc).__name__}"
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {exc.filename}"
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename}"
    if isinstance(exc, CliError):
        return str(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class OneLineErrors(TyperGroup):
    """The command group that turns any failure of a command into one line and a non-zero exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001  (every other failure becomes one line; --debug logs the traceback)
            debug = bool(ctx.obj and ctx.obj.get("debug"))
            if debug:
                log.exception("command failed")
            typer.echo(f"error: {describe_failure(exc)}", err=True)
            raise typer.Exit(exc.status if isinstance(exc, CliError) else 1) from None


app = typer.Typer(help="Victim Services Performance Dashboard — command line.", no_args_is_help=True, cls=OneLineErrors)


@app.callback()
def main(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Log debug lines, and a failed command's traceback."),
) -> None:
    """Timestamped log lines on standard error (or VSD_LOG_FILE); see the README's production guide."""
    ctx.obj = {"debug": debug}
    setup_logging(logging.DEBUG if debug else None)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """Parse an ISO date option, exiting with a clear message when it is not one."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{option}: '{value}' is not a date in the form YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


# ---- relative periods (--period), for scheduled jobs
PERIODS = ("last-month", "last-quarter", "rolling-12", "last-financial-year")


def relative_period(name: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a named period, counted back from the anchor (the data's as-of date).

    Each is the latest one wholly on or before the anchor, so a pack never covers days the data has not reached:
    last-month the latest complete calendar month; last-quarter the latest complete financial quarter (April–June,
    July–September, October–December, January–March); rolling-12 the 12 complete months to the end of last-month;
    last-financial-year the latest complete financial year (1 April – 31 March).
    """
    from metrics.periods import as_date, complete_quarter, financial_year, last_complete_month, rolling_12

    if name == "last-month":
        period = last_complete_month(anchor)
    elif name == "last-quarter":
        period = complete_quarter(anchor)
    elif name == "rolling-12":
        period = rolling_12(anchor)
    elif name == "last-financial-year":
        period = financial_year(anchor)
        if as_date(period.end) > anchor:
            period = financial_year(period.start - dt.timedelta(days=1))
    else:
        raise CliError(f"--period: '{name}' is not one of {', '.join(PERIODS)}", 2)
    return as_date(period.start), as_date(period.end)


def period_options(
    period: str | None, date_from: str | None, date_to: str | None, anchor=None
) -> tuple[dt.date, dt.date] | None:
    """The period of a command: --period (counted back from `anchor()`, the as-of date) or --from and --to, exactly
    one of them. Without an anchor, only the options are checked: None for --period, the dates for --from/--to."""
    if period is not None:
        if date_from is not None or date_to is not None:
            raise CliError("give --period or --from/--to, not both", 2)
        if period not in PERIODS:
            raise CliError(f"--period: '{period}' is not one of {', '.join(PERIODS)}", 2)
        if anchor is None:
            return None
        day = anchor()
        if day is None:
            raise CliError("no data has been loaded, so --period has no as-of date to count back from")
        return relative_period(period, day)
    if date_from is None or date_to is None:
        raise CliError("give --period, or both --from and --to", 2)
    return _parse_date(date_from, "--from"), _parse_date(date_to, "--to")


def check_out_folder(out: Path | None) -> None:
    """Refuse an --out whose folder does not exist before any work is done (a pack can take a while to build)."""
    if out is not None and not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise CliError(f"--out: the folder {out.parent} does not exist")


def write_atomically(out: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `out` and move it into place: `out` is whole or untouched, never half."""
    check_out_folder(out)
    folder = out.parent if str(out.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command("init-db")
def init_db() -> None:
    """Create or migrate the database named by DATABASE_URL (default: the embedded SQLite file)."""
    from data.migrate import upgrade

    upgrade(make_engine())
    log.info("database migrated to head")
    typer.echo(f"database ready: {make_engine().url.render_as_string(hide_password=True)}")


# ---- demo (owner: demo generator) ----
@app.command("demo")
def demo(
    out: Path = typer.Option(..., "--out", help="Directory to write the contract CSV files and as_of.txt into."),
    cases: int = typer.Option(20_000, "--cases", min=1, help="Number of victims to generate."),
    seed: int = typer.Option(2024, "--seed", help="Random seed: the same seed gives the same files."),
    months: int = typer.Option(36, "--months", min=1, help="Months of reported crime, ending at the as-of date."),
    as_of: str | None = typer.Option(None, "--as-of", help="As-of date YYYY-MM-DD (default 2026-10-31)."),
) -> None:
    """Write a realistic demo dataset (contract CSV files) with known signals planted in it."""
    from data.demo import write_demo

    rows = write_demo(out, cases=cases, seed=seed, months=months, as_of=_parse_date(as_of, "--as-of"))
    for table, count in rows.items():
        typer.echo(f"{table:<18} {count:>10}")
    typer.echo(f"written to {out}")


# ---- import / import-policeuk (owner: ingest) ----
def _loader_name() -> str:
    """Who is loading from the command line (recorded in `loads.loaded_by`)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _finish_loads(results, engine=None) -> None:
    """Print the load report; exit non-zero with it on standard error unless every file loaded. After a good load,
    write the metrics snapshot of the new data (`engine` given)."""
    from data.ingest import format_report

    if results and all(r.ok for r in results):
        typer.echo(format_report(results))
        if engine is not None:
            _write_snapshot(engine)
        return
    typer.echo(format_report(results), err=True)
    raise typer.Exit(1)


@app.command("import")
def import_files(
    paths: list[Path] = typer.Argument(..., help="<table>.csv / <table>.xlsx files, workbooks, or directories."),
    as_of: str | None = typer.Option(None, "--as-of", help="As-of date of the extract, YYYY-MM-DD."),
) -> None:
    """Validate and load contract files in dependency order, each file in its own transaction."""
    from data.ingest import import_paths

    as_of_date = _parse_date(as_of, "--as-of")
    _all_exist(paths)
    engine = make_engine()
    _finish_loads(import_paths(engine, paths, as_of=as_of_date, loaded_by=_loader_name()), engine)


@app.command("import-policeuk")
def import_policeuk_files(
    paths: list[Path] = typer.Argument(..., help="police.uk street/outcomes CSV files, or directories of them."),
) -> None:
    """Load police.uk street and outcomes files; each replaces its month's rows for its force."""
    from data.policeuk import import_policeuk

    _all_exist(paths)
    engine = make_engine()
    _finish_loads(import_policeuk(engine, paths, loaded_by=_loader_name()), engine)


def _all_exist(paths: list[Path]) -> None:
    """Refuse the whole command, before anything is loaded, when a path names nothing."""
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise CliError(f"no such file or folder: {missing[0]}")


def _write_snapshot(engine) -> None:
    """The metrics snapshot of the data just loaded (data/snapshot.py), so the app's next cold start reads a few files
    instead of every row; when it cannot be written, the app builds it from the database on first use instead."""
    import time

    from data.snapshot import refresh_snapshot
    from metrics.catalogue import load_catalogue

    started = time.perf_counter()
    try:
        path = refresh_snapshot(engine, load_catalogue())
    except OSError as exc:
        typer.echo(f"metrics snapshot not written ({exc}); the app will build it on first use", err=True)
        return
    if path is not None:
        typer.echo(f"metrics snapshot written in {time.perf_counter() - started:.1f} s: {path}")


def _check_choice(value: str, option: str, choices: tuple[str, str]) -> None:
    """Exit 2 with a clear message when an option is not one of its two choices."""
    if value not in choices:
        typer.echo(f"{option}: '{value}' is not {choices[0]} or {choices[1]}", err=True)
        raise typer.Exit(2)


def _write(text: str, out: Path | None, rows: int) -> None:
    """A command's table to standard output, or to a file with a line on standard error saying how many rows."""
    if out is None:
        typer.echo(text, nl=False)
        return
    write_atomically(out, text.encode("utf-8"))
    typer.echo(f"{rows} rows written to {out}", err=True)


# ---- metrics (owner: metrics engine) ----
@app.command("metrics")
def metrics_command(
    date_from: str | None = typer.Option(None, "--from", help="First day of the period (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Last day of the period (YYYY-MM-DD)."),
    period: str | None = typer.Option(None, "--period", help=f"Instead of --from/--to: {'|'.join(PERIODS)}."),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge entitlements at this date (default: latest load)."),
    portfolio: str = typer.Option("vcop", "--portfolio", help="Portfolio whose cohort the case-based measures use."),
    by: str | None = typer.Option(
        None, "--by", help="month|area|unit|offence_group|...|exception_reason (the last cuts EXC_SHARE only)."
    ),
    output_format: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
) -> None:
    """Every measure in the catalogue for a portfolio's cohort over a period: one tidy row per measure and group."""
    from metrics.catalogue import load_catalogue
    from metrics.measures_table import BY_CHOICES, to_csv, to_json
    from results.commands import metrics_table
    from results.frames import as_of_date

    stated_as_of = _parse_date(as_of, "--as-of")
    dates = period_options(period, date_from, date_to)
    if dates is not None and dates[1] < dates[0]:
        typer.echo(f"--to ({dates[1]}) is before --from ({dates[0]})", err=True)
        raise typer.Exit(2)
    check_out_folder(out)
    if by is not None and by not in BY_CHOICES:
        typer.echo(f"--by: '{by}' is not one of {', '.join(BY_CHOICES)}", err=True)
        raise typer.Exit(2)
    _check_choice(output_format, "--format", ("csv", "json"))
    catalogue = load_catalogue()
    try:
        catalogue.portfolio(portfolio)
    except KeyError as exc:
        typer.echo(f"--portfolio: {exc.args[0]}", err=True)
        raise typer.Exit(2) from None
    engine = make_engine()
    data_as_of = as_of_date(engine)
    start, end = dates or period_options(period, date_from, date_to, lambda: stated_as_of or data_as_of)
    judged_at = stated_as_of or data_as_of
    if judged_at is None:
        judged_at = end
        typer.echo(f"no load recorded an as-of date; judging at --to ({end})", err=True)
    table = metrics_table(engine, catalogue, start=start, end=end, as_of=judged_at, portfolio=portfolio, by=by)
    _write(to_csv(table) if output_format == "csv" else to_json(table) + "\n", out, len(table))


@app.command("scorecard")
def scorecard_command(
    portfolio: str = typer.Option(..., "--portfolio", help="A portfolio id, or all for every portfolio."),
    as_of: str | None = typer.Option(None, "--as-of", help="As-of date YYYY-MM-DD (default: the dashboard's)."),
    output_format: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
    lang: str = typer.Option("en", "--lang", help="en or cy: the language of the measure names."),
) -> None:
    """The scorecard rows exactly as the Scorecard page and the evidence pack's Scorecard sheet give them."""
    from metrics.catalogue import load_catalogue
    from results.commands import scorecard_csv, scorecard_json, scorecard_rows
    from results.frames import as_of_date

    _check_choice(output_format, "--format", ("csv", "json"))
    _check_choice(lang, "--lang", ("en", "cy"))
    check_out_folder(out)
    catalogue = load_catalogue()
    known = [p.id for p in catalogue.portfolios]
    if portfolio != "all" and portfolio not in known:
        typer.echo(f"--portfolio: '{portfolio}' is not all or one of {', '.join(known)}", err=True)
        raise typer.Exit(2)
    engine = make_engine()
    judged_at = _parse_date(as_of, "--as-of") or as_of_date(engine)
    if judged_at is None:
        typer.echo("no data has been loaded, so there is no scorecard", err=True)
        raise typer.Exit(1)
    ids = known if portfolio == "all" else [portfolio]
    table = scorecard_rows(engine, catalogue, as_of=judged_at, portfolio_ids=ids, lang=lang)
    _write(scorecard_csv(table) if output_format == "csv" else scorecard_json(table) + "\n", out, len(table))


# ---- users (owner: auth) ----
from auth.commands import users_app  # noqa: E402  (the commands live with auth; registered here)


def _known_portfolios_only(command):
    """Wrap a users command so that every --portfolio must be a portfolio of the catalogue (exit 2 naming it)."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        from metrics.catalogue import load_catalogue

        known = [p.id for p in load_catalogue().portfolios]
        unknown = [p for p in kwargs.get("portfolio") or () if p not in known]
        if unknown:
            typer.echo(f"error: --portfolio: '{unknown[0]}' is not one of {', '.join(known)}", err=True)
            raise typer.Exit(2)
        return command(*args, **kwargs)

    return checked


for _info in users_app.registered_commands:
    if _info.name in ("add", "assign") and not hasattr(_info.callback, "__wrapped__"):
        _info.callback = _known_portfolios_only(_info.callback)

app.add_typer(users_app, name="users")


# ---- health (owner: operations) ----
@app.command("health")
def health_command() -> None:
    """Check what the service needs, one line per check, and exit 1 when any fails: the database answers, the
    configuration is accepted (as the app would accept it), and the schema is at the latest migration."""
    from auth.demo import refuse_demo_users
    from auth.settings import SettingsError, load_settings
    from config.i18n import t
    from data.health import database_answers, migration_state

    engine = make_engine()
    failed = False

    def report(check: str, ok: bool, detail: str) -> None:
        nonlocal failed
        failed = failed or not ok
        typer.echo(f"{check}: {'ok' if ok else 'FAIL'} - {detail}")

    where = engine.url.render_as_string(hide_password=True)
    try:
        database_answers(engine)
        reachable = True
        report("database", True, where)
    except Exception as exc:  # noqa: BLE001  (any failure to answer is the finding)
        reachable = False
        report("database", False, describe_failure(exc))
    try:
        settings = load_settings()
        if settings.production and reachable:
            refuse_demo_users(engine)
        mode = "production" if settings.production else "demo" if settings.demo_mode else "not production"
        report("configuration", True, mode)
    except SettingsError as exc:
        # A refusal's `source` (where the setting was read) is itself a translation key.
        said = [(code, {**p, "source": t(p["source"])} if "source" in p else p) for code, p in exc.problems]
        problems = " ".join(t(code, **params) for code, params in said)
        report("configuration", False, problems)
    if reachable:
        current, head = migration_state(engine)
        if current == head:
            report("migrations", True, f"at head {head}")
        else:
            report("migrations", False, f"at {current or 'none'}, head is {head}: run `python cli.py init-db`")
    else:
        report("migrations", False, "not checked: the database cannot be reached")
    if failed:
        raise typer.Exit(1)


# ---- export / verify-pack (owner: reports) ----
@app.command("verify-pack")
def verify_pack_command(
    pack: Path = typer.Argument(..., help="An evidence pack zip, or the folder it was unpacked into."),
    manifest_sha256: str | None = typer.Option(
        None, "--manifest-sha256", help="The manifest hash the audit log recorded at export, to prove the manifest."
    ),
) -> None:
    """Re-compute every file's SHA-256 against the pack's manifest; exit 1 naming any changed, missing or extra file."""
    from reports.manifest import verify_pack

    result = verify_pack(pack, expected_manifest_sha256=manifest_sha256)
    typer.echo(result.summary(), err=not result.ok)
    if not result.ok:
        raise typer.Exit(1)


@app.command("export")
def export_command(
    kind: str = typer.Option(..., "--kind", help="evidence (a zip) or board (a PDF)."),
    date_from: str | None = typer.Option(None, "--from", help="First day of the period, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Last day of the period, YYYY-MM-DD."),
    period: str | None = typer.Option(None, "--period", help=f"Instead of --from/--to: {'|'.join(PERIODS)}."),
    portfolio: str | None = typer.Option(None, "--portfolio", help="One portfolio id (default: the whole framework)."),
    lang: str = typer.Option("en", "--lang", help="en or cy."),
    publication: bool = typer.Option(False, "--publication", help="Apply publication suppression; no case data."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    as_of: str | None = typer.Option(None, "--as-of", help="As-of date (default: that of the latest load)."),
) -> None:
    """Write an evidence pack or a board pack for the period, then record the export and its hashes in the audit log.

    The file is written beside --out under a temporary name and moved into place before the audit row is written; a
    failed export leaves no file and no audit row.
    """
    from reports.exporting import ExportRefused, ExportRequest, export_pack
    from results.frames import as_of_date

    stated_as_of = _parse_date(as_of, "--as-of")
    dates = period_options(period, date_from, date_to)
    check_out_folder(out)
    engine = make_engine()
    start, end = dates or period_options(period, date_from, date_to, lambda: stated_as_of or as_of_date(engine))
    request = ExportRequest(
        kind=kind, start=start, end=end, portfolio=portfolio, lang=lang, publication=publication, as_of=stated_as_of,
    )  # fmt: skip
    written: list[Path] = []

    def deliver(built) -> None:
        write_atomically(out, built.data)
        written.append(out)

    try:
        result = export_pack(engine, request, actor=_loader_name(), file_name=out.name, deliver=deliver)
    except ExportRefused as exc:
        typer.echo(CLI_REFUSALS.get(exc.code, str(exc)), err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except Exception:
        # Written but not audited (the database went away after the build): an export the log does not know of
        # must not be left behind.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    typer.echo(f"{out}: {len(result.data):,} bytes, SHA-256 {result.sha256}")


# The command line's own wording of a refused export (its options, not the app's).
CLI_REFUSALS = {
    "kind": "--kind must be evidence or board",
    "language": "--lang must be en or cy",
    "period": "--from must not be after --to",
}


# ---- bootstrap (owner: foundation) ----
DEMO_DIR = Path(os.environ.get("VSD_DEMO_DIR") or Path(__file__).resolve().parent / "var" / "demo")
POLICEUK_REFERENCE = Path(__file__).resolve().parent.parent / "shared" / "reference" / "policeuk_gwent"


@app.command("bootstrap")
def bootstrap(
    cases: int = typer.Option(20_000, help="Victims to generate when the demo database is empty."),
    seed: int = typer.Option(2024, help="Random seed of the demo data."),
) -> None:
    """Migrate the database; on the embedded demo database, load demo data when empty and create demo users."""
    from auth.users import ensure_demo_users
    from data.demo import write_demo
    from data.history import row_counts
    from data.ingest import format_report, import_paths
    from data.migrate import upgrade
    from data.policeuk import import_policeuk

    engine = make_engine()
    upgrade(engine)
    if os.environ.get("VSD_ENV") == "production" or not is_embedded():
        typer.echo("database migrated (no demo data or demo users outside the embedded demo database)")
        return
    counts = row_counts(engine, ("victims", "policeuk_street"))
    victims, street = counts["victims"], counts["policeuk_street"]
    if victims == 0:
        typer.echo(f"generating demo data: {cases} victims, 36 months, seed {seed}")
        write_demo(DEMO_DIR, cases=cases, seed=seed, months=36)
        results = import_paths(engine, [DEMO_DIR], loaded_by="bootstrap")
        if not all(r.ok for r in results):
            typer.echo(format_report(results), err=True)
            raise typer.Exit(1)
    if street == 0 and POLICEUK_REFERENCE.is_dir():
        typer.echo("loading police.uk open data for Gwent")
        results = import_policeuk(engine, [POLICEUK_REFERENCE], loaded_by="bootstrap")
        if not all(r.ok for r in results):
            typer.echo(format_report(results), err=True)
            raise typer.Exit(1)
    if victims == 0 or street == 0:
        _write_snapshot(engine)
    accounts = ensure_demo_users(engine)
    typer.echo(f"demo database ready; {len(accounts)} demo accounts (listed on the sign-in page)")


if __name__ == "__main__":
    app()
