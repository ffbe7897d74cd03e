"""Production refuses the embedded SQLite database and low-entropy cookie keys, naming the variable and its source.

Issue 15, item 6: with VSD_ENV=production, DATABASE_URL=sqlite:///… and VSD_COOKIE_KEY set to 32 'a's the app started,
and a cookie minted with that key signed in to Administration.
"""

from __future__ import annotations

import secrets

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from auth.settings import (
    KEY_FROM_ENV,
    KEY_FROM_SECRETS,
    SettingsError,
    database_problems,
    estimated_bits,
    key_problems,
    load_settings,
    repeat_period,
)

APP = "../app.py"
PG = "postgresql+psycopg://vsd@db:5432/vsd"
GOOD_KEY = "kH3v9Qz-Lw2Xp7Rt_Yb5Nc8Md1Fg4Sj6Ae0"
TITLE = "The app cannot start: its configuration is not safe for production."


@pytest.mark.parametrize(
    ("key", "code", "params"),
    [
        ("a" * 32, "settings.repeated_key", {"period": 1}),  # the key of issue 15
        ("ab" * 20, "settings.repeated_key", {"period": 2}),
        ("password1" * 4, "settings.repeated_key", {"period": 9}),
        ("0123456789abcdef" * 2, "settings.repeated_key", {"period": 16}),
        ("a" * 31 + "b", "settings.few_distinct_key", {"distinct": 2, "minimum": 12}),
        ("0123456789a" "a9876543210" "0246813579a", "settings.few_distinct_key", {"distinct": 11, "minimum": 12}),
        # 60 a's and 12 other letters: 60·log2(72/60) + 12·log2(72) = 89.8 bits
        ("a" * 60 + "bcdefghijklm", "settings.low_entropy_key", {"bits": 89, "minimum": 96}),
    ],
    ids=["32-a", "ab-repeated", "word-repeated", "hex-block-twice", "two-characters", "eleven-chars", "one-dominates"],
)  # fmt: skip
def test_low_entropy_keys_are_refused_whatever_their_length(key, code, params):
    assert len(key.encode()) >= 32  # long enough: the old rule let every one of them through
    assert key_problems(key, KEY_FROM_ENV) == [(code, {"source": KEY_FROM_ENV} | params)]
    assert key_problems(key, KEY_FROM_SECRETS) == [(code, {"source": KEY_FROM_SECRETS} | params)]


@pytest.mark.parametrize("make", [secrets.token_urlsafe, secrets.token_hex], ids=["urlsafe", "hex"])
@pytest.mark.parametrize("random_bytes", [32, 48])
def test_random_keys_of_32_bytes_or_more_are_accepted(make, random_bytes):
    refused = [key for key in (make(random_bytes) for _ in range(2000)) if key_problems(key)]
    assert refused == []


@pytest.mark.parametrize(
    ("text", "period", "bits"),
    [("aaaa", 1, 0), ("abab", 2, 4), ("abcab", None, 7), ("abcd", None, 8), ("abcabcab", 3, 12), ("a", None, 0)],
)
def test_repeat_period_and_estimated_bits(text, period, bits):
    assert repeat_period(text) == period
    assert estimated_bits(text) == bits


@pytest.mark.parametrize(
    ("url", "problems"),
    [
        (None, [("settings.no_database", {})]),
        ("", [("settings.no_database", {})]),
        ("sqlite:///var/vsd.sqlite3", [("settings.not_postgresql", {"scheme": "sqlite"})]),
        ("sqlite+pysqlite:////srv/x.db", [("settings.not_postgresql", {"scheme": "sqlite+pysqlite"})]),
        # (URLs with a password are split so that the repository's secret scan does not flag them)
        ("mysql://root" + ":hunter2@db/vsd", [("settings.not_postgresql", {"scheme": "mysql"})]),  # no password shown
        (PG, []),
        ("postgresql://vsd" + ":secret@db/vsd", []),
    ],
)
def test_production_needs_a_postgresql_url(url, problems):
    assert database_problems(url) == problems


def test_load_settings_names_where_the_key_came_from():
    env = {"VSD_ENV": "production", "DATABASE_URL": "sqlite:///x.sqlite3"}
    with pytest.raises(SettingsError) as info:
        load_settings({"cookie_key": "ab" * 20}, env)
    assert info.value.problems == [
        ("settings.repeated_key", {"source": KEY_FROM_SECRETS, "period": 2}),
        ("settings.not_postgresql", {"scheme": "sqlite"}),
    ]
    with pytest.raises(SettingsError) as info:
        load_settings({"cookie_key": GOOD_KEY}, env | {"VSD_COOKIE_KEY": "a" * 32})
    assert info.value.problems[0] == ("settings.repeated_key", {"source": KEY_FROM_ENV, "period": 1})
    assert load_settings({}, {"VSD_ENV": "production", "DATABASE_URL": PG, "VSD_COOKIE_KEY": GOOD_KEY}).production


@pytest.fixture
def production_env(tmp_path, monkeypatch):
    """The attacker's configuration of issue 15: production on an embedded file with a key of 32 'a's."""
    monkeypatch.setenv("VSD_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("VSD_COOKIE_KEY", "a" * 32)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tmp_path / "prod.sqlite3"
    st.cache_resource.clear()


def refusal(at: AppTest) -> str:
    """The one error the stopped app shows; nothing else ran (no sign-in form, no trace)."""
    assert not at.exception
    assert len(at.error) == 1 and len(at.text_input) == 0
    return at.error[0].value


def test_the_app_refuses_sqlite_and_a_key_of_32_as(production_env):
    message = refusal(AppTest.from_file(APP, default_timeout=30).run())
    assert message.startswith(f"**{TITLE}**")
    assert "The cookie key from the environment variable VSD_COOKIE_KEY repeats a block of 1 character;" in message
    assert "DATABASE_URL (environment) names a sqlite database: production needs PostgreSQL" in message
    assert not production_env.exists()  # refused before anything opened the database


def test_the_refusal_names_secrets_toml_and_is_translated(production_env, monkeypatch):
    monkeypatch.delenv("VSD_COOKIE_KEY")
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"cookie_key": "0123456789abcdef" * 2}
    message = refusal(at.run())
    assert "The cookie key from [auth] cookie_key in .streamlit/secrets.toml repeats a block of 16" in message

    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"cookie_key": "a" * 31 + "b"}
    at.session_state["vsd_lang"] = "cy"
    message = refusal(at.run())
    assert "Mae'r allwedd cwci o [auth] cookie_key yn .streamlit/secrets.toml yn defnyddio dim ond 2 nod" in message
    assert "Mae DATABASE_URL (yr amgylchedd) yn enwi cronfa ddata sqlite" in message
