"""Metrics benchmark: every portfolio's scorecard over 36 months, as the app computes it, cold and warm.

    python -m bench.bench_metrics --cases 100000 [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
    python -m bench.bench_metrics --sqlite var/bench.sqlite3 --data var/bench_demo   # reuse a loaded database
    python -m bench.bench_metrics ... --database-path     # also time the old path (fetch every row, no snapshot)
    python -m bench.bench_metrics --sqlite var/bench/bench1m.sqlite3 --data var/bench/demo1m --cache DIR --first-cut 3
        # only a page's first cut and first filter, each in 3 fresh processes (the snapshot reused when current)

Per backend, each step in a fresh child process (so "cold" starts with nothing cached and the peak memory is the
step's own): (1) the metrics snapshot a load writes (data.snapshot.refresh_snapshot: fetch, judge, write Parquet);
(2) the app's path through ui/results_cache.py: cold = the first all_scorecards() of a process (the scorecard frames the
snapshot stores ready, the live sources, every scorecard computed), warm = the same call again (what a page run costs
once cached), recomputing every scorecard from the cached prepared frames (what a changed target costs), reading
every judged row, and preparing every source for the scorecard window from the snapshot; then (3) a page's first cut
(the Victims' Code page's measures by area over the rolling 12 months) and (4) its first filter (the same measures for
one area), each in a fresh process through ui.results_cache.measure_rows, with its peak RSS. DuckDB then computes the
same VCOP numerators and denominators per code and month with SQL over the same demo CSV files; the two are checked
equal and timed side by side. CPU seconds are reported beside wall seconds because the machine is shared.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.engine import make_engine
from data.migrate import upgrade

VCOP_BY_MONTH = """
WITH e AS (
    SELECT e.code, e.trigger_date, coalesce(e.declined, false) AS declined, v.enhanced_rights,
           CASE WHEN e.delivered_date <= $as_of THEN e.delivered_date END AS delivered
    FROM entitlements e JOIN victims v USING (case_id)
    WHERE e.trigger_date BETWEEN $start AND $as_of
), judged AS (
    SELECT e.code, date_trunc('month', e.trigger_date) AS month, e.declined, e.delivered IS NOT NULL AS delivered,
           CASE WHEN t.unit = 'calendar' THEN date_diff('day', e.trigger_date, coalesce(e.delivered, $as_of))
                ELSE cd.wd - ct.wd END AS elapsed,
           CASE WHEN e.enhanced_rights THEN t.enhanced ELSE t.standard END AS timescale
    FROM e JOIN timescales t USING (code)
    JOIN calendar ct ON ct.day = e.trigger_date
    JOIN calendar cd ON cd.day = coalesce(e.delivered, $as_of)
)
SELECT code, month,
       sum(CASE WHEN NOT declined AND delivered AND elapsed <= timescale THEN 1 ELSE 0 END) AS numerator,
       sum(CASE WHEN NOT declined AND (delivered OR elapsed > timescale) THEN 1 ELSE 0 END) AS denominator
FROM judged GROUP BY code, month
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    """Wall and CPU seconds of consecutive steps."""

    def __init__(self):
        self.steps: dict[str, tuple[float, float]] = {}

    def time(self, name: str, call):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        self.steps[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result


def _snapshot_run(url: str, cache: str, reuse: bool, queue) -> None:
    """Child process: the snapshot a load writes at its end (or, when `reuse`, the current one if there is one)."""
    os.environ["VSD_CACHE_DIR"] = cache
    from data.queries import latest_as_of
    from data.snapshot import read_snapshot, refresh_snapshot, snapshot_key, snapshot_path
    from metrics.catalogue import load_catalogue

    engine, catalogue = make_engine(url), load_catalogue()
    clock = _Clock()
    as_of = latest_as_of(engine)
    if reuse and read_snapshot(engine, catalogue, as_of) is not None:
        path, clock.steps["snapshot"] = snapshot_path(engine, snapshot_key(engine, catalogue, as_of)), (None, None)
    else:
        path = clock.time("snapshot", lambda: refresh_snapshot(engine, catalogue))
    size = sum(f.stat().st_size for f in path.iterdir())
    queue.put({"steps": clock.steps, "peak_mb": _peak_mb(), "size_mb": size / 1e6})
    engine.dispose()


def _app_run(url: str, cache: str, queue) -> None:
    """Child process: every scorecard through ui/results_cache.py, as the app's first page run and later runs do it."""
    import logging

    os.environ["DATABASE_URL"], os.environ["VSD_CACHE_DIR"] = url, cache
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime": the caches still work in memory
    from data import snapshot as snapshots
    from metrics.measures import compute
    from metrics.periods import recent_months
    from metrics.scorecard import window
    from results.scorecards import all_scorecards
    from ui import results_cache
    from ui.db import get_engine

    clock = _Clock()
    db = results_cache.db_key()
    engine = clock.time("connect", get_engine)
    as_of = results_cache.as_of_date(db)
    start, end = (d.date() for d in window(as_of))
    # The app's first all_scorecards() call (the landing page's first run), then the same call again.
    cards = clock.time("all scorecards", lambda: results_cache.all_scorecards(db, as_of))
    clock.time("warm: all scorecards again", lambda: results_cache.all_scorecards(db, as_of))
    catalogue, targets = results_cache.catalogue(), results_cache.targets(db, results_cache.data_version(db))
    # Its parts, outside the app's caches: the scorecard frames the snapshot stores ready (plus the live sources).
    prepared = clock.time(
        "of which: scorecard frames from the snapshot",
        lambda: snapshots.scorecard_prepared(engine, catalogue, as_of),
    )
    # What a page that cuts or filters first needs: every judged row read, then windowed and compressed.
    loads = snapshots.loads_version(engine)
    # (Each source is read, and prepared, when first used: dict() asks for every one.)
    snapshot = results_cache._snapshot(db, as_of, loads)
    clock.time("read every judged row of the snapshot", lambda: dict(snapshot.judged.frames))
    clock.time(
        "prepare every source for the scorecard window from the snapshot",
        lambda: dict(snapshots.prepared_from(snapshot, engine, catalogue, start=start, end=end).frames),
    )
    recompute = []
    for _ in range(3):
        clock.time("recompute", lambda: all_scorecards(prepared, catalogue, targets=targets))
        recompute.append(clock.steps["recompute"])
    clock.steps["recompute every scorecard from cached prepared frames"] = min(recompute)
    del clock.steps["recompute"]
    codes = [f"VCOP_{e.code}" for e in catalogue.entitlements]
    monthly = clock.time(
        "VCOP per code × 36 months from prepared frames",
        lambda: compute(prepared, catalogue, periods=recent_months(as_of, 36), portfolio="vcop", metric_ids=codes),
    )
    monthly = monthly.assign(code=monthly["metric_id"].str.removeprefix("VCOP_"), month=monthly["period_start"])
    queue.put(
        {
            "rows": {k: len(v) for k, v in snapshot.judged.frames.items()},
            "as_of": str(as_of),
            "start": str(start),
            "steps": clock.steps,
            "cards": len(cards),
            "peak_mb": _peak_mb(),
            "vcop": monthly[["code", "month", "numerator", "denominator"]],
        }
    )


FIRST_CUT = "first cut: Victims' Code page measures by area, rolling 12 months"
FIRST_FILTER = "first filter: Victims' Code page measures, rolling 12 months, one area"


def _first_cut_run(url: str, cache: str, kind: str, queue) -> None:
    """Child process: a page's first cut (kind "cut": the Victims' Code page's measures by area over the rolling 12
    months) or first filter (kind "filter": the same measures for one area) through the app's own cached function
    (ui.results_cache.measure_rows), in a fresh process: connect, then that one call."""
    import logging

    os.environ["DATABASE_URL"], os.environ["VSD_CACHE_DIR"] = url, cache
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from metrics.periods import rolling_12
    from ui import results_cache
    from ui.db import get_engine
    from ui.vcop import measure_ids

    clock = _Clock()
    db = results_cache.db_key()
    clock.time("connect", get_engine)
    as_of = results_cache.as_of_date(db)
    r12 = rolling_12(as_of)
    start, end, ids = r12.start.date(), r12.end.date(), measure_ids(results_cache.catalogue())
    if kind == "cut":
        rows = clock.time(FIRST_CUT, lambda: results_cache.measure_rows(db, as_of, start, end, "vcop", ids, "area"))
        area = ""
    else:
        area = _an_area(url)
        filters = (("area", area),)
        rows = clock.time(
            FIRST_FILTER, lambda: results_cache.measure_rows(db, as_of, start, end, "vcop", ids, filters=filters)
        )
    queue.put({"steps": clock.steps, "peak_mb": _peak_mb(), "rows": len(rows), "area": area})


def _an_area(url: str) -> str:
    """The area with the most victims (the filter the first-filter step applies)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        area = conn.execute(text("SELECT area FROM victims GROUP BY area ORDER BY count(*) DESC LIMIT 1")).scalar()
    engine.dispose()
    return str(area)


def _database_run(url: str, queue) -> None:
    """Child process: the path without a snapshot (fetch every row in the window, judge, compress, compute)."""
    from data.queries import latest_as_of, metric_frames, targets_frame
    from metrics.catalogue import load_catalogue
    from metrics.measures import prepare, victim_columns
    from metrics.scorecard import window
    from results.scorecards import all_scorecards

    engine = make_engine(url)
    catalogue = load_catalogue()
    clock = _Clock()
    as_of = latest_as_of(engine)
    start, end = window(as_of)
    columns = victim_columns(catalogue)
    frames = clock.time("fetch", lambda: metric_frames(engine, start, end, as_of=as_of, victim_columns=columns))
    targets = targets_frame(engine)
    prepared = clock.time("prepare", lambda: prepare(frames, catalogue, as_of=as_of, start=start, end=end))
    clock.time("all scorecards", lambda: all_scorecards(prepared, catalogue, targets=targets))
    queue.put({"steps": clock.steps, "peak_mb": _peak_mb()})
    engine.dispose()


def _child(target, *args) -> dict:
    """Run a step in a fresh (spawned) process and return what it reports."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=target, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def run_duckdb(data_dir: Path, as_of: str, start: str) -> dict:
    """DuckDB over the same CSV files: load victims and entitlements, then the VCOP numerators and denominators."""
    import duckdb

    from metrics.catalogue import load_catalogue
    from metrics.working_days import working_day_calendar

    con = duckdb.connect()
    t0 = time.perf_counter()
    for table in ("victims", "entitlements"):
        con.read_csv(str(data_dir / f"{table}.csv")).create(table)
    load_s = time.perf_counter() - t0
    # The working-day calendar is input data (the same holidays as ours): cumulative working days per date.
    calendar = working_day_calendar(int(start[:4]) - 1, int(as_of[:4]) + 1).rename(columns={"working_days": "wd"})
    timescales = load_catalogue().timescales().reset_index()
    con.register("calendar_frame", calendar)
    con.register("timescales_frame", timescales)
    con.execute("CREATE TABLE calendar AS SELECT CAST(day AS DATE) AS day, wd FROM calendar_frame")
    con.execute("CREATE TABLE timescales AS SELECT * FROM timescales_frame")
    t1 = time.perf_counter()
    result = con.execute(VCOP_BY_MONTH, {"as_of": as_of, "start": start}).df()
    query_s = time.perf_counter() - t1
    con.close()
    return {"load_s": load_s, "query_s": query_s, "vcop": result}


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> int:
    """Rows (code × month) where our numerator or denominator differs from DuckDB's."""
    ours = ours.assign(month=pd.to_datetime(ours["month"])).set_index(["code", "month"])[["numerator", "denominator"]]
    theirs = theirs.assign(month=pd.to_datetime(theirs["month"])).set_index(["code", "month"])
    joined = ours.merge(theirs, left_index=True, right_index=True, how="left", suffixes=("", "_duckdb")).fillna(0)
    return int(
        ((joined["numerator"] != joined["numerator_duckdb"]) | (joined["denominator"] != joined["denominator_duckdb"]))
        .astype(int)
        .sum()
    )


def _total(result: dict, names) -> tuple[float, float]:
    return tuple(sum(result["steps"][n][i] for n in names) for i in (0, 1))


def _snapshot_line(built: dict) -> str:
    wall, cpu = built["steps"]["snapshot"]
    if wall is None:
        return "| at load: write the metrics snapshot (fetch, judge, Parquet) | (reused) | |"
    return f"| at load: write the metrics snapshot (fetch, judge, Parquet) | {wall:.2f} | {cpu:.2f} |"


COLD_STEPS = ("connect", "all scorecards")
JUDGED_STEPS = (
    "read every judged row of the snapshot",
    "prepare every source for the scorecard window from the snapshot",
)


def report(name: str, built: dict, app: dict, duck: dict, database: dict | None = None) -> str:
    """One backend's results as markdown lines."""
    mismatches = _compare(app["vcop"], duck["vcop"])
    rows = ", ".join(f"{k} {v:,}" for k, v in app["rows"].items() if v)
    cold = _total(app, COLD_STEPS)
    warm = app["steps"]["warm: all scorecards again"]
    duck_total = duck["load_s"] + duck["query_s"]
    ours_vcop = _total(app, (*JUDGED_STEPS, "VCOP per code × 36 months from prepared frames"))
    lines = [
        f"### {name}  (as of {app['as_of']}, scorecard window from {app['start']})",
        f"snapshot rows: {rows}",
        "",
        "| step | wall s | CPU s |",
        "|---|---:|---:|",
        _snapshot_line(built),
        *[
            f"| cold: {step} | {wall:.2f} | {cpu:.2f} |"
            for step, (wall, cpu) in app["steps"].items()
            if step in COLD_STEPS
        ],
        f"| **cold total: connect + first all_scorecards() of a process** | **{cold[0]:.2f}** | **{cold[1]:.2f}** |",
        f"| **warm: all_scorecards() again (the app's cached path)** | **{warm[0]:.3f}** | **{warm[1]:.3f}** |",
        *[
            f"| {step} | {wall:.2f} | {cpu:.2f} |"
            for step, (wall, cpu) in app["steps"].items()
            if step not in COLD_STEPS and not step.startswith("warm")
        ],
        f"| DuckDB: load victims + entitlements CSV | {duck['load_s']:.2f} | |",
        f"| DuckDB: VCOP per code × month query | {duck['query_s']:.2f} | |",
    ]
    if database:
        lines += [
            f"| without a snapshot: {step} | {wall:.2f} | {cpu:.2f} |"
            for step, (wall, cpu) in database["steps"].items()
        ]
    lines += [
        "",
        f"snapshot: {built['size_mb']:.1f} MB on disk, its process peaked at {built['peak_mb']:,.0f} MB; "
        f"peak RSS of the app process: {app['peak_mb']:,.0f} MB (first cut's process {app['cut_peak_mb']:,.0f} MB, "
        f"first filter's {app['filter_peak_mb']:,.0f} MB); cold ÷ DuckDB (load + query): "
        f"{cold[0] / duck_total:.2f}; VCOP by month from judged rows (read + window + compute) ÷ DuckDB "
        f"(load + query): {ours_vcop[0] / duck_total:.2f}; compute alone ÷ DuckDB query: "
        f"{app['steps']['VCOP per code × 36 months from prepared frames'][0] / duck['query_s']:.2f}; "
        f"VCOP code × month cells differing from DuckDB: {mismatches}",
    ]
    return "\n".join(lines)


def first_cut_report(url: str, cache: Path, repeat: int) -> str:
    """Only the first cut and the first filter, each in `repeat` fresh processes, as markdown lines."""
    lines = ["| step | wall s | CPU s | peak RSS MB |", "|---|---:|---:|---:|"]
    for kind, step in (("cut", FIRST_CUT), ("filter", FIRST_FILTER)):
        for _ in range(repeat):
            first = _child(_first_cut_run, url, str(cache), kind)
            wall, cpu = first["steps"][step]
            label = f"{step} ({first['area']})" if first["area"] else step
            lines.append(f"| {label} | {wall:.2f} | {cpu:.2f} | {first['peak_mb']:,.0f} |")
            connect_wall, connect_cpu = first["steps"]["connect"]
            lines.append(f"| {kind}: connect | {connect_wall:.2f} | {connect_cpu:.2f} | |")
    return "\n".join(lines)


def run_backend(
    name: str, url: str, cache: Path, data_dir: Path, with_database: bool, reuse: bool, first_cut: int = 0
) -> None:
    """Snapshot, app path (and optionally the database path) for one loaded database, then DuckDB; print the report.
    With `first_cut`, only the snapshot (reused when current) and the first cut and filter, that many times each."""
    cache.mkdir(parents=True, exist_ok=True)
    started = os.getloadavg()[0]
    built = _child(_snapshot_run, url, str(cache), reuse or bool(first_cut))
    if first_cut:
        print(f"### {name}: a page's first cut and first filter, each in a fresh process", flush=True)
        print(_snapshot_line(built), flush=True)
        print(first_cut_report(url, cache, first_cut), flush=True)
        print(f"load average (1 min) at start {started:.1f}, at end {os.getloadavg()[0]:.1f}", flush=True)
        return
    app = _child(_app_run, url, str(cache))
    for kind in ("cut", "filter"):
        first = _child(_first_cut_run, url, str(cache), kind)
        app["steps"] |= {f"{kind}: connect": first["steps"]["connect"]} | {
            k: v for k, v in first["steps"].items() if k != "connect"
        }
        app[f"{kind}_peak_mb"] = first["peak_mb"]
    duck = run_duckdb(data_dir, app["as_of"], app["start"])
    database = _child(_database_run, url) if with_database else None
    print(report(name, built, app, duck, database), flush=True)
    print(f"load average (1 min) at start {started:.1f}, at end {os.getloadavg()[0]:.1f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="victims to generate")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data", type=Path, help="use (or keep) the demo data in this directory")
    parser.add_argument("--sqlite", type=Path, help="use (or keep) this SQLite file; loaded when new")
    parser.add_argument("--postgres", help="PostgreSQL server URL; a throwaway database is created and loaded")
    parser.add_argument("--cache", type=Path, help="snapshot folder (VSD_CACHE_DIR); default: a temporary one")
    parser.add_argument("--reuse-snapshot", action="store_true", help="keep a current snapshot instead of rewriting")
    parser.add_argument("--database-path", action="store_true", help="also time the path without a snapshot")
    parser.add_argument(
        "--first-cut", type=int, default=0, metavar="N", help="only a page's first cut and first filter, N times each"
    )
    args = parser.parse_args(argv)

    from data.demo import write_demo
    from data.ingest import format_report, import_paths

    def load(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        results = import_paths(engine, [data_dir], loaded_by="bench")
        engine.dispose()
        if not all(r.ok for r in results):
            raise SystemExit(format_report(results))
        print(f"loaded {url.split('@')[-1]} in {time.perf_counter() - started:.0f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="vsd_bench_") as tmp:
        data_dir = args.data or Path(tmp) / "demo"
        if not (data_dir / "victims.csv").exists():
            started = time.perf_counter()
            counts = write_demo(data_dir, cases=args.cases, seed=args.seed, months=36)
            print(f"generated {sum(counts.values()):,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        sqlite_path = args.sqlite or Path(tmp) / "bench.sqlite3"
        sqlite_url = f"sqlite:///{sqlite_path}"
        if not sqlite_path.exists():
            load(sqlite_url)
        cache = args.cache or Path(tmp) / "cache"
        run_backend("SQLite", sqlite_url, cache, data_dir, args.database_path, args.reuse_snapshot, args.first_cut)
        if args.postgres:
            admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"vsd_bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            try:
                load(url)
                run_backend("PostgreSQL", url, cache, data_dir, args.database_path, False, args.first_cut)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
