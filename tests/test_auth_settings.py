"""Sign-in settings: where the cookie key comes from, and what production refuses to start with."""

from __future__ import annotations

import logging

import pytest

from auth import settings
from auth.settings import EXAMPLE_KEY, SettingsError, is_demo_mode, load_settings, read_secrets_file

GOOD_KEY = "kH3v9Qz-Lw2Xp7Rt_Yb5Nc8Md1Fg4Sj6Ae0"  # 35 bytes, every character different
PG = "postgresql+psycopg://vsd@db/vsd"


def codes(exc: SettingsError) -> list[str]:
    return [code for code, _ in exc.problems]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, ["settings.missing_key"]),
        ("", ["settings.missing_key"]),
        (EXAMPLE_KEY, ["settings.default_key"]),
        ("k" * 31, ["settings.short_key"]),
        ("é" * 15, ["settings.short_key"]),  # 30 bytes in UTF-8
    ],
)
def test_production_refuses_unsafe_keys(key, expected):
    env = {"VSD_ENV": "production", "DATABASE_URL": PG}
    with pytest.raises(SettingsError) as info:
        load_settings({"cookie_key": key} if key is not None else {}, env)
    assert codes(info.value) == expected


def test_short_key_reports_its_length():
    with pytest.raises(SettingsError) as info:
        load_settings({"cookie_key": "k" * 20}, {"VSD_ENV": "production", "DATABASE_URL": PG})
    assert info.value.problems == [("settings.short_key", {"length": 20, "minimum": 32})]


@pytest.mark.parametrize("key", [GOOD_KEY[:32], "éàüßøçñŵŷâêîôûëïkH3v9Qz-", GOOD_KEY + "x" * 29])
def test_production_accepts_32_bytes_or_more(key):
    got = load_settings({"cookie_key": key}, {"VSD_ENV": "production", "DATABASE_URL": PG})
    assert got.cookie_key == key and got.production and not got.demo_mode and not got.generated_key


def test_production_needs_a_database_url_and_lists_every_problem():
    with pytest.raises(SettingsError) as info:
        load_settings({}, {"VSD_ENV": "production"})
    assert codes(info.value) == ["settings.missing_key", "settings.no_database"]
    with pytest.raises(SettingsError) as info:
        load_settings({"cookie_key": GOOD_KEY}, {"VSD_ENV": "Production "})
    assert codes(info.value) == ["settings.no_database"]


def test_environment_overrides_secrets():
    env = {"VSD_ENV": "production", "DATABASE_URL": PG, "VSD_COOKIE_KEY": GOOD_KEY[::-1], "VSD_COOKIE_NAME": "env_name"}
    got = load_settings({"cookie_key": EXAMPLE_KEY, "cookie_name": "file_name"}, env)
    assert (got.cookie_key, got.cookie_name) == (GOOD_KEY[::-1], "env_name")


def test_defaults_eight_hours_and_cookie_name():
    got = load_settings({"cookie_key": GOOD_KEY}, {"VSD_ENV": "production", "DATABASE_URL": PG})
    assert got.cookie_name == "vsd_auth"
    assert got.cookie_expiry_hours == 8.0
    assert got.cookie_expiry_days == pytest.approx(8 / 24)


@pytest.mark.parametrize("value", ["soon", "0", "-1", "721"])
def test_bad_expiry_is_refused(value):
    with pytest.raises(SettingsError) as info:
        load_settings({"cookie_key": GOOD_KEY, "cookie_expiry_hours": value}, {})
    assert codes(info.value) == ["settings.bad_expiry"]


def test_demo_mode_replaces_a_missing_key_with_one_random_key_per_process(monkeypatch, caplog):
    monkeypatch.setattr(settings, "_PROCESS_KEY", None)
    with caplog.at_level(logging.WARNING, logger="auth.settings"):
        first = load_settings({}, {})
        second = load_settings({"cookie_key": EXAMPLE_KEY}, {})
    assert first.generated_key and second.generated_key
    assert first.cookie_key == second.cookie_key
    assert len(first.cookie_key.encode()) >= 32 and first.cookie_key != EXAMPLE_KEY
    assert first.demo_mode and not first.production
    assert sum("random key" in r.message for r in caplog.records) == 1  # warned once, not on every run


def test_demo_mode_keeps_a_good_configured_key():
    got = load_settings({"cookie_key": GOOD_KEY}, {})
    assert got.cookie_key == GOOD_KEY and not got.generated_key


@pytest.mark.parametrize(
    ("env", "demo"),
    [
        ({}, True),
        ({"DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, True),
        ({"DATABASE_URL": PG}, False),
        ({"VSD_ENV": "production"}, False),
        ({"VSD_ENV": "production", "DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, False),
    ],
)
def test_demo_mode_is_embedded_database_outside_production(env, demo):
    assert is_demo_mode(env) is demo


def test_read_secrets_file(tmp_path):
    path = tmp_path / "secrets.toml"
    assert read_secrets_file(path) == {}
    path.write_text('[auth]\ncookie_key = "abc"\ncookie_expiry_hours = 4\n[other]\nx = 1\n')
    assert read_secrets_file(path) == {"cookie_key": "abc", "cookie_expiry_hours": 4}
    got = load_settings(read_secrets_file(path) | {"cookie_key": GOOD_KEY}, {})
    assert got.cookie_expiry_hours == 4.0
