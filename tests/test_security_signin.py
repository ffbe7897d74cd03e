"""Sign-in attempts (issue 15, item 1): one serialised step per username, one answer for every refusal, and
per-client limits.

The attack: twelve tabs sent eleven wrong passwords and the right one within 0.9 s and the sign-in succeeded;
`failed_logins` ended at 2 (SQLite lost updates) and the account was never locked. The threads below call the very
function the gate calls (auth.users.attempt_sign_in) against a real database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading

import bcrypt
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from auth import gate, passwords, users
from auth.throttle import AttemptLimiter, client_address
from data.models import AuditLog

RIGHT = "the right passphrase"
WRONG = [f"wrong passphrase {i:02d}" for i in range(11)]
FAILURES = ("user.sign_in_failed", "user.locked")
REFUSED_EN = (
    "Sign-in refused: the username or password is incorrect, or the account is locked. After 5 failed sign-ins in "
    "a row an account is locked for 15 minutes; an administrator can unlock it sooner."
)


@pytest.fixture
def target(engine, monkeypatch):
    """A board member whose bcrypt cost (8, ~15 ms a check) keeps parallel attempts overlapping."""
    monkeypatch.setattr(passwords, "ROUNDS", 8)
    passwords._dummy_hash.cache_clear()  # the stand-in check for refusals must cost what a real one does
    users.create_user(engine, "target.user", "Target", RIGHT, ["board"], [], actor="test")
    yield engine
    passwords._dummy_hash.cache_clear()


def in_parallel(engine, attempts: list[str]) -> list[bool]:
    """Run every attempt on its own thread, released together; whether each signed in, in the order given."""
    barrier = threading.Barrier(len(attempts))
    results: list[bool | None] = [None] * len(attempts)
    errors: list[BaseException] = []

    def attempt(i: int, password: str) -> None:
        try:
            barrier.wait()
            results[i] = users.attempt_sign_in(engine, "target.user", password, production=False) is not None
        except BaseException as exc:  # a lost race on SQLite shows up as "database is locked": the test must see it
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def sign_in_events(engine) -> list[str]:
    with engine.connect() as conn:
        query = select(AuditLog.event).where(AuditLog.entity_id == "target.user", AuditLog.event != "user.add")
        return list(conn.execute(query.order_by(AuditLog.id)).scalars())


@pytest.mark.parametrize("right_at", [0, 4, 6, 11])
def test_twelve_parallel_attempts_are_checked_one_after_another_and_the_lock_holds(target, right_at):
    attempts = WRONG[:right_at] + [RIGHT] + WRONG[right_at:]
    results = in_parallel(target, attempts)

    # Each attempt was one step: the audit trail is the order they were processed in, and it reads as sequential
    # sign-ins would. Call k the wrong attempts processed before the right one.
    events = sign_in_events(target)
    successes = events.count("user.sign_in")
    assert sum(results) == successes <= 1
    if successes:
        k = events.index("user.sign_in")
        # The right password opened the account only because fewer than five failures came before it...
        assert k < users.MAX_FAILED_LOGINS and events[:k] == ["user.sign_in_failed"] * k
        # ...and its success reset the count, so five more failures were needed to lock it.
        after = events[k + 1 :]
    else:
        # Otherwise the right password came after the fifth failure: refused, without being counted.
        after = events
    assert after == ["user.sign_in_failed"] * 4 + ["user.locked"]  # no success (and no count) after the lock
    counted = len(events) - successes  # the wrong attempts processed before the lock
    assert counted == events.count("user.sign_in_failed") + 1 and counted <= len(WRONG)

    user = users.load_user(target, "target.user")
    assert user.locked() and user.failed_logins == users.MAX_FAILED_LOGINS == len(after)
    # And the right password stays refused while the lock lasts.
    assert users.attempt_sign_in(target, "target.user", RIGHT, production=False) is None
    assert users.load_user(target, "target.user").failed_logins == users.MAX_FAILED_LOGINS


def test_parallel_failures_are_all_counted(target):
    """SQLite lost updates: two attempts read the same counter and both wrote counter + 1."""
    assert in_parallel(target, WRONG[:4]) == [False] * 4
    user = users.load_user(target, "target.user")
    assert user.failed_logins == 4 and not user.locked()
    assert sign_in_events(target) == ["user.sign_in_failed"] * 4


def test_every_refusal_does_one_bcrypt_check_at_the_same_cost(target, monkeypatch):
    """Unknown, disabled, locked and wrong-password attempts answer None after the same work: one check, cost 8."""
    users.create_user(target, "gone.user", "Gone", RIGHT, ["board"], [], actor="test")
    users.disable(target, "gone.user", actor="test")
    users.create_user(target, "locked.user", "Locked", RIGHT, ["board"], [], actor="test")
    for _ in range(users.MAX_FAILED_LOGINS):
        users.record_failed_login(target, "locked.user")
    checks: list[str] = []
    real_check = bcrypt.checkpw

    def counting_check(password: bytes, hashed: bytes) -> bool:
        checks.append(hashed.decode()[:7])  # "$2b$08$": algorithm and cost
        return real_check(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", counting_check)
    for username, password in [("no.such.user", RIGHT), ("gone.user", RIGHT), ("locked.user", RIGHT),
                               ("target.user", WRONG[0])]:  # fmt: skip
        checks.clear()
        assert users.attempt_sign_in(target, username, password, production=False) is None, username
        assert checks == ["$2b$08$"], username
    assert users.load_user(target, "locked.user").failed_logins == users.MAX_FAILED_LOGINS  # a lock is not extended


# ---------------------------------------------------------------- through the app


def answers(at: AppTest, username: str, password: str, times: int) -> list[str]:
    """The error shown after each of `times` sign-ins."""
    shown = []
    for _ in range(times):
        at.text_input(key="vsd_signin_username").input(username)
        at.text_input(key="vsd_signin_password").input(password)
        at.button(key="vsd_signin_submit").click().run()
        assert not at.exception
        shown.append(" | ".join(e.value for e in at.error))
    return shown


@pytest.fixture
def fresh_limits(monkeypatch):
    """Per-client limits that start empty for each test (they are per process)."""
    monkeypatch.setattr(gate, "SESSION_ATTEMPTS", AttemptLimiter(gate.SESSION_ATTEMPTS.limit))
    monkeypatch.setattr(gate, "ADDRESS_FAILURES", AttemptLimiter(gate.ADDRESS_FAILURES.limit))


def test_a_real_account_and_an_unknown_name_answer_alike_before_and_after_the_lock(app_engine, fresh_limits):
    real = answers(AppTest.from_file("../app.py", default_timeout=30).run(), "board", "not the password", 7)
    unknown = answers(AppTest.from_file("../app.py", default_timeout=30).run(), "no.such.user", "not the pw", 7)
    assert real == unknown == [REFUSED_EN] * 7
    assert users.load_user(app_engine, "board").locked()  # the real one is locked all the same
    right = answers(AppTest.from_file("../app.py", default_timeout=30).run(), "board", "vsd-demo-board", 1)
    assert right == [REFUSED_EN]


def test_a_session_over_its_limit_is_refused_before_any_check(app_engine, monkeypatch, fresh_limits):
    monkeypatch.setattr(gate, "SESSION_ATTEMPTS", AttemptLimiter(3))
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    shown = answers(at, "board", "not the password", 4)
    assert shown[:3] == [REFUSED_EN] * 3
    assert shown[3] == "Too many sign-in attempts from this browser or network. Try again in 10 minutes."
    assert users.load_user(app_engine, "board").failed_logins == 3  # the fourth never reached the account
    # Another session (another tab) has its own count: it is refused only by the account's own rules.
    other = answers(AppTest.from_file("../app.py", default_timeout=30).run(), "analyst", "vsd-demo-analyst", 1)
    assert other == [""]


def test_an_address_is_limited_by_its_refusals_not_by_its_sign_ins(app_engine, monkeypatch, fresh_limits):
    """A whole office behind one address signs in freely; refused attempts from it count, then it waits."""
    monkeypatch.setattr(gate, "ADDRESS_FAILURES", AttemptLimiter(2))
    monkeypatch.setattr(gate, "_client_keys", lambda: ("one browser per test run", "203.0.113.7"))
    monkeypatch.setattr(gate, "SESSION_ATTEMPTS", AttemptLimiter(100))
    for username in ("board", "analyst", "lead.da"):  # three colleagues sign in: none is refused
        assert answers(
            AppTest.from_file("../app.py", default_timeout=30).run(), username, f"vsd-demo-{username}", 1
        ) == [""]
    shown = answers(AppTest.from_file("../app.py", default_timeout=30).run(), "board", "not the password", 3)
    assert shown[:2] == [REFUSED_EN] * 2
    assert shown[2].startswith("Too many sign-in attempts from this browser or network.")
    right = answers(AppTest.from_file("../app.py", default_timeout=30).run(), "analyst", "vsd-demo-analyst", 1)
    assert right[0].startswith("Too many sign-in attempts")  # the address waits, whoever signs in from it
    assert users.load_user(app_engine, "board").failed_logins == 2  # the refused third never reached the account


def test_the_operators_log_says_which_refusal_it_was(target, caplog):
    """The page answers every refusal alike; the server log (operators only) names each, with no password."""
    caplog.set_level("INFO", logger="auth.users")
    for _ in range(5):
        users.attempt_sign_in(target, "target.user", WRONG[0])
    users.attempt_sign_in(target, "target.user", RIGHT)
    users.attempt_sign_in(target, "no.such.user", RIGHT)
    lines = [r.getMessage() for r in caplog.records if r.name == "auth.users"]
    assert lines == [
        *(f"sign-in attempt for target.user: refused: wrong password ({n} in a row)" for n in range(1, 5)),
        "sign-in attempt for target.user: refused: wrong password, account now locked",
        "sign-in attempt for target.user: refused: account locked",
        "sign-in attempt for no.such.user: refused: unknown username",
    ]
    assert not any(RIGHT in line or WRONG[0] in line for line in lines)


# ---------------------------------------------------------------- the limiter and the client's address


def test_the_limiter_is_a_sliding_window_that_counts_only_allowed_attempts():
    limiter = AttemptLimiter(limit=3, window=60)
    assert [limiter.allow("ip:a", now=t) for t in (0, 10, 20, 30, 40)] == [True, True, True, False, False]
    assert limiter.allow("ip:b", now=40)  # another client is not held up
    assert limiter.retry_after("ip:a", now=40) == 20  # the first attempt (t=0) leaves the window at t=60
    assert limiter.allow("ip:a", now=60) and not limiter.allow("ip:a", now=61)
    assert limiter.allow("ip:a", now=70)  # t=10 has left


def test_the_limiter_forgets_the_oldest_client_beyond_its_size():
    limiter = AttemptLimiter(limit=1, window=60, max_keys=2)
    assert limiter.allow("a", now=0) and limiter.allow("b", now=1) and limiter.allow("c", now=2)
    assert limiter.allow("a", now=3)  # "a" was forgotten to make room
    assert not limiter.allow("c", now=4)


@pytest.mark.parametrize(
    ("remote_ip", "headers", "expected"),
    [
        ("203.0.113.7", {"X-Forwarded-For": "198.51.100.1"}, "203.0.113.7"),  # a remote client's headers are ignored
        (None, {"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"),  # through the local proxy
        (None, {"X-Forwarded-For": "1.2.3.4, 198.51.100.1"}, "198.51.100.1"),  # a forged first entry is ignored
        (None, {}, None),
        (None, None, None),
    ],
)
def test_client_address(remote_ip, headers, expected):
    assert client_address(remote_ip, headers) == expected
