"""Metrics benchmark: every portfolio's scorecard over 36 months, cold (fetching from the database) and warm.

    python -m bench.bench_metrics --cases 100000 [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
    python -m bench.bench_metrics --sqlite var/bench.sqlite3 --data var/bench_demo   # reuse a loaded database

Each run happens in a fresh child process, so "cold" starts with nothing cached and the peak memory (ru_maxrss) is
the metrics' own. DuckDB then computes the same VCOP numerators and denominators per code and month with SQL over
the same demo CSV files; the two are checked equal and the times compared.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
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


def _metrics_run(url: str, queue) -> None:
    """Child process: cold (fetch + prepare + all scorecards), warm (all scorecards again), VCOP by month."""
    from data.queries import latest_as_of, metric_frames, targets_frame
    from metrics.catalogue import load_catalogue
    from metrics.measures import compute, prepare, victim_columns
    from metrics.periods import recent_months
    from metrics.scorecard import all_scorecards, window

    engine = make_engine(url)
    catalogue = load_catalogue()
    t0 = time.perf_counter()
    as_of = latest_as_of(engine)
    start, end = window(as_of)
    frames = metric_frames(engine, start, end, as_of=as_of, victim_columns=victim_columns(catalogue))
    targets = targets_frame(engine)
    t1 = time.perf_counter()
    prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end)
    t2 = time.perf_counter()
    cards = all_scorecards(prepared, catalogue, targets=targets)
    t3 = time.perf_counter()
    warm = []
    for _ in range(3):
        started = time.perf_counter()
        all_scorecards(prepared, catalogue, targets=targets)
        warm.append(time.perf_counter() - started)
    codes = [f"VCOP_{e.code}" for e in catalogue.entitlements]
    started = time.perf_counter()
    monthly = compute(prepared, catalogue, periods=recent_months(as_of, 36), portfolio="vcop", metric_ids=codes)
    vcop_seconds = time.perf_counter() - started
    monthly = monthly.assign(code=monthly["metric_id"].str.removeprefix("VCOP_"), month=monthly["period_start"])
    queue.put(
        {
            "rows": {k: len(v) for k, v in frames.items()},
            "as_of": str(as_of),
            "start": str(start.date()),
            "fetch_s": t1 - t0,
            "prepare_s": t2 - t1,
            "scorecards_s": t3 - t2,
            "cold_s": t3 - t0,
            "warm_s": min(warm),
            "vcop_monthly_s": vcop_seconds,
            "cards": len(cards),
            "peak_mb": _peak_mb(),
            "vcop": monthly[["code", "month", "numerator", "denominator"]],
        }
    )
    engine.dispose()


def run_metrics(url: str) -> dict:
    """The metrics run in a fresh (spawned) process."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_metrics_run, args=(url, queue))
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


def report(name: str, ours: dict, duck: dict) -> str:
    """One backend's results as markdown lines."""
    mismatches = _compare(ours["vcop"], duck["vcop"])
    rows = ", ".join(f"{k} {v:,}" for k, v in ours["rows"].items() if v)
    return "\n".join(
        [
            f"### {name}  (as of {ours['as_of']}, window from {ours['start']})",
            f"rows fetched: {rows}",
            "",
            "| step | seconds |",
            "|---|---:|",
            f"| fetch frames from the database | {ours['fetch_s']:.2f} |",
            f"| prepare (entitlement states, victim attributes, compress) | {ours['prepare_s']:.2f} |",
            f"| all {ours['cards']} scorecard rows (11 portfolios) | {ours['scorecards_s']:.2f} |",
            f"| **cold total** | **{ours['cold_s']:.2f}** |",
            f"| **warm: all scorecards from prepared frames** | **{ours['warm_s']:.2f}** |",
            f"| VCOP per code × 36 months from prepared frames | {ours['vcop_monthly_s']:.2f} |",
            f"| DuckDB: load victims + entitlements CSV | {duck['load_s']:.2f} |",
            f"| DuckDB: VCOP per code × month query | {duck['query_s']:.2f} |",
            "",
            f"peak RSS of the metrics process: {ours['peak_mb']:,.0f} MB; "
            f"cold ÷ DuckDB (load + query): {ours['cold_s'] / (duck['load_s'] + duck['query_s']):.1f}; "
            f"our VCOP by month ÷ DuckDB query: {ours['vcop_monthly_s'] / duck['query_s']:.1f}; "
            f"VCOP code × month cells differing from DuckDB: {mismatches}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="victims to generate")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data", type=Path, help="use (or keep) the demo data in this directory")
    parser.add_argument("--sqlite", type=Path, help="use (or keep) this SQLite file; loaded when new")
    parser.add_argument("--postgres", help="PostgreSQL server URL; a throwaway database is created and loaded")
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
        ours = run_metrics(sqlite_url)
        duck = run_duckdb(data_dir, ours["as_of"], ours["start"])
        print(report("SQLite", ours, duck), flush=True)
        if args.postgres:
            admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"vsd_bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            try:
                load(url)
                print(report("PostgreSQL", run_metrics(url), duck), flush=True)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
