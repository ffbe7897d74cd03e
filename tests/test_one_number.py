"""One number, one truth: every portfolio's scorecard reads the same, cell by cell, on the Scorecard page (AppTest), in
the evidence pack's Scorecard sheet, in the board pack's scorecard tables and chart headings, and from
`cli.py scorecard`, on SQLite and PostgreSQL; and changing a statistics setting changes all four alike.

`cli.py scorecard` is the reference: the other three are checked against its rows, each through the formatting its
own surface applies (percentages and words on the page, icon words in the workbook and the PDF).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

import cli
from charts.icons import assurance_icon, icon_text, variation_icon
from config.i18n import t
from data.demo import write_demo
from data.engine import make_engine
from data.ingest import import_paths
from data.migrate import upgrade
from metrics.catalogue import DEFAULT_PATH, load_catalogue
from reports import board_pack, gather
from reports.chart_images import task_chart
from reports.exporting import ExportRequest, export_pack
from reports.formatting import assurance_text, format_count, rag_text, variation_text, yes_no
from reports.inputs import chart_key
from tests.apptest_support import add_demo_users, sign_in
from tests.conftest import DB_BACKENDS, POSTGRES_URL, new_postgres_database
from ui.formatting import format_interval, format_value, icon_label
from ui.scorecard_table import change_text

CASES, SEED = 2_000, 7
# The settings tests judge at an earlier as-of date: there, outlier screening changes a reading on this data.
SETTINGS_AS_OF = dt.date(2026, 9, 30)
EXPORT_PERIOD = (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
COOKIE_KEY = "test-cookie-key-0123456789abcdefghijklmnop"
# One worker runs the module: its demo files and databases (module fixtures) are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("one_number")


# ---------------------------------------------------------------- databases


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    """The contract CSVs of 2,000 demo victims (36 months to 31 October 2026), written once."""
    folder = tmp_path_factory.mktemp("one_number") / "demo"
    write_demo(folder, cases=CASES, seed=SEED, months=36)
    return folder


def load_demo(url: str, demo, as_of: dt.date | None = None) -> None:
    """Migrate, load the demo files (at `as_of` when given) and create the demo users (fast hashes)."""
    engine = make_engine(url)
    upgrade(engine)
    assert all(r.ok for r in import_paths(engine, [demo], as_of=as_of, loaded_by="tests"))
    add_demo_users(engine)
    engine.dispose()


@pytest.fixture(scope="module", params=DB_BACKENDS)
def framework_db(request, demo_files, tmp_path_factory):
    """The demo loaded into a database of each backend (the dashboard's as-of date: 31 October 2026)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('one_number_db') / 'vsd.sqlite3'}"
        load_demo(url, demo_files)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("VSD_TEST_POSTGRES_URL not set")
    url, drop = new_postgres_database("vsd_one_number")
    load_demo(url, demo_files)
    yield url
    drop()


@pytest.fixture(scope="module")
def settings_db(demo_files, tmp_path_factory):
    """The demo loaded into SQLite with its as-of date stated as SETTINGS_AS_OF."""
    url = f"sqlite:///{tmp_path_factory.mktemp('one_number_settings') / 'vsd.sqlite3'}"
    load_demo(url, demo_files, as_of=SETTINGS_AS_OF)
    return url


@pytest.fixture
def use_database(monkeypatch):
    """Point the app, the packs and the CLI at a database (and optionally a catalogue); Streamlit caches cleared."""
    import streamlit as st

    def use(url: str, catalogue_path=None) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("VSD_COOKIE_KEY", COOKIE_KEY)
        monkeypatch.delenv("VSD_ENV", raising=False)
        if catalogue_path is None:
            monkeypatch.delenv("VSD_CATALOGUE", raising=False)
        else:
            monkeypatch.setenv("VSD_CATALOGUE", str(catalogue_path))
        st.cache_data.clear()
        st.cache_resource.clear()

    return use


# ---------------------------------------------------------------- the four surfaces


def cli_scorecard(portfolio: str = "all") -> pd.DataFrame:
    """`cli.py scorecard --format json` on the database and catalogue the environment names."""
    result = CliRunner().invoke(cli.app, ["scorecard", "--portfolio", portfolio, "--format", "json"])
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout))


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def export_evidence(monkeypatch, portfolio: str | None = None) -> dict:
    """An evidence pack of the export period: its Scorecard sheet, the board pack's scorecard tables (as handed to
    the PDF's table writer) and the heading of every chart the packs draw. Charts are not rasterised (slow): each
    task's Altair chart is built instead, exactly as it would be drawn."""
    tasks, tables = {}, []

    def record_charts(todo, progress=None):
        tasks.update(todo)
        return dict.fromkeys(todo, tiny_png())

    real_table = board_pack.table

    def record_table(pdf, headers, rows, widths, *args, **kwargs):
        tables.append((list(headers), [list(r) for r in rows]))
        return real_table(pdf, headers, rows, widths, *args, **kwargs)

    monkeypatch.setattr(gather, "render_charts", record_charts)
    monkeypatch.setattr(board_pack, "table", record_table)
    request = ExportRequest(kind="evidence", start=EXPORT_PERIOD[0], end=EXPORT_PERIOD[1], portfolio=portfolio)
    result = export_pack(make_engine(), request, actor="tests")
    with zipfile.ZipFile(io.BytesIO(result.data)) as pack:
        book = openpyxl.load_workbook(io.BytesIO(pack.read("metrics.xlsx")), read_only=True)
    rows = list(book["Scorecard"].iter_rows(values_only=True))
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    headings = {key: task_chart(task).to_dict()["title"] for key, task in tasks.items()}
    name_header = t("report.column.name", "en")
    cards = [rows for headers, rows in tables if headers[0] == name_header and len(headers) == 8]
    return {"sheet": sheet, "board_tables": cards, "headings": headings}


def page_scorecards(portfolios) -> dict[str, pd.DataFrame]:
    """The Scorecard page's grid of each portfolio, as the board member sees it."""
    at = sign_in("board")
    assert not at.exception
    out = {}
    for portfolio in portfolios:
        at.selectbox(key="filter_portfolio").set_value(portfolio).run()
        assert not at.exception
        [grid] = [df.value for df in at.dataframe if t("scorecard.columns.trend") in df.value.columns]
        out[portfolio] = grid
    return out


# ---------------------------------------------------------------- what each surface should show


def blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def kind_of(metric_id: str) -> str:
    return load_catalogue().measure(metric_id).kind


def expected_page_row(row: pd.Series) -> dict:
    """A CLI row as the Scorecard page words it (ui formatting of the same values)."""
    kind, suppressed = kind_of(row["metric_id"]), bool(row["suppressed"])
    change = {**row.to_dict(), "kind": kind}
    return {
        t("scorecard.columns.measure"): row["name"],
        t("scorecard.columns.value"): format_value(row["value"], kind, suppressed),
        t("scorecard.columns.ci"): format_interval(row["ci_low"], row["ci_high"], kind, suppressed),
        t("scorecard.columns.target"): "–" if blank(row["target"]) else format_value(row["target"], kind),
        t("scorecard.columns.rag"): icon_label("rag", row["rag"]),
        t("scorecard.columns.variation"): icon_label("variation", row["variation"]),
        t("scorecard.columns.assurance"): icon_label("assurance", row["assurance"]),
        t("scorecard.columns.change"): change_text(pd.Series(change)),
    }


def same_number(a, b) -> bool:
    if blank(a) or blank(b):
        return blank(a) and blank(b)
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


def same_text(shown, expected) -> bool:
    """A workbook cell against the words expected (a blank cell for no words)."""
    return (blank(shown) and blank(expected)) or shown == expected


def assert_sheet_matches(sheet: pd.DataFrame, cli_rows: pd.DataFrame) -> None:
    """The workbook's Scorecard sheet holds the CLI's rows: the same numbers, icons in words."""
    assert len(sheet) == len(cli_rows)
    for (_, shown), (_, row) in zip(sheet.iterrows(), cli_rows.iterrows(), strict=True):
        where = f"{row['portfolio_id']}/{row['metric_id']}"
        assert (shown["Portfolio"], shown["Measure ID"], shown["Measure"]) == (
            row["portfolio_id"], row["metric_id"], row["name"]
        ), where  # fmt: skip
        for header, column in (("Value", "value"), ("95% CI lower", "ci_low"), ("95% CI upper", "ci_high"),
                               ("Numerator", "numerator"), ("Denominator", "denominator"), ("Target", "target"),
                               ("Change", "change")):  # fmt: skip
            assert same_number(shown[header], row[column]), (where, header, shown[header], row[column])
        assert same_text(shown["Suppressed"], yes_no(row["suppressed"], "en")), where
        assert same_text(shown["RAG"], None if blank(row["rag"]) else rag_text(row["rag"], "en")), where
        assert same_text(shown["SPC variation"], variation_text(row["variation"], "en")), where
        assert same_text(shown["Assurance"], assurance_text(row["assurance"], "en")), where
        assert same_text(shown["Change significant"], yes_no(row["change_significant"], "en")), where


def cell_text(cell) -> str:
    """A board pack table cell's words (a coloured cell is (text, colours))."""
    return cell[0] if isinstance(cell, tuple) else cell


def assert_board_tables_match(tables: list, cli_rows: pd.DataFrame, portfolios) -> None:
    """Each portfolio's scorecard table in the board pack: the CLI's counts and readings, row by row."""
    assert len(tables) == len(portfolios)
    for portfolio, table in zip(portfolios, tables, strict=True):
        mine = cli_rows.loc[cli_rows["portfolio_id"] == portfolio]
        assert len(table) == len(mine), portfolio
        for cells, (_, row) in zip(table, mine.iterrows(), strict=True):
            where = f"{portfolio}/{row['metric_id']}"
            name, _value, counts, _target, rag, variation, assurance, _change = map(cell_text, cells)
            assert name == row["name"], where
            if blank(row["denominator"]):
                expected_counts = format_count(row["numerator"], "en")
            else:
                expected_counts = f"{format_count(row['numerator'], 'en')} / {format_count(row['denominator'], 'en')}"
            assert counts == expected_counts, where
            assert (rag, variation, assurance) == (
                rag_text(row["rag"], "en"), variation_text(row["variation"], "en"),
                assurance_text(row["assurance"], "en"),
            ), where  # fmt: skip


def assert_headings_match(headings: dict, cli_rows: pd.DataFrame) -> None:
    """Every chart in the packs is headed with its scorecard row's reading, and only with it."""
    assert headings, "the packs drew no chart"
    by_key = {chart_key(r["portfolio_id"], r["metric_id"]): r for _, r in cli_rows.iterrows()}
    for key, title in headings.items():
        row = by_key[key]
        subtitle = title.get("subtitle", [])
        subtitle = [subtitle] if isinstance(subtitle, str) else list(subtitle)
        icons = (variation_icon(row["variation"]), assurance_icon(row["assurance"]))
        reading = "   ".join(icon_text(icon) for icon in icons if icon is not None)
        assert (subtitle[0] if subtitle else "") == reading, key
        assert title["text"] == row["name"], key


def assert_page_matches(grids: dict[str, pd.DataFrame], cli_rows: pd.DataFrame) -> None:
    for portfolio, grid in grids.items():
        mine = cli_rows.loc[cli_rows["portfolio_id"] == portfolio].reset_index(drop=True)
        assert len(grid) == len(mine), portfolio
        for i, row in mine.iterrows():
            for column, value in expected_page_row(row).items():
                assert grid.at[i, column] == value, (portfolio, row["metric_id"], column)


def assert_all_agree(monkeypatch, portfolios, export_portfolio=None) -> pd.DataFrame:
    """The four surfaces agree for the portfolios; returns the CLI's rows (of every portfolio)."""
    every_row = cli_scorecard()
    cli_rows = every_row.loc[every_row["portfolio_id"].isin(portfolios)].reset_index(drop=True)
    assert_page_matches(page_scorecards(portfolios), cli_rows)
    exported = export_evidence(monkeypatch, export_portfolio)
    assert_sheet_matches(exported["sheet"], cli_rows)
    assert_board_tables_match(exported["board_tables"], cli_rows, portfolios)
    assert_headings_match(exported["headings"], cli_rows)
    return every_row


# ---------------------------------------------------------------- the tests


@pytest.mark.slow
def test_every_portfolio_reads_the_same_everywhere(framework_db, use_database, monkeypatch):
    use_database(framework_db)
    portfolios = [p.id for p in load_catalogue().portfolios]
    assert len(portfolios) == 11
    cli_rows = assert_all_agree(monkeypatch, portfolios)
    # The issue's own example, domestic abuse compliance: one figure, its own counts' ratio, read below target.
    overall = cli_rows.set_index(["portfolio_id", "metric_id"]).loc[("vawg_da", "VCOP_OVERALL")]
    assert overall["value"] == overall["numerator"] / overall["denominator"]
    assert overall["rag"] in ("amber", "red") and overall["variation"] == "concern_low"


def catalogue_with(tmp_path, **statistics):
    """A copy of the catalogue with some statistics settings changed."""
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["statistics"].update(statistics)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def keyed(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.set_index(["portfolio_id", "metric_id"])


def more_suppressed(before: pd.DataFrame, after: pd.DataFrame) -> None:
    assert after["suppressed"].sum() > before["suppressed"].sum()
    newly = after["suppressed"] & ~before["suppressed"]
    assert after.loc[newly, "value"].isna().all() and after.loc[newly, "rag"].isna().all()


def wider_intervals(before: pd.DataFrame, after: pd.DataFrame) -> None:
    shown = before["ci_low"].notna() & (before["ci_high"] > before["ci_low"])
    assert shown.sum() > 10
    width_before = (before["ci_high"] - before["ci_low"])[shown]
    width_after = (after["ci_high"] - after["ci_low"])[shown]
    assert (width_after > width_before).all()


def reading_changes(portfolio: str, metric_id: str, was: str, becomes: str):
    def check(before: pd.DataFrame, after: pd.DataFrame) -> None:
        assert before.at[(portfolio, metric_id), "variation"] == was
        assert after.at[(portfolio, metric_id), "variation"] == becomes

    return check


SETTINGS = {
    "suppression_threshold": (200, "vawg_da", more_suppressed),
    "confidence": (0.99, "vcop", wider_intervals),
    # Screening out moving ranges above 3.267 × the mean narrows the limits: the drop in updates reads as special.
    "spc_screen_outliers": (True, "vcop", reading_changes("vcop", "VCOP_RIGHT_6", "common_cause", "concern_low")),
    # A process change recorded at April 2026 gives the months after it their own limits: Connect Gwent's improved
    # contact is then the new normal, no longer a special cause.
    "rebase_dates": (["2026-04-01"], "connect_gwent", reading_changes("connect_gwent", "CG_CONTACT_2WD",
                                                                      "improvement_high", "common_cause")),
}  # fmt: skip


@pytest.fixture(scope="module")
def default_readings(settings_db) -> pd.DataFrame:
    """`cli.py scorecard` on settings_db under the shipped catalogue: what every setting is changed from (the same
    for each setting, so worked out once; nothing the tests do changes the database's figures)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", settings_db)
        patch.delenv("VSD_CATALOGUE", raising=False)
        return keyed(cli_scorecard())


@pytest.mark.slow
@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_changing_a_statistics_setting_changes_every_surface(
    setting, settings_db, default_readings, use_database, monkeypatch, tmp_path
):
    value, portfolio, check = SETTINGS[setting]
    before = default_readings.copy()
    use_database(settings_db, catalogue_with(tmp_path, **{setting: value}))
    # Page, workbook, board pack and charts all read the changed setting (they agree with the CLI under it)...
    after = assert_all_agree(monkeypatch, [portfolio], portfolio)
    # ...and the CLI's figures moved as the setting says they must.
    check(before, keyed(after))
