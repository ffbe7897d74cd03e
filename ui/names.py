"""Catalogue names in the reader's language: every measure, portfolio and right has `name_cy` beside its `name`
in config/catalogue.yaml (the catalogue refuses to load without it), and pages ask here rather than read `.name`."""

from __future__ import annotations

from config.i18n import catalogue as messages
from config.i18n import current_language, t
from ui import results_cache


def measure_name(metric_id: str) -> str:
    """The measure's name in the current language. A measure of one entitlement of the Code is named by what the
    entitlement promises ("Updates on the suspect (right 6: …)"), never by its code: codes and measure ids are
    internal and show only in the definition pop-over and in exports."""
    catalogue = results_cache.catalogue()
    lang = current_language()
    name = catalogue.measure_name(metric_id, lang)
    codes = list(getattr(catalogue.measure(metric_id), "codes", []) or [])
    if len(codes) == 1 and codes[0] in name:
        return name.replace(codes[0], entitlement_name(codes[0], lang))
    return name


def entitlement_name(code: str, lang: str | None = None) -> str:
    """What an entitlement promises, in the language (a code the translations do not name yet reads as "an
    entitlement of the Code", never as the code)."""
    lang = lang or current_language()
    key = f"entitlement_names.{code}"
    return t(key, lang=lang) if key in messages(lang) else t("entitlement_names.unnamed", lang=lang)


def portfolio_name(portfolio_id: str) -> str:
    """The portfolio's name in the current language."""
    return results_cache.catalogue().portfolio_name(portfolio_id, current_language())


def right_name(right: int) -> str:
    """What a right of the Victims' Code is about, in the current language."""
    return results_cache.catalogue().right_name(right, current_language())


def measure_names(metric_ids) -> dict[str, str]:
    """Measure id -> name in the current language, for mapping a column.

    Ids the catalogue no longer holds (a meeting snapshot frozen before a measure was retired) are left out, so the
    caller falls back to the name stored with the row rather than failing.
    """
    known = results_cache.catalogue().measure_ids()
    return {m: measure_name(m) for m in dict.fromkeys(metric_ids) if m in known}
