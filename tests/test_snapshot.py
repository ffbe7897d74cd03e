"""Metrics snapshots (data/snapshot.py): the same numbers as the database, made stale by a new load, and never used
when their files are damaged or belong to other data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cli import app
from data import queries
from data import snapshot as snapshots
from data.demo import write_demo
from data.engine import make_engine
from data.ingest import import_paths
from data.migrate import upgrade
from data.policeuk import import_policeuk
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import Period, months, rolling_12
from metrics.scorecard import window
from results.scorecards import all_scorecards
from tests.conftest import POLICEUK_DIR, copy_database, new_postgres_database

# One worker runs the module, so its loaded database (built once, copied for each test) is built once per backend.
pytestmark = pytest.mark.xdist_group("snapshot")
CAT = load_catalogue()
AS_OF = dt.date(2024, 3, 31)  # the 36-month window (from April 2021) holds the police.uk files of 2022-2023
# Five of the reference files' 18 months: each window compared below starts, ends or lies in one of them (loading all
# 18 into every test's fresh database was most of this file's run time).
POLICEUK_MONTHS = ("2022-07", "2023-01", "2023-03", "2023-04", "2023-12")
POLICEUK_FILES = [
    POLICEUK_DIR / f"{month}-gwent-{kind}.csv" for month in POLICEUK_MONTHS for kind in ("street", "outcomes")
]


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory):
    """The loaded database of each backend, built the first time a test asks for it (once per module and worker):
    backend name -> URL. The demo files are written once and only read by the tests."""
    folder = tmp_path_factory.mktemp("snapshot_loaded")
    demo = folder / "demo"
    write_demo(demo, cases=300, seed=7, months=36, as_of=AS_OF)
    built: dict[str, str] = {}
    drops = []

    def url_for(backend: str) -> str:
        if backend not in built:
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'loaded.sqlite3'}"
            else:
                url, drop = new_postgres_database("vsd_snapshot_loaded")
                drops.append(drop)
            engine = make_engine(url)
            upgrade(engine)
            assert all(r.ok for r in import_paths(engine, [demo], loaded_by="test"))
            assert all(r.ok for r in import_policeuk(engine, POLICEUK_FILES, loaded_by="test"))
            engine.dispose()
            built[backend] = url
        return built[backend]

    yield demo, url_for
    for drop in drops:
        drop()


@pytest.fixture
def loaded(db_url, engine, loaded_once, tmp_path, monkeypatch):
    """300 demo victims (36 months to 31 March 2024) and five months of the police.uk reference files in this test's
    own database (a copy of the module's loaded one), snapshots in tmp_path."""
    monkeypatch.setenv("VSD_CACHE_DIR", str(tmp_path / "cache"))
    demo, url_for = loaded_once
    copy_database(url_for(engine.dialect.name), db_url)
    return engine, demo


def database_frames(engine, start, end, fetched: dict | None = None) -> dict:
    """The database's frames of [start, end]. With `fetched` (window -> frames) a window is fetched once, and each
    caller is handed its own copy to prepare."""
    if fetched is None:
        return queries.metric_frames(engine, start, end, as_of=AS_OF)
    if (start, end) not in fetched:
        fetched[start, end] = queries.metric_frames(engine, start, end, as_of=AS_OF)
    return {source: frame.copy() for source, frame in fetched[start, end].items()}


def from_database(engine, start, end, by=None, fetched: dict | None = None):
    """The path without a snapshot: fetch [start, end], judge, window."""
    frames = database_frames(engine, start, end, fetched)
    return prepare(frames, CAT, as_of=AS_OF, start=start, end=end, by=by)


def every_measure(prepared, start, end):
    return compute(prepared, CAT, periods=[Period(start, end, "custom"), *months(start, end)])


def test_snapshot_gives_the_database_numbers_for_any_window_in_it(loaded):
    engine, _ = loaded
    path = snapshots.refresh_snapshot(engine, CAT)
    snapshot = snapshots.read_snapshot(engine, CAT, AS_OF)
    assert snapshot is not None and path.is_dir()
    assert snapshot.start == window(AS_OF)[0] == pd.Timestamp("2021-04-01")
    assert len(snapshot.judged.frames["policeuk_street"]) > 0  # the window reaches the 2023 reference files
    r12 = rolling_12(AS_OF)
    windows = [
        (window(AS_OF)[0], pd.Timestamp(AS_OF), None),
        (r12.start, r12.end, "age_band"),
        (r12.start, r12.end, "unit"),  # the entitlement's own unit before the victim's
        (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-03-31"), "preferred_language"),
        (pd.Timestamp("2022-07-15"), pd.Timestamp("2024-06-30"), "area"),  # mid-month start, end after the as-of
    ]
    fetched = {}
    for start, end, by in windows:
        ours = snapshots.prepared_from(snapshot, engine, CAT, start=start, end=end, by=by)
        pd.testing.assert_frame_equal(
            every_measure(ours, start, end), every_measure(from_database(engine, start, end, by, fetched), start, end)
        )
    start, end = window(AS_OF)
    scorecards = all_scorecards(snapshots.prepared_from(snapshot, engine, CAT, start=start, end=AS_OF), CAT)
    pd.testing.assert_frame_equal(scorecards, all_scorecards(from_database(engine, start, AS_OF, None, fetched), CAT))
    # The frames stored ready for the scorecard window are those prepared_from makes, and give the same scorecards.
    stored = snapshots.scorecard_prepared(engine, CAT, AS_OF)
    made = snapshots.prepared_from(snapshot, engine, CAT, start=start, end=AS_OF)
    assert (stored.start, stored.end, stored.by) == (made.start, made.end, None)
    assert list(stored.frames) == list(made.frames)
    for source in made.frames:  # the same rows (compressed ones may come in another order: measures sum them)
        pd.testing.assert_frame_equal(in_order(stored.frames[source]), in_order(made.frames[source]), obj=source)
    pd.testing.assert_frame_equal(all_scorecards(stored, CAT), scorecards)
    # A window starting before the snapshot is not served from it.
    early = pd.Timestamp("2021-03-01")
    assert snapshots.prepared_from(snapshot, engine, CAT, start=early, end=end) is None
    prepared = snapshots.prepared_frames(engine, CAT, as_of=AS_OF, start=early, end=end)
    pd.testing.assert_frame_equal(
        every_measure(prepared, early, end), every_measure(from_database(engine, early, end), early, end)
    )


def in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame's rows sorted by every column (to compare frames whose row order does not matter)."""
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


def overall(prepared, start, end) -> tuple[float, float]:
    rows = compute(prepared, CAT, periods=[Period(start, end, "custom")], metric_ids=["VCOP_OVERALL"])
    return float(rows["numerator"].iloc[0]), float(rows["denominator"].iloc[0])


def test_a_new_load_makes_the_snapshot_stale(loaded, tmp_path):
    engine, demo = loaded
    snapshots.refresh_snapshot(engine, CAT)
    old = snapshots.read_snapshot(engine, CAT, AS_OF)
    start, end = pd.Timestamp("2023-04-01"), pd.Timestamp(AS_OF)
    before = overall(snapshots.prepared_from(old, engine, CAT, start=start, end=end), start, end)
    # Reload one entitlement delivered on its trigger day (timely whatever its code) as never delivered: long past
    # every timescale at the as-of date, it becomes missed, so compliance loses one timely instance.
    rows = pd.read_csv(demo / "entitlements.csv", dtype=str, keep_default_na=False)
    timely = rows.loc[
        (rows["trigger_date"] == rows["delivered_date"])
        & (rows["trigger_date"] >= "2023-04-01")
        & (rows["trigger_date"] <= "2023-12-31")
        & (rows["declined"] != "true")
    ].iloc[[0]]
    changed = tmp_path / "changed"
    changed.mkdir()
    timely.assign(delivered_date="", language="").to_csv(changed / "entitlements.csv", index=False)
    assert all(r.ok for r in import_paths(engine, [changed], as_of=AS_OF, loaded_by="test"))

    assert snapshots.read_snapshot(engine, CAT, AS_OF) is None  # the old files are stale now
    fresh = snapshots.current_snapshot(engine, CAT, AS_OF)  # rebuilt from the database and written
    after = overall(snapshots.prepared_from(fresh, engine, CAT, start=start, end=end), start, end)
    assert after == (before[0] - 1, before[1])
    assert after == overall(from_database(engine, start, end), start, end)
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is not None
    assert len(list(snapshots.cache_dir(engine).glob("metrics-*"))) == 1  # the stale snapshot was removed


def test_the_key_covers_the_as_of_date_and_the_timescales(loaded):
    engine, _ = loaded
    snapshots.refresh_snapshot(engine, CAT)
    assert snapshots.read_snapshot(engine, CAT, AS_OF - dt.timedelta(days=1)) is None
    first, *rest = CAT.entitlements
    longer = CAT.model_copy(update={"entitlements": [first.model_copy(update={"standard": first.standard + 1}), *rest]})
    assert snapshots.read_snapshot(engine, longer, AS_OF) is None


def damage_truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_garble(path):
    path.write_bytes(b"not parquet at all")


@pytest.mark.parametrize("damage", [damage_truncate, damage_garble])
def test_a_damaged_file_falls_back_to_the_database(loaded, damage):
    engine, _ = loaded
    path = snapshots.refresh_snapshot(engine, CAT)
    damage(path / "entitlements.parquet")
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is None
    start, end = window(AS_OF)
    prepared = snapshots.prepared_frames(engine, CAT, as_of=AS_OF, start=start, end=AS_OF)
    expected = every_measure(from_database(engine, start, AS_OF), start, AS_OF)
    pd.testing.assert_frame_equal(every_measure(prepared, start, AS_OF), expected)
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is not None  # the damaged files were replaced


@pytest.mark.parametrize("damage", [damage_truncate, damage_garble])
def test_damaged_scorecard_frames_are_not_used(loaded, damage):
    engine, _ = loaded
    path = snapshots.refresh_snapshot(engine, CAT)
    assert snapshots.scorecard_prepared(engine, CAT, AS_OF) is not None
    damage(path / snapshots.SCORECARD / "entitlements.parquet")
    assert snapshots.scorecard_prepared(engine, CAT, AS_OF) is None  # the caller prepares from the judged frames
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is not None  # which are intact


def test_files_of_another_snapshot_are_not_used(loaded):
    engine, _ = loaded
    path = snapshots.refresh_snapshot(engine, CAT)
    # A victims file of another snapshot: the same layout, another key in its metadata.
    table = pq.read_table(path / "victims.parquet")
    foreign = table.replace_schema_metadata({**table.schema.metadata, snapshots.KEY_METADATA: b"0" * 64})
    pq.write_table(foreign, path / "victims.parquet")
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is None
    snapshots.refresh_snapshot(engine, CAT)  # rewritten in place
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is not None
    (path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert snapshots.read_snapshot(engine, CAT, AS_OF) is None


def test_cli_import_writes_the_snapshot(db_url, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("VSD_CACHE_DIR", str(tmp_path / "cache"))
    demo = tmp_path / "demo"
    write_demo(demo, cases=50, seed=3, months=12, as_of=AS_OF)
    result = CliRunner().invoke(app, ["import", str(demo)])
    assert result.exit_code == 0, result.output
    assert "metrics snapshot written" in result.stdout
    snapshot = snapshots.read_snapshot(engine, CAT, AS_OF)
    assert snapshot is not None
    assert len(snapshot.judged.frames["entitlements"]) == len(pd.read_csv(demo / "entitlements.csv"))


def test_written_a_part_at_a_time_the_snapshot_holds_what_one_pass_judges(loaded, monkeypatch):
    engine, _ = loaded
    monkeypatch.setattr(snapshots, "CHUNK_ROWS", 700)  # several parts of entitlements, each judged on its own
    snapshots.refresh_snapshot(engine, CAT)
    written = snapshots.read_snapshot(engine, CAT, AS_OF)
    whole = snapshots.build_snapshot(engine, CAT, AS_OF)
    assert len(whole.judged.frames["entitlements"]) > 3 * 700
    for source, frame in whole.judged.frames.items():
        pd.testing.assert_frame_equal(written.judged.frames[source], frame, check_categorical=False, obj=source)
    start, end = window(AS_OF)
    stored = snapshots.scorecard_prepared(engine, CAT, AS_OF)
    made = snapshots.prepared_from(whole, engine, CAT, start=start, end=end)
    pd.testing.assert_frame_equal(all_scorecards(stored, CAT), all_scorecards(made, CAT))


def from_database_filtered(engine, start, end, by, filters, fetched: dict | None = None):
    frames = database_frames(engine, start, end, fetched)
    return prepare(frames, CAT, as_of=AS_OF, start=start, end=end, by=by, filters=filters)


def test_cuts_and_filters_from_the_stored_cut_frames_give_the_database_numbers(loaded):
    engine, _ = loaded
    snapshots.refresh_snapshot(engine, CAT)
    victims = snapshots.read_snapshot(engine, CAT, AS_OF).judged.frames["victims"]
    area, sex, offence = (str(victims[c].dropna().iloc[0]) for c in ("area", "sex", "offence_group"))
    r12 = rolling_12(AS_OF)
    whole, part = (r12.start, r12.end), (pd.Timestamp("2022-07-15"), pd.Timestamp("2023-02-14"))
    cases = [
        # (window, cut, filters, served by the stored cut frames)
        (whole, "area", {}, True),
        (whole, "unit", {}, True),  # the entitlement's own unit before the victim's
        (whole, "exception_reason", {}, True),
        (whole, None, {"area": area}, True),
        (whole, "area", {"area": area}, True),
        (whole, "area", {"offence_group": offence}, True),  # a cohort column: every stored frame keeps it
        (whole, None, {"enhanced_rights": "true"}, True),
        (whole, "offence_group", {"sex": sex}, True),  # a cohort column with another
        (whole, "enhanced_rights", {"sex": sex}, False),  # two columns no stored frame keeps together
        ((pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-30")), "age_band", {}, True),  # ends after the as-of
        (whole, "age_band", {"area": area}, False),  # two columns no stored frame keeps together
        (whole, None, {"area": area, "sex": sex}, False),
        (part, "area", {}, False),  # part months: the judged rows serve
        (part, None, {"area": area}, False),
    ]
    fetched = {}
    for (start, end), by, filters, served in cases:
        snapshot = snapshots.read_snapshot(engine, CAT, AS_OF)  # afresh: nothing read yet
        ours = snapshots.prepared_from(snapshot, engine, CAT, start=start, end=end, by=by, filters=filters)
        expected = every_measure(from_database_filtered(engine, start, end, by, filters, fetched), start, end)
        pd.testing.assert_frame_equal(every_measure(ours, start, end), expected, obj=f"{start:%F} {by} {filters}")
        # Served from the stored cut frames, the judged entitlements and victims were never read.
        read = set(snapshot.judged.frames._made)
        assert not read & {"entitlements", "victims"} if served else {"entitlements", "victims"} <= read


def test_a_file_unreadable_when_first_used_is_replaced_by_the_database(loaded, monkeypatch):
    engine, _ = loaded
    snapshots.refresh_snapshot(engine, CAT)
    snapshot = snapshots.read_snapshot(engine, CAT, AS_OF)  # footers checked, no rows read yet
    real = snapshots._read_frame

    def failing(path, key, rows):
        if path.name in {"entitlements.parquet", "entitlements-area.parquet"}:
            raise OSError(f"{path.name} damaged")
        return real(path, key, rows)

    monkeypatch.setattr(snapshots, "_read_frame", failing)
    whole = snapshots.build_snapshot(engine, CAT, AS_OF)
    pd.testing.assert_frame_equal(snapshot.judged.frames["entitlements"], whole.judged.frames["entitlements"])
    r12 = rolling_12(AS_OF)
    ours = snapshots.prepared_from(snapshot, engine, CAT, start=r12.start, end=r12.end, by="area")
    expected = every_measure(from_database(engine, r12.start, r12.end, "area"), r12.start, r12.end)
    pd.testing.assert_frame_equal(every_measure(ours, r12.start, r12.end), expected)
