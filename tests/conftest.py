"""Shared fixtures: a migrated database per test on SQLite, and on PostgreSQL when VSD_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.engine import make_engine
from data.migrate import upgrade
from data.models import Base

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"
POLICEUK_DIR = REFERENCE / "policeuk_gwent"
POSTGRES_URL = os.environ.get("VSD_TEST_POSTGRES_URL")
# No background warm-up threads in AppTest runs: one could outlive its test's database (the browser journeys' real
# server turns it back on, tests/e2e/conftest.py).
os.environ["VSD_WARM_UP"] = "0"

DB_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL variants when no server is configured."""
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="VSD_TEST_POSTGRES_URL not set")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


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
