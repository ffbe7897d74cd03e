"""Load benchmark (issue 14): many sessions through the production topology, driven by a websocket-protocol client.

    make bench-data BENCH_SIZES=200000        # once: var/bench/demo200k (CSV) and var/bench/bench200k.sqlite3
    python -m bench.bench_ws_load --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        --processes 1 2 --sessions 20 50 --seconds 120          # (make bench-load)

The demo CSVs are loaded once into a PostgreSQL database of their own (`vsd_bench200k`, created when missing, with
`cli.py init-db`, `cli.py import` and the demo accounts of `cli.py bootstrap`); `--sqlite` runs on a copy of the
SQLite benchmark database instead (one process only makes sense there). For each process count, bench/topology.py
starts that many `streamlit run` processes and nginx with the shipped configuration in front (TLS, sticky sessions).

Then, for each process count:
1. **Cold pass**: on each process directly, one session per demo account signs in and opens each of its pages once,
   as the first users of a freshly started server do (caches fill). Reported, not part of the timed figures.
2. **Think-time runs** (one per --sessions): every session fetches the page through nginx (its sticky cookie),
   opens the websocket, signs in through the sign-in form (the app's cookie comes back and is kept), then moves
   through the pages its navigation offers, in turn, with a think time drawn uniformly from 3-7 s (about 5 s)
   between page runs, until --seconds have passed since the last session signed in. Sessions arrive spread over
   --arrival seconds, as people do at the start of a meeting, spread over the six demo accounts.
3. **Closed loop**: --closed-sessions signed-in sessions run pages back to back with no think time for
   --closed-seconds; page runs per second is the capacity of the topology.

A page time runs from sending the rerun to the app's own signal that it finished (script finished, runner idle).
Errors: a run not finished within --page-timeout, a closed connection, an exception element, an error alert, or a
traceback in a server's log. Server CPU is the processes' user + system time over the phase; memory is each
process's peak resident set. The client's own CPU is reported too, to show it costs almost nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.bench_data import demo_path
from bench.st_client import ServerError, Session
from bench.topology import ROOT, Topology

USERS = {
    "lead.da": "vsd-demo-lead.da",
    "lead.wcu": "vsd-demo-lead.wcu",
    "board": "vsd-demo-board",
    "inspector": "vsd-demo-inspector",
    "analyst": "vsd-demo-analyst",
    "admin": "vsd-demo-admin",
}
SIGN_IN_LABELS = ("Username", "Password", "Sign in")
# Pages that are not page views of a signed-in user: the landing page's "/" (its own path is in the list too).
SKIP_PATHS = {""}


@dataclass
class Visit:
    user: str
    page: str
    seconds: float
    problem: str | None = None


@dataclass
class Phase:
    name: str
    wall_s: float = 0.0
    visits: list[Visit] = field(default_factory=list)
    sign_ins: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    nginx_cpu_s: float = 0.0
    client_cpu_s: float = 0.0


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------ the databases


def prepare_postgres(admin_url: str, csv_dir: Path, name: str) -> str:
    """A PostgreSQL database holding the demo CSVs and the demo accounts (created and loaded once)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.connect() as conn:
        loaded = (
            conn.execute(text("SELECT to_regclass('public.victims') IS NOT NULL")).scalar()
            and conn.execute(text("SELECT count(*) > 0 FROM victims")).scalar()
        )
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("VSD_ENV", None)
    if not loaded:
        print(f"loading {csv_dir} into {name} (once)", flush=True)
        for command in (["cli.py", "init-db"], ["cli.py", "import", str(csv_dir)]):
            subprocess.run([sys.executable, *command], cwd=ROOT, env=env, check=True)
    # `cli.py bootstrap` makes demo accounts only on the embedded database; outside production the data layer may.
    from auth.users import ensure_demo_users

    engine = create_engine(url)
    ensure_demo_users(engine)
    engine.dispose()
    return url


def prepare_sqlite(source: Path, work: Path) -> str:
    from bench.bench_concurrency import prepare_copy

    return prepare_copy(source, work)


# ------------------------------------------------------------------ one session


async def signed_in(base_url: str, user: str, timeout: float) -> tuple[Session, float]:
    """A session that has fetched the page (sticky cookie), connected and signed in; and the sign-in's seconds."""
    session = Session(base_url, timeout=timeout, verify_tls=False)
    await session.fetch_index()
    await session.connect()
    await session.open()
    run = await session.sign_in(user, USERS[user], SIGN_IN_LABELS)
    if not session.cookies.get("vsd_auth"):  # the app's cookie component sets it on a successful sign-in
        raise ServerError(f"{user} did not sign in: {run.texts()[:3]}")
    return session, run.seconds


def pages_of(session: Session) -> list[str]:
    return [path for path in session.page_hashes if path not in SKIP_PATHS]


async def visit(session: Session, user: str, page: str) -> Visit:
    try:
        run = await session.open(page)
    except ServerError as exc:
        return Visit(user, page, session.timeout, str(exc)[:200])
    problems = run.errors
    return Visit(user, page, run.seconds, "; ".join(problems)[:300] if problems else None)


async def browse(session: Session, user: str, until: float, think: tuple[float, float], out: list[Visit]) -> None:
    """Move through the session's pages in turn, thinking between page runs, until `until` (monotonic)."""
    pages = pages_of(session)
    step = random.randrange(len(pages))
    while True:
        if think[1] > 0:
            await asyncio.sleep(random.uniform(*think))
        if time.monotonic() >= until:
            return
        out.append(await visit(session, user, pages[step % len(pages)]))
        step += 1


# ------------------------------------------------------------------ phases


async def cold_pass(stack: Topology, timeout: float) -> Phase:
    """On every process, one session per account opens each of its pages once (the caches fill)."""
    phase = Phase("cold pass")

    async def one(url: str, user: str) -> None:
        session, seconds = await signed_in(url, user, timeout)
        phase.sign_ins.append(seconds)
        try:
            for page in pages_of(session):
                phase.visits.append(await visit(session, user, page))
        finally:
            await session.close()

    await measured(stack, phase, asyncio.gather(*(one(u, user) for u in stack.direct_urls for user in USERS)))
    return phase


async def think_time_run(stack: Topology, sessions: int, seconds: float, arrival: float, timeout: float) -> Phase:
    phase = Phase(f"{sessions} sessions, think time 3-7 s")
    users = [list(USERS)[i % len(USERS)] for i in range(sessions)]
    ready: list[tuple[Session, str]] = []

    async def arrive(user: str) -> None:
        await asyncio.sleep(random.uniform(0, arrival))
        session, took = await signed_in(stack.base_url, user, timeout)
        phase.sign_ins.append(took)
        ready.append((session, user))

    async def run() -> None:
        await asyncio.gather(*(arrive(u) for u in users))
        until = time.monotonic() + seconds
        try:
            await asyncio.gather(*(browse(s, u, until, (3.0, 7.0), phase.visits) for s, u in ready))
        finally:
            await asyncio.gather(*(s.close() for s, _ in ready))

    await measured(stack, phase, run())
    return phase


async def closed_loop(stack: Topology, sessions: int, seconds: float, timeout: float) -> Phase:
    phase = Phase(f"closed loop, {sessions} sessions, no think time")
    users = [list(USERS)[i % len(USERS)] for i in range(sessions)]
    ready = []
    for user in users:
        session, took = await signed_in(stack.base_url, user, timeout)
        phase.sign_ins.append(took)
        ready.append((session, user))

    async def run() -> None:
        until = time.monotonic() + seconds
        try:
            await asyncio.gather(*(browse(s, u, until, (0.0, 0.0), phase.visits) for s, u in ready))
        finally:
            await asyncio.gather(*(s.close() for s, _ in ready))

    await measured(stack, phase, run())
    return phase


async def measured(stack: Topology, phase: Phase, work) -> None:
    before, client_before, began = stack.usage(), client_cpu(), time.monotonic()
    await work
    after = stack.usage()
    phase.wall_s = time.monotonic() - began
    phase.server_cpu_s = sum(after["server_cpu_s"]) - sum(before["server_cpu_s"])
    phase.nginx_cpu_s = after["nginx_cpu_s"] - before["nginx_cpu_s"]
    phase.client_cpu_s = client_cpu() - client_before


# ------------------------------------------------------------------ report


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(phase: Phase, processes: int) -> dict:
    times = [v.seconds for v in phase.visits if v.problem is None]
    problems = [f"{v.user} {v.page}: {v.problem}" for v in phase.visits if v.problem]
    return {
        "processes": processes,
        "phase": phase.name,
        "page_runs": len(phase.visits),
        "errors": len(problems),
        "error_examples": problems[:5],
        "p50_s": percentile(times, 0.5),
        "p95_s": percentile(times, 0.95),
        "max_s": max(times, default=float("nan")),
        "runs_per_s": len(phase.visits) / phase.wall_s if phase.wall_s else float("nan"),
        "sign_in_p50_s": percentile(phase.sign_ins, 0.5),
        "sign_in_p95_s": percentile(phase.sign_ins, 0.95),
        "wall_s": phase.wall_s,
        "server_cpu_s": phase.server_cpu_s,
        "server_cores_used": phase.server_cpu_s / phase.wall_s if phase.wall_s else float("nan"),
        "nginx_cpu_s": phase.nginx_cpu_s,
        "client_cpu_s": phase.client_cpu_s,
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| processes | phase | page runs | errors | p50 s | p95 s | max s | runs/s | sign-in p50/p95 s | server CPU s "
        "(cores) | peak MB per process | nginx CPU s | client CPU s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|",
    ]
    for r in rows:
        peaks = " / ".join(f"{m:.0f}" for m in r.get("peak_mb", []))
        lines.append(
            f"| {r['processes']} | {r['phase']} | {r['page_runs']} | {r['errors']} | {r['p50_s']:.2f} | "
            f"{r['p95_s']:.2f} | {r['max_s']:.2f} | {r['runs_per_s']:.2f} | {r['sign_in_p50_s']:.2f} / "
            f"{r['sign_in_p95_s']:.2f} | {r['server_cpu_s']:.0f} ({r['server_cores_used']:.2f}) | {peaks} | "
            f"{r['nginx_cpu_s']:.1f} | {r['client_cpu_s']:.1f} |"
        )
    return "\n".join(lines)


async def run_topology(url: str, processes: int, args) -> list[dict]:
    rows = []
    with Topology(url, processes, args.work / f"p{processes}") as stack:
        phases = [await cold_pass(stack, args.page_timeout)]
        for sessions in args.sessions:
            phases.append(await think_time_run(stack, sessions, args.seconds, args.arrival, args.page_timeout))
        if args.closed_seconds > 0:
            phases.append(await closed_loop(stack, args.closed_sessions, args.closed_seconds, args.page_timeout))
        peaks = stack.usage()["server_peak_mb"]
        tracebacks = stack.tracebacks()
    for phase in phases:
        row = summary(phase, processes)
        row["peak_mb"] = peaks
        rows.append(row)
    rows[-1]["server_log_tracebacks"] = tracebacks
    if tracebacks:
        rows[-1]["errors"] += tracebacks
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="an admin URL of the PostgreSQL server (the benchmark creates its database)")
    parser.add_argument("--sqlite", type=Path, help="a SQLite benchmark database to copy instead of PostgreSQL")
    parser.add_argument("--cases", type=int, default=200_000, help="which benchmark data (make bench-data)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sessions", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--arrival", type=float, default=10, help="sessions arrive over this many seconds")
    parser.add_argument("--closed-sessions", type=int, default=8)
    parser.add_argument("--closed-seconds", type=float, default=60)
    parser.add_argument("--page-timeout", type=float, default=120)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench_load")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    random.seed(args.seed)
    if args.sqlite:
        url = prepare_sqlite(args.sqlite, args.work)
    else:
        admin = args.postgres or os.environ.get("VSD_TEST_POSTGRES_URL")
        if not admin:
            parser.error("give --postgres URL (or --sqlite PATH)")
        csv_dir = demo_path(args.cases)
        if not csv_dir.is_dir():
            parser.error(f"{csv_dir} is missing: run make bench-data BENCH_SIZES={args.cases} first")
        url = prepare_postgres(admin, csv_dir, f"vsd_bench{args.cases // 1000}k")
    load_before = os.getloadavg()
    rows = []
    for processes in args.processes:
        rows += asyncio.run(run_topology(url, processes, args))
        print(table(rows), flush=True)
    load_after = os.getloadavg()
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); "
          f"{os.cpu_count()} cores; database {make_url(url).render_as_string(hide_password=True)}")  # fmt: skip
    (args.work / "results.json").write_text(json.dumps({"rows": rows, "load": [load_before, load_after]}, indent=1))
    return rows


if __name__ == "__main__":
    main()
