"""Exports benchmark: an evidence pack and a board pack of the whole framework, gathered from a loaded database.

    python -m bench.bench_exports --sqlite var/bench/bench200k.sqlite3 [--from 2025-11-01 --to 2026-10-31]
    python -m bench.bench_exports --url postgresql+psycopg://...   # a loaded PostgreSQL database (writes audit rows)

A SQLite database is copied to a temporary folder first, because every export writes its audit row, and given the
metrics snapshot a load writes (untimed). Each export runs cold in a fresh child process (nothing fetched, prepared
or rendered yet), through the same service the app and `cli.py export` use (reports.exporting.export_pack), and
reports the time each step ended at, the file's size, the peak memory (of the export's process and of its largest
chart process), the CPU time (all threads, and the chart processes' apart: fairer numbers than the wall time when
others share the machine) and whether the evidence pack verifies. Then, in the same child,
the same export again with the frames already prepared and the charts already rendered: what the app does when its
cache is warm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

TARGETS = {"evidence": 10.0, "board": 30.0}  # issue 14: the evidence pack at 200,000 victims in under 10 s


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _children_cpu() -> float:
    """CPU seconds of the ended child processes (the chart processes, reports.chart_images)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(url: str, kind: str, start: dt.date, end: dt.date, queue) -> None:
    """Child process: one cold export with step times, then the same export warm."""
    import pandas as pd

    from data.engine import make_engine
    from data.queries import latest_as_of
    from metrics import scorecard
    from metrics.catalogue import load_catalogue
    from reports.exporting import ExportRequest, export_pack
    from reports.manifest import verify_pack
    from results.frames import prepared as prepared_frames

    engine = make_engine(url)
    request = ExportRequest(kind=kind, start=start, end=end)
    steps: dict[str, float] = {}
    began, cpu_began, children_began = time.perf_counter(), time.process_time(), _children_cpu()

    def progress(step: str, fraction: float) -> None:
        steps[step] = time.perf_counter() - began

    result = export_pack(engine, request, actor="bench", progress=progress)
    total, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    children_cpu, children_peak = _children_cpu() - children_began, _peak_mb(resource.RUSAGE_CHILDREN)
    verified = None
    if kind == "evidence":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / result.file_name
            path.write_bytes(result.data)
            verified = verify_pack(path).ok
    as_of = latest_as_of(engine)
    first = min(pd.Timestamp(start), scorecard.window(as_of)[0])
    prepared = prepared_frames(engine, load_catalogue(), as_of, first, as_of)
    began = time.perf_counter()
    export_pack(engine, request, actor="bench", prepared=prepared)
    warm = time.perf_counter() - began
    queue.put({"kind": kind, "steps": steps, "total": total, "cpu": cpu, "bytes": len(result.data),
               "peak_mb": _peak_mb(), "verified": verified, "warm": warm, "children_cpu": children_cpu,
               "children_peak_mb": children_peak,
               "cases": result.detail.get("case_files")})  # fmt: skip


def _child(url: str, kind: str, start: dt.date, end: dt.date) -> dict:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(url, kind, start, end, queue))
    process.start()
    process.join()  # the result is small, so the child can exit before it is read
    if process.exitcode != 0:
        raise SystemExit(f"the {kind} export failed in its child process (exit code {process.exitcode})")
    return queue.get()


def _snapshot(url: str) -> str:
    """Write the metrics snapshot a load leaves behind, unless it is there (a copied database is another database to
    the snapshot's key, so it needs its own); not part of any timed export."""
    from data.engine import make_engine
    from data.queries import latest_as_of
    from data.snapshot import read_snapshot, refresh_snapshot
    from metrics.catalogue import load_catalogue

    engine = make_engine(url)
    try:
        if read_snapshot(engine, load_catalogue(), latest_as_of(engine)) is not None:
            return "current"
        began = time.perf_counter()
        refresh_snapshot(engine, load_catalogue())
        return f"written in {time.perf_counter() - began:.1f} s"
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sqlite", type=Path, help="A loaded SQLite database (copied first; never written).")
    source.add_argument("--url", help="A loaded database URL (exports write their audit rows to it).")
    parser.add_argument("--from", dest="start", default="2025-11-01", help="First day of the period.")
    parser.add_argument("--to", dest="end", default="2026-10-31", help="Last day of the period.")
    parser.add_argument("--kinds", default="evidence,board", help="Comma-separated: evidence, board.")
    parser.add_argument(
        "--copy-to", type=Path, help="Keep the SQLite copy (and its snapshot) here and reuse it on the next run."
    )
    args = parser.parse_args()
    start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    folder = tempfile.mkdtemp(prefix="vsd-bench-exports-")
    try:
        if args.sqlite:
            copy = args.copy_to or Path(folder) / "bench.sqlite3"
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(args.sqlite, copy)
            url = f"sqlite:///{copy.resolve()}"
        else:
            url = args.url
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        print(f"metrics snapshot (as a load writes it): {_snapshot(url)}")
        for kind in args.kinds.split(","):
            result = _child(url, kind, start, end)
            steps = ", ".join(f"{step} {at:.1f} s" for step, at in result["steps"].items())
            met = "met" if result["total"] < TARGETS[kind] else "NOT met"
            print(f"{kind}: cold {result['total']:.1f} s (target {TARGETS[kind]:.0f} s, {met}), "
                  f"CPU {result['cpu']:.1f} s + chart processes {result['children_cpu']:.1f} s; "
                  f"steps end at: {steps}")  # fmt: skip
            print(f"  warm (prepared frames and charts cached) {result['warm']:.1f} s; {result['bytes'] / 1e6:.1f} MB; "
                  f"peak {result['peak_mb']:.0f} MB (largest chart process {result['children_peak_mb']:.0f} MB); "
                  f"verifies: {result['verified']}; case files: {result['cases']}")  # fmt: skip
            print(f"  load average now: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
