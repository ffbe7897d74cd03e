"""Password rules and bcrypt hashing (the hashes streamlit-authenticator verifies with auto_hash=False)."""

from __future__ import annotations

import functools
import os

import bcrypt

MAX_BYTES = 72  # bcrypt ignores (bcrypt 5 refuses) anything past 72 bytes
MIN_CHARS = 12

# Tests lower this to keep hashing fast; a hash carries its own cost, so verification follows whatever was stored.
ROUNDS = int(os.environ.get("VSD_BCRYPT_ROUNDS", "12"))


class PasswordError(ValueError):
    """A password breaks a rule; `code` and `params` let the UI translate the message."""

    def __init__(self, code: str, message: str, **params: int):
        self.code = code
        self.params = params
        super().__init__(message)


def byte_length(password: str) -> int:
    """Length of the password in UTF-8 bytes, the unit of bcrypt's limit."""
    return len(password.encode("utf-8"))


def too_long(password: str) -> bool:
    """True when bcrypt cannot take the password whole."""
    return byte_length(password) > MAX_BYTES


def validate(password: str) -> None:
    """Raise PasswordError when the password may not be set."""
    if too_long(password):
        length = byte_length(password)
        raise PasswordError(
            "password.too_long",
            f"password is {length} bytes; bcrypt takes at most {MAX_BYTES} bytes (use a shorter passphrase)",
            length=length,
            maximum=MAX_BYTES,
        )
    if len(password) < MIN_CHARS:
        raise PasswordError(
            "password.too_short", f"password must have at least {MIN_CHARS} characters", minimum=MIN_CHARS
        )
    # streamlit-authenticator strips the typed password before checking it, so such a password could never match.
    if password != password.strip():
        raise PasswordError("password.whitespace", "password must not begin or end with a space")


def hash_password(password: str, rounds: int | None = None) -> str:
    """A bcrypt hash of a valid password."""
    validate(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds or ROUNDS)).decode("ascii")


@functools.cache
def _dummy_hash() -> str:
    return bcrypt.hashpw(b"no user has this password", bcrypt.gensalt(ROUNDS)).decode("ascii")


def spend_time_like_a_check(password: str) -> None:
    """Do the work of a real check, so an unknown username answers no faster than a wrong password."""
    verify(password, _dummy_hash())


def verify(password: str, password_hash: str) -> bool:
    """True when the password matches the hash; over-long passwords never match."""
    if too_long(password):
        return False
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False
