"""The methodology statement of the exports (METRICS.md §1, §2, §5), in English and Welsh.

The words are in the translation layer (report.method.* in config/translations); this module keeps the sections'
order and fills in the configured thresholds.
"""

from __future__ import annotations

from config.i18n import check_language, t

# The sections in order: each has report.method.<section>.heading and .text, and a text may use {rate}, {pub},
# {limit}, {amber_points} and {amber_percent}. The suppression section adds .publication or .full_counts; case_data
# is left out of a publication pack.
SECTIONS: tuple[str, ...] = (
    "periods",
    "working_days",
    "entitlements",
    "wilson",
    "newcombe",
    "spc",
    "rag",
    "suppression",
    "case_data",
)


def methodology(
    lang: str,
    *,
    rate_threshold: int = 10,
    publication_threshold: int = 5,
    publication: bool = False,
    amber_margin: float = 0.05,
    amber_margin_relative: float = 0.05,
) -> list[tuple[str, str]]:
    """The methodology as (heading, paragraph) pairs in the language, with the configured thresholds and amber
    margins filled in."""
    lang = check_language(lang)
    values = {
        "rate": rate_threshold,
        "pub": publication_threshold,
        "limit": publication_threshold - 1,
        "amber_points": f"{round(amber_margin * 100, 2):g}",  # 0.05 -> 5, 0.025 -> 2.5
        "amber_percent": f"{round(amber_margin_relative * 100, 2):g}",
    }
    sections = []
    for key in SECTIONS:
        if key == "case_data" and publication:
            continue
        paragraph = t(f"report.method.{key}.text", lang, **values)
        if key == "suppression":
            extra = "publication" if publication else "full_counts"
            paragraph = f"{paragraph} {t(f'report.method.suppression.{extra}', lang, **values)}"
        sections.append((t(f"report.method.{key}.heading", lang), paragraph))
    return sections
