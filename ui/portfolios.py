"""The portfolios an administrator can assign: the catalogue's, else the ids already assigned to users."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from metrics.catalogue import load_catalogue

log = logging.getLogger(__name__)

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "config" / "catalogue.yaml"


def _field(item: Any, name: str) -> Any:
    """A field of a catalogue entry, whether the entry is a mapping or an object."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _pairs(items: Iterable[Any] | None, lang: str) -> list[tuple[str, str]]:
    """(id, name in the language) of each portfolio entry; the Welsh name when there is one."""
    pairs = []
    for item in items or ():
        pid = _field(item, "id")
        if not pid:
            continue
        name = (_field(item, f"name_{lang}") if lang != "en" else None) or _field(item, "name") or pid
        pairs.append((str(pid), str(name)))
    return pairs


def _from_metrics(lang: str) -> list[tuple[str, str]] | None:
    """The portfolios of the catalogue as metrics.catalogue.load_catalogue() reads it."""
    try:
        catalogue = load_catalogue()
    except Exception:  # a broken catalogue must not stop user administration; the file is tried next
        log.exception("metrics.catalogue.load_catalogue() failed")
        return None
    return _pairs(_field(catalogue, "portfolios"), lang) or None


def _from_file(path: Path, lang: str) -> list[tuple[str, str]] | None:
    """The `portfolios:` list of config/catalogue.yaml, if the file exists and holds one."""
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        log.exception("could not read %s", path)
        return None
    return _pairs(data.get("portfolios") if isinstance(data, Mapping) else None, lang) or None


def catalogue_portfolios(lang: str = "en", path: Path = CATALOGUE_FILE) -> list[tuple[str, str]] | None:
    """(id, name) of every catalogue portfolio, in catalogue order; None when no catalogue is available."""
    return _from_metrics(lang) or _from_file(path, lang)


def portfolio_choices(assigned: Iterable[str], lang: str = "en", path: Path = CATALOGUE_FILE) -> dict[str, str]:
    """Portfolio id -> label to offer: the catalogue's, plus any id already assigned that it lacks (kept visible)."""
    choices = dict(catalogue_portfolios(lang, path) or [])
    for pid in sorted(set(assigned) - set(choices)):
        choices[pid] = pid
    return choices
