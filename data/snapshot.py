"""Metric snapshots: the judged per-row frames (metrics.measures.judge) of the latest load, kept as Parquet files under
var/cache/ so that a cold start reads a few tens of MB instead of millions of rows through the database driver.

A snapshot is keyed by everything its contents depend on: the database, every successful load (id, file SHA-256,
time, rows), the as-of date, the entitlement timescales, the code that judges rows and the bank-holiday package. A
new load, a changed timescale or changed code gives a new key, so an old snapshot is never used; a missing,
unreadable or mismatched file falls back to the database. Snapshots are immutable directories written under a
temporary name and renamed into place, so a reader never sees half a snapshot.

Only the case-level sources that change through loads alone are kept; the action plan, findings, feedback and events
are edited in the app, so they are always read live (they are small).

Beside the judged frames, a snapshot keeps those sources already prepared for the scorecard window (36 months to the
as-of date, no cut, no filter: compressed counts, a few MB at a million victims). The landing page's first run reads
only these, so a cold start computes every scorecard without reading the judged rows at all; pages that cut, filter
or take other windows read the judged frames when they first need them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path

import holidays
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, select

from config.sources import FETCH_DATES, SNAPSHOT
from data import queries
from data.engine import PROJECT_ROOT
from data.models import Load
from metrics.catalogue import Catalogue
from metrics.measures import Judged, Prepared, judge, prepare, prepare_judged
from metrics.scorecard import window

log = logging.getLogger(__name__)

# Everything metric_frames returns but the live sources, which the app edits and so are always read afresh.
SNAPSHOT_SOURCES = SNAPSHOT
# Bumped when the file layout changes (changes to the judging code change the key by themselves, see _code_digest).
FORMAT = 2
# A snapshot holds every row from its window's start onwards, so any window starting inside it can be served.
OPEN_END = dt.date(9999, 12, 31)
# The modules whose code decides what a judged row holds.
JUDGING_MODULES = (
    "metrics/measures.py",
    "metrics/measures_base.py",
    "metrics/entitlements.py",
    "metrics/working_days.py",
    "metrics/measures_public.py",
    "data/queries.py",
    "data/snapshot.py",
    "config/sources.py",  # the dates not yet known at the as-of date, the attributes a row carries itself
)
KEY_METADATA = b"vsd_snapshot_key"
# The subfolder holding the snapshot sources prepared for the scorecard window.
SCORECARD = "scorecard"
# FETCH_DATES (config/sources.py): the date columns each source is fetched by (data.queries), so that a narrower
# window takes exactly the rows a fetch of that window would have; police.uk crimes count from the month they first
# appear.


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Judged frames of the snapshot sources, holding every row dated from `start` on."""

    judged: Judged
    start: pd.Timestamp
    key: str


def cache_dir(engine: Engine) -> Path:
    """VSD_CACHE_DIR, else cache/ beside a SQLite file (var/cache for the embedded database), else var/cache."""
    if os.environ.get("VSD_CACHE_DIR"):
        return Path(os.environ["VSD_CACHE_DIR"])
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return Path(database).resolve().parent / "cache"
    return PROJECT_ROOT / "var" / "cache"


def loads_version(engine: Engine) -> str:
    """A digest of every successful load (one small query): it changes whenever loaded data may have changed."""
    loads = Load.__table__
    stmt = (
        select(loads.c.load_id, loads.c.table_name, loads.c.sha256, loads.c.loaded_at, loads.c.as_of_date)
        .add_columns(loads.c.rows_inserted, loads.c.rows_updated)
        .where(loads.c.outcome == "loaded")
        .order_by(loads.c.load_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return hashlib.sha256(repr([tuple(map(str, row)) for row in rows]).encode()).hexdigest()


def _code_digest() -> str:
    digest = hashlib.sha256()
    for name in JUDGING_MODULES:
        digest.update((PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()


def snapshot_key(engine: Engine, catalogue: Catalogue, as_of) -> str:
    """Everything a snapshot's contents depend on, as one digest."""
    parts = [
        f"format {FORMAT}",
        engine.url.render_as_string(hide_password=True),
        loads_version(engine),
        str(pd.Timestamp(as_of).date()),
        catalogue.timescales().to_csv(),
        _code_digest(),
        holidays.__version__,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _database_prefix(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=True)
    return "metrics-" + hashlib.sha256(url.encode()).hexdigest()[:12]


def snapshot_path(engine: Engine, key: str) -> Path:
    """The directory of one snapshot of this database."""
    return cache_dir(engine) / f"{_database_prefix(engine)}-{key[:24]}"


def build_snapshot(engine: Engine, catalogue: Catalogue, as_of) -> Snapshot:
    """Fetch the snapshot sources from the database (from the scorecard window's start on) and judge them."""
    as_of = pd.Timestamp(as_of)
    start = window(as_of)[0]
    key = snapshot_key(engine, catalogue, as_of)
    frames = queries.metric_frames(engine, start, OPEN_END, as_of=as_of, sources=SNAPSHOT_SOURCES)
    judged = judge(frames, catalogue, as_of=as_of)
    # Victims' ids served only to attach their attributes, done by now: a million strings need not be kept.
    victims = judged.frames["victims"].drop(columns="case_id")
    return Snapshot(Judged({**judged.frames, "victims": victims}, judged.as_of), start, key)


def _write_frames(frames: dict[str, pd.DataFrame], folder: Path, key: str) -> dict[str, int]:
    """Each frame as <source>.parquet stamped with the snapshot key; the rows written per source."""
    folder.mkdir(exist_ok=True)
    rows = {}
    for source, frame in frames.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), KEY_METADATA: key.encode()})
        pq.write_table(table, folder / f"{source}.parquet", compression="zstd")
        rows[source] = len(frame)
    return rows


def _read_frames(folder: Path, key: str, rows: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The frames _write_frames wrote under `key`; ValueError when a file belongs elsewhere or lost rows."""
    frames = {}
    for source, expected in rows.items():
        table = pq.read_table(folder / f"{source}.parquet")
        if (table.schema.metadata or {}).get(KEY_METADATA) != key.encode():
            raise ValueError(f"{source}.parquet belongs to another snapshot")
        if table.num_rows != expected:
            raise ValueError(f"{source}.parquet has {table.num_rows} rows, not {expected}")
        frames[source] = _with_second_dates(table.to_pandas())
    return frames


def save_snapshot(engine: Engine, snapshot: Snapshot, catalogue: Catalogue) -> Path:
    """Write a snapshot's Parquet files (judged, and prepared for the scorecard window) and manifest, then rename the
    folder into place; older snapshots of the same database are removed."""
    final = snapshot_path(engine, snapshot.key)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.{uuid.uuid4().hex[:8]}.tmp"
    staging.mkdir()
    try:
        rows = _write_frames(snapshot.judged.frames, staging, snapshot.key)
        start, end = window(snapshot.judged.as_of)
        scorecard = _prepared_sources(snapshot, catalogue, start=start, end=end, by=None)
        manifest = {
            "key": snapshot.key,
            "as_of": str(snapshot.judged.as_of.date()),
            "start": str(snapshot.start.date()),
            "rows": rows,
            "scorecard_rows": _write_frames(scorecard, staging / SCORECARD, snapshot.key),
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if final.exists():
            # Files under this key that could not be read (damaged): moved aside first, as a rename cannot replace a
            # folder that holds files.
            aside = final.parent / f".{final.name}.{uuid.uuid4().hex[:8]}.old"
            try:
                final.rename(aside)
            except OSError:
                pass  # another process moved it first
            shutil.rmtree(aside, ignore_errors=True)
        try:
            staging.rename(final)
        except OSError:
            # Another process wrote the same snapshot at the same moment: theirs is identical.
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for older in final.parent.glob(f"{_database_prefix(engine)}-*"):
        if older != final:
            shutil.rmtree(older, ignore_errors=True)
    return final


def _manifest(engine: Engine, catalogue: Catalogue, as_of) -> tuple[Path, dict] | None:
    """The current snapshot's folder and manifest; None when there is none. ValueError when it is not this key's."""
    key = snapshot_key(engine, catalogue, as_of)
    path = snapshot_path(engine, key)
    if not path.is_dir():
        return None
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    sources = set(SNAPSHOT_SOURCES)
    if manifest["key"] != key or set(manifest["rows"]) != sources or set(manifest["scorecard_rows"]) != sources:
        raise ValueError("the manifest belongs to another snapshot")
    return path, manifest


def read_snapshot(engine: Engine, catalogue: Catalogue, as_of) -> Snapshot | None:
    """The snapshot for the database as it is now, judged at `as_of`; None when it is missing, stale or unreadable."""
    try:
        found = _manifest(engine, catalogue, as_of)
        if found is None:
            return None
        path, manifest = found
        frames = _read_frames(path, manifest["key"], manifest["rows"])
        judged = Judged(frames, pd.Timestamp(manifest["as_of"]))
        return Snapshot(judged, pd.Timestamp(manifest["start"]), manifest["key"])
    except Exception as exc:  # noqa: BLE001  (any damage to the files means: read the database instead)
        log.warning("metrics snapshot not used: %s", exc)
        return None


def scorecard_prepared(engine: Engine, catalogue: Catalogue, as_of) -> Prepared | None:
    """Prepared frames for the scorecard window at `as_of` (no cut, no filter) from the snapshot's prepared files, the
    live sources fetched now: what every scorecard is computed from, without reading a judged row. None when the
    snapshot is missing, stale or unreadable (the caller takes the longer way)."""
    try:
        found = _manifest(engine, catalogue, as_of)
        if found is None:
            return None
        path, manifest = found
        frames = _read_frames(path / SCORECARD, manifest["key"], manifest["scorecard_rows"])
    except Exception as exc:  # noqa: BLE001  (as read_snapshot)
        log.warning("metrics snapshot's scorecard frames not used: %s", exc)
        return None
    as_of = pd.Timestamp(manifest["as_of"])
    start, end = window(as_of)
    frames |= _prepared_live(engine, catalogue, as_of, start, end)
    return Prepared({s: frames[s] for s in queries.SOURCE_ORDER if s in frames}, as_of, start, end, None)


def refresh_snapshot(engine: Engine, catalogue: Catalogue) -> Path | None:
    """Write the snapshot of the latest load (after a load); None when nothing with an as-of date is loaded yet."""
    as_of = queries.latest_as_of(engine)
    if as_of is None:
        return None
    return save_snapshot(engine, build_snapshot(engine, catalogue, as_of), catalogue)


def current_snapshot(engine: Engine, catalogue: Catalogue, as_of, *, write: bool = True) -> Snapshot:
    """The snapshot from its files when they are current, else built from the database (and written when `write`)."""
    snapshot = read_snapshot(engine, catalogue, as_of)
    if snapshot is not None:
        return snapshot
    snapshot = build_snapshot(engine, catalogue, as_of)
    if write:
        try:
            save_snapshot(engine, snapshot, catalogue)
        except OSError as exc:
            log.warning("metrics snapshot not written: %s", exc)
    return snapshot


def _in_window(frame: pd.DataFrame, source: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The rows a fetch of [start, end] would have returned."""
    if source == "policeuk_street":
        months = frame["month"]
        return frame.loc[((months >= start.to_period("M").start_time) & (months <= end.to_period("M").start_time))]
    columns = FETCH_DATES.get(source)
    if not columns:
        return frame
    keep = pd.Series(False, index=frame.index)
    for column in columns:
        keep |= (frame[column] >= start) & (frame[column] <= end)
    return frame.loc[keep.fillna(False).to_numpy(dtype=bool)]


def _with_second_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates back to datetime64[s] (Parquet stores them in milliseconds), as data.queries gives them."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_dtype(frame[c].dtype)]
    return frame.astype({c: "datetime64[s]" for c in dates}) if dates else frame


def _prepared_sources(
    snapshot: Snapshot, catalogue: Catalogue, *, start, end, by: str | None
) -> dict[str, pd.DataFrame]:
    """The snapshot's own sources prepared for [start, end] (each source is prepared on its own, so these and the
    live sources prepared apart make the same Prepared as all of them together)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    frames = {source: _in_window(frame, source, start, end) for source, frame in snapshot.judged.frames.items()}
    return prepare_judged(Judged(frames, snapshot.judged.as_of), catalogue, start=start, end=end, by=by).frames


def _prepared_live(engine: Engine, catalogue: Catalogue, as_of, start, end) -> dict[str, pd.DataFrame]:
    """The live sources (edited in the app, so never snapshotted) fetched, judged and prepared for [start, end]."""
    live = queries.metric_frames(engine, start, end, as_of=as_of, sources=queries.LIVE_SOURCES)
    judged = judge(live, catalogue, as_of=as_of)
    return prepare_judged(judged, catalogue, start=start, end=end).frames


def prepared_from(
    snapshot: Snapshot, engine: Engine, catalogue: Catalogue, *, start, end, by: str | None = None
) -> Prepared | None:
    """Prepared frames for [start, end] from the snapshot, the live sources fetched now; None when the window starts
    before the snapshot does (the caller fetches from the database)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start < snapshot.start:
        return None
    as_of = snapshot.judged.as_of
    frames = _prepared_sources(snapshot, catalogue, start=start, end=end, by=by)
    frames |= _prepared_live(engine, catalogue, as_of, start, end)
    return Prepared({s: frames[s] for s in queries.SOURCE_ORDER if s in frames}, as_of, start, end, by)


def prepared_frames(engine: Engine, catalogue: Catalogue, *, as_of, start, end, by: str | None = None) -> Prepared:
    """Prepared frames through the current snapshot when the window lies in it, else straight from the database."""
    snapshot = current_snapshot(engine, catalogue, as_of)
    prepared = prepared_from(snapshot, engine, catalogue, start=start, end=end, by=by)
    if prepared is None:
        frames = queries.metric_frames(engine, start, end, as_of=as_of)
        prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end, by=by)
    return prepared
