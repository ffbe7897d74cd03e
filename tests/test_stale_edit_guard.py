"""The stale-edit guard itself: the `WHERE version = <the version read>` of the locked update refuses a save whose
read another save has overtaken, on SQLite and PostgreSQL, with the two sessions interleaved in a forced order.

Each service re-reads the row inside its write transaction and refuses a stale version in Python first. On SQLite
that check alone catches every stale save, because `BEGIN IMMEDIATE` makes the second save wait for the first to
commit before it reads; so a test of two whole saves never reaches the guard. Here the order is forced instead:

* session A's save is paused inside its transaction, after its UPDATE and before its commit (a hook on the audit
  write, which every save makes last), with threading.Event;
* session B reads the record meanwhile, on its own connection, and sees the version A started from;
* A commits; B then saves what it read, and the locked update must refuse it with StaleEdit and change nothing.

On PostgreSQL the same order is also run through two whole service calls: B's read sees A's version (A has not
committed), B's Python check passes, and B's UPDATE waits for A's row lock. The test waits until the server reports
B waiting for that lock (pg_stat_activity), not for a time, then lets A commit: B's UPDATE re-reads the row, finds
a newer version and must update nothing. Removing the version condition from the UPDATE (data/records.py
locked_update, or the commentary's own UPDATE) makes these tests fail.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, Table, func, select, text

from data import actions, audit, commentary, feedback, findings
from data.models import Action, AuditLog, Commentary, FeedbackItem, Recommendation
from data.records import locked_update
from rules.workflow import StaleEdit
from tests.accountability_support import (
    ADMIN,
    DAY,
    LEAD_DA,
    LEAD_SV,
    db_fixture,  # noqa: F401 (the db fixture)
    seed_feedback,
    seed_finding,
)

AS_OF = dt.date(2026, 7, 31)
WAIT = 30  # seconds; only ever reached when something is broken (every wait below ends on an event)


@dataclass(frozen=True)
class Kind:
    """One kind of record edited with optimistic locking, and how the test creates, saves and reads it."""

    name: str
    table: Table
    key_column: str
    key: Any  # the record's key: a value, or a tuple of column values (commentary: portfolio, as-of date)
    field: str  # the field the two sessions change
    create: Callable[[Engine], None]
    save: Callable[[Engine, int, str], dict]  # save(engine, version read, new value) through the service
    module: Any  # where the service's in-transaction read lives
    reader: str  # ... and its name

    def where(self):
        if self.name == "commentary":
            return (self.table.c.portfolio == self.key[0], self.table.c.as_of == self.key[1])
        return (self.table.c[self.key_column] == self.key,)

    def read(self, conn) -> dict:
        return dict(conn.execute(select(self.table).where(*self.where())).mappings().one())


def _new_action(engine: Engine) -> None:
    actions.create_action(
        engine, LEAD_DA, title="Call back within 2 days", portfolio="vawg_da", owner="DA lead",
        due_date=dt.date(2026, 9, 15), today=DAY,
    )  # fmt: skip


KINDS = {
    "action": Kind(
        "action", Action.__table__, "action_id", "AC-001", "owner", _new_action,
        lambda e, v, x: actions.update_action(e, LEAD_DA, "AC-001", v, {"owner": x}, today=DAY), actions, "fetch",
    ),
    "finding": Kind(
        "finding", Recommendation.__table__, "rec_id", "HM-001", "owner",
        lambda e: seed_finding(e, "HM-001", "HMICFRS PEEL 2025", dt.date(2026, 3, 2)),
        lambda e, v, x: findings.update_finding(e, ADMIN, "HM-001", v, {"owner": x}, today=DAY), findings, "fetch",
    ),
    "feedback": Kind(
        "feedback", FeedbackItem.__table__, "feedback_id", "FB-0001", "summary", lambda e: seed_feedback(e, "FB-0001"),
        lambda e, v, x: feedback.edit_feedback(e, LEAD_SV, "FB-0001", v, {"summary": x}), feedback, "fetch",
    ),
    "commentary": Kind(
        "commentary", Commentary.__table__, "", ("vawg_da", AS_OF), "body_en",
        lambda e: commentary.save_commentary(e, LEAD_DA, "vawg_da", AS_OF, "First reading.", "", 0),
        lambda e, v, x: commentary.save_commentary(e, LEAD_DA, "vawg_da", AS_OF, x, "", v), commentary, "_fetch",
    ),
}  # fmt: skip
LOCKED_UPDATE_KINDS = ["action", "finding", "feedback"]  # saved through data.records.locked_update


class PausedSave:
    """Session A: a save run in a thread that stops inside its transaction, after its UPDATE and audit row and before
    its commit, until released."""

    def __init__(self, monkeypatch, save: Callable[[], dict]):
        self.saved = threading.Event()  # A has written, not committed
        self.release = threading.Event()
        self.result: dict | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(save,), name="session-A")
        real_write = audit.write

        def write(conn, **kwargs):
            real_write(conn, **kwargs)
            if threading.current_thread() is self.thread:
                self.saved.set()
                if not self.release.wait(WAIT):
                    raise AssertionError("session A was never released")

        monkeypatch.setattr(audit, "write", write)

    def _run(self, save) -> None:
        try:
            self.result = save()
        except BaseException as exc:  # noqa: BLE001 (reported by finish)
            self.error = exc
            self.saved.set()

    def start(self) -> PausedSave:
        self.thread.start()
        assert self.saved.wait(WAIT), "session A never reached its commit"
        if self.error is not None:
            raise self.error
        return self

    def finish(self) -> dict:
        self.release.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "session A did not finish"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def audit_rows(engine: Engine, kind: Kind) -> int:
    """Audit rows of records of this kind."""
    with engine.connect() as conn:
        stmt = select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == kind.name)
        return conn.execute(stmt).scalar_one()


@pytest.mark.parametrize("name", LOCKED_UPDATE_KINDS)
def test_the_locked_update_refuses_a_version_read_before_another_save_committed(db, monkeypatch, name):
    kind = KINDS[name]
    kind.create(db)
    session_a = PausedSave(monkeypatch, lambda: kind.save(db, 1, "Alex")).start()
    # Session B reads the record while A's save is open: it sees version 1, the version A started from.
    with db.connect() as conn:
        read_by_b = kind.read(conn)
    assert read_by_b["version"] == 1 and read_by_b[kind.field] != "Alex"
    saved_by_a = session_a.finish()
    assert saved_by_a["version"] == 2 and saved_by_a[kind.field] == "Alex"
    # B saves what it read, at the version it read: only the version condition stands between it and A's change.
    with pytest.raises(StaleEdit) as caught:
        with audit.writing(db) as conn:
            locked_update(conn, kind.table, kind.key_column, kind.key, 1, {kind.field: "Sam"}, {kind.field: "Sam"})
    assert caught.value.expected_version == 1
    assert (caught.value.current["version"], caught.value.current[kind.field]) == (2, "Alex")
    with db.connect() as conn:
        now = kind.read(conn)
    assert (now["version"], now[kind.field]) == (2, "Alex")  # A's save stands, B's changed nothing


@pytest.mark.parametrize("name", list(KINDS))
def test_a_save_whose_read_was_overtaken_is_refused_by_the_version_guard_and_writes_nothing(db, monkeypatch, name):
    """The whole service, with B's read in its transaction made to return what B read before A committed (as if the
    two reads had interleaved): the service's own version check passes, so the guard in its UPDATE must refuse."""
    kind = KINDS[name]
    kind.create(db)
    session_a = PausedSave(monkeypatch, lambda: kind.save(db, 1, "Alex")).start()
    with db.connect() as conn:
        read_by_b = kind.read(conn)
    session_a.finish()
    audited = audit_rows(db, kind)
    real_read = getattr(kind.module, kind.reader)
    reads = []

    def stale_first_read(conn, *args):
        """B's first read in its transaction returns the row as B read it before A's commit; later reads are real."""
        reads.append(args)
        row = real_read(conn, *args)
        return {**row, **{k: v for k, v in read_by_b.items() if k in row}} if len(reads) == 1 else row

    monkeypatch.setattr(kind.module, kind.reader, stale_first_read)
    with pytest.raises(StaleEdit) as caught:
        kind.save(db, read_by_b["version"], "Sam")
    assert reads  # B's save read the record (and was served the version it had read before A's commit)
    assert (caught.value.expected_version, caught.value.current["version"]) == (1, 2)
    assert caught.value.current[kind.field] == "Alex"
    with db.connect() as conn:
        now = kind.read(conn)
    assert (now["version"], now[kind.field]) == (2, "Alex")
    assert audit_rows(db, kind) == audited  # the refused save's audit row was rolled back with it


def _backend_pid(conn) -> int:
    return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _wait_until_waiting_for_a_lock(engine: Engine, pid: int) -> None:
    """Return once the server reports that backend waiting for a lock (the row lock A's UPDATE holds)."""
    deadline = time.monotonic() + WAIT
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            state = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one_or_none()
            if state == "Lock":
                return
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError(f"session B (backend {pid}) never waited for session A's row lock")


# SQLite takes its write lock before the read (BEGIN IMMEDIATE), so two whole saves never overlap there; the tests
# above cover its guard.
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("name", list(KINDS))
def test_two_saves_racing_on_postgresql_let_the_version_guard_refuse_the_second(db, monkeypatch, name):
    """Both sessions read version 1 while A's save is open; B's UPDATE waits for A's row lock; A commits; B's UPDATE
    re-reads the row and, finding version 2, must update nothing. Ordered by events and the server's own lock state."""
    engine = db
    kind = KINDS[name]
    kind.create(engine)
    audited = audit_rows(engine, kind)
    session_a = PausedSave(monkeypatch, lambda: kind.save(engine, 1, "Alex")).start()
    real_read = getattr(kind.module, kind.reader)
    b_read: dict = {}
    b_pid = threading.Event()
    pids: list[int] = []

    def read_and_note(conn, *args):
        row = real_read(conn, *args)
        if threading.current_thread().name == "session-B" and not b_read:
            b_read.update(row)
            pids.append(_backend_pid(conn))
            b_pid.set()
        return row

    monkeypatch.setattr(kind.module, kind.reader, read_and_note)
    outcome: dict[str, Any] = {}

    def session_b() -> None:
        try:
            outcome["saved"] = kind.save(engine, 1, "Sam")
        except BaseException as exc:  # noqa: BLE001 (asserted below)
            outcome["error"] = exc

    thread_b = threading.Thread(target=session_b, name="session-B")
    thread_b.start()
    try:
        assert b_pid.wait(WAIT), "session B never read the record"
        assert b_read["version"] == 1  # A has not committed: B read the version A started from
        _wait_until_waiting_for_a_lock(engine, pids[0])  # B passed its own version check and is in its UPDATE
    finally:
        saved_by_a = session_a.finish()
        thread_b.join(WAIT)
    assert not thread_b.is_alive()
    assert saved_by_a["version"] == 2
    assert "saved" not in outcome, f"the second save went through: {outcome.get('saved')}"
    assert isinstance(outcome.get("error"), StaleEdit), outcome
    assert (outcome["error"].current["version"], outcome["error"].current[kind.field]) == (2, "Alex")
    with engine.connect() as conn:
        now = kind.read(conn)
    assert (now["version"], now[kind.field]) == (2, "Alex")
    assert audit_rows(engine, kind) == audited + 1  # A's save only
