"""Rates with 95% confidence intervals by group, and differences between groups with Newcombe intervals."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from charts.icons import NO_RAG, RAG_ICONS, Translate, fill, rag_icon, words
from charts.theme import LINE_COLOUR, OKABE_ITO, TARGET_COLOUR, TEXT_COLOUR, format_value

ROW_STEP = 30  # pixels per group row
INTERVAL_COLOUR = "#0B0C0C"
NOT_SIGNIFICANT_COLOUR = "#767676"  # 4.5:1 on white


def _shown(frame: pd.DataFrame, value_column: str) -> pd.Series:
    """Rows that have a number to draw: not suppressed and not missing."""
    suppressed = frame["suppressed"].fillna(False).astype(bool) if "suppressed" in frame else False
    return ~suppressed & frame[value_column].notna()


def _interval_texts(data: pd.DataFrame, spec: str) -> list[str]:
    """ "65% – 78%" for each row's ci_low and ci_high; "" where either end is missing."""
    return [
        "" if pd.isna(low) or pd.isna(high) else f"{format_value(low, spec)} – {format_value(high, spec)}"
        for low, high in zip(data["ci_low"], data["ci_high"], strict=True)
    ]


def _y(y_title: str, order: list[str]) -> alt.Y:
    """Groups down the side in the frame's order; an explicit domain keeps it when layers hold different rows."""
    return alt.Y("label:N", scale=alt.Scale(domain=order), title=y_title or None, axis=alt.Axis(labelLimit=240))


def _side_text(data: pd.DataFrame, x_at: float, name: str, y: alt.Y) -> alt.Chart:
    """A text column to the right of the plot (the words that go with the colour, or the suppression note)."""
    return (
        alt.Chart(data)
        .mark_text(align="left", baseline="middle", dx=10, color=TEXT_COLOUR)
        .encode(x=alt.datum(x_at), y=y, text="side_text:N")
        .properties(name=name)
    )


def rates_table(frame: pd.DataFrame, *, suppressed_label: str, value_format: str, say) -> pd.DataFrame:
    """The tidy frame the rates chart draws: one row per group with display text, no numbers for suppressed rows."""
    shown = _shown(frame, "value")
    statuses = frame["rag"] if "rag" in frame else pd.Series([None] * len(frame), index=frame.index)
    icons = [rag_icon(status) if ok else None for status, ok in zip(statuses, shown, strict=True)]
    data = pd.DataFrame(
        {
            "label": frame["label"].astype(str).to_numpy(),
            "value": frame["value"].where(shown).astype(float).to_numpy(),
            "ci_low": frame["ci_low"].where(shown).astype(float).to_numpy(),
            "ci_high": frame["ci_high"].where(shown).astype(float).to_numpy(),
            "shown": shown.to_numpy(),
        }
    )
    # Counts behind a suppressed rate stay out of the chart's data, so no tooltip or export of the spec reveals them.
    for column in ("numerator", "denominator"):
        data[column] = frame[column].where(shown).to_numpy() if column in frame else np.nan
    data["value_text"] = [format_value(value, value_format) for value in data["value"]]
    data["ci_text"] = _interval_texts(data, value_format)
    data["rag_label"] = [say(icon.key) if icon else "" for icon in icons]
    # Words rather than the icon symbols: chart fonts may lack the glyphs, and the word is what carries the meaning.
    data["side_text"] = [
        " ".join(part for part in (text, say(icon.key) if icon and icon is not NO_RAG else "") if part)
        if ok
        else suppressed_label
        for text, icon, ok in zip(data["value_text"], icons, data["shown"], strict=True)
    ]
    if "target" in frame:
        data["target"] = frame["target"].astype(float).to_numpy()
    return data


def rates_with_intervals(
    frame: pd.DataFrame,
    *,
    title: str,
    target: float | None = None,
    x_title: str | None = None,
    y_title: str = "",
    suppressed_label: str | None = None,
    value_format: str = ".0%",
    domain: tuple[float, float] = (0.0, 1.0),
    translate: Translate = None,
) -> alt.LayerChart:
    """Horizontal bars with 95% CI error bars, RAG by colour and words, target line, suppressed rows as text only."""
    say = words(translate)
    suppressed_label = say("chart.suppressed") if suppressed_label is None else suppressed_label
    data = rates_table(frame, suppressed_label=suppressed_label, value_format=value_format, say=say)
    x_title = say("chart.rate") if x_title is None else x_title
    y = _y(y_title, list(data["label"]))
    x_scale = alt.Scale(domain=list(domain), nice=False)
    x_axis = alt.Axis(format=value_format, title=x_title or None)
    shown = data[data["shown"]]
    statuses = [*RAG_ICONS.values(), NO_RAG]
    tooltip = [
        alt.Tooltip("label:N", title=say("chart.group")),
        alt.Tooltip("value_text:N", title=say("chart.rate")),
        alt.Tooltip("ci_text:N", title=say("chart.ci")),
        alt.Tooltip("numerator:Q", title=say("chart.numerator"), format=","),
        alt.Tooltip("denominator:Q", title=say("chart.denominator"), format=","),
        alt.Tooltip("rag_label:N", title=say("chart.rag")),
    ]
    layers = [
        alt.Chart(shown)
        .mark_bar(stroke=LINE_COLOUR, strokeWidth=0.8, height={"band": 0.7})
        .encode(
            x=alt.X("value:Q", scale=x_scale, axis=x_axis),
            y=y,
            color=alt.Color(
                "rag_label:N",
                scale=alt.Scale(domain=[say(icon.key) for icon in statuses], range=[icon.colour for icon in statuses]),
                legend=None,  # the words sit beside each bar, so a legend would only repeat them
            ),
            tooltip=tooltip,
            description="side_text:N",
        )
        .properties(name="rates_bars"),
        alt.Chart(shown)
        .mark_errorbar(ticks={"size": 10}, color=INTERVAL_COLOUR, thickness=1.5)
        .encode(x=alt.X("ci_low:Q", scale=x_scale, axis=x_axis), x2="ci_high:Q", y=y, tooltip=tooltip)
        .properties(name="rates_intervals"),
    ]
    if target is not None and not pd.isna(target):
        target_data = pd.DataFrame({"target": [float(target)], "target_text": [format_value(target, value_format)]})
        layers.append(
            alt.Chart(target_data)
            .mark_rule(color=TARGET_COLOUR, strokeWidth=2, strokeDash=[8, 4])
            .encode(
                x=alt.X("target:Q", scale=x_scale, axis=x_axis),
                tooltip=[alt.Tooltip("target_text:N", title=say("chart.target"))],
            )
            .properties(name="rates_target")
        )
    elif "target" in data and data["target"].notna().any():
        # Targets that differ by group: a dashed tick on each row.
        per_row = data[data["target"].notna()].assign(
            target_text=lambda d: d["target"].map(lambda v: format_value(v, value_format))
        )
        layers.append(
            alt.Chart(per_row)
            .mark_tick(color=TARGET_COLOUR, thickness=3, size=ROW_STEP - 4)
            .encode(
                x=alt.X("target:Q", scale=x_scale, axis=x_axis),
                y=y,
                tooltip=[alt.Tooltip("target_text:N", title=say("chart.target"))],
            )
            .properties(name="rates_target")
        )
    hidden = data[~data["shown"]]
    if len(hidden):
        layers.append(
            alt.Chart(hidden)
            .mark_text(align="left", baseline="middle", dx=4, fontStyle="italic", color=TEXT_COLOUR)
            .encode(x=alt.datum(domain[0]), y=y, text="side_text:N", description="side_text:N")
            .properties(name="rates_suppressed")
        )
    layers.append(_side_text(shown, domain[1], "rates_labels", y))
    summary = "; ".join(f"{label}: {text}" for label, text in zip(data["label"], data["side_text"], strict=True))
    return alt.layer(*layers).properties(
        title=title,
        height=alt.Step(ROW_STEP),
        description=fill(say("rates.description"), title=title, n=len(data), summary=summary),
    )


def difference_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    x_title: str | None = None,
    y_title: str = "",
    value_format: str = "+.0%",
    suppressed_label: str | None = None,
    translate: Translate = None,
) -> alt.LayerChart:
    """Differences between groups (label, diff, ci_low, ci_high[, significant, suppressed]) around a zero line.

    Significance is shown by colour, point shape and words; without a `significant` column it is read from whether
    the interval excludes zero.
    """
    say = words(translate)
    suppressed_label = say("chart.suppressed") if suppressed_label is None else suppressed_label
    shown = _shown(frame, "diff")
    low, high = frame["ci_low"].astype(float), frame["ci_high"].astype(float)
    significant = frame["significant"] if "significant" in frame else (low > 0) | (high < 0)
    significant = significant.fillna(False).astype(bool) & shown
    data = pd.DataFrame(
        {
            "label": frame["label"].astype(str).to_numpy(),
            "diff": frame["diff"].where(shown).astype(float).to_numpy(),
            "ci_low": low.where(shown).to_numpy(),
            "ci_high": high.where(shown).to_numpy(),
            "shown": shown.to_numpy(),
            "significance": [say("chart.significant" if flag else "chart.not_significant") for flag in significant],
        }
    )
    data["value_text"] = [format_value(value, value_format) for value in data["diff"]]
    data["ci_text"] = _interval_texts(data, value_format)
    data["side_text"] = [
        f"{text} {sig}" if ok else suppressed_label
        for text, sig, ok in zip(data["value_text"], data["significance"], data["shown"], strict=True)
    ]
    # A symmetric axis keeps zero in the middle, so left and right of it read as "lower" and "higher" at a glance.
    reach = float(np.nanmax(np.abs(data[["ci_low", "ci_high"]].to_numpy()))) if shown.any() else 0.1
    reach = max(reach * 1.1, 0.01)
    x_scale = alt.Scale(domain=[-reach, reach], nice=False)
    x_axis = alt.Axis(format=value_format, title=(say("chart.difference") if x_title is None else x_title) or None)
    kinds = [say("chart.significant"), say("chart.not_significant")]
    y = _y(y_title, list(data["label"]))
    visible = data[data["shown"]]
    tooltip = [
        alt.Tooltip("label:N", title=say("chart.group")),
        alt.Tooltip("value_text:N", title=say("chart.difference")),
        alt.Tooltip("ci_text:N", title=say("chart.ci")),
        alt.Tooltip("significance:N", title=" "),
    ]
    layers = [
        alt.Chart(pd.DataFrame({"zero": [0.0]}))
        .mark_rule(color=TEXT_COLOUR, strokeWidth=1.5, aria=False)
        .encode(x=alt.X("zero:Q", scale=x_scale, axis=x_axis))
        .properties(name="difference_zero"),
        alt.Chart(visible)
        .mark_errorbar(ticks={"size": 10}, color=INTERVAL_COLOUR, thickness=1.5)
        .encode(x=alt.X("ci_low:Q", scale=x_scale, axis=x_axis), x2="ci_high:Q", y=y, tooltip=tooltip)
        .properties(name="difference_intervals"),
        alt.Chart(visible)
        .mark_point(filled=True, size=110, stroke=LINE_COLOUR, strokeWidth=0.8, opacity=1)
        .encode(
            x=alt.X("diff:Q", scale=x_scale, axis=x_axis),
            y=y,
            color=alt.Color(
                "significance:N",
                scale=alt.Scale(domain=kinds, range=[OKABE_ITO[0], NOT_SIGNIFICANT_COLOUR]),
                legend=None,
            ),
            shape=alt.Shape("significance:N", scale=alt.Scale(domain=kinds, range=["diamond", "circle"]), legend=None),
            tooltip=tooltip,
            description="side_text:N",
        )
        .properties(name="difference_points"),
    ]
    hidden = data[~data["shown"]]
    if len(hidden):
        layers.append(
            alt.Chart(hidden)
            .mark_text(align="left", baseline="middle", dx=6, fontStyle="italic", color=TEXT_COLOUR)
            .encode(x=alt.datum(0.0), y=y, text="side_text:N", description="side_text:N")
            .properties(name="difference_suppressed")
        )
    layers.append(_side_text(visible, reach, "difference_labels", y))
    summary = "; ".join(f"{label}: {text}" for label, text in zip(data["label"], data["side_text"], strict=True))
    return alt.layer(*layers).properties(
        title=title,
        height=alt.Step(ROW_STEP),
        description=fill(say("difference.description"), title=title, summary=summary),
    )
