"""The one Altair theme ("vsd"): colour-blind-safe palette, readable type, NHS "Making Data Count" colours."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from config import i18n

THEME_NAME = "vsd"

# Okabe–Ito, the palette designed to stay distinct under the common colour-vision deficiencies. Black comes last
# because it reads as "total" next to the others; yellow late because it is the weakest on white.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

# NHS England "Making Data Count" icon colours. Where the brief allowed two shades we took the one with the better
# contrast on white (blue #289de0 is 3.0:1, orange #E46C0A 3.3:1); MDC grey is 2.4:1, so points carry a dark outline.
MDC = {
    "common": "#A6A6A6",
    "improvement": "#289DE0",
    "concern": "#E46C0A",
    "neutral": "#361475",
}
TARGET_COLOUR = "#C00000"  # 6.5:1 on white; drawn dashed, so the line is not told apart by colour alone
LINE_COLOUR = "#595959"  # the data line and point outlines: 7:1 on white
LIMIT_COLOUR = "#595959"
TEXT_COLOUR = "#212B32"  # NHS "black"
MUTED_TEXT = "#425563"  # NHS grey 1, 7.6:1 on white
GRID_COLOUR = "#E8EDEE"
FONT = "Arial, 'Helvetica Neue', Helvetica, sans-serif"  # the NHS web fallback for Frutiger

# Month abbreviations for axis labels and tooltips, so charts follow the page language (Vega's own are English only).
MONTHS = i18n.MONTHS_SHORT


def vega_locale(lang: str) -> dict:
    """The Vega format locale of a language (config.locale: d3 number and time locales), from the translation
    layer: every date and number Vega formats itself (axes, tooltips, "%B %Y") reads in that language."""
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    decimal, thousands = i18n.NUMBER_SEPARATORS[lang]
    return {
        "number": {"decimal": decimal, "thousands": thousands, "grouping": [3], "currency": ["£", ""]},
        "time": {
            "dateTime": "%A, %e %B %Y %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": list(i18n.DAY_PERIODS[lang]),
            "days": list(i18n.WEEKDAYS[lang]),
            "shortDays": list(i18n.WEEKDAYS_SHORT[lang]),
            "months": list(i18n.MONTHS[lang]),
            "shortMonths": list(i18n.MONTHS_SHORT[lang]),
        },
    }


def localised(chart: alt.TopLevelMixin, lang: str):
    """The chart with the format locale of a named language (exports), whatever the session's language."""
    return chart.configure(locale=vega_locale(lang))


def theme_config() -> alt.theme.ThemeConfig:
    """The theme dictionary registered as "vsd". Altair calls it whenever a chart becomes a spec, so the format locale
    is the current language's (the session's in the app): every chart's dates and numbers follow the page."""
    return {
        "background": "white",
        "config": {
            "locale": vega_locale(i18n.current_language()),
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300},
            "title": {
                "fontSize": 16,
                "fontWeight": "bold",
                "subtitleFontSize": 13,
                "subtitleColor": MUTED_TEXT,
                "color": TEXT_COLOUR,
                "anchor": "start",
                "offset": 10,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "gridColor": GRID_COLOUR,
                "domainColor": MUTED_TEXT,
                "tickColor": MUTED_TEXT,
                "labelLimit": 260,
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "orient": "bottom",
                "labelLimit": 320,
            },
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            "text": {"fontSize": 12, "color": TEXT_COLOUR},
            "line": {"strokeWidth": 2},
            "point": {"size": 60},
            "range": {"category": OKABE_ITO},
        },
    }


# Registering at import makes the name available to anyone who imports the charts package; enabling stays explicit.
alt.theme.register(THEME_NAME, enable=False)(theme_config)


def enable_theme() -> None:
    """Register and enable the "vsd" theme; safe to call on every page run."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme_config)
    if alt.theme.active != THEME_NAME:
        alt.theme.enable(THEME_NAME)


def month_names(lang: str) -> tuple[str, ...]:
    """Twelve month abbreviations for a language code; English when the language is not known."""
    return MONTHS.get(lang, MONTHS["en"])


def month_label(moment, lang: str = "en") -> str:
    """A date-like value as "Jan 2024" (or "Ion 2024" in Welsh)."""
    stamp = pd.Timestamp(moment)
    return f"{month_names(lang)[stamp.month - 1]} {stamp.year}"


def month_axis(lang: str = "en", *, title: str | None = None, points: int = 12) -> alt.Axis:
    """A temporal x axis labelled by month in the page language, with at most about eight ticks."""
    names = ",".join(f"'{name}'" for name in month_names(lang))
    step = max(1, math.ceil(points / 8))
    return alt.Axis(
        title=title,
        labelExpr=f"[{names}][month(datum.value)] + ' ' + year(datum.value)",
        tickCount={"interval": "month", "step": step},
        labelAngle=0,
        labelOverlap=True,
        grid=False,
    )


def format_value(value, spec: str) -> str:
    """A number formatted with a d3-style spec that Python shares (".0%", ",.0f", "+.1f"); "" for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    try:
        text = format(float(value), spec.replace("~", ""))
    except ValueError:
        return str(value)
    # d3 writes negatives with a true minus sign; match it so chart text and axis labels agree.
    return text.replace("-", "\u2212")


_MONTH_TEXT = r"^\d{4}-\d{2}(-\d{2})?$"


def as_timestamps(values) -> pd.Series | None:
    """Month labels ("2024-01"), dates, datetimes or periods as naive timestamps; None when they are not dates."""
    if isinstance(values, pd.PeriodIndex) or isinstance(getattr(values, "dtype", None), pd.PeriodDtype):
        return pd.Series(pd.PeriodIndex(values).to_timestamp())
    series = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(series)
    elif series.map(lambda item: hasattr(item, "year") and hasattr(item, "month")).all():
        stamps = pd.to_datetime(series.map(pd.Timestamp))
    elif series.astype(str).str.fullmatch(_MONTH_TEXT).all():
        stamps = pd.to_datetime(series.astype(str), format="ISO8601")
    else:
        return None
    # Vega reads a naive ISO time as local time, which is what month() on the axis uses too.
    return stamps.dt.tz_localize(None) if stamps.dt.tz is not None else stamps
