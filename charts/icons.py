"""Making Data Count variation/assurance icons and RAG: label key, symbol, letter and colours, so colour is never alone.

Charts and tiles show text through translation keys. `ENGLISH` holds every key the charts use with its English text;
pages pass their translator (`translate=t`, any `key -> str` callable or a mapping) and a key it does not know falls
back to the English here, so a missing translation never shows a raw key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from charts.theme import MDC, TARGET_COLOUR

Translate = Callable[[str], str] | Mapping[str, str] | None


@dataclass(frozen=True)
class Icon:
    """What a status looks like: a translation key for its words, a symbol, the MDC letter, fill and text colours."""

    key: str
    symbol: str
    letter: str
    colour: str
    text_colour: str


WHITE = "#FFFFFF"
BLACK = "#0B0C0C"

# The MDC icons put H (high) or L (low) in a coloured circle; the symbol repeats the direction for those who cannot
# see the colour. Text colours keep 4.5:1 on each fill.
VARIATION_ICONS: dict[str, Icon] = {
    "common_cause": Icon("spc.common_cause", "●", "", MDC["common"], BLACK),
    "improvement_high": Icon("spc.improvement_high", "▲", "H", MDC["improvement"], BLACK),
    "improvement_low": Icon("spc.improvement_low", "▼", "L", MDC["improvement"], BLACK),
    "concern_high": Icon("spc.concern_high", "▲", "H", MDC["concern"], BLACK),
    "concern_low": Icon("spc.concern_low", "▼", "L", MDC["concern"], BLACK),
    "neutral_high": Icon("spc.neutral_high", "▲", "H", MDC["neutral"], WHITE),
    "neutral_low": Icon("spc.neutral_low", "▼", "L", MDC["neutral"], WHITE),
}

ASSURANCE_ICONS: dict[str, Icon] = {
    "pass": Icon("spc.assurance.pass", "✓", "P", MDC["improvement"], BLACK),
    "fail": Icon("spc.assurance.fail", "✗", "F", MDC["concern"], BLACK),
    "hit_and_miss": Icon("spc.assurance.hit_and_miss", "~", "?", MDC["common"], BLACK),
}

# GOV.UK design-system colours; the amber fill is light, so its text is black and the word carries the meaning.
RAG_ICONS: dict[str, Icon] = {
    "green": Icon("rag.green", "✓", "G", "#00703C", WHITE),
    "amber": Icon("rag.amber", "!", "A", "#FFBF47", BLACK),
    "red": Icon("rag.red", "✗", "R", "#D4351C", WHITE),
}
NO_RAG = Icon("rag.none", "–", "", "#B1B4B6", BLACK)

# Per-point variation on an SPC chart: colour and shape both change, so either alone tells the points apart.
POINT_STYLES: dict[str, tuple[str, str, str]] = {
    "common": ("spc.point.common", MDC["common"], "circle"),
    "improvement": ("spc.point.improvement", MDC["improvement"], "square"),
    "concern": ("spc.point.concern", MDC["concern"], "diamond"),
    "neutral": ("spc.point.neutral", MDC["neutral"], "triangle-up"),
}

ENGLISH: dict[str, str] = {
    # variation icons (latest point)
    "spc.common_cause": "Common cause variation",
    "spc.improvement_high": "Special cause improvement (high)",
    "spc.improvement_low": "Special cause improvement (low)",
    "spc.concern_high": "Special cause concern (high)",
    "spc.concern_low": "Special cause concern (low)",
    "spc.neutral_high": "Special cause variation, neither better nor worse (high)",
    "spc.neutral_low": "Special cause variation, neither better nor worse (low)",
    # assurance icons
    "spc.assurance.pass": "Consistently passes the target",
    "spc.assurance.fail": "Consistently fails the target",
    "spc.assurance.hit_and_miss": "Hit and miss: may pass or fail the target",
    # per-point legend
    "spc.point.common": "Common cause",
    "spc.point.improvement": "Improvement",
    "spc.point.concern": "Concern",
    "spc.point.neutral": "Special cause (neutral)",
    # special-cause rules (metrics.spc.RULES)
    "spc.rules.outside_limits": "Outside the process limits",
    "spc.rules.shift": "Run of 7 or more on one side of the mean",
    "spc.rules.trend": "7 or more rising or falling in a row",
    "spc.rules.two_of_three": "2 of 3 points beyond two sigma",
    # SPC chart furniture
    "spc.trial_limits": "Trial limits: fewer than 12 points",
    "spc.mean": "Mean",
    "spc.process_limits": "Process limits",
    "spc.variation": "Variation",
    "spc.rule": "Rule",
    "spc.description": (
        "Statistical process control chart of {title}: {n} points from {first} to {last}, latest {latest}."
    ),
    "spc.description_limits": "Mean {mean}, process limits {lpl} to {upl}.",
    # recorded decisions on an SPC chart (issue 17)
    "spc.process_change": "Process change from {month}: {reason}",
    "spc.process_change_tag": "Process change",
    "spc.note": "Note {n} ({month}): {note}",
    "spc.note_tag": "Note {n}",
    "spc.current_segment": "Limits and readings from {month} on (the current process)",
    "spc.suggested_rebase": "A shift starts in {month}: recalculating the limits from there is suggested, not decided",
    # RAG
    "rag.green": "Green",
    "rag.amber": "Amber",
    "rag.red": "Red",
    "rag.none": "No rating",
    # shared chart words
    "chart.month": "Month",
    "chart.value": "Value",
    "chart.target": "Target",
    "chart.group": "Group",
    "chart.rate": "Rate",
    "chart.ci": "95% confidence interval",
    "chart.numerator": "Numerator",
    "chart.denominator": "Denominator",
    "chart.rag": "RAG",
    "chart.difference": "Difference",
    "chart.significant": "Significant difference",
    "chart.not_significant": "No significant difference",
    "chart.count": "Count",
    "chart.share": "Share",
    "chart.category": "Category",
    "chart.other": "All other",
    "chart.suppressed": "fewer than 10",
    "rates.description": "{title}: {n} groups with 95% confidence intervals. {summary}",
    "difference.description": "{title}: differences between groups with 95% confidence intervals. {summary}",
    "public.volumes_description": "{title}: monthly counts from {first} to {last} by {by}",
    "public.shares_description": "{title}: {summary}",
}


def label_keys() -> list[str]:
    """Every translation key the charts may show, for the translation files and their completeness test."""
    return sorted(ENGLISH)


def words(translate: Translate = None) -> Callable[[str], str]:
    """A key -> text function: the translator's text, or the English default when it has none for the key."""

    def lookup(key: str) -> str:
        text = None
        if callable(translate):
            text = translate(key)
        elif translate is not None:
            text = translate.get(key)
        # Translators commonly echo an unknown key back; treat that as missing.
        if not text or text == key:
            return ENGLISH.get(key, key)
        return text

    return lookup


class _KeepMissing(dict):
    """format_map values that leave an unknown placeholder as it is, so a translated template cannot crash a chart."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **values) -> str:
    """A template with {placeholders} filled; unknown placeholders stay visible instead of raising."""
    return template.format_map(_KeepMissing(values))


def variation_icon(value: str | None) -> Icon | None:
    """Icon for an attrs["variation_icon"] value; None when there is none (no chart, or suppressed)."""
    return VARIATION_ICONS.get(value) if value else None


def assurance_icon(value: str | None) -> Icon | None:
    """Icon for an attrs["assurance"] value; None without a target."""
    return ASSURANCE_ICONS.get(value) if value else None


def rag_icon(value: str | None) -> Icon:
    """Icon for a RAG status; the "no rating" icon for None or anything unknown."""
    return RAG_ICONS.get(value, NO_RAG) if value else NO_RAG


def icon_text(icon: Icon | None, translate: Translate = None) -> str:
    """Symbol and words together, e.g. "▲ Special cause improvement (high)"; "" for no icon."""
    if icon is None:
        return ""
    return f"{icon.symbol} {words(translate)(icon.key)}"


# ---- Making Data Count icons as SVG (issue 17): drawn here, always shown with their words beside them ----------
# The shapes follow NHS England's icons: a ring in the variation or assurance colour; variation icons carry a run of
# points that stays level (common cause) or steps up or down with H or L, assurance icons a target line with the
# points above it (P), below it (F) or across it (?). The ring, the letter and the shape each tell the icon apart.
SVG_SIZE = 40
_RUN = {  # (x, y) of five points in a 40 × 40 box
    "flat": [(9, 24), (14, 22), (20, 25), (26, 22), (31, 24)],
    "high": [(9, 28), (14, 27), (20, 21), (26, 17), (31, 15)],
    "low": [(9, 15), (14, 17), (20, 23), (26, 27), (31, 28)],
}


def _escape(text: str) -> str:
    """Text safe inside SVG markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _svg(body: str, colour: str, label: str, size: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 40 40" role="img" '
        f'aria-label="{_escape(label)}"><title>{_escape(label)}</title>'
        f'<circle cx="20" cy="20" r="17.5" fill="#FFFFFF" stroke="{colour}" stroke-width="3"/>{body}</svg>'
    )


def _points(run: list[tuple[int, int]], colour: str, special_from: int) -> str:
    """A line through the points; points from `special_from` on in the icon's colour, the rest grey."""
    line = " ".join(f"{x},{y}" for x, y in run)
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="2.6" fill="{colour if i >= special_from else MDC["common"]}"/>'
        for i, (x, y) in enumerate(run)
    )
    return f'<polyline points="{line}" fill="none" stroke="{BLACK}" stroke-width="1"/>{dots}'


def variation_svg(value: str | None, translate: Translate = None, size: int = SVG_SIZE) -> str:
    """The variation icon (an attrs["variation_icon"] value) as SVG; "" for none."""
    icon = variation_icon(value)
    if icon is None:
        return ""
    label = words(translate)(icon.key)
    if value == "common_cause":
        return _svg(_points(_RUN["flat"], icon.colour, len(_RUN["flat"])), icon.colour, label, size)
    direction = "high" if value.endswith("_high") else "low"
    letter_y = 13 if direction == "low" else 34
    letter = (
        f'<text x="20" y="{letter_y}" text-anchor="middle" font-family="Arial, sans-serif" font-size="9" '
        f'font-weight="bold" fill="{BLACK}">{icon.letter}</text>'
    )
    return _svg(_points(_RUN[direction], icon.colour, 2) + letter, icon.colour, label, size)


def assurance_svg(value: str | None, translate: Translate = None, size: int = SVG_SIZE) -> str:
    """The assurance icon (an attrs["assurance"] value) as SVG; "" for none."""
    icon = assurance_icon(value)
    if icon is None:
        return ""
    label = words(translate)(icon.key)
    level = {"pass": [13, 15, 12, 14, 13], "fail": [28, 26, 29, 27, 28], "hit_and_miss": [14, 27, 16, 26, 15]}[value]
    run = list(zip([9, 14, 20, 26, 31], level, strict=True))
    dash = 'stroke-width="1.6" stroke-dasharray="3 2"'
    target = f'<line x1="6" y1="21" x2="34" y2="21" stroke="{TARGET_COLOUR}" {dash}/>'
    letter = (
        f'<text x="20" y="{35 if value == "pass" else 12}" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-size="9" font-weight="bold" fill="{BLACK}">{icon.letter}</text>'
    )
    return _svg(target + _points(run, icon.colour, 0) + letter, icon.colour, label, size)
