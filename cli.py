"""The command line: init-db, bootstrap, demo, import, import-policeuk, metrics, users, export, verify-pack."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from data.engine import is_embedded, make_engine

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
    engine = make_engine()
    _finish_loads(import_paths(engine, paths, as_of=as_of_date, loaded_by=_loader_name()), engine)


@app.command("import-policeuk")
def import_policeuk_files(
    paths: list[Path] = typer.Argument(..., help="police.uk street/outcomes CSV files, or directories of them."),
) -> None:
    """Load police.uk street and outcomes files; each replaces its month's rows for its force."""
    from data.policeuk import import_policeuk

    engine = make_engine()
    _finish_loads(import_policeuk(engine, paths, loaded_by=_loader_name()), engine)


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
    out.write_text(text, encoding="utf-8")
    typer.echo(f"{rows} rows written to {out}", err=True)


# ---- metrics (owner: metrics engine) ----
@app.command("metrics")
def metrics_command(
    date_from: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD)."),
    date_to: str = typer.Option(..., "--to", help="Last day of the period (YYYY-MM-DD)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge entitlements at this date (default: latest load)."),
    portfolio: str = typer.Option("vcop", "--portfolio", help="Portfolio whose cohort the case-based measures use."),
    by: str | None = typer.Option(None, "--by", help="month|area|unit|offence_group|enhanced_rights|age_band|sex|..."),
    output_format: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
) -> None:
    """Every measure in the catalogue for a portfolio's cohort over a period: one tidy row per measure and group."""
    from metrics.catalogue import load_catalogue
    from metrics.measures_table import BY_CHOICES, to_csv, to_json
    from results.commands import metrics_table
    from results.frames import as_of_date

    start, end = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
    if end < start:
        typer.echo(f"--to ({end}) is before --from ({start})", err=True)
        raise typer.Exit(2)
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
    judged_at = _parse_date(as_of, "--as-of") or as_of_date(engine)
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

app.add_typer(users_app, name="users")


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
    date_from: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD."),
    date_to: str = typer.Option(..., "--to", help="Last day of the period, YYYY-MM-DD."),
    portfolio: str | None = typer.Option(None, "--portfolio", help="One portfolio id (default: the whole framework)."),
    lang: str = typer.Option("en", "--lang", help="en or cy."),
    publication: bool = typer.Option(False, "--publication", help="Apply publication suppression; no case data."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    as_of: str | None = typer.Option(None, "--as-of", help="As-of date (default: that of the latest load)."),
) -> None:
    """Write an evidence pack or a board pack for the period, and record the export and its hashes in the audit log."""
    import getpass

    from reports.exporting import ExportRefused, ExportRequest, export_pack

    start, end = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
    request = ExportRequest(
        kind=kind, start=start, end=end, portfolio=portfolio, lang=lang, publication=publication,
        as_of=_parse_date(as_of, "--as-of"),
    )  # fmt: skip
    try:
        result = export_pack(make_engine(), request, actor=f"cli:{getpass.getuser()}", file_name=out.name)
    except ExportRefused as exc:
        typer.echo(CLI_REFUSALS.get(exc.code, str(exc)), err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    out.write_bytes(result.data)
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
