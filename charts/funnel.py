"""Funnel plot (Spiegelhalter 2005): each group's rate against its base, the overall rate, and 95% and 99.8% limits
that narrow as the base grows. Points are named on the chart and differ by shape as well as colour."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.icons import Translate, fill, words
from charts.theme import LIMIT_COLOUR, LINE_COLOUR, MDC, TEXT_COLOUR, format_value

# Where a point falls, by colour and shape (never colour alone), with the words the legend and tooltip give.
POSITION_STYLES = {
    "inside": ("funnel.position.inside", MDC["common"], "circle"),
    "high_95": ("funnel.position.high_95", MDC["neutral"], "triangle-up"),
    "low_95": ("funnel.position.low_95", MDC["neutral"], "triangle-down"),
    "high_99_8": ("funnel.position.high_99_8", MDC["concern"], "square"),
    "low_99_8": ("funnel.position.low_99_8", MDC["concern"], "diamond"),
}
ENGLISH = {
    "funnel.position.inside": "Within the 95% limits",
    "funnel.position.high_95": "Above the 95% limit",
    "funnel.position.low_95": "Below the 95% limit",
    "funnel.position.high_99_8": "Above the 99.8% limit",
    "funnel.position.low_99_8": "Below the 99.8% limit",
    "funnel.base": "Base (number of cases)",
    "funnel.overall": "Overall rate",
    "funnel.limit_95": "95% limits",
    "funnel.limit_99_8": "99.8% limits",
    "funnel.position_heading": "Compared with the overall rate",
    "funnel.description": "Funnel plot of {title}: {n} groups, overall rate {overall}.",
}


def _say(translate: Translate):
    """Translated words, falling back to the English here for a key the translator does not know."""
    say = words(translate)

    def lookup(key: str) -> str:
        text = say(key)
        return ENGLISH.get(key, key) if text == key else text

    return lookup


def y_domain(points: pd.DataFrame, curve: pd.DataFrame, margin: float = 0.05) -> tuple[float, float]:
    """The rate axis: the points and the 99.8% funnel with a margin, within 0–100% (a funnel is read by how far a
    point sits from the lines, which a full 0–100% axis would squash)."""
    low = min(points["rate"].min(), curve["low_99.8"].min())
    high = max(points["rate"].max(), curve["high_99.8"].max())
    return max(0.0, float(low) - margin), min(1.0, float(high) + margin)


def funnel_chart(
    points: pd.DataFrame,
    curve: pd.DataFrame,
    overall: float,
    *,
    title: str,
    labels: dict[str, str] | None = None,
    value_format: str = ".0%",
    translate: Translate = None,
) -> alt.LayerChart:
    """The funnel of a breakdown (results.funnel.Funnel's points and curve): points named by `labels` (group value
    -> words), limit lines dashed (95%) and solid (99.8%), the overall rate as a rule."""
    say = _say(translate)
    labels = labels or {}
    data = points.assign(
        base=points["denominator"].astype(float),
        label=[labels.get(str(g), str(g)) for g in points["group_value"]],
        position_label=[say(POSITION_STYLES[p][0]) for p in points["position"]],
        rate_text=[format_value(v, value_format) for v in points["rate"]],
        limits_text=[
            f"{format_value(lo, value_format)} – {format_value(hi, value_format)}"
            for lo, hi in zip(points["low_95"], points["high_95"], strict=True)
        ],
    )
    data["point_text"] = [
        f"{label}: {rate}, {base:,.0f}, {where}"
        for label, rate, base, where in zip(
            data["label"], data["rate_text"], data["denominator"], data["position_label"], strict=True
        )
    ]
    x = alt.X("base:Q", title=say("funnel.base"), scale=alt.Scale(zero=False, nice=True))
    y_scale = alt.Scale(domain=list(y_domain(data, curve)), nice=False)
    y_axis = alt.Axis(format=value_format, title=say("chart.rate"))
    lines = curve.melt("base", var_name="limit", value_name="limit_value")
    lines["level"] = [say("funnel.limit_95") if "95" in k and "99" not in k else say("funnel.limit_99_8")
                      for k in lines["limit"]]  # fmt: skip
    present = [p for p in POSITION_STYLES if p in set(data["position"])]
    domain = [say(POSITION_STYLES[p][0]) for p in present]
    layers = [
        alt.Chart(lines)
        .mark_line(color=LIMIT_COLOUR, strokeWidth=1.3)
        .encode(
            x=x,
            y=alt.Y("limit_value:Q", scale=y_scale, axis=y_axis),
            detail="limit:N",
            strokeDash=alt.StrokeDash(
                "level:N",
                scale=alt.Scale(domain=[say("funnel.limit_95"), say("funnel.limit_99_8")], range=[[5, 4], [1, 0]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
        .properties(name="funnel_limits"),
        alt.Chart(pd.DataFrame({"overall": [overall], "text": [format_value(overall, value_format)]}))
        .mark_rule(color=LINE_COLOUR, strokeWidth=1.5)
        .encode(
            y=alt.Y("overall:Q", scale=y_scale, axis=y_axis),
            tooltip=[alt.Tooltip("text:N", title=say("funnel.overall"))],
        )  # fmt: skip
        .properties(name="funnel_overall"),
        alt.Chart(data)
        .mark_point(filled=True, size=90, opacity=1, stroke=LINE_COLOUR, strokeWidth=0.8, cursor="pointer")
        .encode(
            x=x,
            y=alt.Y("rate:Q", scale=y_scale, axis=y_axis),
            color=alt.Color(
                "position_label:N",
                scale=alt.Scale(domain=domain, range=[POSITION_STYLES[p][1] for p in present]),
                legend=alt.Legend(title=say("funnel.position_heading"), orient="bottom"),
            ),
            shape=alt.Shape(
                "position_label:N",
                scale=alt.Scale(domain=domain, range=[POSITION_STYLES[p][2] for p in present]),
                legend=alt.Legend(title=say("funnel.position_heading"), orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=say("chart.group")),
                alt.Tooltip("rate_text:N", title=say("chart.rate")),
                alt.Tooltip("denominator:Q", title=say("funnel.base"), format=","),
                alt.Tooltip("limits_text:N", title=say("funnel.limit_95")),
                alt.Tooltip("position_label:N", title=say("funnel.position_heading")),
            ],
            description="point_text:N",
        )
        .properties(name="funnel_points"),
        alt.Chart(data)
        .mark_text(align="left", dx=7, dy=-7, fontSize=11, color=TEXT_COLOUR, aria=False)
        .encode(x=x, y=alt.Y("rate:Q", scale=y_scale, axis=y_axis), text="label:N")
        .properties(name="funnel_names"),
    ]
    description = fill(say("funnel.description"), title=title, n=len(data), overall=format_value(overall, value_format))
    return alt.layer(*layers).properties(title=title, height=320, description=description)
