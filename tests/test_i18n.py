"""The translation layer: complete and consistent catalogues, every key the UI uses exists, formats per language."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from auth.roles import ROLES
from config import i18n
from config.i18n import catalogue, format_date, format_number, format_percent, month_name, placeholders, t
from ui.navigation import REGISTRY, SECTIONS, SIGN_IN

ROOT = Path(__file__).resolve().parents[1]
KEY_PREFIXES = ("app", "auth", "errors", "home", "language", "nav", "pages", "roles", "settings")
KEY_SHAPE = re.compile(rf"^(?:{'|'.join(KEY_PREFIXES)})\.[a-z0-9_]+(?:\.[a-z0-9_]+)*$")


@pytest.fixture
def provider():
    """Restore whatever language provider the UI registered."""
    saved = i18n._provider
    yield i18n.set_language_provider
    i18n.set_language_provider(saved)


def test_both_languages_have_the_same_keys_and_placeholders():
    en, cy = catalogue("en"), catalogue("cy")
    assert sorted(set(en) ^ set(cy)) == []
    mismatched = {key: (en[key], cy[key]) for key in en if placeholders(en[key]) != placeholders(cy[key])}
    assert mismatched == {}


def test_welsh_is_really_welsh():
    cy = catalogue("cy")
    expected = {
        "auth.submit": "Mewngofnodi",
        "auth.sign_out": "Allgofnodi",
        "auth.password": "Cyfrinair",
        "auth.username": "Enw defnyddiwr",
        "pages.scorecard": "Cerdyn sgorio",
        "pages.victims_code": "Cod Dioddefwyr",
    }
    assert {key: cy[key] for key in expected} == expected
    # Only names may read the same in both languages; add a genuinely identical message here, never a copy.
    same = {key for key, text in catalogue("en").items() if text == cy[key] and text}
    assert same == {"pages.connect_gwent", "public.shares_description", "report.area.CG", "report.column.sha256"}


def test_no_message_is_empty_except_the_untitled_menu_section():
    for lang in i18n.LANGUAGES:
        assert [k for k, v in catalogue(lang).items() if not v.strip()] == ["nav.sections.start"]


def _source_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("app_pages", "ui", "auth", "reports"):  # reports: the exports, made in the pack's language
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def _names_a_module(text: str) -> bool:
    """A project module's dotted name ("auth.gate", as ui/warmup.py lists the modules to import at start), not a key."""
    return (ROOT / text.replace(".", "/")).with_suffix(".py").is_file()


def keys_used_in_source() -> dict[str, list[str]]:
    """Literal keys passed to t(...), plus any string literal shaped like a catalogue key (e.g. flash messages)."""
    used: dict[str, list[str]] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            key = None
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t":
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    key = node.args[0].value
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_SHAPE.match(node.value):
                key = None if _names_a_module(node.value) else node.value
            if key:
                used.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return used


def test_every_key_used_in_the_source_exists():
    used = keys_used_in_source()
    assert len(used) > 30  # the walk really finds the UI's keys
    for lang in i18n.LANGUAGES:
        missing = {key: where for key, where in used.items() if key not in catalogue(lang)}
        assert missing == {}, lang


def test_keys_built_at_run_time_exist():
    built = [f"roles.{role}" for role in ROLES]
    built += [entry.title_key for entry in (*REGISTRY, SIGN_IN)]
    built += [f"nav.sections.{section}" for section in SECTIONS]
    for lang in i18n.LANGUAGES:
        assert [key for key in built if key not in catalogue(lang)] == []


def test_t_fills_placeholders_per_language():
    assert t("home.welcome", "en", name="Ceri") == "Welcome, Ceri"
    assert t("home.welcome", "cy", name="Ceri") == "Croeso, Ceri"
    assert t("auth.password_too_long", "en", length=80, maximum=72).endswith("the one entered is 80 bytes.")


def test_t_follows_the_provider_and_falls_back(provider):
    provider(lambda: "cy")
    assert t("auth.sign_out") == "Allgofnodi"
    assert t("auth.sign_out", "en") == "Sign out"
    provider(lambda: "fr")
    assert t("auth.sign_out") == "Sign out"
    provider(lambda: 1 / 0)
    assert t("auth.sign_out") == "Sign out"
    provider(None)
    assert i18n.current_language() == "en"
    assert t("no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567.891, 2, "1,234,567.89"),
        (1234567.891, 0, "1,234,568"),
        (0, 0, "0"),
        (-1500, 0, "-1,500"),
        (None, 0, "–"),
        (float("nan"), 1, "–"),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, "en", decimals) == expected
    assert format_number(value, "cy", decimals) == expected  # Welsh writes numbers the English way


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(0.8123, 1, "81.2%"), (1.0, 0, "100%"), (0.0005, 2, "0.05%"), (0.75, 1, "75.0%"), (None, 1, "–")],
)
def test_format_percent(value, decimals, expected):
    assert format_percent(value, "en", decimals) == expected
    assert format_percent(value, "cy", decimals) == expected


WELSH_MONTHS = [
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
]  # fmt: skip


@pytest.mark.parametrize("month", range(1, 13))
def test_month_names(month):
    assert month_name(month, "cy") == WELSH_MONTHS[month - 1]
    assert month_name(month, "en") == dt.date(2024, month, 1).strftime("%B")


@pytest.mark.parametrize(
    ("value", "lang", "style", "expected"),
    [
        (dt.date(2024, 3, 5), "en", "long", "5 March 2024"),
        (dt.date(2024, 3, 5), "cy", "long", "5 Mawrth 2024"),
        (dt.date(2024, 12, 25), "cy", "month", "Rhagfyr 2024"),
        (dt.date(2024, 2, 1), "en", "month", "February 2024"),
        (dt.date(2024, 3, 5), "cy", "short", "05/03/2024"),
        (dt.datetime(2025, 7, 31, 23, 59), "cy", "long", "31 Gorffennaf 2025"),
        (pd.Timestamp("2025-06-01"), "cy", "long", "1 Mehefin 2025"),
        (pd.NaT, "cy", "long", "–"),
        (None, "en", "long", "–"),
    ],
)
def test_format_date(value, lang, style, expected):
    assert format_date(value, lang, style) == expected


def test_format_date_refuses_unknown_style():
    with pytest.raises(ValueError):
        format_date(dt.date(2024, 1, 1), "en", "fancy")


def test_every_chart_label_key_exists_in_both_languages():
    from charts.icons import label_keys
    from config.i18n import catalogue

    for lang in ("en", "cy"):
        missing = sorted(set(label_keys()) - set(catalogue(lang)))
        assert missing == [], (lang, missing)
