"""The translation layer: t(key) from the English and Welsh catalogues; number, percent and date formats per language.

No Streamlit here (reports use it too): the app registers a language provider (auth/language.py) that reads the
session's choice; without one the language is English.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import numbers
import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
LANGUAGES: tuple[str, ...] = ("en", "cy")
DEFAULT_LANGUAGE = "en"
# Endonyms: each language is named in itself, whatever the interface language.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
MISSING = "–"
# libyaml's safe loader when PyYAML was built with it: the same data as yaml.SafeLoader (both catalogues compared),
# about ten times quicker, which every fresh process (an export's chart processes too) pays on its first t().
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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

# Abbreviations (chart axes and tooltips), weekdays from Sunday (d3's order) and AM/PM, for the charts' locale.
MONTHS_SHORT: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "cy": ("Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"),
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
    "cy": ("Dydd Sul", "Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn"),
}
WEEKDAYS_SHORT: dict[str, tuple[str, ...]] = {
    "en": ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"),
    "cy": ("Sul", "Llun", "Maw", "Mer", "Iau", "Gwe", "Sad"),
}
DAY_PERIODS: dict[str, tuple[str, str]] = {"en": ("AM", "PM"), "cy": ("yb", "yh")}
# Welsh writes numbers the English way (12,345.6): one pair of separators serves both.
NUMBER_SEPARATORS: dict[str, tuple[str, str]] = {"en": (".", ","), "cy": (".", ",")}

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


# CLDR plural categories. A message written as a mapping of some of these (always with "other") is one message
# with plural forms: English needs one and other, Welsh all six (zero, one, two, few, many, other).
PLURAL_CATEGORIES: tuple[str, ...] = ("zero", "one", "two", "few", "many", "other")


def is_plural(value: Any) -> bool:
    """True for a message given as plural forms ({one: ..., other: ...})."""
    return isinstance(value, Mapping) and "other" in value and set(value) <= set(PLURAL_CATEGORIES)


def _flatten(tree: Mapping[str, Any], prefix: str = "", forms: dict | None = None) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if is_plural(value):
            flat[name] = str(value["other"])  # the key's text for placeholder checks and plain t() calls
            if forms is not None:
                forms[name] = {category: str(text) for category, text in value.items()}
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}.", forms))
        else:
            flat[name] = str(value)
    return flat


@functools.cache
def _read(lang: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    path = TRANSLATIONS_DIR / f"{lang}.yaml"
    with path.open(encoding="utf-8") as fh:
        forms: dict[str, dict[str, str]] = {}
        flat = _flatten(yaml.load(fh, Loader=YAML_LOADER) or {}, forms=forms)
    return flat, forms


def catalogue(lang: str) -> dict[str, str]:
    """Every message of a language as dotted key -> text, read once from config/translations/<lang>.yaml.

    A message with plural forms appears here as its "other" form; plural_forms() has them all.
    """
    return _read(lang)[0]


def plural_forms(lang: str) -> dict[str, dict[str, str]]:
    """The messages of a language that have plural forms: key -> {CLDR category: text}."""
    return _read(lang)[1]


@functools.cache
def _plural_rule(lang: str) -> Callable[[float], str]:
    return Locale.parse(lang).plural_form


def plural_category(count: Any, lang: str | None = None) -> str:
    """The CLDR plural category of a number in the language (Babel's rules): Welsh 0 zero, 1 one, 2 two, 3 few,
    6 many, anything else other; English 1 one, anything else other. A count written as text ("1,234") is read."""
    lang = lang if lang in LANGUAGES else current_language()
    if isinstance(count, str):
        try:
            count = float(count.replace(",", ""))
        except ValueError:
            return "other"
    if not _is_number(count) or _blank(count):
        return "other"
    number = float(count)
    return _plural_rule(lang)(int(number) if number.is_integer() else number)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _plural_count(text_params: set[str], kwargs: Mapping[str, Any]) -> Any:
    """The number that chooses a plural form: `count`, else the message's only numeric placeholder."""
    if "count" in kwargs:
        return kwargs["count"]
    numbers = [kwargs[name] for name in text_params if _is_number(kwargs.get(name))]
    return numbers[0] if len(numbers) == 1 else None


def placeholders(text: str) -> set[str]:
    """The {names} a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str | None = None, **kwargs: Any) -> str:
    """The message for `key` in the language (default: the current one), with {placeholders} filled in.

    A message with plural forms takes the form of its count in the language's CLDR plural rules (Babel): the
    `count` argument, or else the one number among the placeholders, so t("x.items", count=1) reads "1 item" and
    t("x.items", "cy", count=2) the Welsh "two" form. A key missing in Welsh falls back to English; a key missing
    everywhere shows the key itself and is logged (the tests make sure neither happens).
    """
    lang = lang if lang in LANGUAGES else current_language()
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
        log.error("translation missing: %s [%s]", key, lang)
        if text is None:
            return key
        lang = DEFAULT_LANGUAGE
    forms = plural_forms(lang).get(key)
    if forms and kwargs:
        count = _plural_count(placeholders(text), kwargs)
        if count is not None:
            text = forms.get(plural_category(count, lang), forms["other"])
    return text.format(**kwargs) if kwargs else text


def tn(key: str, count: Any, lang: str | None = None, **kwargs: Any) -> str:
    """t() for a message with plural forms, counted by `count` (also filled in as {count})."""
    return t(key, lang, count=count, **kwargs)


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
