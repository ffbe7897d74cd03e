"""Shared fixtures: a migrated database per test on SQLite, and on PostgreSQL when VSD_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.engine import make_engine
from data.migrate import upgrade
from data.models import Base

try:  # pytest 9: a node's id is a NodeId (see _name_groups)
    from _pytest.nodeid import NodeId
except ImportError:  # pragma: no cover

    class NodeId:  # no test's id is one
        pass


SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"
POLICEUK_DIR = REFERENCE / "policeuk_gwent"
POSTGRES_URL = os.environ.get("VSD_TEST_POSTGRES_URL")
# No background warm-up threads in AppTest runs: one could outlive its test's database (the browser journeys' real
# server turns it back on, tests/e2e/conftest.py).
os.environ["VSD_WARM_UP"] = "0"

DB_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL variants when no server is configured; with `--dist loadgroup`, put each xdist group's tests
    on one worker (`_name_groups`). Runs last: the browser journeys get their group in tests/e2e/conftest.py."""
    if not POSTGRES_URL:
        skip = pytest.mark.skip(reason="VSD_TEST_POSTGRES_URL not set")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
    if config.getoption("loadgroup", default=False):
        _name_groups(items)


def _name_groups(items) -> None:
    """Name each test of an xdist_group "<node id>@<group>", as pytest-xdist 3.8 means to under `--dist loadgroup`:
    the controller sends all tests of one suffix to one worker. pytest-xdist writes the suffix into `item._nodeid`,
    which pytest 9 no longer reads (the id is `item._id`), so without this every group's tests were spread over both
    workers (the browser journeys each built a second seeded database and started a second server and Chromium; a
    group's module fixtures were built on both workers)."""
    for item in items:
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in
                         item.iter_markers("xdist_group")})  # fmt: skip
        nodeid = item.nodeid
        if not groups or nodeid.rpartition("@")[2] == "_".join(groups) and nodeid.rfind("@") > nodeid.rfind("]"):
            continue  # no group, or the suffix is already there (a pytest-xdist that sets it itself)
        suffix = f"@{'_'.join(groups)}"
        if isinstance(getattr(item, "_id", None), NodeId) and item._id.names:
            # The suffix goes after the parameters ("test[x]@group"), as one name, so the id rebuilt from its parts
            # on the worker reads the same. (The controller's short summary still shows a parametrized one as
            # "test[x]@group]": it re-parses the id, "x]@group" as the parameters. Cosmetic.)
            old = item._id
            last = old.names[-1] if old.params is None else f"{old.names[-1]}[{old.params}]"
            item._id = dataclasses.replace(old, names=(*old.names[:-1], last + suffix), params=None)
        else:
            item._nodeid = nodeid + suffix


@pytest.fixture(scope="session")
def postgres_database_url():
    """A throwaway PostgreSQL database for this test session (per xdist worker), dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("VSD_TEST_POSTGRES_URL not set")
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"vsd_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DB_BACKENDS)
def db_url(request, tmp_path):
    """URL of an empty, migrated database: a fresh SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'vsd.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("postgres_database_url")
    yield url
    _empty_postgres(url)


def new_postgres_database(prefix: str) -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL database on VSD_TEST_POSTGRES_URL's server (not migrated), and how to drop it."""
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


def copy_database(source_url: str, target_url: str) -> None:
    """Make the migrated, empty database at `target_url` hold exactly the rows of the one at `source_url` (same
    schema, same backend), sequences included: a loaded database built once is handed to each test as its own copy.
    SQLite: the backup API (page by page); PostgreSQL: each table COPYed across in binary, then every sequence set."""
    if make_url(source_url).get_backend_name() == "sqlite":
        source = sqlite3.connect(make_url(source_url).database)
        target = sqlite3.connect(make_url(target_url).database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    source, target = make_engine(source_url), make_engine(target_url)
    with source.connect() as src, target.begin() as dst:
        dst.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers or key checks while copying
        reader, writer = src.connection.driver_connection.cursor(), dst.connection.driver_connection.cursor()
        for table in Base.metadata.sorted_tables:
            with (
                reader.copy(f'COPY "{table.name}" TO STDOUT (FORMAT BINARY)') as rows,
                writer.copy(f'COPY "{table.name}" FROM STDIN (FORMAT BINARY)') as into,
            ):
                for block in rows:
                    into.write(block)
        # A sequence never used has no last value (and stays so in the emptied target).
        used = "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences"
        for sequence, last in src.execute(text(f"{used} WHERE last_value IS NOT NULL")).all():
            dst.execute(text("SELECT setval(CAST(:sequence AS regclass), :last)"), {"sequence": sequence, "last": last})
    source.dispose()
    target.dispose()


def _empty_postgres(url: str) -> None:
    """Empty every table and restart its sequences; DELETE on small tables is far faster than TRUNCATE."""
    engine = make_engine(url)
    with engine.begin() as conn:
        # audit_log is append-only by trigger on PostgreSQL; as superuser, tests empty it with triggers off.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        sequences = conn.execute(text("SELECT sequence_name FROM information_schema.sequences")).scalars().all()
        for sequence in sequences:
            conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART WITH 1'))
    engine.dispose()


@pytest.fixture
def engine(db_url):
    """An engine on the empty migrated database of `db_url`."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


SMALL_DEMO_AS_OF = dt.date(2024, 3, 31)


@pytest.fixture
def small_demo(engine, tmp_path, monkeypatch):
    """The test database with 200 demo victims loaded (seed 11, 36 months to SMALL_DEMO_AS_OF); metrics snapshots in
    this test's own folder. Returns the engine."""
    from data.demo import write_demo
    from data.ingest import import_paths

    monkeypatch.setenv("VSD_CACHE_DIR", str(tmp_path / "cache"))
    demo = tmp_path / "demo"
    write_demo(demo, cases=200, seed=11, months=36, as_of=SMALL_DEMO_AS_OF)
    assert all(r.ok for r in import_paths(engine, [demo], loaded_by="test"))
    return engine


@pytest.fixture(autouse=True)
def _metrics_snapshots_in_tmp(tmp_path_factory, monkeypatch):
    """Metrics snapshots (data/snapshot.py) that loads in tests write go to the session's temporary folder, not
    var/cache/ (where a PostgreSQL test database's snapshot would otherwise land)."""
    monkeypatch.setenv("VSD_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "metrics_snapshots"))


# Page tests share one seeded demo database per worker (tests/apptest_support.py).
pytest_plugins = ["tests.apptest_support"]
