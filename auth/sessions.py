"""When a sign-in cookie still counts: pure rules over the library's token and the user's last session revocation.

streamlit-authenticator's cookie is a signed JWT holding only `username` and `exp_date` (issue time + expiry). We
recover the issue time from `exp_date` and refuse any cookie issued at or before the user's last session revocation
(sign-out, password change, disable), which is exactly a cookie that carries an older `users.session_version`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

# Allow for the clock of the process that issued the cookie differing slightly from ours.
CLOCK_SKEW_SECONDS = 5.0


def utcnow() -> dt.datetime:
    """Now in UTC as a naive datetime, the form the database stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def epoch(moment: dt.datetime) -> float:
    """Seconds since 1970 of a naive-UTC (or aware) datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def cookie_issued_at(token: Mapping[str, Any], expiry_hours: float) -> float | None:
    """The epoch second the cookie was issued, from its expiry; None when the token is malformed."""
    exp = token.get("exp_date")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return None
    return float(exp) - expiry_hours * 3600


def cookie_is_current(
    token: Mapping[str, Any] | None,
    username: str,
    revoked_at: dt.datetime | None,
    expiry_hours: float,
    now: dt.datetime,
) -> bool:
    """True when the token names this user, has not expired, and was issued after the last session revocation."""
    if not token or token.get("username") != username:
        return False
    issued = cookie_issued_at(token, expiry_hours)
    if issued is None:
        return False
    now_s = epoch(now)
    expires = issued + expiry_hours * 3600
    if expires <= now_s or issued > now_s + CLOCK_SKEW_SECONDS:
        return False
    return revoked_at is None or issued > epoch(revoked_at)
