"""Load benchmark: generate demo data, load it into fresh SQLite (and PostgreSQL) databases, report speed and memory.

    python -m bench.bench_load --cases 100000 [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each table is loaded in its own child process so the peak memory (ru_maxrss) is that table's load alone.
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

from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.engine import make_engine
from data.migrate import upgrade
from data.models import CONTRACT_TABLES


def _load_one(url: str, path: str, reload: bool, queue) -> None:
    """Child process: load one file (twice when reload is asked) and report timings and peak memory."""
    from data.ingest import format_report, import_paths

    engine = make_engine(url)
    runs = []
    for _ in range(2 if reload else 1):
        start = time.perf_counter()
        [result] = import_paths(engine, [Path(path)], loaded_by="bench")
        runs.append((time.perf_counter() - start, result.rows_inserted, result.rows_updated, result.ok))
        if not result.ok:
            print(format_report([result]), file=sys.stderr)
            break
    engine.dispose()
    queue.put((runs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def bench_backend(name: str, url: str, data_dir: Path, reload: bool) -> list[dict]:
    """Load every table file of data_dir into the database at url, one child process per table."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    ctx = mp.get_context("spawn")
    rows = []
    for table in CONTRACT_TABLES:
        path = data_dir / f"{table}.csv"
        if not path.exists():
            continue
        queue = ctx.Queue()
        child = ctx.Process(target=_load_one, args=(url, str(path), reload, queue))
        child.start()
        runs, peak_mb = queue.get()
        child.join()
        for i, (seconds, inserted, updated, ok) in enumerate(runs):
            count = inserted + updated
            rows.append(
                {
                    "backend": name,
                    "table": table + (" (reload)" if i else ""),
                    "rows": count,
                    "inserted": inserted,
                    "updated": updated,
                    "seconds": seconds,
                    "rows_per_s": count / seconds if seconds else 0.0,
                    "peak_mb": peak_mb,
                    "ok": ok,
                }
            )
    return rows


def markdown(rows: list[dict]) -> str:
    """The results as a markdown table, with a total line per backend (first loads only)."""
    lines = [
        "| backend | table | rows | inserted | updated | seconds | rows/s | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        flag = "" if r["ok"] else " **FAILED**"
        lines.append(
            f"| {r['backend']} | {r['table']}{flag} | {r['rows']:,} | {r['inserted']:,} | {r['updated']:,} "
            f"| {r['seconds']:.1f} | {r['rows_per_s']:,.0f} | {r['peak_mb']:,.0f} |"
        )
    for backend in dict.fromkeys(r["backend"] for r in rows):
        first = [r for r in rows if r["backend"] == backend and "(reload)" not in r["table"]]
        total_rows = sum(r["rows"] for r in first)
        total_s = sum(r["seconds"] for r in first)
        lines.append(
            f"| {backend} | **all tables** | {total_rows:,} | | | {total_s:.1f} | {total_rows / total_s:,.0f} "
            f"| {max(r['peak_mb'] for r in first):,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="victims to generate")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--postgres", help="PostgreSQL server URL; a throwaway database is created on it")
    parser.add_argument("--reload", action="store_true", help="load every file a second time (all updates)")
    parser.add_argument("--data", type=Path, help="use (or keep) the demo data in this directory")
    args = parser.parse_args(argv)

    from data.demo import write_demo

    with tempfile.TemporaryDirectory(prefix="vsd_bench_") as tmp:
        tmp_dir = Path(tmp)
        data_dir = args.data or tmp_dir / "demo"
        if not (data_dir / "victims.csv").exists():
            start = time.perf_counter()
            counts = write_demo(data_dir, cases=args.cases, seed=args.seed, months=args.months)
            print(f"generated {sum(counts.values()):,} rows in {time.perf_counter() - start:.0f} s: {counts}")
        results = bench_backend("sqlite", f"sqlite:///{tmp_dir / 'bench.sqlite3'}", data_dir, args.reload)
        if args.postgres:
            admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"vsd_bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            try:
                results += bench_backend("postgresql", url, data_dir, args.reload)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print(markdown(results))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
