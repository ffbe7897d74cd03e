"""The faster paths of the exports give what the plain ones give, fail loudly and leave nothing running.

- Charts drawn in chart processes (reports.chart_worker) are the same bytes as charts drawn in this process; a chart
  that cannot be drawn, or a chart process that dies, fails the export with the reason instead of hanging it; the
  processes end with the export's block, however it ends.
- The case extracts of several portfolios read in one query equal each portfolio's own read (both backends).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from auth.roles import Scope
from data.cases import AccessDenied, missed_and_late, missed_and_late_of_portfolios, portfolio_codes
from metrics.catalogue import load_catalogue
from reports import chart_images
from reports.chart_images import ChartRenderError, PendingCharts, chart_processes, chart_task, render_charts
from tests.test_charts import xmr_frame


def _tasks(count: int, lang: str = "en") -> dict:
    tasks = {}
    for number in range(count):
        frame = xmr_frame(12 + number)
        frame.attrs["has_chart"] = True
        tasks[f"p{number}/M{number}"] = chart_task(frame, title=f"Measure {number}", kind="rate", lang=lang, target=0.8)
    return tasks


@pytest.fixture
def fresh_cache():
    chart_images.CACHE.clear()
    yield
    chart_images.CACHE.clear()


def test_process_count_follows_the_setting_and_the_size_of_the_export(monkeypatch):
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "0")
    assert chart_images.process_count(100) == 0
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "1")
    assert chart_images.process_count(1) == 1
    monkeypatch.delenv(chart_images.PROCESSES_ENV)
    assert chart_images.process_count(chart_images.PROCESSES_FROM - 1) == 0  # a small export draws its own


def test_charts_drawn_in_processes_are_the_bytes_drawn_here(monkeypatch, fresh_cache):
    tasks = _tasks(3, "cy") | {"same/as_first": _tasks(1, "cy")["p0/M0"]}
    here = {key: chart_images.render_png(task) for key, task in tasks.items()}
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "2")
    with chart_processes(expected=100) as processes:
        assert processes is not None
        charts = render_charts(tasks)
        assert isinstance(charts, PendingCharts) and sorted(charts) == sorted(tasks)  # keys at once, images later
        assert dict(charts) == here
        in_scope = charts.restricted(lambda key: key.startswith("p1/"))
        assert dict(in_scope) == {"p1/M1": here["p1/M1"]}
    assert all(process.poll() is not None for process in processes.processes)
    # Drawn once, kept: the next export draws nothing, and ends its processes at once.
    with chart_processes(expected=100) as again:
        assert render_charts(tasks) == here
        assert again.closed


def test_a_chart_that_cannot_be_drawn_fails_with_the_reason_and_the_processes_end(monkeypatch, fresh_cache):
    good = _tasks(1)
    broken = dataclasses.replace(good["p0/M0"], frame_json="{not json")
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "1")
    with pytest.raises(ChartRenderError, match="Measure 0"):
        with chart_processes(expected=100) as processes:
            charts = render_charts({"bad/one": broken, **good})
            assert charts["p0/M0"] == chart_images.render_png(good["p0/M0"])  # the others are still drawn
            charts["bad/one"]
    assert all(process.poll() is not None for process in processes.processes)
    assert all(not thread.is_alive() for thread in processes.threads)


def test_a_chart_process_that_dies_fails_the_export_instead_of_hanging_it(monkeypatch, fresh_cache):
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "1")
    with chart_processes(expected=100) as processes:
        processes.processes[0].kill()
        processes.processes[0].wait()
        charts = render_charts(_tasks(2))
        with pytest.raises(ChartRenderError, match="stopped"):
            charts["p0/M0"]
        with pytest.raises(ChartRenderError, match="stopped"):
            charts["p1/M1"]


def test_an_export_that_fails_elsewhere_ends_its_chart_processes(monkeypatch, fresh_cache):
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "2")
    with pytest.raises(KeyError):
        with chart_processes(expected=100) as processes:
            render_charts(_tasks(4))
            raise KeyError("the case extracts failed")
    assert all(process.poll() is not None for process in processes.processes)
    assert all(not thread.is_alive() for thread in processes.threads)


def test_without_processes_charts_are_drawn_here(monkeypatch, fresh_cache):
    monkeypatch.setenv(chart_images.PROCESSES_ENV, "0")
    steps = []
    with chart_processes(expected=100) as processes:
        assert processes is None
        charts = render_charts(_tasks(2), lambda done, total: steps.append((done, total)))
    assert isinstance(charts, dict) and len(charts) == 2
    assert steps == [(1, 2), (2, 2)]


@pytest.fixture
def demo_loaded(engine, tmp_path):
    """A small generated demo dataset loaded into a fresh database (both backends)."""
    from data.demo import write_demo
    from data.ingest import import_paths

    write_demo(tmp_path, cases=400, seed=11, months=12)
    assert all(r.ok for r in import_paths(engine, [tmp_path], loaded_by="test"))
    return engine


def test_case_extracts_read_together_equal_each_portfolios_own_read(demo_loaded):
    from data.queries import latest_as_of

    catalogue = load_catalogue()
    as_of = latest_as_of(demo_loaded)
    start = as_of - dt.timedelta(days=365)
    board = Scope.for_user("board", {"board"}, ())
    portfolios = [p.id for p in catalogue.portfolios]
    together = missed_and_late_of_portfolios(demo_loaded, board, portfolios, start, as_of, as_of, catalogue=catalogue)
    with_codes = [p for p in portfolios if portfolio_codes(catalogue, p)]
    assert list(together) == with_codes
    cohorts = {str(catalogue.portfolio(p).cohort) for p in with_codes}
    assert len(cohorts) >= 3  # whole Code, domestic abuse, an offence group...: the cohort cuts are exercised
    for portfolio in with_codes:
        own = missed_and_late(demo_loaded, board, portfolio, portfolio_codes(catalogue, portfolio), start, as_of, as_of)
        pd.testing.assert_frame_equal(together[portfolio], own)
    assert sum(len(frame) > 0 for frame in together.values()) >= 3


def test_case_extracts_read_together_check_every_portfolio_first():
    lead = Scope.for_user("lead.da", {"lead"}, ("vawg_da",))
    with pytest.raises(AccessDenied):
        missed_and_late_of_portfolios(None, lead, ["vawg_da", "vcop"], "2025-01-01", "2025-12-31", "2025-12-31")
