"""Display text shared by the PDF and the workbook: values by unit, RAG and SPC words with symbols, areas."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import pandas as pd

from charts.icons import assurance_icon, icon_text, rag_icon, variation_icon
from config.i18n import DEFAULT_LANGUAGE, catalogue, check_language, format_number, format_percent, t

UNITS = ("proportion", "percentage_points", "count", "number")
AREAS = ("VCOP", "SAT", "WCU", "SM", "CG", "SE", "ATT", "HM", "ACT", "WL", "PUB")
PUBLIC_DATA_PREFIX = "PUB_"


def text_or(key: str, lang: str, fallback):
    """t(key, lang) when the catalogues have `key`, else `fallback` (a code with no words of its own stays as it is)."""
    return t(key, lang) if key in catalogue(DEFAULT_LANGUAGE) else fallback


def translator(lang: str) -> Callable[[str], str]:
    """A key -> text function in the document's language for charts.icons.words(), so icon words follow the pack."""
    return functools.partial(t, lang=check_language(lang))


def blank(value) -> bool:
    """None, NaN, NaT and pd.NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


# The catalogue's `area` of a measure (config/catalogue.yaml) -> the area code its sheet and label use.
CATALOGUE_AREAS = {
    "vcop": "VCOP",
    "satisfaction": "SAT",
    "witness_care": "WCU",
    "special_measures": "SM",
    "connect_gwent": "CG",
    "survivor_voice": "SE",
    "attrition": "ATT",
    "inspection": "HM",
    "welsh_language": "WL",
    "public": "PUB",
}
# The catalogue's `kind` of a measure -> how its values read.
KIND_UNITS = {
    "rate": "proportion",
    "difference": "percentage_points",
    "count": "count",
    "sum": "count",
    "median": "number",
}


def area_of(metric_id: str, areas: dict[str, str] | None = None) -> str:
    """The area code of a measure: the catalogue's area when known, else its id prefix (VCOP_R4_REFERRAL -> VCOP);
    OTHER when neither says."""
    if areas and metric_id in areas:
        return areas[metric_id]
    prefix = str(metric_id).split("_", 1)[0]
    return prefix if prefix in AREAS else "OTHER"


def area_lookup(definitions: pd.DataFrame | None) -> dict[str, str]:
    """metric_id -> area code from the definitions' optional `area` column (catalogue area names)."""
    if definitions is None or "area" not in definitions.columns:
        return {}
    pairs = zip(definitions["metric_id"], definitions["area"], strict=True)
    return {metric: CATALOGUE_AREAS.get(area, "OTHER") for metric, area in pairs}


def unit_lookup(definitions: pd.DataFrame | None) -> dict[str, str]:
    """metric_id -> unit from the definitions' optional `unit` column, else from the catalogue's `kind`."""
    if definitions is None:
        return {}
    units: dict[str, str] = {}
    if "kind" in definitions.columns:
        pairs = zip(definitions["metric_id"], definitions["kind"], strict=True)
        units |= {metric: KIND_UNITS[kind] for metric, kind in pairs if kind in KIND_UNITS}
    if "unit" in definitions.columns:
        pairs = zip(definitions["metric_id"], definitions["unit"], strict=True)
        units |= {metric: unit for metric, unit in pairs if unit in UNITS}
    return units


def metric_units(definitions: pd.DataFrame | None, frames) -> dict[str, str]:
    """metric_id -> unit: the catalogue's `unit` when given, else a proportion for a measure with a denominator."""
    units = unit_lookup(definitions)
    for frame in frames:
        if frame is None or frame.empty or not {"metric_id", "denominator"} <= set(frame.columns):
            continue
        with_base = frame.loc[frame["denominator"].map(lambda v: not blank(v)), "metric_id"]
        for metric in with_base.unique():
            units.setdefault(metric, "proportion")
    return units


def units_for(frame: pd.DataFrame, units: dict[str, str]) -> list[str]:
    """Per-row unit: the catalogue's when given, else a proportion when the row has a denominator, else a number."""
    denominators = frame["denominator"] if "denominator" in frame.columns else pd.Series([None] * len(frame))
    return [
        units.get(metric) or ("number" if blank(denominator) else "proportion")
        for metric, denominator in zip(frame["metric_id"], denominators, strict=True)
    ]


def format_value(value, unit: str, lang: str) -> str:
    """A value for reading: 81.2%, +3.5 pp, 1,234 or 12.5; a dash when blank."""
    if blank(value):
        return "–"
    if isinstance(value, str):
        return value
    if unit == "proportion":
        return format_percent(float(value), lang)
    if unit == "percentage_points":
        return f"{float(value) * 100:+.1f} pp"
    decimals = 0 if unit == "count" or float(value).is_integer() else 1
    return format_number(float(value), lang, decimals=decimals)


def format_count(value, lang: str) -> str:
    """A count (numerator or denominator), or its publication label such as "<5" or "[c]"."""
    if blank(value):
        return "–"
    if isinstance(value, str):
        return value
    return format_number(float(value), lang, decimals=0 if float(value).is_integer() else 1)


def format_change(value, significant, unit: str, lang: str) -> str:
    """Change against the previous period with its significance in words: "+3.5 pp (significant)"."""
    if blank(value):
        return "–"
    if unit == "proportion":
        text = f"{float(value) * 100:+.1f} pp"
    else:
        text = f"{float(value):+,.1f}"
    if blank(significant):
        return text
    word = t("report.significant" if bool(significant) else "report.not_significant", lang)
    return f"{text} ({word})"


def rag_text(value, lang: str) -> str:
    """Symbol and word for a RAG status: "✓ Green", "! Amber", "✗ Red", "– No rating"."""
    return icon_text(rag_icon(None if blank(value) else value), translator(lang))


def variation_text(value, lang: str) -> str:
    """Symbol and words for a scorecard variation icon key (e.g. "▲ Special cause improvement (high)")."""
    icon = variation_icon(None if blank(value) else value)
    return icon_text(icon, translator(lang)) if icon else t("report.spc.no_chart", lang)


def assurance_text(value, lang: str) -> str:
    """Symbol and words for an assurance result (pass, fail, hit_and_miss)."""
    icon = assurance_icon(None if blank(value) else value)
    return icon_text(icon, translator(lang)) if icon else t("report.spc.assurance.none", lang)


def point_variation_text(value, lang: str) -> str | None:
    """A month's SPC result in words (common, improvement, concern, neutral); None when blank."""
    if blank(value):
        return None
    return text_or(f"spc.point.{value}", lang, str(value))


def rule_text(value, lang: str) -> str | None:
    """Comma-separated special-cause rule codes in words; None when there is none."""
    if blank(value) or not str(value).strip():
        return None
    names = [part.strip() for part in str(value).split(",") if part.strip()]
    return "; ".join(text_or(f"spc.rules.{n}", lang, n) for n in names)


def yes_no(value, lang: str) -> str | None:
    """Yes/No (Ie/Na) for a boolean cell; None when blank."""
    if blank(value):
        return None
    if isinstance(value, str):
        value = value.strip().lower() in {"true", "1", "yes", "y"}
    return t("report.yes" if bool(value) else "report.no", lang)


def has_public_data(metric_rows: pd.DataFrame, scorecards) -> bool:
    """True when police.uk measures (PUB_*) are in the export, which then carries the OGL attribution."""
    ids = list(metric_rows.get("metric_id", pd.Series(dtype=object)))
    for frame in scorecards.values():
        ids += list(frame.get("metric_id", pd.Series(dtype=object)))
    return any(str(metric).startswith(PUBLIC_DATA_PREFIX) for metric in ids)
