"""Making Data Count XmR chart: data line, variation points (colour and shape), mean, limits, two-sigma and target."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from charts.icons import (
    POINT_STYLES,
    Translate,
    assurance_icon,
    fill,
    icon_text,
    variation_icon,
    words,
)
from charts.theme import (
    LIMIT_COLOUR,
    LINE_COLOUR,
    TARGET_COLOUR,
    as_timestamps,
    format_value,
    month_axis,
    month_label,
)

VARIATION_ORDER = ("common", "improvement", "concern", "neutral")
LIMIT_COLUMNS = ("mean", "lpl", "upl", "nlpl", "nupl")
POINT_SIZE = 55
SPECIAL_POINT_SIZE = 110  # special-cause points are larger as well as differently coloured and shaped


def _segments(frame: pd.DataFrame) -> np.ndarray:
    """Segment number per point: the xmr "segment" column, else a new segment wherever the limits change."""
    if "segment" in frame:
        return frame["segment"].to_numpy()
    limits = frame[["mean", "lpl", "upl"]].astype(float).round(12)
    changed = limits.ne(limits.shift()) & ~(limits.isna() & limits.shift().isna())
    changed.iloc[0] = False
    return changed.any(axis=1).cumsum().to_numpy()


def _rule_text(rule, say) -> str:
    """The comma-separated rule codes of xmr as words."""
    if not isinstance(rule, str) or not rule.strip():
        return ""
    codes = [code.strip() for code in rule.replace(";", ",").split(",") if code.strip()]
    texts = []
    for code in codes:
        text = say(f"spc.rules.{code}")
        # An unknown code (a rule added to metrics.spc later) is shown as it is rather than as a key.
        texts.append(code if text == f"spc.rules.{code}" else text)
    return "; ".join(texts)


def spc_points(
    xmr_frame: pd.DataFrame, *, y_format: str = ".0%", translate: Translate = None, lang: str = "en"
) -> tuple[pd.DataFrame, bool]:
    """The tidy per-point frame the SPC chart draws, and whether its x is temporal."""
    say = words(translate)
    frame = xmr_frame.copy()
    stamps = as_timestamps(frame.index)
    data = pd.DataFrame({column: frame[column].astype(float).to_numpy() for column in ("value", *LIMIT_COLUMNS)})
    if stamps is not None:
        data.insert(0, "x", stamps.to_numpy())
        data.insert(1, "period", [month_label(stamp, lang) for stamp in stamps])
    else:
        labels = [str(item) for item in frame.index]
        data.insert(0, "x", labels)
        data.insert(1, "period", labels)
    # A suppressed month has no variation (None): no label, and no point is drawn for it.
    variation = [item if isinstance(item, str) else "" for item in frame["variation"]]
    data["variation"] = variation
    data["variation_label"] = [say(POINT_STYLES.get(item, POINT_STYLES["common"])[0]) if item else "" for item in
                               variation]  # fmt: skip
    data["special_cause"] = frame["special_cause"].fillna(False).astype(bool).to_numpy()
    data["rule_text"] = [_rule_text(rule, say) for rule in frame.get("rule", pd.Series([""] * len(frame)))]
    data["segment"] = _segments(frame)
    data["value_text"] = [format_value(value, y_format) for value in data["value"]]
    data["mean_text"] = [format_value(value, y_format) for value in data["mean"]]
    data["limits_text"] = [
        f"{format_value(low, y_format)} – {format_value(high, y_format)}" if not pd.isna(low) else ""
        for low, high in zip(data["lpl"], data["upl"], strict=True)
    ]
    data["point_text"] = [
        ", ".join(part for part in (period, text, label, rule) if part)
        for period, text, label, rule in zip(
            data["period"], data["value_text"], data["variation_label"], data["rule_text"], strict=True
        )
    ]
    return data, stamps is not None


def decision_marks(attrs: dict, lang: str = "en", translate: Translate = None) -> pd.DataFrame:
    """The recorded process changes and annotations of an XmR frame (its attrs, results.spc put them there) as rows
    to draw: x (a rebase sits between the last month of the old segment and the first of the new), month, kind
    (rebase or note), tag (the short label on the chart) and text (the line under the title and in the tooltip)."""
    say = words(translate)
    rows = []
    for month, reason in attrs.get("rebases") or ():
        stamp = pd.Timestamp(month)
        text = fill(say("spc.process_change"), month=month_label(stamp, lang), reason=reason)
        rows.append({"x": stamp - pd.Timedelta(days=15), "month": month_label(stamp, lang), "kind": "rebase",
                     "tag": say("spc.process_change_tag"), "text": text})  # fmt: skip
    for number, (month, note) in enumerate(attrs.get("annotations") or (), start=1):
        stamp = pd.Timestamp(month)
        tag = fill(say("spc.note_tag"), n=number)
        text = fill(say("spc.note"), n=number, month=month_label(stamp, lang), note=note)
        rows.append({"x": stamp, "month": month_label(stamp, lang), "kind": "note", "tag": tag, "text": text})
    return pd.DataFrame(rows, columns=["x", "month", "kind", "tag", "text"])


def decision_notes(attrs: dict, lang: str = "en", translate: Translate = None) -> list[str]:
    """Lines under the chart's title: each process change and note with its reason, the segment the readings come
    from, and any suggested recalculation (never applied until someone records it)."""
    say = words(translate)
    lines = decision_marks(attrs, lang, translate)["text"].tolist()
    rebases = attrs.get("rebases") or ()
    if rebases:
        lines.append(fill(say("spc.current_segment"), month=month_label(pd.Timestamp(rebases[-1][0]), lang)))
    for month in attrs.get("suggested_rebases") or ():
        lines.append(fill(say("spc.suggested_rebase"), month=month_label(pd.Timestamp(month), lang)))
    return lines


def _decision_layers(attrs: dict, x, lang: str, translate: Translate) -> list:
    """Vertical rules at each process change (solid) and annotated month (dotted), each with its short tag."""
    marks = decision_marks(attrs, lang, translate)
    layers = []
    for kind, dash, width in (("rebase", [1, 0], 2.0), ("note", [2, 2], 1.2)):
        part = marks.loc[marks["kind"] == kind]
        if part.empty:
            continue
        base = alt.Chart(part)
        layers.append(
            base.mark_rule(color=LINE_COLOUR, strokeWidth=width, strokeDash=dash)
            .encode(x=x, tooltip=[alt.Tooltip("text:N", title=" ")], description="text:N")
            .properties(name=f"spc_{kind}s")
        )
        layers.append(
            # Process changes are tagged at the top, notes at the bottom, clear of the points near the limits.
            base.mark_text(
                align="left",
                baseline="top" if kind == "rebase" else "bottom",
                dx=3,
                fontSize=10,
                color=LINE_COLOUR,
                limit=120,
                aria=False,
            )
            .encode(x=x, y=alt.value(2) if kind == "rebase" else alt.value({"expr": "height - 2"}), text="tag:N")
            .properties(name=f"spc_{kind}_tags")
        )
    return layers


def _description(data: pd.DataFrame, attrs: dict, title: str, y_format: str, say, lang: str = "en") -> str:
    """Screen-reader summary: span, latest value, latest limits, variation and assurance in words."""
    observed = data.dropna(subset=["value"])
    last = data.iloc[-1]
    sentences = [
        fill(
            say("spc.description"),
            title=title,
            n=len(observed),
            first=observed["period"].iloc[0],
            last=observed["period"].iloc[-1],
            latest=format_value(observed["value"].iloc[-1], y_format),
        )
    ]
    if not np.isnan(last["mean"]):
        sentences.append(
            fill(
                say("spc.description_limits"),
                mean=format_value(last["mean"], y_format),
                lpl=format_value(last["lpl"], y_format),
                upl=format_value(last["upl"], y_format),
            )
        )
    for icon in (variation_icon(attrs.get("variation_icon")), assurance_icon(attrs.get("assurance"))):
        if icon is not None:
            sentences.append(say(icon.key) + ".")
    if attrs.get("trial_limits"):
        sentences.append(say("spc.trial_limits") + ".")
    sentences += [line.rstrip(".") + "." for line in decision_notes(attrs, lang, say)]
    return " ".join(sentences)


def spc_chart(
    xmr_frame: pd.DataFrame,
    *,
    title: str,
    y_format: str = ".0%",
    target: float | None = None,
    y_title: str | None = None,
    x_title: str | None = None,
    subtitle: str | None = None,
    translate: Translate = None,
    lang: str = "en",
    show_two_sigma: bool = True,
    y_domain: tuple[float, float] | None = None,
) -> alt.LayerChart:
    """XmR chart of a metrics.spc.xmr frame; raises ValueError for fewer than two plotted points (no chart)."""
    if xmr_frame["value"].notna().sum() < 2:
        raise ValueError("an SPC chart needs at least two points")
    say = words(translate)
    attrs = dict(xmr_frame.attrs)
    data, temporal = spc_points(xmr_frame, y_format=y_format, translate=translate, lang=lang)
    y_title = say("chart.value") if y_title is None else y_title
    x_title = "" if x_title is None else x_title
    if temporal:
        x = alt.X("x:T", axis=month_axis(lang, title=x_title, points=len(data)))
    else:
        x = alt.X("x:O", sort=None, axis=alt.Axis(title=x_title, labelAngle=0, labelOverlap=True))
    if y_domain is None and y_format.endswith("%") and data["value"].dropna().between(0, 1).all():
        y_domain = (0.0, 1.0)  # a rate runs 0-100%: limits beyond that mean nothing and are clamped to the edge
    scale = alt.Scale(zero=False, domain=list(y_domain), nice=False, clamp=True) if y_domain else alt.Scale(zero=False)
    y_axis = alt.Axis(format=y_format, title=y_title)

    base = alt.Chart(data)
    limit_detail = [alt.Detail("limit:N"), alt.Detail("segment:N")]
    layers = []
    if show_two_sigma:
        layers.append(
            base.transform_fold(["nupl", "nlpl"], as_=["limit", "limit_value"])
            .mark_line(color=LIMIT_COLOUR, strokeWidth=0.8, strokeDash=[2, 3], opacity=0.6, aria=False)
            .encode(x=x, y=alt.Y("limit_value:Q", scale=scale, axis=y_axis), detail=limit_detail)
            .properties(name="spc_two_sigma")
        )
    layers.append(
        base.transform_fold(["upl", "lpl"], as_=["limit", "limit_value"])
        .mark_line(color=LIMIT_COLOUR, strokeWidth=1.5, strokeDash=[6, 4], aria=False)
        .encode(
            x=x,
            y=alt.Y("limit_value:Q", scale=scale, axis=y_axis),
            detail=limit_detail,
            tooltip=[alt.Tooltip("limits_text:N", title=say("spc.process_limits"))],
        )
        .properties(name="spc_limits")
    )
    layers.append(
        base.mark_line(color=LIMIT_COLOUR, strokeWidth=1.5, aria=False)
        .encode(
            x=x,
            y=alt.Y("mean:Q", scale=scale, axis=y_axis),
            detail="segment:N",
            tooltip=[alt.Tooltip("mean_text:N", title=say("spc.mean"))],
        )
        .properties(name="spc_mean")
    )
    if target is not None and not pd.isna(target):
        target_data = pd.DataFrame({"target": [float(target)], "label": [say("chart.target")]})
        target_data["target_text"] = format_value(target, y_format)
        layers.append(
            alt.Chart(target_data)
            .mark_rule(color=TARGET_COLOUR, strokeWidth=2, strokeDash=[8, 4])
            .encode(
                y=alt.Y("target:Q", scale=scale, axis=y_axis),
                tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("target_text:N", title=say("chart.value"))],
                description="target_text:N",
            )
            .properties(name="spc_target")
        )
    if temporal:
        layers += _decision_layers(attrs, x, lang, translate)
    layers.append(
        base.mark_line(color=LINE_COLOUR, strokeWidth=1.5, aria=False)
        .encode(x=x, y=alt.Y("value:Q", scale=scale, axis=y_axis))
        .properties(name="spc_data_line")
    )
    present = [item for item in VARIATION_ORDER if item in set(data["variation"])]
    domain = [say(POINT_STYLES[item][0]) for item in present]
    legend = alt.Legend(title=say("spc.variation"))
    layers.append(
        base.transform_filter("isValid(datum.value)")
        .mark_point(filled=True, opacity=1, stroke=LINE_COLOUR, strokeWidth=0.8)
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=scale, axis=y_axis),
            color=alt.Color(
                "variation_label:N",
                scale=alt.Scale(domain=domain, range=[POINT_STYLES[item][1] for item in present]),
                legend=legend,
            ),
            shape=alt.Shape(
                "variation_label:N",
                scale=alt.Scale(domain=domain, range=[POINT_STYLES[item][2] for item in present]),
                legend=legend,
            ),
            size=alt.when(alt.datum.special_cause).then(alt.value(SPECIAL_POINT_SIZE)).otherwise(alt.value(POINT_SIZE)),
            tooltip=[
                alt.Tooltip("period:N", title=say("chart.month")),
                alt.Tooltip("value_text:N", title=say("chart.value")),
                alt.Tooltip("variation_label:N", title=say("spc.variation")),
                alt.Tooltip("rule_text:N", title=say("spc.rule")),
            ],
            description="point_text:N",
        )
        .properties(name="spc_points")
    )

    notes = [
        text
        for text in (
            subtitle,
            "   ".join(
                text
                for text in (
                    icon_text(variation_icon(attrs.get("variation_icon")), translate),
                    icon_text(assurance_icon(attrs.get("assurance")), translate),
                )
                if text
            ),
            say("spc.trial_limits") if attrs.get("trial_limits") else None,
            *(decision_notes(attrs, lang, translate) if temporal else []),
        )
        if text
    ]
    heading = alt.Title(title, subtitle=notes) if notes else alt.Title(title)
    description = _description(data, attrs, title, y_format, say, lang)
    return alt.layer(*layers).properties(title=heading, description=description)
