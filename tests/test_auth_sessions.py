"""When a sign-in cookie still counts: issued after the user's last sign-out or password change, and unexpired."""

from __future__ import annotations

import datetime as dt

import pytest

from auth.sessions import cookie_is_current, epoch

T = dt.datetime(2025, 3, 10, 9, 0, 0)  # naive UTC, as the database stores it
HOURS = 8.0


def token_issued(at: dt.datetime, username: str = "lead.da", hours: float = HOURS) -> dict:
    """The library's cookie payload: username and exp_date (issue time + expiry, epoch seconds)."""
    return {"username": username, "exp_date": epoch(at) + hours * 3600}


@pytest.mark.parametrize(
    ("token", "revoked_at", "now", "current"),
    [
        (token_issued(T), None, T + dt.timedelta(minutes=5), True),
        (token_issued(T), T - dt.timedelta(minutes=1), T + dt.timedelta(minutes=5), True),
        (token_issued(T), T + dt.timedelta(minutes=1), T + dt.timedelta(minutes=5), False),  # signed out after
        (token_issued(T), T, T + dt.timedelta(minutes=5), False),  # same instant: refuse
        (token_issued(T), None, T + dt.timedelta(hours=8, seconds=1), False),  # expired
        (token_issued(T), None, T + dt.timedelta(hours=7, minutes=59), True),
        (token_issued(T, "board"), None, T + dt.timedelta(minutes=5), False),  # someone else's cookie
        (token_issued(T + dt.timedelta(hours=1)), None, T, False),  # issued in the future (longer expiry)
        ({"username": "lead.da", "exp_date": "tomorrow"}, None, T, False),
        ({"username": "lead.da"}, None, T, False),
        ({}, None, T, False),
        (None, None, T, False),
    ],
)
def test_cookie_is_current(token, revoked_at, now, current):
    assert cookie_is_current(token, "lead.da", revoked_at, HOURS, now) is current


def test_epoch_reads_naive_datetimes_as_utc():
    assert epoch(dt.datetime(1970, 1, 1, 1, 0)) == 3600.0
    assert epoch(dt.datetime(1970, 1, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == 3600.0
