"""The translation layer: t(key) from the English and Welsh catalogues; number, percent and date formats per language.

No Streamlit here (reports use it too): the app registers a language provider (auth/language.py) that reads the
session's choice; without one the language is English.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
LANGUAGES: tuple[str, ...] = ("en", "cy")
DEFAULT_LANGUAGE = "en"
# Endonyms: each language is named in itself, whatever the interface language.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
MISSING = "–"

MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),  # fmt: skip
    "cy": (
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ),  # fmt: skip
}

_provider: Callable[[], str | None] | None = None


def set_language_provider(provider: Callable[[], str | None] | None) -> None:
    """Register the function that tells t() the current language (the UI's session choice)."""
    global _provider
    _provider = provider


def current_language() -> str:
    """The language of the current user or session; English when nothing says otherwise."""
    lang = None
    if _provider is not None:
        try:
            lang = _provider()
        except Exception:  # a provider outside its context (e.g. no session) must not break rendering
            lang = None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def check_language(lang: str) -> str:
    """The language code itself, or ValueError for anything but en/cy.

    For documents made in a named language (exports, the CLI) where falling back to the session's would be wrong;
    pass the checked code to t(key, lang).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    return lang


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of a language as dotted key -> text, read once from config/translations/<lang>.yaml."""
    path = TRANSLATIONS_DIR / f"{lang}.yaml"
    with path.open(encoding="utf-8") as fh:
        return _flatten(yaml.safe_load(fh) or {})


def placeholders(text: str) -> set[str]:
    """The {names} a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str | None = None, **kwargs: Any) -> str:
    """The message for `key` in the language (default: the current one), with {placeholders} filled in.

    A key missing in Welsh falls back to English; a key missing everywhere shows the key itself and is logged
    (the tests make sure neither happens).
    """
    lang = lang if lang in LANGUAGES else current_language()
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
        log.error("translation missing: %s [%s]", key, lang)
        if text is None:
            return key
    return text.format(**kwargs) if kwargs else text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | int | None, lang: str | None = None, decimals: int = 0) -> str:
    """A number with thousands separators (the same in English and Welsh: 12,345.6); blanks show a dash."""
    if _blank(value):
        return MISSING
    return f"{value:,.{decimals}f}"


def format_percent(proportion: float | None, lang: str | None = None, decimals: int = 1) -> str:
    """A proportion (0-1) as a percentage: 0.8123 -> 81.2%; blanks show a dash."""
    if _blank(proportion):
        return MISSING
    return f"{proportion * 100:,.{decimals}f}%"


def month_name(month: int, lang: str | None = None) -> str:
    """The name of month 1-12 in the language."""
    lang = lang if lang in LANGUAGES else current_language()
    return MONTHS[lang][month - 1]


def format_date(value: dt.date | dt.datetime | None, lang: str | None = None, style: str = "long") -> str:
    """A date: long '5 March 2024' / '5 Mawrth 2024', month 'March 2024' / 'Mawrth 2024', short '05/03/2024'."""
    if value is None or not hasattr(value, "year"):
        return MISSING
    try:
        if value != value:  # NaT
            return MISSING
    except TypeError:
        pass
    if style == "short":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    name = month_name(value.month, lang)
    if style == "month":
        return f"{name} {value.year}"
    if style == "long":
        return f"{value.day} {name} {value.year}"
    raise ValueError(f"unknown date style {style!r}")
