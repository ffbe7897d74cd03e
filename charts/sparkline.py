"""Tiny trend line for scorecard tiles: no axes, the latest point marked."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.icons import Translate, fill, words
from charts.theme import TEXT_COLOUR, as_timestamps, format_value, month_label


def sparkline(
    frame: pd.DataFrame,
    *,
    x: str = "month",
    y: str = "value",
    y_format: str = ".0%",
    width: int = 140,
    height: int = 36,
    colour: str = TEXT_COLOUR,
    translate: Translate = None,
    lang: str = "en",
) -> alt.LayerChart:
    """Line of a monthly series (month, value) with the latest observed point; missing months leave a gap."""
    say = words(translate)
    stamps = as_timestamps(frame[x]) if len(frame) else None
    data = pd.DataFrame({"value": frame[y].astype(float).to_numpy()})
    if stamps is not None:
        data["x"] = stamps.to_numpy()
        data["period"] = [month_label(stamp, lang) for stamp in stamps]
        x_type = "T"
    else:
        data["x"] = data["period"] = [str(item) for item in frame[x]]
        x_type = "O"
    data["value_text"] = [format_value(value, y_format) for value in data["value"]]
    observed = data.dropna(subset=["value"])
    latest = observed.tail(1)
    x_enc = alt.X(f"x:{x_type}", axis=None, sort=None) if x_type == "O" else alt.X("x:T", axis=None)
    y_enc = alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("period:N", title=say("chart.month")), alt.Tooltip("value_text:N", title=say("chart.value"))]
    line = (
        alt.Chart(data)
        .mark_line(color=colour, strokeWidth=1.5, aria=False)
        .encode(x=x_enc, y=y_enc)
        .properties(name="sparkline_line")
    )
    last = (
        alt.Chart(latest)
        .mark_point(filled=True, color=colour, size=30, opacity=1)
        .encode(x=x_enc, y=y_enc, tooltip=tooltip, description="value_text:N")
        .properties(name="sparkline_latest")
    )
    description = ""
    if len(observed):
        description = fill(
            say("sparkline.description"),
            n=len(observed),
            first=observed["period"].iloc[0],
            last=observed["period"].iloc[-1],
            latest=observed["value_text"].iloc[-1],
        )
    return alt.layer(line, last).properties(width=width, height=height, description=description)
