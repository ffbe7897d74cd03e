"""police.uk context charts: monthly volumes by crime type, area or outcome, and the shares of outcome categories."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from charts.icons import Translate, fill, words
from charts.theme import OKABE_ITO, TEXT_COLOUR, as_timestamps, format_value, month_axis, month_label

DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 2, 1, 2]]
SHAPES = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "triangle-left", "triangle-right"]
BAR_COLOUR = OKABE_ITO[0]


def group_categories(totals: pd.Series, top_n: int, other_label: str) -> dict[str, str]:
    """Map each category to itself (the top_n largest) or to other_label; one spare category is never grouped."""
    ranked = totals.sort_values(ascending=False, kind="stable").index.astype(str)
    if len(ranked) <= top_n + 1:
        return {name: name for name in ranked}
    return {name: (name if position < top_n else other_label) for position, name in enumerate(ranked)}


def monthly_table(
    frame: pd.DataFrame, colour_by: str, *, count_column: str, top_n: int, other_label: str, lang: str
) -> tuple[pd.DataFrame, list[str], bool]:
    """Counts summed by month and (grouped) category, the category order, and whether the months are dates."""
    totals = frame.groupby(frame[colour_by].astype(str))[count_column].sum()
    mapping = group_categories(totals, top_n, other_label)
    grouped = frame.assign(category=frame[colour_by].astype(str).map(mapping))
    table = grouped.groupby(["month", "category"], as_index=False, sort=True)[count_column].sum()
    table = table.rename(columns={count_column: "count"})
    order = [name for name in dict.fromkeys(mapping.values()) if name != other_label]
    if other_label in mapping.values():
        order.append(other_label)
    stamps = as_timestamps(table["month"])
    if stamps is not None:
        table["period"] = [month_label(stamp, lang) for stamp in stamps]
        table["month"] = stamps.to_numpy()
    else:
        table["period"] = table["month"].astype(str)
    return table, order, stamps is not None


def monthly_volumes(
    frame: pd.DataFrame,
    colour_by: str,
    *,
    title: str,
    y_title: str | None = None,
    x_title: str = "",
    legend_title: str | None = None,
    count_column: str = "count",
    top_n: int = 7,
    other_label: str | None = None,
    stacked: bool = False,
    translate: Translate = None,
    lang: str = "en",
) -> alt.LayerChart:
    """Monthly counts (month, <colour_by>, count) as lines, or stacked bars; the smallest categories become "other".

    Lines differ by colour, dash and point shape, so a line can be followed without telling colours apart.
    """
    say = words(translate)
    other_label = say("chart.other") if other_label is None else other_label
    table, order, temporal = monthly_table(
        frame, colour_by, count_column=count_column, top_n=top_n, other_label=other_label, lang=lang
    )
    months = table["month"].nunique()
    axis = month_axis(lang, title=x_title, points=months)
    x = alt.X("month:T", axis=axis) if temporal else alt.X("month:O", title=x_title or None)
    y = alt.Y("count:Q", title=say("chart.count") if y_title is None else y_title, axis=alt.Axis(format=",.0f"))
    legend = alt.Legend(title=say("chart.category") if legend_title is None else legend_title, columns=2)
    colour = alt.Color("category:N", scale=alt.Scale(domain=order, range=OKABE_ITO[: len(order)]), legend=legend)
    tooltip = [
        alt.Tooltip("period:N", title=say("chart.month")),
        alt.Tooltip("category:N", title=legend.title),
        alt.Tooltip("count:Q", title=say("chart.count"), format=","),
    ]
    base = alt.Chart(table)
    if stacked:
        layers = [
            base.transform_calculate(rank=f"indexof({json.dumps(order)}, datum.category)")
            .mark_bar(stroke="white", strokeWidth=0.5)
            # A month time unit gives each bar the width of its month instead of a hairline.
            .encode(
                x=alt.X("yearmonth(month):T", axis=axis) if temporal else x,
                y=y,
                color=colour,
                order=alt.Order("rank:Q"),
                tooltip=tooltip,
            )
            .properties(name="volumes_bars")
        ]
    else:
        layers = [
            base.mark_line(strokeWidth=2, aria=False)
            .encode(
                x=x,
                y=y,
                color=colour,
                strokeDash=alt.StrokeDash("category:N", scale=alt.Scale(domain=order, range=DASHES), legend=legend),
            )
            .properties(name="volumes_lines"),
            base.mark_point(filled=True, size=40, opacity=1)
            .encode(
                x=x,
                y=y,
                color=colour,
                shape=alt.Shape("category:N", scale=alt.Scale(domain=order, range=SHAPES), legend=legend),
                tooltip=tooltip,
            )
            .properties(name="volumes_points"),
        ]
    description = ""
    if len(table):
        first, last = table.sort_values("month")["period"].iloc[[0, -1]]
        by = legend.title if isinstance(legend.title, str) else colour_by
        description = fill(say("public.volumes_description"), title=title, first=first, last=last, by=by)
    return alt.layer(*layers).properties(title=title, description=description)


def outcome_shares(
    frame: pd.DataFrame,
    *,
    title: str,
    category: str = "outcome",
    count_column: str = "count",
    x_title: str | None = None,
    y_title: str = "",
    share_format: str = ".1%",
    translate: Translate = None,
) -> alt.LayerChart:
    """Share of each outcome category over the whole frame, largest first, labelled with share and count."""
    say = words(translate)
    totals = frame.groupby(frame[category].astype(str))[count_column].sum().sort_values(ascending=False, kind="stable")
    total = float(totals.sum())
    data = pd.DataFrame({"category": totals.index, "count": totals.to_numpy()})
    data["share"] = data["count"] / total if total else float("nan")
    data["share_text"] = [format_value(share, share_format) for share in data["share"]]
    data["label_text"] = [
        f"{share} ({count:,})" for share, count in zip(data["share_text"], data["count"], strict=True)
    ]
    y = alt.Y("category:N", sort=list(data["category"]), title=y_title or None, axis=alt.Axis(labelLimit=320))
    x = alt.X(
        "share:Q",
        title=(say("chart.share") if x_title is None else x_title) or None,
        axis=alt.Axis(format=share_format),
        scale=alt.Scale(domain=[0, 1], nice=False),
    )
    tooltip = [
        alt.Tooltip("category:N", title=say("chart.category")),
        alt.Tooltip("share_text:N", title=say("chart.share")),
        alt.Tooltip("count:Q", title=say("chart.count"), format=","),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=BAR_COLOUR, height={"band": 0.7})
        .encode(x=x, y=y, tooltip=tooltip, description="label_text:N")
        .properties(name="shares_bars")
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", baseline="middle", dx=4, color=TEXT_COLOUR)
        .encode(x=x, y=y, text="label_text:N")
        .properties(name="shares_labels")
    )
    summary = "; ".join(f"{name}: {text}" for name, text in zip(data["category"], data["label_text"], strict=True))
    return alt.layer(bars, labels).properties(
        title=title,
        height=alt.Step(26),
        description=fill(say("public.shares_description"), title=title, summary=summary),
    )
