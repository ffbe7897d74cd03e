"""Per-client limits on sign-in attempts (per browser session and per client address), kept in this process.

The per-account lockout (auth/users.py) stops guessing one account; it does not stop one client trying a few
passwords on many accounts, or locking many accounts out. These limits do, per client. They live in memory, not in
the database, on purpose: a limit is a brake on one client's request rate, not a record; one Streamlit server
process serves every session (a restart forgets the counts, which costs an attacker a restart they cannot cause);
and writing every refused attempt to the database would let that client fill it. Several processes behind one
proxy would each keep their own counts: put the proxy's own rate limit in front of them (README, operator guide).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Mapping

# A person signing in types a password a few times; the account lock comes at five failures in a row. Ten attempts
# in ten minutes from one browser session is more than anyone needs. One address may be a whole office (NAT): there
# only refused attempts count (auth/gate.py), capping a password-spraying client at 30 wrong guesses per ten minutes
# across all accounts without turning away a board whose members all sign in at once.
WINDOW_SECONDS = 600
SESSION_LIMIT = 10
ADDRESS_LIMIT = 30
MAX_CLIENTS = 10_000  # the oldest client is forgotten beyond this, so made-up addresses cannot exhaust memory


class AttemptLimiter:
    """At most `limit` attempts per key in any `window` seconds (a sliding window); thread-safe."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, max_keys: int = MAX_CLIENTS):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # Streamlit runs each session's script on its own thread

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count an attempt for the key and say whether it is within the limit (a refused attempt is not counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            attempts = self._attempts.pop(key, None) or deque()
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            allowed = len(attempts) < self.limit
            if allowed:
                attempts.append(now)
            if attempts:
                self._attempts[key] = attempts  # most recently used last
            while len(self._attempts) > self.max_keys:
                self._attempts.popitem(last=False)
            return allowed

    def retry_after(self, key: str, now: float | None = None) -> float:
        """Seconds until the key may try again (0 when it may now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            attempts = [t for t in self._attempts.get(key, ()) if t > now - self.window]
        return 0.0 if len(attempts) < self.limit else attempts[0] + self.window - now

    def clear(self) -> None:
        """Forget every count (tests)."""
        with self._lock:
            self._attempts.clear()


def client_address(remote_ip: str | None, headers: Mapping[str, str] | None) -> str | None:
    """The address to limit: the connection's, or behind a proxy on this machine the one the proxy saw.

    Streamlit reports a loopback connection as None. Then, and only then, the request came through a local reverse
    proxy (or from this machine): the last X-Forwarded-For entry is the one the proxy appended ($remote_addr), which
    the client cannot choose; entries before it can be forged and are ignored. A remote connection's own address is
    used as it is, whatever headers it sends.
    """
    if remote_ip:
        return remote_ip
    forwarded = (headers or {}).get("X-Forwarded-For")
    if not isinstance(forwarded, str):
        return None
    last = forwarded.split(",")[-1].strip()
    return last or None
