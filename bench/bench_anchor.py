"""A fair anchor (issue 14): our figures against DuckDB querying its own persisted database of the same rows.

    python -m bench.bench_anchor --sqlite var/bench/bench1m.sqlite3 --data var/bench/demo1m --cache var/bench/cache \
        [--duckdb var/bench/anchor1m.duckdb] [--repeats 5] [--no-drop-caches]          # `make bench-anchor`

Two queries, each computed by both sides and checked equal cell by cell (numerator and denominator):
(a) "month": VCOP per entitlement code × month over the scorecard window (36 months), the monthly series of the
    SPC charts; (b) "area": VCOP per code by area over the rolling 12 months, the Victims' Code page's cut
    (app_pages/victims_code.py asks for it one code at a time; here all 21 codes in one call, one prepared window).

DuckDB: the victims and entitlements CSV files are loaded once into a database file (CREATE TABLE AS SELECT from
read_csv with every column's type given), with the working-day calendar and the catalogue's timescales beside them
(the same inputs ours judges with); it is rebuilt only when the CSV files change. **Cold** = a fresh process opens the
file read-only and runs the query (timed from open to the result as a DataFrame); **warm** = the same query again on
the same connection (best of --repeats). The SQL judges every instance's state at the as-of date from the rule
columns (declined, delivered_date, trigger_date, the victim's enhanced_rights, the code's timescale and unit,
working days from the calendar: METRICS.md §1-2), as bench/bench_metrics.py does.

Ours: **cold** = a fresh process: connect (ui.db.get_engine), the as-of date, then the app's own cached functions
(ui/results_cache.py: prepared_frames, then measure_rows, as the pages call them; outside Streamlit they work as plain
in-memory caches); **warm (cached)** = the same measure_rows call again, what a later page run costs; **warm
(compute)** = results.measures.measure_rows over the cached prepared frames, no result cache (best of --repeats).

Ours reads what the load prepared: the metrics snapshot (judged rows; for the scorecard window, counts already
compressed), made current first (written when a load or a change to the judging code made it stale, timed apart).
DuckDB works from the raw rows every time. Neither the snapshot's writing nor DuckDB's build is in the ratios.

Before each cold process the OS page cache is dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) when this runs as
root and the file is writable; the report says whether it was. Imports are not timed (reported apart). CPU seconds
count every thread of the process (DuckDB runs the query on all cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
from pathlib import Path

import pandas as pd

from bench.bench_metrics import _child, _peak_mb
from bench.bench_metrics import _Clock as BenchClock

QUERIES = ("month", "area")
TITLES = {
    "month": "(a) VCOP per code × month, 36-month window",
    "area": "(b) VCOP per code by area, rolling 12 months",
}
PORTFOLIO = "vcop"  # every victim: the Victims' Code portfolio's cohort is "all"

# The contract's column types (DATA_CONTRACT.md); any other column is read as VARCHAR (types are never sniffed).
COLUMN_TYPES = {
    "reported_date": "DATE",
    "recorded_date": "DATE",
    "outcome_date": "DATE",
    "trigger_date": "DATE",
    "delivered_date": "DATE",
    "domestic_abuse": "BOOLEAN",
    "hate_crime": "BOOLEAN",
    "enhanced_rights": "BOOLEAN",
    "declined": "BOOLEAN",
}
TABLES = ("victims", "entitlements")

# Every instance judged at $as_of from the rule columns, as bench.bench_metrics.VCOP_BY_MONTH does; {group} is the
# column each query groups by beside the code. Instances triggered in [$start, $end] count.
_JUDGED = """
WITH e AS (
    SELECT e.code, {group} AS grp, e.trigger_date, coalesce(e.declined, false) AS declined, v.enhanced_rights,
           CASE WHEN e.delivered_date <= $as_of THEN e.delivered_date END AS delivered
    FROM entitlements e JOIN victims v USING (case_id)
    WHERE e.trigger_date BETWEEN $start AND $end
), judged AS (
    SELECT e.code, e.grp, e.declined, e.delivered IS NOT NULL AS delivered,
           CASE WHEN t.unit = 'calendar' THEN date_diff('day', e.trigger_date, coalesce(e.delivered, $as_of))
                ELSE cd.wd - ct.wd END AS elapsed,
           CASE WHEN e.enhanced_rights THEN t.enhanced ELSE t.standard END AS timescale
    FROM e JOIN timescales t USING (code)
    JOIN calendar ct ON ct.day = e.trigger_date
    JOIN calendar cd ON cd.day = coalesce(e.delivered, $as_of)
)
SELECT code, grp AS key,
       sum(CASE WHEN NOT declined AND delivered AND elapsed <= timescale THEN 1 ELSE 0 END) AS numerator,
       sum(CASE WHEN NOT declined AND (delivered OR elapsed > timescale) THEN 1 ELSE 0 END) AS denominator
FROM judged GROUP BY code, grp
"""
SQL = {
    "month": _JUDGED.format(group="date_trunc('month', e.trigger_date)"),
    "area": _JUDGED.format(group="v.area"),
}


class _Clock(BenchClock):
    """Wall and CPU seconds (every thread of the process) of consecutive steps, and the best of several calls."""

    def best(self, name: str, call, repeats: int):
        """The fastest of `repeats` calls (by wall time); the last call's result."""
        times = []
        for _ in range(repeats):
            result = self.time(name, call)
            times.append(self.steps[name])
        self.steps[name] = min(times)
        return result


def parameters(as_of: dt.date) -> dict[str, dict]:
    """Each query's window and cut, from the app's own definitions: the scorecard window (metrics.scorecard.window,
    monthly) and the rolling 12 months (metrics.periods.rolling_12, the pages' default period) cut by area."""
    from metrics.periods import rolling_12
    from metrics.scorecard import window

    first, last = (day.date() for day in window(as_of))
    r12 = rolling_12(as_of)
    return {
        "month": {"as_of": as_of, "start": first, "end": last, "by": None, "monthly": True},
        "area": {"as_of": as_of, "start": r12.start.date(), "end": r12.end.date(), "by": "area", "monthly": False},
    }


# --- DuckDB ---------------------------------------------------------------------------------------------------------


def _fingerprint(data_dir: Path) -> str:
    """The CSV files' sizes and modification times (and the as-of file): a changed dataset rebuilds the database."""
    parts = []
    for name in (*(f"{t}.csv" for t in TABLES), "as_of.txt"):
        path = data_dir / name
        if path.exists():
            stat = path.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _column_types(csv: Path) -> dict[str, str]:
    """Every column of the file's header with its type (COLUMN_TYPES, else VARCHAR)."""
    with csv.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    return {name: COLUMN_TYPES.get(name, "VARCHAR") for name in header}


def _connect(path: Path, read_only: bool = False):
    """A connection to the database file, without DuckDB's progress bar (printing it is not part of the work)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET enable_progress_bar = false")
    return con


def _stored_fingerprint(path: Path) -> str | None:
    import duckdb

    if not path.exists():
        return None
    try:
        with _connect(path, read_only=True) as con:
            return con.execute("SELECT fingerprint FROM anchor_meta").fetchall()[0][0]
    except duckdb.Error:
        return None


def build_duckdb(path: Path, data_dir: Path, as_of: dt.date) -> dict:
    """The persisted DuckDB database of the CSV files' rows (built once: skipped when present for the same files).
    Returns whether it was built, its wall and CPU seconds, the rows and the file's size."""

    from metrics.catalogue import load_catalogue
    from metrics.working_days import working_day_calendar

    fingerprint = _fingerprint(data_dir)
    built = _stored_fingerprint(path) != fingerprint
    if built:
        partial = path.with_name(path.name + ".building")
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        wall, cpu = time.perf_counter(), time.process_time()
        with _connect(partial) as con:
            for table in TABLES:
                csv = data_dir / f"{table}.csv"
                con.execute(  # the table names are the constants TABLES
                    f"CREATE TABLE {table} AS SELECT * FROM read_csv($path, header = true, columns = $columns)",  # noqa: S608
                    {"path": str(csv), "columns": _column_types(csv)},
                )
            # The same inputs ours judges with: cumulative working days per date, each code's timescales.
            first, last = con.execute("SELECT min(trigger_date), max(trigger_date) FROM entitlements").fetchall()[0]
            first, last = (first or as_of), max(last or as_of, as_of)
            calendar = working_day_calendar(first.year - 1, last.year + 1).rename(columns={"working_days": "wd"})
            timescales = load_catalogue().timescales().reset_index()
            con.register("calendar_frame", calendar)
            con.register("timescales_frame", timescales)
            con.execute("CREATE TABLE calendar AS SELECT CAST(day AS DATE) AS day, wd FROM calendar_frame")
            con.execute("CREATE TABLE timescales AS SELECT * FROM timescales_frame")
            con.execute("CREATE TABLE anchor_meta AS SELECT $fingerprint AS fingerprint", {"fingerprint": fingerprint})
            con.execute("CHECKPOINT")
        seconds = (time.perf_counter() - wall, time.process_time() - cpu)
        path.unlink(missing_ok=True)
        partial.rename(path)
    else:
        seconds = (None, None)
    with _connect(path, read_only=True) as con:
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}  # noqa: S608 (constants)
    return {"built": built, "seconds": seconds, "rows": rows, "size_mb": path.stat().st_size / 1e6}


def duckdb_figures(path: Path, query: str, params: dict, repeats: int) -> dict:
    """In a fresh process: open the database file and run the query (cold), then the same query again (warm)."""

    sql = SQL[query]
    values = {k: params[k] for k in ("as_of", "start", "end")}
    clock = _Clock()
    con = clock.time("open the database file", lambda: _connect(path, read_only=True))
    frame = clock.time("first query", lambda: con.execute(sql, values).df())
    clock.best("warm", lambda: con.execute(sql, values).df(), repeats)
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.close()
    return {"steps": clock.steps, "frame": tidy_duckdb(frame, query), "threads": threads, "peak_mb": _peak_mb()}


def tidy_duckdb(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """code, key (month start or area), numerator, denominator."""
    key = pd.to_datetime(frame["key"]) if query == "month" else frame["key"].astype(str)
    return pd.DataFrame(
        {
            "code": frame["code"].astype(str),
            "key": key,
            "numerator": frame["numerator"].astype("int64"),
            "denominator": frame["denominator"].astype("int64"),
        }
    )


# --- ours -----------------------------------------------------------------------------------------------------------


def our_figures(query: str, params: dict, repeats: int) -> dict:
    """The app's path to the query's figures (DATABASE_URL and VSD_CACHE_DIR set by the caller): cold (connect,
    as-of date, prepared frames, measure rows), warm from the app's cache, and recomputed from the prepared frames."""
    from data import snapshot as snapshots
    from results import measures
    from ui import results_cache
    from ui.db import get_engine

    began = time.time()
    clock = _Clock()
    engine = clock.time("connect", get_engine)
    db = results_cache.db_key()
    as_of = clock.time("as-of date", lambda: results_cache.as_of_date(db))
    if as_of != params["as_of"]:
        raise RuntimeError(f"the app's as-of date {as_of} is not the benchmark's {params['as_of']}")
    catalogue = results_cache.catalogue()
    codes = tuple(f"VCOP_{e.code}" for e in catalogue.entitlements)
    start, end, by, monthly = params["start"], params["end"], params["by"], params["monthly"]
    # measure_rows asks prepared_frames for the same window and cut: called first, the split shows where time goes.
    ready = clock.time("prepared frames (snapshot)", lambda: results_cache.prepared_frames(db, as_of, start, end, by))
    rows = clock.time(
        "measure rows",
        lambda: results_cache.measure_rows(db, as_of, start, end, PORTFOLIO, codes, by, monthly),
    )
    # Not a cold read of the snapshot if the run had to write it (a load, or a change to the judging code, since).
    current = snapshots.snapshot_path(engine, snapshots.snapshot_key(engine, catalogue, as_of))
    rewritten = current.is_dir() and current.stat().st_mtime > began
    clock.best(
        "warm: cached",
        lambda: results_cache.measure_rows(db, as_of, start, end, PORTFOLIO, codes, by, monthly),
        repeats,
    )
    targets = results_cache.targets(db, results_cache.data_version(db))
    again = clock.best(
        "warm: compute",
        lambda: measures.measure_rows(
            ready,
            catalogue,
            start=start,
            end=end,
            portfolio=PORTFOLIO,
            metric_ids=codes,
            monthly=monthly,
            targets=targets,
        ),
        repeats,
    )
    mine, recomputed = tidy_ours(rows, query), tidy_ours(again, query)
    if not mine.equals(recomputed):
        raise RuntimeError("the recomputed rows differ from the cached ones")
    return {"steps": clock.steps, "frame": mine, "peak_mb": _peak_mb(), "snapshot_rewritten": rewritten}


def ensure_snapshot(url: str) -> dict:
    """The metrics snapshot current for the database as it is now (what a load writes; VSD_CACHE_DIR set by the
    caller), written when it is not: the cold runs must read it, not build it. Whether it was written, and its
    seconds."""
    from data import snapshot as snapshots
    from data.engine import make_engine
    from data.queries import latest_as_of
    from metrics.catalogue import load_catalogue

    engine, catalogue = make_engine(url), load_catalogue()
    as_of = latest_as_of(engine)
    current = snapshots.snapshot_path(engine, snapshots.snapshot_key(engine, catalogue, as_of))
    clock = _Clock()
    written = not current.is_dir() or snapshots.scorecard_prepared(engine, catalogue, as_of) is None
    if written:
        clock.time("snapshot", lambda: snapshots.refresh_snapshot(engine, catalogue))
    engine.dispose()
    return {"written": written, "seconds": clock.steps.get("snapshot", (None, None))}


def tidy_ours(rows: pd.DataFrame, query: str) -> pd.DataFrame:
    """code, key (month start or area), numerator, denominator from measure rows."""
    if query == "month":
        rows = rows.loc[(rows["period_kind"] == "month") & (rows["group_value"] == "all")]
        key = pd.to_datetime(rows["period_start"])
    else:
        rows = rows.loc[(rows["period_kind"] == "custom") & (rows["group"] == "area")]
        key = rows["group_value"].astype(str)
    out = pd.DataFrame(
        {
            "code": rows["metric_id"].str.removeprefix("VCOP_").astype(str),
            "key": key,
            "numerator": rows["numerator"].astype("int64"),
            "denominator": rows["denominator"].astype("int64"),
        }
    )
    return out.sort_values(["code", "key"]).reset_index(drop=True)


def _joined(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """Every code × key either side has, side by side (a group one side lacks counts as 0 there)."""
    return ours.merge(theirs, on=["code", "key"], how="outer", suffixes=("", "_duckdb")).fillna(0)


def compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[int, int]:
    """(cells compared, cells differing): numerator and denominator of every code × key either side has."""
    joined = _joined(ours, theirs)
    differing = sum(int((joined[c] != joined[f"{c}_duckdb"]).sum()) for c in ("numerator", "denominator"))
    return 2 * len(joined), differing


def differences(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """The code × key rows whose numerator or denominator differ."""
    joined = _joined(ours, theirs)
    differ = (joined["numerator"] != joined["numerator_duckdb"]) | (
        joined["denominator"] != joined["denominator_duckdb"]
    )
    return joined.loc[differ].reset_index(drop=True)


# --- processes and report -------------------------------------------------------------------------------------------


def _duckdb_child(path: str, query: str, params: dict, repeats: int, queue) -> None:
    began = time.perf_counter()
    import duckdb  # noqa: F401 (imported before the clock starts)

    imports = time.perf_counter() - began
    queue.put({**duckdb_figures(Path(path), query, params, repeats), "imports_s": imports})


def _snapshot_child(url: str, cache: str, queue) -> None:
    os.environ["VSD_CACHE_DIR"] = cache
    queue.put(ensure_snapshot(url))


def _ours_child(url: str, cache: str, query: str, params: dict, repeats: int, queue) -> None:
    import logging

    os.environ["DATABASE_URL"], os.environ["VSD_CACHE_DIR"] = url, cache
    began = time.perf_counter()
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime": the caches still work in memory
    import results.measures  # noqa: F401 (imported before the clock starts)
    import ui.db  # noqa: F401
    import ui.results_cache  # noqa: F401

    imports = time.perf_counter() - began
    queue.put({**our_figures(query, params, repeats), "imports_s": imports})


def can_drop_caches() -> bool:
    return os.geteuid() == 0 and os.access("/proc/sys/vm/drop_caches", os.W_OK)


def drop_caches() -> None:
    """`sync; echo 3 > /proc/sys/vm/drop_caches`: the page cache, dentries and inodes."""
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n", encoding="ascii")


def _total(steps: dict, names) -> tuple[float, float]:
    return tuple(sum(steps[n][i] for n in names) for i in (0, 1))


DUCK_COLD = ("open the database file", "first query")
OURS_COLD = ("connect", "as-of date", "prepared frames (snapshot)", "measure rows")


def _ratio(ours: tuple[float, float], theirs: tuple[float, float]) -> str:
    ratios = [o / t if t > 0 else None for o, t in zip(ours, theirs, strict=True)]
    return " | ".join("–" if r is None else f"{r:.2f}" if r >= 0.1 else f"{r:.3f}" for r in ratios)


def report(measured: dict, repeats: int) -> str:
    """The markdown table of every step, the ratios ours ÷ DuckDB and the conditions."""
    build, snapshot, results = measured["build"], measured["snapshot"], measured["results"]
    wall, cpu = build["seconds"]
    lines = ["| step | wall s | CPU s |", "|---|---:|---:|"]
    lines.append(
        f"| DuckDB: build the database file (CSV → tables; once, not in the ratios) | {wall:.2f} | {cpu:.2f} |"
        if build["built"]
        else "| DuckDB: build the database file (present: not rebuilt) | | |"
    )
    wall, cpu = snapshot["seconds"]
    lines.append(
        f"| ours: write the metrics snapshot (what a load does; not in the ratios) | {wall:.2f} | {cpu:.2f} |"
        if snapshot["written"]
        else "| ours: the metrics snapshot the load wrote (current: not rewritten) | | |"
    )
    ratios = [
        "| query | cold wall | cold CPU | warm cached wall | warm cached CPU | warm compute wall | warm compute CPU "
        "| cells equal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    invalid, differ = [], []
    for query, (duck, ours) in results.items():
        tag = TITLES[query]
        duck_cold, ours_cold = _total(duck["steps"], DUCK_COLD), _total(ours["steps"], OURS_COLD)
        duck_warm = duck["steps"]["warm"]
        cached, computed = ours["steps"]["warm: cached"], ours["steps"]["warm: compute"]
        lines += [
            *(
                f"| {tag}: DuckDB cold: {s} | {duck['steps'][s][0]:.3f} | {duck['steps'][s][1]:.3f} |"
                for s in DUCK_COLD
            ),
            f"| **{tag}: DuckDB cold total** | **{duck_cold[0]:.3f}** | **{duck_cold[1]:.3f}** |",
            f"| **{tag}: DuckDB warm: the query again (best of {repeats})** | **{duck_warm[0]:.4f}** "
            f"| **{duck_warm[1]:.4f}** |",
            *(f"| {tag}: ours cold: {s} | {ours['steps'][s][0]:.3f} | {ours['steps'][s][1]:.3f} |" for s in OURS_COLD),
            f"| **{tag}: ours cold total** | **{ours_cold[0]:.3f}** | **{ours_cold[1]:.3f}** |",
            f"| **{tag}: ours warm: the cached call again (best of {repeats})** | **{cached[0]:.4f}** "
            f"| **{cached[1]:.4f}** |",
            f"| **{tag}: ours warm: recompute from the prepared frames, no result cache (best of {repeats})** "
            f"| **{computed[0]:.4f}** | **{computed[1]:.4f}** |",
        ]
        cells, differing = compare(ours["frame"], duck["frame"])
        ratios.append(
            f"| {tag} | {_ratio(ours_cold, duck_cold)} | {_ratio(cached, duck_warm)} | {_ratio(computed, duck_warm)} "
            f"| {cells - differing:,} of {cells:,}{'' if differing == 0 else ' — DIFFER'} |"
        )
        if ours.get("snapshot_rewritten"):
            invalid.append(query)
        if differing:
            shown = differences(ours["frame"], duck["frame"]).head(10)
            differ.append(f"{query}: " + "; ".join(
                f"{r.code} {r.key.date() if isinstance(r.key, pd.Timestamp) else r.key} ours {r.numerator:.0f}/"
                f"{r.denominator:.0f}, DuckDB {r.numerator_duckdb:.0f}/{r.denominator_duckdb:.0f}"
                for r in shown.itertuples()
            ))  # fmt: skip
    first = next(iter(results.values()))
    notes = [
        f"DuckDB file: {build['size_mb']:,.0f} MB, "
        + ", ".join(f"{t} {n:,} rows" for t, n in build["rows"].items())
        + f"; DuckDB threads: {first[0]['threads']}; warm = best of {repeats}.",
        "OS page cache: "
        + (
            "dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) before every cold process, DuckDB's and ours."
            if measured["dropped"]
            else "NOT dropped (not root, /proc/sys/vm/drop_caches not writable, or --no-drop-caches)."
        ),
        "Imports before the clock (s): "
        + "; ".join(f"{q} DuckDB {d['imports_s']:.2f}, ours {o['imports_s']:.2f}" for q, (d, o) in results.items())
        + ". Peak RSS (MB): "
        + "; ".join(f"{q} DuckDB {d['peak_mb']:,.0f}, ours {o['peak_mb']:,.0f}" for q, (d, o) in results.items())
        + ".",
        f"load average (1 min) at start {measured['loads'][0]:.2f}, at end {measured['loads'][1]:.2f}; "
        f"{os.cpu_count()} CPUs.",
    ]
    if differ:
        notes.append("**Cells that differ** (numerator/denominator, first 10 a query): " + " | ".join(differ))
    if invalid:
        notes.append(
            f"**NOT COLD READS ({', '.join(invalid)})**: the snapshot was rewritten during the run (the judging code "
            "or the data changed after it was written): run again."
        )
    return "\n".join([*lines, "", "Ours ÷ DuckDB (persisted):", "", *ratios, "", *notes])


def run(
    url: str, data_dir: Path, cache: Path, duck_path: Path, *, repeats: int = 5, drop: bool = True, spawn: bool = True
) -> dict:
    """Build (when needed) the DuckDB file, then each query on both sides; returns every measurement. With
    spawn=False both sides run in this process (the test: the same comparison, no timing claims)."""
    from data.engine import make_engine
    from data.queries import latest_as_of

    loads = [os.getloadavg()[0]]
    engine = make_engine(url)
    as_of = latest_as_of(engine)
    engine.dispose()
    if as_of is None:
        raise SystemExit(f"{url}: nothing loaded")
    build = build_duckdb(duck_path, data_dir, as_of)
    snapshot = _child(_snapshot_child, url, str(cache)) if spawn else ensure_snapshot(url)
    dropped = drop and can_drop_caches()
    results = {}
    for query, params in parameters(as_of).items():
        if spawn:
            if dropped:
                drop_caches()
            duck = _child(_duckdb_child, str(duck_path), query, params, repeats)
            if dropped:
                drop_caches()
            ours = _child(_ours_child, url, str(cache), query, params, repeats)
        else:
            duck = {**duckdb_figures(duck_path, query, params, repeats), "imports_s": 0.0}
            ours = {**our_figures(query, params, repeats), "imports_s": 0.0}
        results[query] = (duck, ours)
    loads.append(os.getloadavg()[0])
    return {
        "as_of": as_of,
        "build": build,
        "snapshot": snapshot,
        "results": results,
        "dropped": dropped,
        "loads": tuple(loads),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, required=True, help="the loaded database (make bench-data)")
    parser.add_argument("--data", type=Path, required=True, help="its demo CSV files")
    parser.add_argument("--cache", type=Path, required=True, help="its metrics snapshots (VSD_CACHE_DIR)")
    parser.add_argument("--duckdb", type=Path, help="the DuckDB file (default: anchor<size>.duckdb beside --data)")
    parser.add_argument("--repeats", type=int, default=5, help="warm runs, the best reported (default 5)")
    parser.add_argument("--no-drop-caches", action="store_true", help="keep the OS page cache before cold runs")
    args = parser.parse_args(argv)

    from bench.bench_data import require_database

    require_database(args.sqlite)
    duck_path = args.duckdb or args.data.parent / f"anchor{args.data.name.removeprefix('demo')}.duckdb"
    url = f"sqlite:///{args.sqlite}"
    measured = run(url, args.data, args.cache, duck_path, repeats=args.repeats, drop=not args.no_drop_caches)
    print(f"### {args.sqlite} against {duck_path} (as of {measured['as_of']})", flush=True)
    print(report(measured, args.repeats), flush=True)
    differing = sum(compare(o["frame"], d["frame"])[1] for d, o in measured["results"].values())
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
