"""The as-of date belongs to the data and is decided in one place (data.queries.dashboard_as_of): that of the case
extract, never moved back by a load that states none, so a partial upload changes no figure its rows do not."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.ingest import import_paths, latest_as_of
from metrics.catalogue import load_catalogue
from results.commands import scorecard_rows
from tests.conftest import SMALL_DEMO_AS_OF


def scorecard_now(engine) -> pd.DataFrame:
    catalogue = load_catalogue()
    ids = [p.id for p in catalogue.portfolios]
    return scorecard_rows(engine, catalogue, as_of=latest_as_of(engine), portfolio_ids=ids)


def test_a_twenty_row_upload_without_an_as_of_date_changes_no_figure(small_demo, tmp_path):
    before_as_of, before = latest_as_of(small_demo), scorecard_now(small_demo)
    assert before_as_of == SMALL_DEMO_AS_OF
    # Twenty victims already loaded, re-sent alone with no as-of date: their latest date is months before the as-of.
    victims = pd.read_csv(tmp_path / "demo" / "victims.csv", dtype=str, keep_default_na=False)
    victims = victims.sort_values("reported_date").head(20)
    upload = tmp_path / "upload"
    upload.mkdir()
    victims.to_csv(upload / "victims.csv", index=False)
    [result] = import_paths(small_demo, [upload / "victims.csv"], loaded_by="analyst")
    assert result.ok and (result.rows_inserted, result.rows_updated) == (0, 20)
    assert pd.Timestamp(victims["reported_date"].max()).date() < SMALL_DEMO_AS_OF
    assert result.as_of == SMALL_DEMO_AS_OF  # the table's as-of date, not the file's latest date
    assert latest_as_of(small_demo) == SMALL_DEMO_AS_OF
    pd.testing.assert_frame_equal(scorecard_now(small_demo), before)


def test_the_dashboard_date_is_the_case_extracts_and_other_sources_do_not_move_it(small_demo, tmp_path):
    # A later survey file (stated as of a later date) moves the surveys' date, not the dashboard's.
    surveys = pd.read_csv(tmp_path / "demo" / "survey_responses.csv", dtype=str, keep_default_na=False).head(5)
    folder = tmp_path / "surveys"
    folder.mkdir()
    surveys.to_csv(folder / "survey_responses.csv", index=False)
    later = SMALL_DEMO_AS_OF + dt.timedelta(days=30)
    [result] = import_paths(small_demo, [folder / "survey_responses.csv"], as_of=later, loaded_by="analyst")
    assert result.ok and result.as_of == later
    assert latest_as_of(small_demo) == SMALL_DEMO_AS_OF
    # A new case extract stating its date moves it, forwards or (deliberately) back.
    entitlements = pd.read_csv(tmp_path / "demo" / "entitlements.csv", dtype=str, keep_default_na=False).head(3)
    folder = tmp_path / "entitlements"
    folder.mkdir()
    entitlements.to_csv(folder / "entitlements.csv", index=False)
    import_paths(small_demo, [folder / "entitlements.csv"], as_of=later, loaded_by="analyst")
    assert latest_as_of(small_demo) == later
    earlier = SMALL_DEMO_AS_OF - dt.timedelta(days=31)
    import_paths(small_demo, [folder / "entitlements.csv"], as_of=earlier, loaded_by="analyst")
    assert latest_as_of(small_demo) == earlier


def test_each_source_lists_its_latest_load(small_demo):
    from data.queries import source_loads

    loads = source_loads(small_demo)
    assert {"victims", "entitlements", "survey_responses"} <= set(loads["table_name"])
    assert loads["table_name"].is_unique
    assert (loads.set_index("table_name").loc[["victims", "entitlements"], "as_of_date"] == SMALL_DEMO_AS_OF).all()


def test_the_pack_and_the_app_age_actions_by_one_clock(small_demo, monkeypatch):
    """On the same day, an action is as many days overdue in the board pack as on the app's pages (today)."""
    import re

    from auth.roles import Scope
    from data.audit import local_today
    from data.escalation import aged_actions
    from reports import board_pack
    from reports.gather import gather

    rows = []
    real_table = board_pack.table

    def record(pdf, headers, body, widths, *args, **kwargs):
        rows.extend(list(r) for r in body)
        return real_table(pdf, headers, body, widths, *args, **kwargs)

    monkeypatch.setattr(board_pack, "table", record)
    monkeypatch.setattr("reports.gather.render_charts", lambda tasks, progress=None: {})
    inputs = gather(small_demo, start=dt.date(2023, 4, 1), end=SMALL_DEMO_AS_OF, with_cases=False)
    assert inputs.ageing_day == local_today() and inputs.ageing_day > inputs.as_of
    board_pack.build_board_pack(inputs)
    app = aged_actions(small_demo, Scope.for_user("board", {"board"}, ()), local_today()).set_index("action_id")
    in_pack = {}
    for row in rows:
        text = row[-1][0] if isinstance(row[-1], tuple) else str(row[-1])
        late = re.fullmatch(r"(\d+) days overdue", text)
        if late and row[0] in app.index:
            in_pack[row[0]] = int(late.group(1))
    assert in_pack, "the pack listed no overdue action"
    assert in_pack == {a: int(app.at[a, "days_overdue"]) for a in in_pack}


def test_every_page_with_figures_lists_each_sources_latest_load(seeded_app_env):
    """Beside the as-of date: each source, the date its data runs to and the day it was loaded."""
    from tests.apptest_support import open_page, sign_in

    at = sign_in("board")
    for page in ("app_pages/scorecard.py", "app_pages/victims_code.py", "app_pages/satisfaction.py",
                 "app_pages/survivor_voice.py", "app_pages/exports.py"):  # fmt: skip
        if page != "app_pages/scorecard.py":
            open_page(at, page)
        assert not at.exception, page
        [panel] = [e for e in at.expander if e.label == "Sources and their latest loads"]
        listed = "\n".join(m.value for m in panel.markdown)
        assert "- Victims: data to 31 October 2026 · loaded " in listed, page
        assert "- Entitlements: data to 31 October 2026 · loaded " in listed, page
