"""Sign-in settings (cookie key, name, expiry) from .streamlit/secrets.toml or the environment; production checks."""

from __future__ import annotations

import logging
import math
import os
import secrets
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from data.engine import PROJECT_ROOT, is_embedded

log = logging.getLogger(__name__)

SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
EXAMPLE_KEY = "replace-with-at-least-32-random-bytes"
MIN_KEY_BYTES = 32
# Low-entropy keys that pass the length rule: "a" * 32, "abab...", "password1password1...". A random key from the
# hint (token_urlsafe(48), 64 characters) has ~40 distinct characters and ~300 bits by the estimate below; a
# 64-character hex key has 16 possible characters and, in 100,000 draws, never fewer than 12 distinct ones.
MIN_DISTINCT_CHARS = 12
MIN_ESTIMATED_BITS = 96  # length x the Shannon entropy of its own characters: catches one character dominating
# Where each setting is read from, named in the refusal (translation keys: the words are translated by the gate).
KEY_FROM_ENV = "settings.source.env_cookie_key"
KEY_FROM_SECRETS = "settings.source.secrets_cookie_key"
DEFAULT_COOKIE_NAME = "vsd_auth"
DEFAULT_EXPIRY_HOURS = 8.0

# One random key per process when demo mode has none configured: cookies then die with the process, which is
# acceptable for a demo and never allowed in production.
_PROCESS_KEY: str | None = None
_PROCESS_KEY_LOCK = threading.Lock()  # sessions run on threads; two keys would split the cookies


class SettingsError(Exception):
    """The configuration is not safe to run with; `problems` holds (code, details) pairs for translation."""

    def __init__(self, problems: list[tuple[str, dict[str, Any]]]):
        self.problems = problems
        super().__init__("; ".join(code for code, _ in problems))


@dataclass(frozen=True)
class AuthSettings:
    """What the sign-in gate needs to know about the deployment."""

    cookie_key: str = field(repr=False)
    cookie_name: str
    cookie_expiry_hours: float
    production: bool
    demo_mode: bool
    generated_key: bool

    @property
    def cookie_expiry_days(self) -> float:
        """Expiry in days, the unit streamlit-authenticator takes."""
        return self.cookie_expiry_hours / 24


def is_production(environ: Mapping[str, str] | None = None) -> bool:
    """True when VSD_ENV says production: no demo users, no generated keys, a real database."""
    env = os.environ if environ is None else environ
    return env.get("VSD_ENV", "").strip().lower() == "production"


def is_demo_mode(environ: Mapping[str, str] | None = None) -> bool:
    """True on the embedded SQLite database outside production: demo accounts may exist and be listed."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL") or "sqlite:///"
    return not is_production(env) and is_embedded(url)


def read_secrets_file(path: Path = SECRETS_FILE) -> dict[str, Any]:
    """The [auth] table of a secrets.toml file, or {} when the file or the table is absent."""
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    auth = data.get("auth", {})
    return dict(auth) if isinstance(auth, Mapping) else {}


def repeat_period(text: str) -> int | None:
    """The length of the shortest block the text repeats (e.g. 2 for "abababab"), or None when it repeats nothing."""
    for period in range(1, len(text) // 2 + 1):
        if all(text[i] == text[i % period] for i in range(period, len(text))):
            return period
    return None


def estimated_bits(text: str) -> int:
    """Length x Shannon entropy of the text's own character frequencies: an upper bound, not proof of randomness."""
    counts = [text.count(c) for c in set(text)]
    return int(-sum(n * math.log2(n / len(text)) for n in counts))


def key_problems(key: str | None, source: str = KEY_FROM_ENV) -> list[tuple[str, dict[str, Any]]]:
    """What is wrong with a cookie key for production use (empty when it is fine); `source` says where it was read."""
    if not key:
        return [("settings.missing_key", {})]
    if key.strip() == EXAMPLE_KEY:
        return [("settings.default_key", {})]
    length = len(key.encode("utf-8"))
    if length < MIN_KEY_BYTES:
        return [("settings.short_key", {"length": length, "minimum": MIN_KEY_BYTES})]
    # Long enough is not random enough: 32 'a's signed cookies that a guesser could forge (issue 15).
    period = repeat_period(key)
    if period is not None:
        return [("settings.repeated_key", {"source": source, "period": period})]
    distinct = len(set(key))
    if distinct < MIN_DISTINCT_CHARS:
        return [("settings.few_distinct_key", {"source": source, "distinct": distinct, "minimum": MIN_DISTINCT_CHARS})]
    bits = estimated_bits(key)
    if bits < MIN_ESTIMATED_BITS:
        return [("settings.low_entropy_key", {"source": source, "bits": bits, "minimum": MIN_ESTIMATED_BITS})]
    return []


def database_problems(url: str | None) -> list[tuple[str, dict[str, Any]]]:
    """What is wrong with DATABASE_URL for production: it must be set and name PostgreSQL, not the embedded file."""
    if not url:
        return [("settings.no_database", {})]
    scheme = url.split(":", 1)[0].strip().lower()
    if not scheme.startswith("postgresql"):
        # Show only the scheme: the rest of a URL may hold a password.
        return [("settings.not_postgresql", {"scheme": scheme})]
    return []


def _process_key() -> str:
    """A random key for this process, created (and warned about) once."""
    global _PROCESS_KEY
    with _PROCESS_KEY_LOCK:
        if _PROCESS_KEY is None:
            _PROCESS_KEY = secrets.token_urlsafe(48)
            log.warning(
                "No usable cookie key configured ([auth] cookie_key or VSD_COOKIE_KEY): using a random key for "
                "this process; sign-in cookies will not survive a restart. This is refused when VSD_ENV=production."
            )
        return _PROCESS_KEY


def load_settings(
    auth_secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> AuthSettings:
    """Settings from the environment (VSD_COOKIE_*) over the [auth] secrets; SettingsError when production is unsafe."""
    env = os.environ if environ is None else environ
    auth = read_secrets_file() if auth_secrets is None else dict(auth_secrets)
    production = is_production(env)
    key = env.get("VSD_COOKIE_KEY") or auth.get("cookie_key") or None
    source = KEY_FROM_ENV if env.get("VSD_COOKIE_KEY") else KEY_FROM_SECRETS
    name = env.get("VSD_COOKIE_NAME") or auth.get("cookie_name") or DEFAULT_COOKIE_NAME
    expiry_raw = env.get("VSD_COOKIE_EXPIRY_HOURS") or auth.get("cookie_expiry_hours") or DEFAULT_EXPIRY_HOURS
    problems: list[tuple[str, dict[str, Any]]] = []
    try:
        expiry = float(expiry_raw)
        if not 0 < expiry <= 24 * 30:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(("settings.bad_expiry", {"value": str(expiry_raw)}))
        expiry = DEFAULT_EXPIRY_HOURS
    if production:
        problems += key_problems(key, source)
        problems += database_problems(env.get("DATABASE_URL"))
        if problems:
            raise SettingsError(problems)
        return AuthSettings(str(key), str(name), expiry, production=True, demo_mode=False, generated_key=False)
    if problems:
        raise SettingsError(problems)
    generated = bool(key_problems(key))
    if generated:
        key = _process_key()
    return AuthSettings(
        str(key), str(name), expiry, production=False, demo_mode=is_demo_mode(env), generated_key=generated
    )
