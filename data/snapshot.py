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
only these, so a cold start computes every scorecard without reading the judged rows at all. It also keeps the
entitlements and victims counted per month for each cut (CUTS, and uncut: a few MB in all), so that a cut or a filter
over whole months reads a small file instead of every judged row; the judged rows serve part months and filters
no such file holds, and each source is read only when a computation first asks for it (LazyFrames).

The writer works a part at a time (write_snapshot): victims whole, then entitlements fetched, judged and written
CHUNK_ROWS at a time as Parquet row groups, then each other source in turn, so its memory does not grow with the
entitlements.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals
from sqlalchemy import Engine, select

from config.sources import FETCH_DATES, SNAPSHOT
from data import queries
from data.engine import PROJECT_ROOT
from data.models import Load
from metrics.catalogue import CUTS, ROW_CUTS, Catalogue
from metrics.measures import (
    Judged,
    Prepared,
    VictimLookup,
    check_cut,
    cohort_columns,
    compress,
    entitlement_keys,
    filter_judged,
    judge,
    judged_victims,
    prepare,
    prepare_judged,
    prepared_keep,
    prepared_victims,
    victim_keys,
    window_entitlements,
)
from metrics.scorecard import window

log = logging.getLogger(__name__)

# Everything metric_frames returns but the live sources, which the app edits and so are always read afresh.
SNAPSHOT_SOURCES = SNAPSHOT
# Bumped when the file layout changes (changes to the judging code change the key by themselves, see _code_digest).
FORMAT = 3
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
# The subfolder holding the entitlements and victims compressed per month for every cut (<source>-<cut>.parquet,
# <source>-all.parquet uncut), from the snapshot's start to its as-of date.
CUTS_FOLDER = "cuts"
# Entitlements are fetched, judged and written about this many rows at a time (bounded memory at load).
CHUNK_ROWS = 1_000_000
# FETCH_DATES (config/sources.py): the date columns each source is fetched by (data.queries), so that a narrower
# window takes exactly the rows a fetch of that window would have; police.uk crimes count from the month they first
# appear.


class LazyFrames(Mapping):
    """Frames by source, each made by `load(source)` when first asked for and kept (thread-safe): a page that needs
    one source reads and prepares that one only."""

    def __init__(self, names, load: Callable[[str], pd.DataFrame]):
        self._names = list(names)
        self._load = load
        self._made: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()

    def __getitem__(self, source: str) -> pd.DataFrame:
        if source not in self._made:
            if source not in self._names:
                raise KeyError(source)
            with self._lock:
                if source not in self._made:
                    self._made[source] = self._load(source)
        return self._made[source]

    def __contains__(self, source) -> bool:
        return source in self._names  # without making it

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Judged frames of the snapshot sources, holding every row dated from `start` on. A snapshot read from its files
    (`path`) reads each source when first used and has compressed frames per cut (`cuts`: file name -> rows)."""

    judged: Judged
    start: pd.Timestamp
    key: str
    path: Path | None = None
    cuts: dict[str, int] = dataclasses.field(default_factory=dict)


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
    """Fetch the snapshot sources from the database (from the scorecard window's start on) and judge them, in memory
    (when no snapshot can be written; write_snapshot writes one a part at a time)."""
    as_of = pd.Timestamp(as_of)
    start = window(as_of)[0]
    key = snapshot_key(engine, catalogue, as_of)
    frames = queries.metric_frames(engine, start, OPEN_END, as_of=as_of, sources=SNAPSHOT_SOURCES)
    judged = judge(frames, catalogue, as_of=as_of)
    # Victims' ids served only to attach their attributes, done by now: a million strings need not be kept.
    victims = judged.frames["victims"].drop(columns="case_id")
    return Snapshot(Judged({**judged.frames, "victims": victims}, judged.as_of), start, key)


def _table(frame: pd.DataFrame, key: str) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.replace_schema_metadata({**(table.schema.metadata or {}), KEY_METADATA: key.encode()})


def _write_frame(frame: pd.DataFrame, path: Path, key: str) -> int:
    """One frame as a Parquet file stamped with the snapshot key; the rows written."""
    pq.write_table(_table(frame, key), path, compression="zstd")
    return len(frame)


class _PartWriter:
    """A Parquet file written a part at a time (one row group or more each), every part in the first one's schema."""

    def __init__(self, path: Path, key: str):
        self.path, self.key, self.writer, self.rows = path, key, None, 0

    def write(self, frame: pd.DataFrame) -> None:
        table = _table(frame, self.key)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        elif table.schema != self.writer.schema:
            table = table.cast(self.writer.schema)
        self.writer.write_table(table)
        self.rows += len(frame)

    def close(self) -> int:
        if self.writer is not None:
            self.writer.close()
        return self.rows


def _read_frame(path: Path, key: str, rows: int) -> pd.DataFrame:
    """A frame _write_frame (or _PartWriter) wrote under `key`; ValueError when it belongs elsewhere or lost rows."""
    table = pq.read_table(path)
    if (table.schema.metadata or {}).get(KEY_METADATA) != key.encode():
        raise ValueError(f"{path.name} belongs to another snapshot")
    if table.num_rows != rows:
        raise ValueError(f"{path.name} has {table.num_rows} rows, not {rows}")
    return _with_second_dates(table.to_pandas())


def _check_file(path: Path, key: str, rows: int) -> None:
    """A file's footer (its key and row count) without reading its rows; ValueError when it is not this snapshot's."""
    metadata = pq.read_metadata(path)
    if (metadata.metadata or {}).get(KEY_METADATA) != key.encode():
        raise ValueError(f"{path.name} belongs to another snapshot")
    if metadata.num_rows != rows:
        raise ValueError(f"{path.name} has {metadata.num_rows} rows, not {rows}")


def _read_frames(folder: Path, key: str, rows: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Every frame of a folder (<source>.parquet each)."""
    return {source: _read_frame(folder / f"{source}.parquet", key, n) for source, n in rows.items()}


def _cut_name(source: str, cut: str | None) -> str:
    return f"{source}-{cut or 'all'}"


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of the same columns one after the other, categoricals' categories united (in order of appearance)."""
    if len(parts) == 1:
        return parts[0]
    columns = {}
    for column in parts[0].columns:
        values = [p[column] for p in parts]
        if isinstance(values[0].dtype, pd.CategoricalDtype):
            columns[column] = pd.Series(union_categoricals(values, ignore_order=True))
        else:
            columns[column] = pd.concat(values, ignore_index=True)
    return pd.DataFrame(columns)


def _entitlement_chunks(engine: Engine, start, rows: int) -> Iterator[pd.DataFrame]:
    """The entitlements data.queries.entitlement_frame fetches from `start` on (every column, the owing unit too), in
    the same order, as frames of about `rows` rows: at most one part's Python objects and one frame alive at a time."""
    names = ["case_id", "code", "trigger_date", "delivered_date", "declined", "language", "exception_reason", "unit"]
    stmt = select(*[queries.E.c[n] for n in names]).where(queries._between(engine, queries.E.c.trigger_date, start))
    types = {column.name: column.type for column in stmt.selected_columns}

    def frame(parts):
        return pd.DataFrame({n: queries._joined(parts[n], types[n], n) for n in names})

    parts: dict[str, list[pd.Series]] = {n: [] for n in names}
    count, given = 0, False
    with engine.connect() as conn:
        # The driver's cursor, as data.queries.read_frame reads it (no stream_results: SQLAlchemy would buffer rows
        # ahead of the cursor).
        result = conn.execute(stmt)
        cursor = result.cursor
        while chunk := cursor.fetchmany(queries.CHUNK):
            for name, values in zip(names, zip(*chunk, strict=True), strict=True):
                parts[name].append(queries._typed(list(values), types[name], name))
            count += len(chunk)
            if count >= rows:
                yield frame(parts)
                parts, count, given = {n: [] for n in names}, 0, True
        result.close()
    if count or not given:
        yield frame(parts)


def write_snapshot(engine: Engine, catalogue: Catalogue, as_of) -> Path:
    """Fetch, judge and write the snapshot at `as_of` a part at a time (bounded memory: the victims, one part of the
    entitlements and one other source at a time), then rename its folder into place; older snapshots of the same
    database are removed. Beside the judged frames: the snapshot sources prepared for the scorecard window, and the
    entitlements and victims compressed per month for every cut (CUTS)."""
    as_of = pd.Timestamp(as_of)
    start, end = window(as_of)
    key = snapshot_key(engine, catalogue, as_of)
    final = snapshot_path(engine, key)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.{uuid.uuid4().hex[:8]}.tmp"
    (staging / SCORECARD).mkdir(parents=True)
    (staging / CUTS_FOLDER).mkdir()
    try:
        rows, scorecard, cut_rows = {}, {}, {}
        fetched = queries.metric_frames(engine, start, OPEN_END, as_of=as_of, sources=("victims",))["victims"]
        victims = judged_victims(fetched, as_of)
        del fetched
        lookup = VictimLookup(victims)
        cuts = (None, *CUTS)
        parts: dict[str | None, list[pd.DataFrame]] = {cut: [] for cut in cuts}
        writer = _PartWriter(staging / "entitlements.parquet", key)
        for chunk in _entitlement_chunks(engine, start, CHUNK_ROWS):
            judged = judge({"entitlements": chunk}, catalogue, as_of=as_of, lookup=lookup).frames["entitlements"]
            del chunk
            writer.write(judged)
            for cut in cuts:
                parts[cut].append(window_entitlements(judged, start, end, as_of, prepared_keep(catalogue, cut)))
            del judged
        rows["entitlements"] = writer.close()
        for cut in cuts:
            keep = prepared_keep(catalogue, cut)
            joined = _concat(parts.pop(cut))
            frame = compress(joined, entitlement_keys(joined.columns, keep), weights=joined["n"])
            cut_rows[_cut_name("entitlements", cut)] = _write_frame(
                frame, staging / CUTS_FOLDER / f"{_cut_name('entitlements', cut)}.parquet", key
            )
            if cut is None:  # the scorecard window is the snapshot's: its frame is this one
                scorecard["entitlements"] = _write_frame(frame, staging / SCORECARD / "entitlements.parquet", key)
        for source in SNAPSHOT_SOURCES:
            if source == "entitlements":
                continue
            if source == "victims":
                judged = victims.drop(columns="case_id")
            else:
                fetched = queries.metric_frames(engine, start, OPEN_END, as_of=as_of, sources=(source,))
                judged = judge(fetched, catalogue, as_of=as_of, lookup=lookup).frames[source]
                del fetched
            rows[source] = _write_frame(judged, staging / f"{source}.parquet", key)
            inside = Judged({source: _in_window(judged, source, start, end)}, as_of)
            ready = prepare_judged(inside, catalogue, start=start, end=end).frames[source]
            scorecard[source] = _write_frame(ready, staging / SCORECARD / f"{source}.parquet", key)
            if source == "victims":
                for cut in cuts:
                    keep = prepared_keep(catalogue, cut)
                    frame = prepared_victims(judged, catalogue, as_of, start, end, keep)
                    name = _cut_name("victims", cut)
                    cut_rows[name] = _write_frame(frame, staging / CUTS_FOLDER / f"{name}.parquet", key)
            del judged, inside, ready
        manifest = {
            "key": key,
            "as_of": str(as_of.date()),
            "start": str(start.date()),
            "rows": {source: rows[source] for source in SNAPSHOT_SOURCES},
            "scorecard_rows": {source: scorecard[source] for source in SNAPSHOT_SOURCES},
            "cut_rows": cut_rows,
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for older in final.parent.glob(f"{_database_prefix(engine)}-*"):
        if older != final:
            shutil.rmtree(older, ignore_errors=True)
    return final


def _publish(staging: Path, final: Path) -> None:
    """Rename a written folder into place."""
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
    """The snapshot for the database as it is now, judged at `as_of`; None when it is missing, stale or unreadable.

    Only the files' footers are read here; each source's rows are read when first used. A file that cannot be read
    then (damaged since) is replaced by that source fetched from the database, so the numbers stay the database's."""
    try:
        found = _manifest(engine, catalogue, as_of)
        if found is None:
            return None
        path, manifest = found
        key, rows = manifest["key"], manifest["rows"]
        for source, n in rows.items():
            _check_file(path / f"{source}.parquet", key, n)
    except Exception as exc:  # noqa: BLE001  (any damage to the files means: read the database instead)
        log.warning("metrics snapshot not used: %s", exc)
        return None
    as_of, start = pd.Timestamp(manifest["as_of"]), pd.Timestamp(manifest["start"])

    def load(source: str) -> pd.DataFrame:
        try:
            return _read_frame(path / f"{source}.parquet", key, rows[source])
        except Exception as exc:  # noqa: BLE001  (as above)
            log.warning("metrics snapshot's %s not used, fetched instead: %s", source, exc)
            fetched = queries.metric_frames(engine, start, OPEN_END, as_of=as_of, sources=("victims", source))
            frame = judge(fetched, catalogue, as_of=as_of).frames[source]
            return frame.drop(columns="case_id") if source == "victims" else frame

    judged = Judged(LazyFrames(rows, load), as_of)
    return Snapshot(judged, start, key, path, dict(manifest.get("cut_rows", {})))


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
    return write_snapshot(engine, catalogue, as_of)


def current_snapshot(engine: Engine, catalogue: Catalogue, as_of, *, write: bool = True) -> Snapshot:
    """The snapshot from its files when they are current, else written from the database and read (when `write`),
    else built in memory."""
    snapshot = read_snapshot(engine, catalogue, as_of)
    if snapshot is not None:
        return snapshot
    if write:
        try:
            write_snapshot(engine, catalogue, as_of)
        except OSError as exc:
            log.warning("metrics snapshot not written: %s", exc)
        else:
            snapshot = read_snapshot(engine, catalogue, as_of)
            if snapshot is not None:
                return snapshot
    return build_snapshot(engine, catalogue, as_of)


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


def _whole_months(snapshot: Snapshot, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """Whether [start, end] counts whole months of the snapshot (what the per-cut frames, counted per month from the
    snapshot's start to its as-of date, can serve): it starts on a month's first day, and ends on a month's last day
    or at the as-of date or later."""
    as_of = snapshot.judged.as_of
    return start >= snapshot.start and start.day == 1 and (end >= as_of or end == end + pd.offsets.MonthEnd(0))


def _from_cuts(
    snapshot: Snapshot, catalogue: Catalogue, source: str, start, end, by: str | None, filters: dict[str, str]
) -> pd.DataFrame | None:
    """The entitlements or victims prepared for [start, end], cut `by` and narrowed by `filters`, from the frames the
    snapshot keeps per cut; None when none serves (a window of part months, or two columns no frame keeps together).

    Those frames count rows per month, so a window of whole months is their rows of its months; a filter keeps the
    rows of its value. Counted again by the columns prepare_judged keeps, they are exactly its counts."""
    if snapshot.path is None or not _whole_months(snapshot, start, end):
        return None
    kept = set(cohort_columns(catalogue)) | set(ROW_CUTS)
    wanted = ({by} | set(filters)) - kept - {None}
    if len(wanted) > 1:
        return None
    name = _cut_name(source, next(iter(wanted), None))
    if name not in snapshot.cuts:
        return None
    try:
        frame = _read_frame(snapshot.path / CUTS_FOLDER / f"{name}.parquet", snapshot.key, snapshot.cuts[name])
    except Exception as exc:  # noqa: BLE001  (a damaged file: the judged rows serve instead)
        log.warning("metrics snapshot's %s not used: %s", name, exc)
        return None
    if filters:
        frame = filter_judged(Judged({source: frame}, snapshot.judged.as_of), catalogue, filters).frames[source]
    first, last = start.to_period("M").start_time, end.to_period("M").start_time
    inside, masked = np.zeros(len(frame), dtype=bool), {}
    for column in (c for c in frame.columns if c.startswith("month_")):
        in_months = ((frame[column] >= first) & (frame[column] <= last)).to_numpy()
        masked[column] = frame[column].where(in_months)
        inside |= in_months
    frame = frame.assign(**masked).loc[inside]
    keep = prepared_keep(catalogue, by)
    keys = entitlement_keys(frame.columns, keep) if source == "entitlements" else victim_keys(catalogue, keep)
    return compress(frame, keys, weights=frame["n"])


def _prepared_source(
    snapshot: Snapshot, catalogue: Catalogue, source: str, start, end, by: str | None, filters: dict[str, str]
) -> pd.DataFrame:
    """One snapshot source prepared for [start, end], cut `by`, narrowed by `filters` (each source is prepared on its
    own, so these and the live sources prepared apart make the same Prepared as all of them together)."""
    if source in ("entitlements", "victims"):
        ready = _from_cuts(snapshot, catalogue, source, start, end, by, filters)
        if ready is not None:
            return ready
    as_of = snapshot.judged.as_of
    judged = Judged({source: _in_window(snapshot.judged.frames[source], source, start, end)}, as_of)
    judged = filter_judged(judged, catalogue, filters)
    return prepare_judged(judged, catalogue, start=start, end=end, by=by).frames[source]


def _prepared_live(
    engine: Engine, catalogue: Catalogue, as_of, start, end, filters: dict[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """The live sources (edited in the app, so never snapshotted) fetched, judged and prepared for [start, end]."""
    live = queries.metric_frames(engine, start, end, as_of=as_of, sources=queries.LIVE_SOURCES)
    judged = filter_judged(judge(live, catalogue, as_of=as_of), catalogue, filters)
    return prepare_judged(judged, catalogue, start=start, end=end).frames


def prepared_from(
    snapshot: Snapshot,
    engine: Engine,
    catalogue: Catalogue,
    *,
    start,
    end,
    by: str | None = None,
    filters: dict[str, str] | None = None,
) -> Prepared | None:
    """Prepared frames for [start, end] cut `by` and narrowed by `filters` from the snapshot, the live sources fetched
    now; None when the window starts before the snapshot does (the caller fetches from the database). Each snapshot
    source is prepared when first used (LazyFrames)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start < snapshot.start:
        return None
    check_cut(by)
    filters = dict(filters or {})
    for column in filters:
        check_cut(column, CUTS)
    as_of = snapshot.judged.as_of
    live = _prepared_live(engine, catalogue, as_of, start, end, filters)
    names = [s for s in queries.SOURCE_ORDER if s in live or s in snapshot.judged.frames]

    def load(source: str) -> pd.DataFrame:
        if source in live:
            return live[source]
        return _prepared_source(snapshot, catalogue, source, start, end, by, filters)

    return Prepared(LazyFrames(names, load), as_of, start, end, by)


def prepared_frames(engine: Engine, catalogue: Catalogue, *, as_of, start, end, by: str | None = None) -> Prepared:
    """Prepared frames through the current snapshot when the window lies in it, else straight from the database."""
    snapshot = current_snapshot(engine, catalogue, as_of)
    prepared = prepared_from(snapshot, engine, catalogue, start=start, end=end, by=by)
    if prepared is None:
        frames = queries.metric_frames(engine, start, end, as_of=as_of)
        prepared = prepare(frames, catalogue, as_of=as_of, start=start, end=end, by=by)
    return prepared
