"""The benchmark databases: demo data of N victims generated and loaded into a SQLite file under var/bench/.

    python -m bench.bench_data --cases 200000 [--cases 1000000] [--dir var/bench]   # what `make bench-data` runs

For each size it runs the same commands a user would, with the repository's own CLI:

    python cli.py demo --out var/bench/demo200k --cases 200000 --seed 2024 --months 36
    DATABASE_URL=sqlite:///var/bench/bench200k.sqlite3 python cli.py init-db
    DATABASE_URL=sqlite:///var/bench/bench200k.sqlite3 python cli.py import var/bench/demo200k
    DATABASE_URL=sqlite:///var/bench/bench200k.sqlite3 python cli.py import-policeuk ../shared/reference/policeuk_gwent

(the police.uk step when ../shared is beside the repository, as `make run` does: the public outcomes page reads it).
The import also writes the metrics snapshot (var/bench/cache/). The demo CSV files are kept: `bench.bench_metrics`
compares against DuckDB reading them (`--data var/bench/demo1m`). A size is skipped when its database exists and was
loaded to the end (var/bench/bench200k.sqlite3.loaded is written last); an interrupted run is started again. Delete
the database to rebuild it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path("var/bench")


POLICEUK = ROOT.parent / "shared" / "reference" / "policeuk_gwent"  # as cli.py bootstrap loads it


def label(cases: int) -> str:
    """200000 -> "200k", 1000000 -> "1m" (the names BENCHMARKS.md uses)."""
    if cases % 1_000_000 == 0:
        return f"{cases // 1_000_000}m"
    if cases % 1_000 == 0:
        return f"{cases // 1_000}k"
    return str(cases)


def database_path(cases: int, folder: Path = DEFAULT_DIR) -> Path:
    """Where the database of `cases` victims is kept: var/bench/bench200k.sqlite3, var/bench/bench1m.sqlite3."""
    return folder / f"bench{label(cases)}.sqlite3"


def demo_path(cases: int, folder: Path = DEFAULT_DIR) -> Path:
    """Where its demo CSV files are kept: var/bench/demo200k/, var/bench/demo1m/."""
    return folder / f"demo{label(cases)}"


def require_database(path: Path) -> None:
    """Stop with what to run when a benchmark's database has not been built yet."""
    if not path.exists():
        raise SystemExit(
            f"{path} does not exist: build the benchmark databases first with `make bench-data` "
            "(`make bench-data BENCH_SIZES=200000` for the 200,000-victim one alone)"
        )


def _relative(path: Path) -> Path:
    """The path relative to the repository when it is inside it (the commands run from there), else absolute."""
    path = (ROOT / path).resolve()
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path


def _cli(args: list[str], database: Path | None = None) -> None:
    env = dict(os.environ)
    env.pop("VSD_CACHE_DIR", None)  # the snapshot goes to cache/ beside the database (var/bench/cache)
    shown = ["python", "cli.py", *args]
    if database is not None:
        # The same URL as `--sqlite var/bench/...` gives the benchmarks, so they find the snapshot the load wrote.
        env["DATABASE_URL"] = f"sqlite:///{database}"
        shown.insert(0, f"DATABASE_URL={env['DATABASE_URL']}")
    print("+", " ".join(shown), flush=True)
    subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, check=True)


def build(cases: int, folder: Path, seed: int) -> None:
    """Generate and load one size, unless its database is already there (and was loaded to the end)."""
    folder = _relative(folder)
    final = database_path(cases, folder)
    marker = final.with_name(final.name + ".loaded")
    if (ROOT / final).exists() and (ROOT / marker).exists():
        print(f"{final} exists; skipped (delete it to rebuild)", flush=True)
        return
    (ROOT / folder).mkdir(parents=True, exist_ok=True)
    for leftover in (ROOT / folder).glob(final.name + "*"):  # an interrupted earlier run: start again
        leftover.unlink()
    demo = demo_path(cases, folder)
    began = time.perf_counter()
    if not (ROOT / demo / "as_of.txt").exists():  # written last by the generator
        shutil.rmtree(ROOT / demo, ignore_errors=True)
        _cli(["demo", "--out", str(demo), "--cases", str(cases), "--seed", str(seed), "--months", "36"])
    generated = time.perf_counter()
    _cli(["init-db"], final)
    _cli(["import", str(demo)], final)
    if POLICEUK.is_dir():
        _cli(["import-policeuk", str(POLICEUK)], final)
    (ROOT / marker).write_text(f"{cases} victims, seed {seed}, from {demo}\n", encoding="utf-8")
    done = time.perf_counter()
    print(
        f"{final}: {cases:,} victims; generated in {generated - began:.0f} s, loaded (with the metrics snapshot) "
        f"in {done - generated:.0f} s; {(ROOT / final).stat().st_size / 1e6:,.0f} MB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, action="append", help="victims (repeatable); default 200000 and 1000000")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where to keep them (default var/bench)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    for cases in args.cases or [200_000, 1_000_000]:
        build(cases, args.dir, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
