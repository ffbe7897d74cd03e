"""Metric snapshots: the judged per-row frames (metrics.measures.judge) of the latest load, kept as Parquet files under
var/cache/ so that a cold start reads a few tens of MB instead of millions of rows through the database driver.

A snapshot is keyed by everything its contents depend on: the database, every successful load (id, file SHA-256,
time, rows), the as-of date, the entitlement timescales, the code that judges rows and the bank-holiday package. A
new load, a changed timescale or changed code gives a new key, so an old snapshot is never used; a missing,
unreadable or mismatched file falls back to the database. Snapshots are immutable directories written under a
temporary name and renamed into place, so a reader never sees half a snapshot.

Only the case-level sources that change through loads alone are kept; the action plan, findings, feedback and events
are edited in the app, so they are always read live (they are small).
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

from data import queries
from data.engine import PROJECT_ROOT
from data.models import Load
from metrics.catalogue import Catalogue
from metrics.measures import Judged, Prepared, judge, prepare, prepare_judged
from metrics.scorecard import window

log = logging.getLogger(__name__)

# Everything metric_frames returns but the live sources, which the app edits and so are always read afresh.
SNAPSHOT_SOURCES = tuple(s for s in queries.SOURCE_ORDER if s not in queries.LIVE_SOURCES)
# Bumped when the file layout changes (changes to the judging code change the key by themselves, see _code_digest).
FORMAT = 1
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
)
KEY_METADATA = b"vsd_snapshot_key"
# The date columns each source is fetched by (data.queries), so that a narrower window takes exactly the rows a
# fetch of that window would have; police.uk crimes count from the month they first appear.
FETCH_DATES = {
    "entitlements": ("trigger_date",),
    "survey_responses": ("survey_date",),
    "referrals": ("referral_date",),
    "witnesses": ("trial_date",),
    "special_measures": ("identified_date", "application_date"),
}


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


def save_snapshot(engine: Engine, snapshot: Snapshot) -> Path:
    """Write a snapshot's Parquet files and manifest, then rename the folder into place; older snapshots of the same
    database are removed."""
    final = snapshot_path(engine, snapshot.key)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.{uuid.uuid4().hex[:8]}.tmp"
    staging.mkdir()
    try:
        rows = {}
        for source, frame in snapshot.judged.frames.items():
            table = pa.Table.from_pandas(frame, preserve_index=False)
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), KEY_METADATA: snapshot.key.encode()}
            )
            pq.write_table(table, staging / f"{source}.parquet", compression="zstd")
            rows[source] = len(frame)
        manifest = {
            "key": snapshot.key,
            "as_of": str(snapshot.judged.as_of.date()),
            "start": str(snapshot.start.date()),
            "rows": rows,
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


def read_snapshot(engine: Engine, catalogue: Catalogue, as_of) -> Snapshot | None:
    """The snapshot for the database as it is now, judged at `as_of`; None when it is missing, stale or unreadable."""
    key = snapshot_key(engine, catalogue, as_of)
    path = snapshot_path(engine, key)
    if not path.is_dir():
        return None
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest["key"] != key or set(manifest["rows"]) != set(SNAPSHOT_SOURCES):
            raise ValueError("the manifest belongs to another snapshot")
        frames = {}
        for source in SNAPSHOT_SOURCES:
            table = pq.read_table(path / f"{source}.parquet")
            if (table.schema.metadata or {}).get(KEY_METADATA) != key.encode():
                raise ValueError(f"{source}.parquet belongs to another snapshot")
            if table.num_rows != manifest["rows"][source]:
                raise ValueError(f"{source}.parquet has {table.num_rows} rows, not {manifest['rows'][source]}")
            frames[source] = _with_second_dates(table.to_pandas())
        judged = Judged(frames, pd.Timestamp(manifest["as_of"]))
        return Snapshot(judged, pd.Timestamp(manifest["start"]), key)
    except Exception as exc:  # noqa: BLE001  (any damage to the files means: read the database instead)
        log.warning("metrics snapshot %s not used: %s", path.name, exc)
        return None


def refresh_snapshot(engine: Engine, catalogue: Catalogue) -> Path | None:
    """Write the snapshot of the latest load (after a load); None when nothing with an as-of date is loaded yet."""
    as_of = queries.latest_as_of(engine)
    if as_of is None:
        return None
    return save_snapshot(engine, build_snapshot(engine, catalogue, as_of))


def current_snapshot(engine: Engine, catalogue: Catalogue, as_of, *, write: bool = True) -> Snapshot:
    """The snapshot from its files when they are current, else built from the database (and written when `write`)."""
    snapshot = read_snapshot(engine, catalogue, as_of)
    if snapshot is not None:
        return snapshot
    snapshot = build_snapshot(engine, catalogue, as_of)
    if write:
        try:
            save_snapshot(engine, snapshot)
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


def prepared_from(
    snapshot: Snapshot, engine: Engine, catalogue: Catalogue, *, start, end, by: str | None = None
) -> Prepared | None:
    """Prepared frames for [start, end] from the snapshot, the live sources fetched now; None when the window starts
    before the snapshot does (the caller fetches from the database)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start < snapshot.start:
        return None
    as_of = snapshot.judged.as_of
    live = queries.metric_frames(engine, start, end, as_of=as_of, sources=queries.LIVE_SOURCES)
    judged_live = judge(live, catalogue, as_of=as_of).frames
    frames = {}
    for source in queries.SOURCE_ORDER:
        if source in snapshot.judged.frames:
            frames[source] = _in_window(snapshot.judged.frames[source], source, start, end)
        elif source in judged_live:
            frames[source] = judged_live[source]
    return prepare_judged(Judged(frames, as_of), catalogue, start=start, end=end, by=by)


def prepared_frames(engine: Engine, catalogue: Catalogue, *, as_of, start, end, by: str | None = None) -> Prepared:
    """Prepared frames through the current snapshot when the window lies in it, else straight from the database."""
    snapshot = current_snapshot(engine, catalogue, as_of)
    prepared = prepared_from(snapshot, engine, catalogue, start=start, end=end, by=by)
    if prepared is None:
        frames = queries.metric_frames(engine, start, end, as_of=as_of)
        prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end, by=by)
    return prepared
