"""Clickable charts: a point selection added to one named layer of a chart, so Streamlit can read back what was
clicked (st.altair_chart(..., on_select=…)). Pure Altair: the chart functions stay unaware of it."""

from __future__ import annotations

import copy

import altair as alt

PICK = "pick"  # the selection's name: Streamlit reports the clicked point's fields under it


def with_pick(chart: alt.LayerChart, layer_name: str, fields: list[str], name: str = PICK) -> alt.LayerChart:
    """The chart with a click selection (one point at a time, by `fields`) on the layer named `layer_name`; the chart
    unchanged when it has no such layer."""
    layers = list(getattr(chart, "layer", []) or [])
    position = next((i for i, layer in enumerate(layers) if getattr(layer, "name", None) == layer_name), None)
    if position is None:
        return chart
    picked = copy.deepcopy(chart)
    param = alt.selection_point(name=name, fields=list(fields), on="click", clear="dblclick", toggle=False)
    picked.layer[position] = picked.layer[position].add_params(param)
    return picked


def picked_values(state, field: str, name: str = PICK) -> list:
    """The values of `field` in a chart's selection state as Streamlit keeps it (empty when nothing is picked)."""
    selection = (state or {}).get("selection") or {}
    return [point.get(field) for point in (selection.get(name) or []) if isinstance(point, dict) and field in point]
