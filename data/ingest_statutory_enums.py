"""The enumerations of the contract v2 files (STATUTORY.md §3, §4, §6); lists the catalogue may replace."""

from __future__ import annotations

import functools

import yaml

from data.ingest_enums import CATALOGUE_PATH

QUALITY_RESULTS = ("meets", "partly_meets", "does_not_meet")
DEFAULT_QUALITY_CRITERIA = ("accurate", "timely", "empathetic", "plain_language", "next_steps", "right_channel")
INSPECTION_BODIES = ("hmicfrs", "victims_commissioner", "cjji", "internal_audit", "other")
GRADES = ("outstanding", "good", "adequate", "requires_improvement", "inadequate")  # best first (PEEL 2025-27)
DEFAULT_NEEDS = (
    "mental_physical_health", "shelter_accommodation", "family_friends_children", "education_skills_employment",
    "drugs_alcohol", "finance_benefits", "outlook_attitudes", "social_interaction",
)  # fmt: skip


@functools.cache
def _catalogue_list(key: str) -> tuple[str, ...]:
    """The codes a top-level catalogue list names (a list of codes, or of mappings with a `code`), else ()."""
    if not CATALOGUE_PATH.is_file():
        return ()
    doc = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8")) or {}
    entries = doc.get(key) if isinstance(doc, dict) else None
    if isinstance(entries, dict):
        return tuple(str(k) for k in entries)
    if isinstance(entries, list):
        return tuple(str(e["code"]) if isinstance(e, dict) else str(e) for e in entries)
    return ()


def quality_criteria() -> tuple[str, ...]:
    """The catalogue's `quality_criteria`, else STATUTORY.md §3's six."""
    return _catalogue_list("quality_criteria") or DEFAULT_QUALITY_CRITERIA


def need_codes() -> tuple[str, ...]:
    """The catalogue's `needs`, else the eight MoJ categories of need (STATUTORY.md §6)."""
    return _catalogue_list("needs") or DEFAULT_NEEDS
