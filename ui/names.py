"""Catalogue names in the reader's language: every measure, portfolio and right has `name_cy` beside its `name`
in config/catalogue.yaml (the catalogue refuses to load without it), and pages ask here rather than read `.name`."""

from __future__ import annotations

from config.i18n import current_language
from ui import results_cache


def measure_name(metric_id: str) -> str:
    """The measure's name in the current language, as the catalogue gives it to every surface (a measure of one
    entitlement is named by what the entitlement promises, never by its code: codes and measure ids are internal and
    show only in the definition pop-over and in exports)."""
    return results_cache.catalogue().measure_name(metric_id, current_language())


def entitlement_name(code: str, lang: str | None = None) -> str:
    """What an entitlement promises, in the language (catalogue `entitlements[].name`)."""
    return results_cache.catalogue().entitlement(code).label(lang or current_language())


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
